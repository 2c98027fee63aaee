import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { hardwareJson, type Config, type Logger, type SpaceId } from '../core/index.js';
import { readmePushProblems } from '../builder/index.js';
import { createProxy, LocalStaticTrees } from '../proxy/index.js';
import { chooseDataPlane, dataPlaneState, startNativeDataPlane, type NativeDataPlane } from '../proxy/data-plane/index.js';
import { createApi } from './api/index.js';
import { appGrantKey, bootstrapAdmin, reportNameProblems, hashPassword, verifyPassword, Organizations, SignInLimiter, storeAuthenticator, UserAccounts, WebSessions, sessionKeyFromDataDir } from './auth/index.js';
import { appAccessChecker } from './auth/app-access-checker.js';
import { BuildLogs, BuildPipeline, StaticTreeDir } from './builds/index.js';
import { CliGitRepos, ProcessGate, checkUpstreamAddressNow, clientAddress, createGitHttpHandler, removeInterruptedPushes, trustedProxies } from './git/index.js';
import { authorizeGit } from './git/git-authorization.js';
import { HousekeepingTask } from './gc/index.js';
import { embedOrigins, hubHostnamesOf, hubOriginsOf, publicPortOf } from './hub-addresses.js';
import { hubSecurityHeaders } from './hub-headers.js';
import { PushJournal } from './git/push-journal.js';
import { createHubServer, listenHub } from './hub-server.js';
import { SpaceportMetrics, countByStage, createMetricsEndpoint } from './metrics/index.js';
import { createInternalApi } from './internal-api/index.js';
import { LfsExportingRepos, LfsSigner, LfsStore, missingLfsObjects } from './lfs/index.js';
import { ActivityLedger, InProcessRouteTable, markAwake, Observer, Reconciler } from './lifecycle/index.js';
import { AlwaysLeader, PostgresLeaderLock, routedToLeader, type LeaderLock } from './leadership/index.js';
import { leaderOnlyWork } from './leader-only-work.js';
import { RepoCommits, RepoFiles, sleepSecondsFor, SpaceLogs, SpaceService } from './spaces/index.js';
import type { RunningSpaceport, SpaceportAdapters } from './spaceport-interfaces.js';
import { StaticTreeRuntime } from './runtime/index.js';
import { PostgresStore, SecretBox, SqliteStore, type SpaceStore } from './store/index.js';
import { createWeb } from './web/index.js';

export type { RunningSpaceport, SpaceportAdapters } from './spaceport-interfaces.js';

/** PostgreSQL when SPACEPORT_DATABASE_URL is set, else SQLite in the data dir (the embedded default). */
function openStore(config: Readonly<Config>): SpaceStore {
  const secrets = SecretBox.fromDataDir(config.dataDir);
  if (config.SPACEPORT_DATABASE_URL) return new PostgresStore({ url: config.SPACEPORT_DATABASE_URL, secrets, timeoutMs: config.SPACEPORT_DATABASE_TIMEOUT_MS });
  return new SqliteStore({ file: path.join(config.dataDir, 'spaceport.db'), secrets });
}

/**
 * Who leads among controller replicas: with PostgreSQL, the holder of an advisory lock (any number of
 * replicas); with SQLite, this one process.
 */
function openLeaderLock(config: Readonly<Config>, logger: Logger): LeaderLock {
  if (!config.SPACEPORT_DATABASE_URL) return new AlwaysLeader(logger);
  return new PostgresLeaderLock({ url: config.SPACEPORT_DATABASE_URL, leaseMs: config.SPACEPORT_LEADER_LEASE_MS, retryMs: config.SPACEPORT_LEADER_RETRY_MS, logger: logger.child({ module: 'leader' }) });
}

