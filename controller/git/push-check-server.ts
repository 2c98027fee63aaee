import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger, SpaceId } from '../../core/index.js';

/** A new blob of the push that starts like a Git LFS pointer: its path and content (at most 1 KiB). */
export interface PointerCandidate {
  path: string;
  text: string;
}

/**
 * What the pre-receive hook sends: README.md at the new head of `main` (absent: `main` is not
 * pushed, or has none), and the push's new blobs that look like LFS pointers.
 */
export interface PushCheckRequest {
  space: SpaceId;
  readme: string | undefined;
  pointers: PointerCandidate[];
}

/** The verdict: lines about README.md that refuse the push (shown as `remote: …`), and pointers to objects this Space lacks. */
export interface PushVerdict {
  refusals: string[];
  missingLfs: { path: string; oid: string }[];
}

export type PushCheck = (push: PushCheckRequest) => PushVerdict | Promise<PushVerdict>;

/** Largest request the hook may send (the first MiB of README.md, and pointers of at most 1 KiB each). */
const MAX_BODY = 16 * 1024 * 1024;
const MAX_POINTER_TEXT = 1024;

/**
 * A loopback HTTP endpoint the pre-receive hook calls back (git runs the hook in its own process,
 * with the new objects still in quarantine): the hook reads README.md itself and asks here, where
 * the same code as builds validates it. Each push gets its own token, bound to its Space and valid
 * only while that push's request runs. Started on the first push; `close()` stops it.
 */
export class PushCheckServer {
  readonly #check: PushCheck;
  readonly #log: Logger;
  readonly #pushes = new Map<string, SpaceId>();
  #server: Promise<{ server: http.Server; url: string }> | undefined;

  constructor(check: PushCheck, log: Logger) {
    this.#check = check;
    this.#log = log;
  }

  /** Register one push; returns the env its hook needs and a release to call when the request ends. */
  async open(space: SpaceId): Promise<{ env: Record<string, string>; release(): void }> {
    const { url } = await (this.#server ??= this.#listen());
    const token = randomBytes(24).toString('hex');
    this.#pushes.set(token, space);
    return {
      env: { SPACEPORT_PUSH_CHECK_URL: `${url}/push-check`, SPACEPORT_PUSH_CHECK_TOKEN: token },
      release: () => this.#pushes.delete(token),
    };
  }

  async close(): Promise<void> {
    const started = this.#server;
    this.#server = undefined;
    if (!started) return;
    const { server } = await started.catch(() => ({ server: undefined }));
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #listen(): Promise<{ server: http.Server; url: string }> {
    const server = http.createServer((req, res) => void this.#handle(req, res));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        server.unref(); // never what keeps a process alive
        resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      });
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const space = req.method === 'POST' && req.url === '/push-check' ? this.#spaceFor(req.headers.authorization) : undefined;
    if (!space) {
      req.resume();
      return answer(404, { error: 'Not found.' });
    }
    let body: { readme?: unknown; lfs?: unknown };
    try {
      body = JSON.parse((await readBody(req)).toString('utf8')) as { readme?: unknown; lfs?: unknown };
    } catch {
      return answer(400, { error: 'Expected a JSON body of at most 16 MiB.' });
    }
    const pointers = (Array.isArray(body.lfs) ? body.lfs : []).filter(
      (p): p is PointerCandidate => typeof p?.path === 'string' && typeof p?.text === 'string' && p.text.length <= MAX_POINTER_TEXT,
    );
    try {
      const verdict = await this.#check({ space, readme: typeof body.readme === 'string' ? body.readme : undefined, pointers });
      answer(200, verdict);
    } catch (err) {
      this.#log.error({ err, space }, 'push check failed');
      answer(500, { error: 'The push check failed.' });
    }
  }

  #spaceFor(authorization: string | undefined): SpaceId | undefined {
    const given = /^Bearer ([0-9a-f]{48})$/.exec(authorization ?? '')?.[1];
    if (!given) return undefined;
    for (const [token, space] of this.#pushes) {
      if (timingSafeEqual(Buffer.from(token), Buffer.from(given))) return space;
    }
    return undefined;
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
