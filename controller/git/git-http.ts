import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Logger } from '../../core/index.js';
import { SpaceportError, fail, hidePaths, silentLogger, toSpaceportError, type SpaceId } from '../../core/index.js';
import { parseCgiHead } from './cgi-response.js';
import { diesWithParent } from '../../core/dies-with-parent.js';
import { parseGitPath, type GitPath } from './git-path.js';
import { tokenFromAuthorization } from './http-auth.js';
import type { ProcessGate } from './process-gate.js';
import { PushCheckServer, type PushCheck } from './push-check-server.js';
import { gitEnv, runGit } from './run-git.js';

export type GitAccess = 'read' | 'write';

export interface GitAuthorizeRequest {
  space: SpaceId;
  access: GitAccess;
  /** From Basic auth (the password; any username) or a Bearer header. */
  token?: string;
}

/**
 * `{user}` lets the request through (an anonymous read of a public Space may answer `{user: ''}`).
 * `{error}` answers with its status: `Unauthorized`/`InvalidToken` (401, git then asks for credentials,
 * so answer this, not 404, for a private Space without a token), `Forbidden`/`ReadOnlyToken` (403),
 * `RepoNotFound` (404).
 */
export type GitAuthorizeResult = { user: string } | { error: SpaceportError };

/** What the handler needs from the repos: where they live, whether one exists, and its hooks. */
export interface GitHttpRepos {
  readonly root: string;
  exists(space: SpaceId): Promise<boolean>;
  ensureHooks(space: SpaceId): Promise<void>;
}

export interface GitHttpOptions {
  repos: GitHttpRepos;
  authorize(req: GitAuthorizeRequest): Promise<GitAuthorizeResult>;
  /**
   * Called after each successful `git-receive-pack`, before the response ends: the client's
   * `git push` returns only once this settles (so the Space already shows BUILDING). Read the new
   * head from the repo. A rejection is logged; the push itself already succeeded.
   */
  onPush?(push: { space: SpaceId; user: string }): void | Promise<void>;
  /**
   * Called before a `git-receive-pack` runs; the returned function after it ends, whatever the
   * outcome. A process killed in between never calls it: the next start looks at that Space's head
   * (a push whose refs landed but whose `onPush` never ran is built then).
   */
  onPushStart?(space: SpaceId): Promise<() => void> | (() => void);
  logger?: Logger;
  /** Files larger than this are refused by the pre-receive hook. Default 10 MiB (the Hub's limit). */
  maxFileBytes?: number;
  /** git's helper directory (`git --exec-path`); asked once when absent. */
  gitExecPath?: string;
  /**
   * Checks a push before git accepts it (README.md metadata on `main`, as the Hub does; LFS
   * pointers): the pre-receive hook hands the push to this process, which reads README.md at the new
   * head and the pointer candidates and asks here; lines it returns refuse the push.
   */
  checkPush?: PushCheck;
  /**
   * Caps the git processes running at once (in all and per client address); requests over it wait,
   * then get 503 with Retry-After. None when absent.
   */
  gate?: ProcessGate;
  /** The client's address for the gate's per-client cap (default: the socket's peer). */
  clientAddress?: (req: IncomingMessage) => string;
}

export type GitHttpHandler = ((req: IncomingMessage, res: ServerResponse) => Promise<void>) & {
  /** Stop what the handler started (the push-check endpoint). */
  close?(): Promise<void>;
};

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Largest push request http-backend buffers (chunked bodies): 1 GiB. */
const GIT_MAX_REQUEST_BUFFER = 1024 * 1024 * 1024;
const GIT_PROTOCOL_RE = /^[A-Za-z0-9=:.,_-]{1,256}$/;

function headerValue(text: string): string {
  return text.replace(/[^\x20-\x7e]+/g, ' ').slice(0, 500);
}

/** Answer with an error the way the Hub does: status, `X-Error-Code`/`X-Error-Message`, and a text body git prints. */
export function sendGitError(res: ServerResponse, err: SpaceportError): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  const message = err.status >= 500 ? hidePaths(err.message) : err.message;
  res.statusCode = err.status;
  res.setHeader('X-Error-Code', err.code);
  res.setHeader('X-Error-Message', headerValue(message));
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  if (err.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="Spaceport", charset="UTF-8"');
  const retryAfter = (err.details as { retryAfter?: unknown } | undefined)?.retryAfter;
  if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
  res.end(`${message}\n`);
}

function checkMethod(gp: GitPath, method: string | undefined, contentType: string | undefined): SpaceportError | undefined {
  const want = gp.service === 'git-upload-pack' || gp.service === 'git-receive-pack' ? 'POST' : 'GET';
  if (method !== want) return fail('gitWrongMethod', { method: want, service: gp.service });
  // http-backend would answer a bare 415 itself; answer it here, with an error code.
  const wantType = `application/x-${gp.service}-request`;
  if (want === 'POST' && contentType?.split(';')[0]?.trim().toLowerCase() !== wantType) {
    return fail('gitWrongContentType', { service: gp.service, type: wantType });
  }
  if (gp.service === 'info/refs' && gp.queryService === undefined) {
    return fail('gitDumbProtocol');
  }
  return undefined;
}

