import { mkdirSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SpaceportError, hardwareJson, type Config, type Logger, type LogSink, type SpaceId } from '../core/index.js';
import type { ImageBuilder } from '../builder/index.js';
import { createProxy } from '../proxy/index.js';
import { createApi } from './api/index.js';
import { authenticate, bootstrapAdmin, canRead, assertCanWrite } from './auth/index.js';
import { BuildLogs, BuildPipeline, type PlanBuild } from './build/index.js';
import { CliGitRepos, createGitHttpHandler } from './git/index.js';
import { PushJournal } from './git/push-journal.js';
import { createHubServer } from './hub-server.js';
import { createInternalApi } from './internal-api/index.js';
import { ActivityLedger, InProcessRouteTable, Reconciler } from './lifecycle/index.js';
import type { Runtime } from './runtime/runtime.js';
import { sleepSecondsFor, SpaceService } from './spaces/index.js';
import { SecretBox, SqliteStore, type SpaceStore } from './store/index.js';

/** The parts that talk to outside systems, chosen by the caller (real ones in `spaceport up`, fakes in tests). */
export interface SpaceportAdapters {
  runtime: Runtime;
  builder: ImageBuilder & { ensureBaseImages?(images: string[], log: LogSink): Promise<void> };
  plan: PlanBuild;
  /** Base images to make ready in the background at start, so a first push does not wait for them. */
  baseImages?: string[];
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
    });
  const { runtime, builder } = adapters;
  const routes = new InProcessRouteTable();
  const ledger = new ActivityLedger(store);
  const buildLogs = new BuildLogs(config.dataDir);

  const reconciler = new Reconciler({
    store,
    runtime,
    routes,
    logger: logger.child({ module: 'reconciler' }),
    clock: { now: () => Date.now() },
    domain: config.SPACEPORT_DOMAIN,
    flavorFor: (hw) => config.flavors[hw] ?? config.flavors['cpu-basic']!,
    sleepSecondsFor: (space) => sleepSecondsFor(space, config),
    lastActivity: (uid) => ledger.lastActivity(uid),
    drainMs: config.SPACEPORT_DRAIN_MS,
  });
  const pipeline = new BuildPipeline({
    store,
    repos,
    builder,
    plan: adapters.plan,
    logs: buildLogs,
    logger: logger.child({ module: 'builds' }),
    concurrency: config.SPACEPORT_BUILD_CONCURRENCY,
    timeoutMs: config.SPACEPORT_BUILD_TIMEOUT_SECONDS * 1000,
    onBuilt: (uid) => void reconciler.kick(uid),
  });
  const spaces = new SpaceService({ store, repos, runtime, pipeline, reconciler, routes, config, logger });

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
    domain: config.SPACEPORT_DOMAIN,
    wakeTimeoutMs: config.SPACEPORT_WAKE_TIMEOUT_MS,
    wakeQueueMax: config.SPACEPORT_WAKE_QUEUE_MAX,
    noWakePaths: config.SPACEPORT_NO_WAKE_PATHS,
    noWakeUserAgents: config.SPACEPORT_NO_WAKE_USER_AGENTS,
    upstreamTimeoutMs: config.SPACEPORT_UPSTREAM_TIMEOUT_MS,
  });

  const pushes = new PushJournal(path.join(config.dataDir, 'pushes'));
  const git = createGitHttpHandler({
    repos,
    logger: logger.child({ module: 'git-http' }),
    authorize: async ({ space: id, access, token }) => {
      try {
        const p = authenticate(store, token);
        const space = store.getSpace(id);
        if (!space || !canRead(p, space)) {
          if (p.kind === 'anonymous' && space) return { error: new SpaceportError('Unauthorized') };
          return { error: new SpaceportError('RepoNotFound') };
        }
        if (access === 'write') assertCanWrite(p, space);
        return { user: p.kind === 'user' ? p.user.name : '' };
      } catch (err) {
        if (err instanceof SpaceportError) return { error: err };
        throw err;
      }
    },
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

  const api = createApi({
    spaces,
    store,
    buildLogs,
    runtime,
    logger,
    flavors: () => spaces.offeredFlavors().map(hardwareJson),
  });
  // Proxy replicas in their own processes (`spaceport proxy`) follow the same route table over the network.
  const internal = createInternalApi({
    token: config.SPACEPORT_INTERNAL_TOKEN,
    routes,
    activity: ledger,
    waker,
    logger,
    bufferSize: config.SPACEPORT_ROUTE_STREAM_BUFFER,
  });
  const server = createHubServer({ api, git, proxy, internal, logger });

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
  await reconciler.start();
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
    generatedAdminToken: generatedToken,
    close: () =>
      (closing ??= (async () => {
        server.close();
        server.closeAllConnections();
        internal.close();
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
