import { mkdirSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SpaceportError, hardwareJson, type Config, type Logger, type LogSink, type SpaceId } from '../core/index.js';
import { readmePushProblems, type ImageBuilder } from '../builder/index.js';
import { createProxy, type AccessChecker } from '../proxy/index.js';
import { createApi } from './api/index.js';
import { appGrantKey, authenticate, bootstrapAdmin, canRead, canReadCode, canUseApp, assertCanWrite, hashPassword, verifyPassword, SignInLimiter, WebSessions, sessionKeyFromDataDir } from './auth/index.js';
import { BuildLogs, BuildPipeline, type PlanRelease } from './builds/index.js';
import { CliGitRepos, checkUpstreamAddressNow, createGitHttpHandler } from './git/index.js';
import { HousekeepingTask, type Housekeeper } from './gc/index.js';
import { hubSecurityHeaders } from './hub-headers.js';
import { PushJournal } from './git/push-journal.js';
import { createHubServer } from './hub-server.js';
import { SpaceportMetrics, countByStage, createMetricsEndpoint } from './metrics/index.js';
import { createInternalApi } from './internal-api/index.js';
import { LfsExportingRepos, LfsSigner, LfsStore } from './lfs/index.js';
import { ActivityLedger, InProcessRouteTable, Reconciler } from './lifecycle/index.js';
import type { Runtime } from './runtime/runtime.js';
import { RepoCommits, RepoFiles, sleepSecondsFor, SpaceService } from './spaces/index.js';
import { SecretBox, SqliteStore, type SpaceStore } from './store/index.js';
import { createWeb } from './web/index.js';

/** The parts that talk to outside systems, chosen by the caller (real ones in `spaceport up`, fakes in tests). */
export interface SpaceportAdapters {
  runtime: Runtime;
  builder: ImageBuilder & { ensureBaseImages?(images: string[], log: LogSink): Promise<void> };
  plan: PlanRelease;
  /** Base images to make ready in the background at start, so a first push does not wait for them. */
  baseImages?: string[];
  /** Image removal and build-cache pruning for garbage collection (Docker); absent: only logs are collected. */
  housekeeper?: Housekeeper;
}

export interface RunningSpaceport {
  /** The port the hub and the proxy listen on. */
  port: number;
  url: string;
  server: http.Server;
  store: SpaceStore;
  reconciler: Reconciler;
  pipeline: BuildPipeline;
  /** The route table every proxy follows (in-process, and over `/internal/routes` when SPACEPORT_INTERNAL_TOKEN is set). */
  routes: InProcessRouteTable;
  /** Where proxies' activity lands. */
  ledger: ActivityLedger;
  /** Prometheus metrics of this process (served at /metrics as SPACEPORT_METRICS allows). */
  metrics: SpaceportMetrics;
  /** Periodic garbage collection (`runOnce()` for tests and operators). */
  housekeeping: HousekeepingTask;
  /** Set on a first start without SPACEPORT_ADMIN_TOKEN: shown once, never stored in clear. */
  generatedAdminToken?: string;
  close(): Promise<void>;
}