/**
 * Git smart HTTP for `/spaces/{owner}/{name}(.git)?/…`: authorises the request, then runs stock
 * `git http-backend` (CGI) for it. Route requests for which {@link isGitRequest} is true here.
 */
export function createGitHttpHandler(opts: GitHttpOptions): GitHttpHandler {
  const log = opts.logger ?? silentLogger();
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let execPath: Promise<string> | undefined = opts.gitExecPath === undefined ? undefined : Promise.resolve(opts.gitExecPath);
  const backendPath = async (): Promise<string> => {
    execPath ??= runGit(['--exec-path']).then((r) => r.stdout.toString().trim());
    return path.join(await execPath, 'git-http-backend');
  };

  // Every push over HTTP is judged in this process (the hook only hands it over): no Node hook to start.
  const pushCheck = new PushCheckServer(opts.checkPush, log.child({ module: 'push-check' }));

  const handler: GitHttpHandler = async (req, res) => {
    let releasePush: (() => void) | undefined;
    let releaseGate: (() => void) | undefined;
    try {
      const gp = parseGitPath(req.url ?? '');
      if (gp === undefined) throw fail('gitNotAUrl');
      const bad = checkMethod(gp, req.method, req.headers['content-type']);
      if (bad) throw bad;
      const token = tokenFromAuthorization(req.headers.authorization);
      if (gp.access === 'write' && token === undefined) {
        throw fail('gitPushNeedsToken');
      }
      const auth = await opts.authorize({ space: gp.space, access: gp.access, ...(token === undefined ? {} : { token }) });
      if ('error' in auth) throw auth.error;
      if (!(await opts.repos.exists(gp.space))) throw fail('repoNotFound', { space: gp.space });
      if (gp.access === 'write') await opts.repos.ensureHooks(gp.space);
      // No process for a client that has sent no body yet (the hub's idle timeout closes a silent one).
      if (req.method === 'POST' && !(await bodyStarted(req))) return;
      if (opts.gate) {
        const left = new AbortController();
        const onClose = (): void => left.abort(fail('gitBackendFailed', { detail: 'the client went away' }));
        res.once('close', onClose);
        try {
          releaseGate = await opts.gate.acquire(opts.clientAddress?.(req) ?? req.socket.remoteAddress ?? '', left.signal);
        } finally {
          res.off('close', onClose);
        }
      }
      const child = log.child({ space: gp.space, service: gp.service });
      const onPush = opts.onPush;
      const beforeEnd =
        gp.service === 'git-receive-pack' && onPush
          ? async () => {
              try {
                await onPush({ space: gp.space, user: auth.user });
              } catch (err) {
                child.error({ err }, 'onPush failed');
              }
            }
          : undefined;
      let hookEnv: Record<string, string> = {};
      if (gp.service === 'git-receive-pack') {
        const push = await pushCheck.open(gp.space, { repo: path.join(opts.repos.root, gp.owner, `${gp.name}.git`), maxFileBytes });
        hookEnv = push.env;
        releasePush = push.release;
      }
      const pushDone = gp.service === 'git-receive-pack' ? await opts.onPushStart?.(gp.space) : undefined;
      try {
        await runBackend({ req, res, gp, user: auth.user, root: opts.repos.root, backend: await backendPath(), maxFileBytes, log: child, beforeEnd, hookEnv });
      } finally {
        pushDone?.();
      }
    } catch (err) {
      const e = toSpaceportError(err);
      if (e.status >= 500) log.error({ err: e.cause ?? e, url: req.url }, 'git http request failed');
      sendGitError(res, e);
    } finally {
      releasePush?.();
      releaseGate?.();
    }
  };
  handler.close = async () => {
    await pushCheck.close();
  };
  return handler;
}

/** Resolves true once the body's first bytes (or its end) arrived, false when the request went away first. */
function bodyStarted(req: IncomingMessage): Promise<boolean> {
  // `complete`: the whole message arrived (an empty body's end may have been signalled before we listened).
  if (req.readableLength > 0 || req.readableEnded || req.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      req.off('readable', onReadable);
      req.off('close', onClose);
      resolve(ok);
    };
    const onReadable = (): void => done(true);
    const onClose = (): void => done(false);
    req.on('readable', onReadable);
    req.on('close', onClose);
  });
}

/** The error code for a status http-backend answered on its own (a refused or malformed request). */
function backendError(status: number): SpaceportError {
  if (status === 403) return fail('gitBackendForbidden');
  if (status === 404) return fail('gitBackendNotFound');
  if (status === 413) return new SpaceportError('PayloadTooLarge');
  if (status === 415) return new SpaceportError('UnsupportedMediaType');
  if (status < 500) return fail('gitBackendRefused', { status });
  return fail('gitBackendFailedStatus', { status });
}