/** The composition root: build every part from config and adapters, wire them, listen. */
export async function startSpaceport(config: Readonly<Config>, logger: Logger, adapters: SpaceportAdapters): Promise<RunningSpaceport> {
  mkdirSync(config.dataDir, { recursive: true });
  const store = openStore(config);
  const { generatedToken } = bootstrapAdmin(store, { user: config.SPACEPORT_ADMIN_USER, token: config.SPACEPORT_ADMIN_TOKEN, logger });
  reportNameProblems(store, logger);
  const repos = new CliGitRepos({
    root: path.join(config.dataDir, 'repos'),
    logger: logger.child({ module: 'git' }),
    allowLoopbackUpstreams: config.SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS,
    upstreamAllowedNetworks: config.SPACEPORT_UPSTREAM_ALLOWED_NETWORKS,
  });
  // No push runs before the port opens: quarantined objects found now are a killed process's leftovers.
  await removeInterruptedPushes(repos.root, logger.child({ module: 'git' }));
  const lfs = new LfsStore(path.join(config.dataDir, 'lfs'));
  const repoFiles = new RepoFiles({ pathOf: (id) => repos.pathOf(id), lfs });
  const { builder } = adapters;
  // Static Spaces' files, one directory per tree hash, served by the proxy: no container for them.
  const staticTrees = adapters.staticSpacesAsImages ? undefined : new StaticTreeDir(path.join(config.dataDir, 'static-trees'));
  const runtime = staticTrees ? new StaticTreeRuntime(adapters.runtime, (tree) => staticTrees.has(tree)) : adapters.runtime;
  const routes = new InProcessRouteTable();
  const ledger = new ActivityLedger(store);
  const buildLogs = new BuildLogs(config.dataDir);
  // Gauges read these at scrape time; `proxy` exists by then.
  let proxyRef: { stats(): { held: number } } | undefined;
  let nativeRef: NativeDataPlane | undefined;
  const gitGate = new ProcessGate({
    max: config.SPACEPORT_GIT_MAX_PROCESSES,
    perClient: config.SPACEPORT_GIT_MAX_PROCESSES_PER_CLIENT,
    queueMs: config.SPACEPORT_GIT_QUEUE_SECONDS * 1000,
  });
  const lock = openLeaderLock(config, logger);
  const metrics = new SpaceportMetrics({
    leader: () => lock.state.kind === 'leader',
    heldRequests: () => proxyRef?.stats().held ?? 0,
    spacesByStage: () => countByStage(routes.snapshot()),
    gitRequests: () => ({ running: gitGate.running, waiting: gitGate.waiting }),
    dataPlane: () => dataPlaneState(nativeRef),
  });
  adapters.onSnapshotWake?.((wake) => metrics.snapshotWake(wake.outcome, wake.outcome === 'restored' ? 'snapshot' : wake.reason));

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
    // A static Space served from its tree never sleeps on its own (cpu-basic's default sleep time is
    // ignored, as on the Hub); only a sleep time its owner set puts it to sleep (it costs nothing, and
    // a visit wakes it at once), which the Hub clients' suites expect.
    sleepSecondsFor: (space) => (staticTrees && space.sdk === 'static' && space.sleepSeconds === undefined ? -1 : sleepSecondsFor(space, config)),
    lastActivity: (uid) => ledger.lastActivity(uid),
    drainMs: config.SPACEPORT_DRAIN_MS,
    // Docker apps answer this process where the proxy reaches them; the fake has no HTTP, and on
    // Kubernetes pod IPs may not be reachable from here (the kubelet's livenessProbe is the place there).
    livenessPolicy: runtime.name !== 'docker' ? undefined : {
      periodMs: config.SPACEPORT_LIVENESS_PERIOD_SECONDS * 1000,
      timeoutMs: config.SPACEPORT_LIVENESS_TIMEOUT_SECONDS * 1000,
      failures: config.SPACEPORT_LIVENESS_FAILURES,
    },
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
    instance: config.SPACEPORT_INSTANCE_NAME,
    staticTrees,
  });
  // Every replica serves; only the leader reconciles and builds. Elsewhere, these hand the change to it.
  const observer = new Observer({ store, runtime, routes, clock: { now: () => Date.now() }, logger: logger.child({ module: 'observer' }), treePresent: staticTrees && ((tree) => staticTrees.has(tree)) });
  const wakeLog = logger.child({ module: 'reconciler' });
  const leader = routedToLeader({ lock, reconciler, pipeline, observer, markAwake: (uid) => markAwake(store, uid, wakeLog) });
  const grantKey = appGrantKey({ internalToken: config.SPACEPORT_INTERNAL_TOKEN, dataDir: config.dataDir });
  const upstreamPolicy = { allowLoopback: config.SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS, allowedNetworks: config.SPACEPORT_UPSTREAM_ALLOWED_NETWORKS };
  const spaces = new SpaceService({
    store,
    repos,
    runtime,
    pipeline: leader.pipeline,
    reconciler: leader.reconciler,
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
  const access = appAccessChecker(store);

  const waker = {
    wake: async (id: string) => {
      const space = store.getSpace(id as SpaceId);
      if (space && (await leader.reconciler.wake(space.uid))) metrics.spaceWoken();
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
    staticTrees: staticTrees ? new LocalStaticTrees(staticTrees.root) : undefined,
  });
  proxyRef = proxy;

  const proxies = trustedProxies(config.SPACEPORT_TRUSTED_PROXIES);
  const pushes = new PushJournal(path.join(config.dataDir, 'pushes'));
  const git = createGitHttpHandler({
    repos,
    logger: logger.child({ module: 'git-http' }),
    authorize: async (req) => authorizeGit(store, req),
    // README.md metadata is checked before git accepts a push to main (as on the Hub), and LFS
    // pointers must name objects uploaded to this Space (as on GitHub).
    checkPush: async ({ space: id, readme, pointers }) => {
      const space = store.getSpace(id);
      return {
        refusals: readmePushProblems(readme),
        missingLfs: space ? await missingLfsObjects(lfs, space.uid, pointers) : [],
      };
    },
    gate: gitGate,
    clientAddress: (req) => clientAddress(req, proxies),
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
  const logs = new SpaceLogs({ spaces, store, buildLogs, runtime });
  const accounts = new UserAccounts(store);
  const orgs = new Organizations(store);
  const web = createWeb({
    config,
    spaces,
    logs,
    accounts,
    orgs,
    repos,
    routes,
    sessions,
    limiter: new SignInLimiter({ maxFailures: config.SPACEPORT_SIGNIN_MAX_FAILURES }),
    stageOf: (uid) => leader.reconciler.stageOf(uid),
    flavors,
    logger: logger.child({ module: 'web' }),
  });
  const api = createApi({
    spaces,
    logs,
    auth: storeAuthenticator(store),
    accounts,
    orgs,
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
    staticTrees,
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
    instance: config.SPACEPORT_INSTANCE_NAME,
    onRemoved: (kind, n) => metrics.gcRemoved(kind, n),
    staticTrees,
  });
  const server = createHubServer({
    api,
    git,
    proxy,
    internal,
    logger,
    metrics: createMetricsEndpoint({ metrics, access: config.SPACEPORT_METRICS, token: config.SPACEPORT_METRICS_TOKEN, logger }),
    securityHeaders: hubSecurityHeaders(config.publicUrl),
    hubHosts: hubHostnamesOf(config),
    onHubRequest: ({ status }) => metrics.hubRequest(status),
    bodyDeadline: {
      idleMs: config.SPACEPORT_BODY_IDLE_SECONDS * 1000,
      graceMs: config.SPACEPORT_BODY_GRACE_SECONDS * 1000,
      minBytesPerSecond: config.SPACEPORT_BODY_MIN_RATE,
    },
  });

  // The leader-only work, started at each takeover and stopped at each loss; looking only, until then.
  const leaderWork = leaderOnlyWork({ lock, logger, config, store, pipeline, reconciler, housekeeping, observer, pushes, staticTrees, adapters });
  const { duties } = leaderWork;
  // A lone replica on PostgreSQL takes the lock at its first try: it leads before the port opens.
  await duties.start(config.SPACEPORT_DATABASE_URL ? config.SPACEPORT_LEADER_RETRY_MS : 0);
  // With one process (SQLite), interrupted builds are queued again before the port opens.
  if (lock.state.kind === 'leader') await leaderWork.prepared;

  let port: number;
  // The native data plane: HAProxy takes the public port and serves running public Spaces itself;
  // this server moves to loopback behind it and gets everything else (docs/data-plane.md).
  let dataPlane = chooseDataPlane(config.SPACEPORT_DATA_PLANE, runtime.name === 'docker', config.SPACEPORT_HAPROXY);
  let native: NativeDataPlane | undefined;
  try {
    if (dataPlane === 'haproxy') {
      native = await startNativeDataPlane({
        server,
        routes,
        activity: ledger,
        logger,
        dir: path.join(config.dataDir, 'haproxy'),
        binary: config.SPACEPORT_HAPROXY,
        host: config.SPACEPORT_HOST,
        port: config.SPACEPORT_PORT,
        domain: config.SPACEPORT_DOMAIN,
        hubHosts: hubHostnamesOf(config),
        hubOrigins: hubOriginsOf(config),
        upstreamTimeoutMs: config.SPACEPORT_UPSTREAM_TIMEOUT_MS,
        frameAncestors: embedOrigins(config),
      }).catch((err: unknown) => {
        // `auto` (the default) means "HAProxy when it can": one that does not start leaves the Node path.
        if (config.SPACEPORT_DATA_PLANE !== 'auto') throw err;
        logger.warn({ err: (err as Error).message }, 'HAProxy did not start: the Node proxy serves every request (SPACEPORT_DATA_PLANE=auto)');
        dataPlane = 'node';
        return undefined;
      });
    }
    if (native) {
      port = native.port;
      nativeRef = native;
    } else port = await listenHub(server, config);
  } catch (err) {
    await Promise.allSettled([proxy.close(), duties.close(), lock.close()]);
    ledger.close();
    store.close();
    throw err;
  }
  listenPort = port;
  leaderWork.portOpen();
  // The one process (SQLite) has reconciled every Space once when start resolves, as before leadership.
  if (lock.state.kind === 'leader') await duties.settled();
  logger.info({ port, domain: config.SPACEPORT_DOMAIN, dataDir: config.dataDir, store: config.SPACEPORT_DATABASE_URL ? 'postgres' : 'sqlite', runtime: runtime.name, dataPlane, leader: lock.state.kind === 'leader' }, 'spaceport up');

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
    leader: lock,
    generatedAdminToken: generatedToken,
    close: () =>
      (closing ??= (async () => {
        await native?.close();
        server.close();
        server.closeAllConnections();
        internal.close();
        await git.close?.();
        await proxy.close();
        // The leader-only work stops (housekeeping, passes, builds), then the lock goes to another replica.
        await duties.close();
        await lock.close();
        ledger.close();
        await runtime.close();
        store.close();
        logger.info('spaceport stopped');
      })()),
  };
}