/** The composition root: build every part from config and adapters, wire them, listen. */
export async function startSpaceport(config: Readonly<Config>, logger: Logger, adapters: SpaceportAdapters): Promise<RunningSpaceport> {
  mkdirSync(config.dataDir, { recursive: true });
  const store = new SqliteStore({ file: path.join(config.dataDir, 'spaceport.db'), secrets: SecretBox.fromDataDir(config.dataDir) });
  const { generatedToken } = bootstrapAdmin(store, { user: config.SPACEPORT_ADMIN_USER, token: config.SPACEPORT_ADMIN_TOKEN, logger });
  const repos = new CliGitRepos({
      root: path.join(config.dataDir, 'repos'),
      logger: logger.child({ module: 'git' }),
      allowLoopbackUpstreams: config.SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS,
      upstreamAllowedNetworks: config.SPACEPORT_UPSTREAM_ALLOWED_NETWORKS,
    });
  const lfs = new LfsStore(path.join(config.dataDir, 'lfs'));
  const repoFiles = new RepoFiles({ pathOf: (id) => repos.pathOf(id), lfs });
  const { runtime, builder } = adapters;
  const routes = new InProcessRouteTable();
  const ledger = new ActivityLedger(store);
  const buildLogs = new BuildLogs(config.dataDir);
  // Gauges read these at scrape time; `proxy` exists by then.
  let proxyRef: { stats(): { held: number } } | undefined;
  const metrics = new SpaceportMetrics({
    heldRequests: () => proxyRef?.stats().held ?? 0,
    spacesByStage: () => countByStage(routes.snapshot()),
  });

  let listenPort: number | undefined;
  const reconciler = new Reconciler({
    store,
    runtime,
    routes,
    logger: logger.child({ module: 'reconciler' }),
    clock: { now: () => Date.now() },
    domain: config.SPACEPORT_DOMAIN,
    publicPort: () => publicPortOf(config, listenPort),
    flavorFor: (hw) => config.flavors[hw] ?? config.flavors['cpu-basic']!,
    sleepSecondsFor: (space) => sleepSecondsFor(space, config),
    lastActivity: (uid) => ledger.lastActivity(uid),
    drainMs: config.SPACEPORT_DRAIN_MS,
    onPass: () => metrics.reconcilePass(),
  });
  const pipeline = new BuildPipeline({
    store,
    // Builds see LFS files as the real files.
    repos: new LfsExportingRepos(repos, lfs),
    builder,
    plan: adapters.plan,
    logs: buildLogs,
    logger: logger.child({ module: 'builds' }),
    concurrency: config.SPACEPORT_BUILD_CONCURRENCY,
    timeoutMs: config.SPACEPORT_BUILD_TIMEOUT_SECONDS * 1000,
    onBuilt: (uid) => void reconciler.kick(uid),
    keepLogs: config.SPACEPORT_KEEP_BUILD_LOGS,
    onFinished: (outcome, seconds) => metrics.buildFinished(outcome, seconds),
  });
  const grantKey = appGrantKey({ internalToken: config.SPACEPORT_INTERNAL_TOKEN, dataDir: config.dataDir });
  const upstreamPolicy = { allowLoopback: config.SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS, allowedNetworks: config.SPACEPORT_UPSTREAM_ALLOWED_NETWORKS };
  const spaces = new SpaceService({
    store,
    repos,
    runtime,
    pipeline,
    reconciler,
    routes,
    config,
    logger,
    checkUpstreamAddress: (url) => checkUpstreamAddressNow(url, upstreamPolicy),
    grantKey,
    files: repoFiles,
  });
  // A commit to main through the API builds exactly as a push does.
  const repoCommits = new RepoCommits({ files: repoFiles, lfs, onMainCommit: (space) => spaces.onPush(space) });
  // A private app reached with `Authorization: Bearer <token>`: the same rule as the API (principal.ts).
  const access: AccessChecker = {
    canUseApp: async (id, token) => {
      const space = store.getSpace(id as SpaceId);
      if (!space) return false;
      try {
        return canUseApp(authenticate(store, token), space);
      } catch (err) {
        if (err instanceof SpaceportError) return false;
        throw err;
      }
    },
  };

  const waker = {
    wake: async (id: string) => {
      const space = store.getSpace(id as SpaceId);
      if (space) await reconciler.wake(space.uid);
    },
  };
  const proxy = createProxy({
    routes,
    activity: ledger,
    waker,
    logger,
    appAccess: { key: grantKey, checker: access },
    domain: config.SPACEPORT_DOMAIN,
    wakeTimeoutMs: config.SPACEPORT_WAKE_TIMEOUT_MS,
    wakeQueueMax: config.SPACEPORT_WAKE_QUEUE_MAX,
    noWakePaths: config.SPACEPORT_NO_WAKE_PATHS,
    noWakeUserAgents: config.SPACEPORT_NO_WAKE_USER_AGENTS,
    upstreamTimeoutMs: config.SPACEPORT_UPSTREAM_TIMEOUT_MS,
    frameAncestors: embedOrigins(config),
    metrics,
    https: config.publicUrl.startsWith('https://'),
    hubOrigins: hubOriginsOf(config),
  });
  proxyRef = proxy;

  const pushes = new PushJournal(path.join(config.dataDir, 'pushes'));
  const git = createGitHttpHandler({
    repos,
    logger: logger.child({ module: 'git-http' }),
    authorize: async ({ space: id, access, token }) => {
      try {
        const p = authenticate(store, token);
        const space = store.getSpace(id);
        // Code (clone, fetch) is for members when the Space is protected or private (principal.ts).
        // Anonymous: 401 (git then sends credentials) whether or not the Space exists, so a private
        // Space's existence is never told apart from a missing one; a user without access: 404.
        if (!space || !canReadCode(p, space)) {
          return { error: new SpaceportError(p.kind === 'anonymous' ? 'Unauthorized' : 'RepoNotFound') };
        }
        if (access === 'write') assertCanWrite(p, space);
        return { user: p.kind === 'user' ? p.user.name : '' };
      } catch (err) {
        if (err instanceof SpaceportError) return { error: err };
        throw err;
      }
    },
    // README.md metadata is checked before git accepts a push to main (as on the Hub).
    checkPush: ({ readme }) => readmePushProblems(readme),
    onPushStart: (id) => {
      const space = store.getSpace(id);
      return space ? pushes.start(space.uid) : () => undefined;
    },
    // Awaited before the push response ends: when `git push` returns, the build is queued.
    onPush: async ({ space: id }) => {
      const space = store.getSpace(id);
      if (space) await spaces.onPush(space);
    },
  });

  // The web UI: people sign in with a password or OpenID Connect; the API accepts their session cookie.
  if (config.SPACEPORT_ADMIN_PASSWORD) {
    const stored = store.getPasswordHash(config.SPACEPORT_ADMIN_USER);
    if (!stored || !(await verifyPassword(stored, config.SPACEPORT_ADMIN_PASSWORD))) {
      store.setPasswordHash(config.SPACEPORT_ADMIN_USER, await hashPassword(config.SPACEPORT_ADMIN_PASSWORD));
      logger.info({ user: config.SPACEPORT_ADMIN_USER }, 'admin password set from SPACEPORT_ADMIN_PASSWORD');
    }
  }
  const sessions = new WebSessions({ store, key: sessionKeyFromDataDir(config.dataDir), ttlMs: config.SPACEPORT_SESSION_HOURS * 3_600_000, secure: config.publicUrl.startsWith('https:') });
  const flavors = () => spaces.offeredFlavors().map(hardwareJson);
  const web = createWeb({
    config,
    spaces,
    store,
    repos,
    buildLogs,
    routes,
    sessions,
    limiter: new SignInLimiter({ maxFailures: config.SPACEPORT_SIGNIN_MAX_FAILURES }),
    stageOf: (uid) => reconciler.stageOf(uid),
    flavors,
    logger: logger.child({ module: 'web' }),
  });
  const api = createApi({
    spaces,
    store,
    buildLogs,
    runtime,
    logger,
    flavors,
    sessions,
    web,
    files: { config, repoFiles, repoCommits, lfs, signer: LfsSigner.fromDataDir(config.dataDir) },
  });
  // Proxy replicas in their own processes (`spaceport proxy`) follow the same route table over the network.
  const internal = createInternalApi({
    token: config.SPACEPORT_INTERNAL_TOKEN,
    routes,
    activity: ledger,
    waker,
    access,
    logger,
    bufferSize: config.SPACEPORT_ROUTE_STREAM_BUFFER,
  });
  const housekeeping = new HousekeepingTask({
    store,
    buildLogs,
    housekeeper: adapters.housekeeper,
    logger: logger.child({ module: 'gc' }),
    intervalSeconds: config.SPACEPORT_GC_INTERVAL_SECONDS,
    keepImagesPerSpace: config.SPACEPORT_KEEP_IMAGES_PER_SPACE,
    keepBuildLogs: config.SPACEPORT_KEEP_BUILD_LOGS,
    buildCacheMaxBytes: config.SPACEPORT_BUILD_CACHE_MAX,
    onRemoved: (kind, n) => metrics.gcRemoved(kind, n),
  });
  const server = createHubServer({
    api,
    git,
    proxy,
    internal,
    logger,
    metrics: createMetricsEndpoint({ metrics, access: config.SPACEPORT_METRICS, token: config.SPACEPORT_METRICS_TOKEN, logger }),
    securityHeaders: hubSecurityHeaders(config.publicUrl),
    onHubRequest: ({ status }) => metrics.hubRequest(status),
  });

  // Builds the previous process did not finish: mark them and build the head again.
  // Queued again before the port opens, so no client ever sees the interrupted one as BUILD_ERROR
  // (huggingface_hub's wait_for_space stops at the first error stage).
  const interrupted = new Set<string>();
  for (const b of store.unfinishedBuilds()) {
    if (b.status === 'queued') store.setBuildState(b.id, { status: 'running' });
    store.setBuildState(b.id, { status: 'failed', failure: 'BUILD_ERROR', message: 'Interrupted by a Spaceport restart; building again.' });
    interrupted.add(b.spaceUid);
  }
  for (const uid of interrupted) {
    await pipeline.enqueue(uid, { force: true }).catch((err: unknown) => logger.error({ err, space: uid }, 'could not queue an interrupted build again'));
  }
  // Pushes the previous process was killed during: their refs may have landed with no build queued.
  // The head is built unless its tree already was.
  for (const uid of pushes.takeLeftOver()) {
    if (interrupted.has(uid)) continue;
    await pipeline.enqueue(uid).catch((err: unknown) => logger.error({ err, space: uid }, 'could not look at the head after an interrupted push'));
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.SPACEPORT_PORT, config.SPACEPORT_HOST, () => resolve());
    });
  } catch (err) {
    await Promise.allSettled([proxy.close(), pipeline.close(), reconciler.close()]);
    ledger.close();
    store.close();
    throw listenError(err, config);
  }
  const port = (server.address() as AddressInfo).port;
  listenPort = port;
  await reconciler.start();
  housekeeping.start();
  if (config.SPACEPORT_PREPARE_BASE_IMAGES) prepareBaseImages(adapters, logger.child({ module: 'base-images' }));
  logger.info({ port, domain: config.SPACEPORT_DOMAIN, dataDir: config.dataDir, runtime: runtime.name }, 'spaceport up');

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    server,
    store,
    reconciler,
    pipeline,
    routes,
    ledger,
    metrics,
    housekeeping,
    generatedAdminToken: generatedToken,
    close: () =>
      (closing ??= (async () => {
        server.close();
        server.closeAllConnections();
        internal.close();
        await git.close?.();
        await housekeeping.close();
        await proxy.close();
        await reconciler.close();
        await pipeline.close();
        ledger.close();
        await runtime.close();
        store.close();
        logger.info('spaceport stopped');
      })()),
  };
}

