import { randomBytes, timingSafeEqual } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger, SpaceId } from '../../core/index.js';
import { judgePush } from './hooks/push-rules.mjs';
import { gitEnv } from './run-git.js';

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

/** Largest request the hook may send (its ref updates). */
const MAX_BODY = 16 * 1024 * 1024;
/**
 * How long the hook has to send its whole request (headers and ref updates, written at once by
 * curl): a client that stalls is cut off (408) rather than held. The judging after it is bounded by
 * its git runs' own deadlines.
 */
const REQUEST_TIMEOUT_MS = 30_000;
/** The directory git keeps a push's objects in until the hook agrees (tmp-objdir.c: `incoming-XXXXXX`). */
const QUARANTINE_RE = /^tmp_objdir-incoming-[A-Za-z0-9]+$/;

/** One push in progress: its Space, its bare repo and its file size limit. */
interface OpenPush {
  space: SpaceId;
  repo: string;
  maxFileBytes: number;
}

/**
 * A loopback HTTP endpoint the pre-receive hook hands a push to (git runs the hook in its own
 * process, with the new objects still in quarantine): the hook (`hooks/pre-receive.sh`, bash, so
 * no program starts for it) sends the ref updates and the quarantine directory, and the push is
 * judged here, in-process, by the same rules the Node hook applies (`hooks/push-rules.mjs`: refs,
 * file sizes) and with `check` (README.md metadata with the same code as builds, LFS pointers).
 * Each push gets its own token, bound to its Space and repo and valid only while that push's
 * request runs. Started on the first push; `close()` stops it.
 */
export class PushCheckServer {
  readonly #check: PushCheck | undefined;
  readonly #log: Logger;
  readonly #pushes = new Map<string, OpenPush>();
  readonly #requestTimeoutMs: number;
  #server: Promise<{ server: http.Server; port: number }> | undefined;

  constructor(check: PushCheck | undefined, log: Logger, o: { requestTimeoutMs?: number } = {}) {
    this.#check = check;
    this.#log = log;
    this.#requestTimeoutMs = o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  }

  /** Register one push of `space` into the bare repo `repo`; returns the env its hook needs and a release to call when the request ends. */
  async open(space: SpaceId, o: { repo: string; maxFileBytes: number }): Promise<{ env: Record<string, string>; release(): void }> {
    const { port } = await (this.#server ??= this.#listen());
    const token = randomBytes(24).toString('hex');
    this.#pushes.set(token, { space, repo: o.repo, maxFileBytes: o.maxFileBytes });
    return {
      env: { SPACEPORT_PUSH_HOOK_PORT: String(port), SPACEPORT_PUSH_CHECK_TOKEN: token },
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

  #listen(): Promise<{ server: http.Server; port: number }> {
    const timeout = this.#requestTimeoutMs;
    const server = http.createServer(
      // Node checks these deadlines every `connectionsCheckingInterval`: a tenth of the deadline.
      { requestTimeout: timeout, headersTimeout: timeout, connectionsCheckingInterval: Math.max(10, Math.floor(timeout / 10)) },
      (req, res) => void this.#handle(req, res),
    );
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        server.unref(); // never what keeps a process alive
        resolve({ server, port: (server.address() as AddressInfo).port });
      });
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const answer = (status: number, body: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
      res.end(body);
    };
    const push = req.method === 'POST' && req.url === '/push-hook' ? this.#pushFor(req.headers.authorization) : undefined;
    if (!push) {
      req.resume();
      return answer(404, 'Not found.\n');
    }
    let body: string;
    try {
      body = (await readBody(req)).toString('utf8');
    } catch {
      return answer(400, 'Expected a body of at most 16 MiB.\n');
    }
    const nl = body.indexOf('\n');
    const quarantine = await this.#quarantineOf(push.repo, nl < 0 ? body : body.slice(0, nl));
    if (quarantine === undefined) return answer(400, 'Expected the quarantine directory of this push.\n');
    try {
      const { ok, lines } = await judgePush(nl < 0 ? '' : body.slice(nl + 1), {
        limit: push.maxFileBytes,
        git: { options: { cwd: push.repo, env: gitEnv(quarantineEnv(push.repo, quarantine)) }, stderr: 'ignore' },
        ...(this.#check ? { verdict: this.#verdictFor(push.space, this.#check) } : {}),
      });
      answer(200, `${ok ? 'ok' : 'refuse'}\n${lines.map((l) => `${l}\n`).join('')}`);
    } catch (err) {
      this.#log.error({ err, space: push.space }, 'push check failed');
      answer(500, 'The push check failed.\n');
    }
  }

  #verdictFor(space: SpaceId, check: PushCheck) {
    return async ({ readme, pointers }: { readme: string | undefined; pointers: PointerCandidate[] }): Promise<PushVerdict> => {
      try {
        return await check({ space, readme, pointers });
      } catch (err) {
        this.#log.error({ err, space }, 'push check failed');
        throw new Error('internal error', { cause: err }); // the client sees the note, never our details
      }
    };
  }

  /**
   * The push's quarantine directory, only if it is one of this repo's (`objects/tmp_objdir-incoming-…`,
   * as git names it, real path); '' when git used none (a push of no new objects). Undefined: not one.
   */
  async #quarantineOf(repo: string, given: string): Promise<string | undefined> {
    if (given === '') return '';
    if (!path.isAbsolute(given) || !QUARANTINE_RE.test(path.basename(given))) return undefined;
    const [real, objects] = await Promise.all([realpath(given).catch(() => undefined), realpath(path.join(repo, 'objects')).catch(() => undefined)]);
    if (real === undefined || objects === undefined || path.dirname(real) !== objects) return undefined;
    return real;
  }

  #pushFor(authorization: string | undefined): OpenPush | undefined {
    const given = /^Bearer ([0-9a-f]{48})$/.exec(authorization ?? '')?.[1];
    if (!given) return undefined;
    for (const [token, push] of this.#pushes) {
      if (timingSafeEqual(Buffer.from(token), Buffer.from(given))) return push;
    }
    return undefined;
  }
}

/** The environment git needs to see a push's objects while they are in quarantine (as git gives its hooks). */
function quarantineEnv(repo: string, quarantine: string): Record<string, string> {
  const base = { GIT_DIR: repo };
  if (quarantine === '') return base;
  return { ...base, GIT_OBJECT_DIRECTORY: quarantine, GIT_ALTERNATE_OBJECT_DIRECTORIES: path.join(repo, 'objects'), GIT_QUARANTINE_PATH: quarantine };
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