interface BackendRun {
  req: IncomingMessage;
  res: ServerResponse;
  gp: GitPath;
  user: string;
  root: string;
  backend: string;
  maxFileBytes: number;
  log: Logger;
  /** Run after a successful backend exit, before the response ends (push → build queued). */
  beforeEnd?: () => Promise<void>;
  /** Environment for the hooks (the push-check callback). */
  hookEnv?: Record<string, string>;
}

/** Run `git http-backend` for one request. Resolves true when it exited 0 and answered 200. */
function runBackend(run: BackendRun): Promise<boolean> {
  const { req, res, gp, log } = run;
  const env: Record<string, string> = {
    GIT_PROJECT_ROOT: run.root,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${gp.owner}/${gp.name}.git/${gp.service}`,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: gp.query,
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    SPACEPORT_GIT_MAX_FILE_BYTES: String(run.maxFileBytes),
    // A chunked push (any pack over git's 1 MiB postBuffer) is buffered by http-backend, which
    // refuses more than 10 MiB by default with a bare 500. Allow large packs; the hook still
    // refuses single files over the limit with the Hub's message.
    GIT_HTTP_MAX_REQUEST_BUFFER: String(GIT_MAX_REQUEST_BUFFER),
    ...run.hookEnv,
  };
  const h = req.headers;
  if (h['content-type']) env.CONTENT_TYPE = h['content-type'];
  if (h['content-length']) env.CONTENT_LENGTH = h['content-length'];
  if (h['content-encoding']) env.HTTP_CONTENT_ENCODING = h['content-encoding'];
  const proto = h['git-protocol'];
  if (typeof proto === 'string' && GIT_PROTOCOL_RE.test(proto)) env.GIT_PROTOCOL = proto;
  if (run.user) env.REMOTE_USER = run.user;

  if (req.socket.destroyed) return Promise.resolve(false); // the client left while we were authorising

  return new Promise<boolean>((resolve) => {
    // Its own process group, so an aborted request stops upload-pack/receive-pack too.
    // Killed by the kernel if Spaceport dies mid-request (setpriv execs it: same pid and group).
    const [command, args] = diesWithParent(run.backend, []);
    const child = spawn(command, args, { env: gitEnv(env), stdio: ['pipe', 'pipe', 'pipe'], detached: true, shell: false });
    let status = 0;
    let exitCode: number | null = null;
    let exited = false;
    let finished = false;
    /** The CGI head was read (the body may be empty: headers go out with the first write or end). */
    let headParsed = false;
    const stderr: Buffer[] = [];
    let stderrBytes = 0;

    const killGroup = (): void => {
      if (exited || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    };
    let settled = false;
    const settle = (): void => {
      if (!exited || !finished || settled) return;
      settled = true;
      if (exitCode !== 0) {
        log.warn({ exitCode, stderr: Buffer.concat(stderr).toString().slice(-2000) }, 'git http-backend failed');
      }
      resolve(exitCode === 0 && status === 200);
    };

    child.on('error', (err) => {
      exited = true;
      exitCode = -1;
      if (!res.headersSent) sendGitError(res, fail('gitBackendNoStart', undefined, { cause: err }));
      else res.destroy(err);
      finished = true;
      settle();
    });
    child.on('close', (code) => {
      exited = true;
      exitCode = code;
      if (!headParsed && !res.headersSent) {
        const detail = Buffer.concat(stderr).toString().trim().split('\n').pop() ?? '';
        sendGitError(res, fail('gitBackendFailed', { detail }));
        settle();
        return;
      }
      if (run.beforeEnd && !res.writableEnded) {
        const ok = code === 0 && status === 200;
        void (ok ? run.beforeEnd() : Promise.resolve()).finally(() => {
          res.end();
          settle();
        });
        return;
      }
      settle();
    });
    res.on('close', () => {
      if (!res.writableFinished) killGroup(); // the client went away
      finished = true;
      settle();
    });

    child.stderr.on('data', (b: Buffer) => {
      if (stderrBytes < 16_384) stderr.push(b);
      stderrBytes += b.length;
    });
    child.stdin.on('error', () => {
      /* the backend may stop reading early; its exit code tells */
    });
    req.on('error', killGroup);
    req.pipe(child.stdin);

    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      let parsed;
      try {
        parsed = parseCgiHead(head);
      } catch (err) {
        child.stdout.off('data', onData);
        killGroup();
        sendGitError(res, fail('gitBackendBadAnswer', undefined, { cause: err }));
        return;
      }
      if (parsed === undefined) return;
      headParsed = true;
      child.stdout.off('data', onData);
      status = parsed.status;
      res.statusCode = parsed.status;
      for (const [name, value] of parsed.headers) res.setHeader(name, value);
      if (status >= 400 && !res.hasHeader('x-error-code')) {
        const e = backendError(status);
        res.setHeader('X-Error-Code', e.code);
        res.setHeader('X-Error-Message', headerValue(e.message));
      }
      if (parsed.rest.length > 0) res.write(parsed.rest);
      // With beforeEnd, the response is ended by the close handler, after it.
      child.stdout.pipe(res, { end: run.beforeEnd === undefined });
    };
    child.stdout.on('data', onData);
  });
}