/** Who may frame apps: unset, anyone; else the hub's own origin (the Space page) and the operator's list. */
function embedOrigins(config: Readonly<Config>): string[] | undefined {
  if (config.SPACEPORT_EMBED_ORIGINS.length === 0) return undefined;
  const hub = new URL(config.publicUrl);
  return [...(hub.port === '0' ? [] : [hub.origin]), ...config.SPACEPORT_EMBED_ORIGINS];
}

/** A failed listen as an error that names the port, the address and the settings that change them. */
function listenError(err: unknown, config: Readonly<Config>): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${config.SPACEPORT_HOST}:${config.SPACEPORT_PORT}`;
  if (code === 'EADDRINUSE') {
    return new SpaceportError('PortInUse', `Port ${config.SPACEPORT_PORT} on ${config.SPACEPORT_HOST} is already in use. Fix: stop what listens there, or choose another port with SPACEPORT_PORT (--port).`, { cause: err });
  }
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return new SpaceportError('PortInUse', `Cannot listen on ${where} (${code}). Fix: choose another address or port with SPACEPORT_HOST (--host) and SPACEPORT_PORT (--port).`, { cause: err });
  }
  return err;
}

/** The port of Spaces' public URLs: SPACEPORT_PUBLIC_URL's (none when it is the scheme's default), else the port listened on. */
export function publicPortOf(config: Readonly<Config>, listenPort: number | undefined): number | undefined {
  if (config.SPACEPORT_PUBLIC_URL) {
    const port = new URL(config.SPACEPORT_PUBLIC_URL).port;
    return port === '' ? undefined : Number(port);
  }
  return listenPort;
}

/**
 * Make the base images ready in the background (a fresh install takes minutes to debootstrap them),
 * with progress in the process log; a push meanwhile waits on the same work, never starts it twice.
 */
function prepareBaseImages(adapters: SpaceportAdapters, logger: Logger): void {
  const images = adapters.baseImages ?? [];
  if (!adapters.builder.ensureBaseImages || images.length === 0) return;
  let pending = '';
  const sink: LogSink = {
    write: (data) => {
      pending += data;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') logger.info({ images }, line);
    },
  };
  logger.info({ images }, 'preparing base images in the background');
  adapters.builder.ensureBaseImages(images, sink).then(
    () => logger.info({ images }, 'base images ready'),
    (err: unknown) => logger.warn({ images, err: (err as Error).message }, 'base images could not be prepared now; the first build that needs them tries again'),
  );
}

/**
 * Origins the hub may be opened at (it frames a Space's pages): the public URL, loopback, and
 * SPACEPORT_ALLOWED_HOSTS, the same hosts `trustedHost` accepts for returned URLs.
 */
function hubOriginsOf(config: Readonly<Config>): string[] {
  const hosts = ['127.0.0.1', '[::1]', 'localhost', ...config.SPACEPORT_ALLOWED_HOSTS];
  return [new URL(config.publicUrl).origin, ...hosts.flatMap((h) => [`http://${h}:*`, `https://${h}:*`])];
}
