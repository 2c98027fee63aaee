import path from 'node:path';
import type Dockerode from 'dockerode';
import { BaseImageGate, planFromBuilder } from './builds/index.js';
import { DEFAULT_BASE_IMAGES, DockerImageBuilder, NodeDist, SdkReleaseDates, debianSuiteOf, ensureBaseImages, parseNodeDistImage, pickPython, pythonImagesWith, type BaseImageKind } from '../builder/index.js';
import { fail, type Config, type Logger } from '../core/index.js';
import { DockerRuntime, DockerSpaceNetwork, IptablesPacketFilter, applyFirewallPlan, buildFirewallPlan, connectDocker, detectDockerGpus, detectSnapshotSupport, engineSnapshots, type SnapshotWake } from './runtime/index.js';
import { DockerHousekeeping } from './runtime/docker/docker-housekeeping.js';
import type { SpaceportAdapters } from './spaceport-interfaces.js';

/**
 * The base images Spaceport can make itself: its Python images (each from its Debian release) that
 * the configuration uses, and Node. An operator's own image is pulled by the build, never made here.
 */
export function knownBaseImages(config: Readonly<Config>): { kind: BaseImageKind; image: string; suite?: string }[] {
  const python = [...new Set(Object.values(pythonImagesWith(config.SPACEPORT_PYTHON_IMAGES)))].filter((image) => debianSuiteOf(image) !== undefined);
  return [
    ...python.map((image) => ({ kind: 'python' as const, image, suite: debianSuiteOf(image) })),
    { kind: 'node', image: DEFAULT_BASE_IMAGES.node },
  ];
}

/** A Docker engine that answers (DOCKER_HOST, else the local socket), or an error naming the fix. */
export async function connectEngine(config: Readonly<Config>): Promise<Dockerode> {
  const docker = connectDocker(config.DOCKER_HOST);
  try {
    await docker.ping();
  } catch (err) {
    throw fail('dockerEngineNotReachable', { dockerHost: config.DOCKER_HOST }, { cause: err });
  }
  return docker;
}

/** Upload dates of pinned SDK releases (old pins resolve at their date), unless the operator turned the lookup off. */
export function sdkReleaseDates(config: Readonly<Config>, logger: Logger): SdkReleaseDates | undefined {
  if (config.SPACEPORT_PYPI_SIMPLE_URL === 'off') return undefined;
  return new SdkReleaseDates({ indexUrl: config.SPACEPORT_PYPI_SIMPLE_URL, logger: logger.child({ module: 'sdk-release-dates' }) });
}

/** Node.js releases from the npm registry for static builds (versions chosen when planning, images made by the gate). */
export function nodeDist(config: Readonly<Config>, logger: Logger): NodeDist {
  return new NodeDist({
    registry: config.SPACEPORT_NPM_REGISTRY,
    cacheDir: config.SPACEPORT_NODE_CACHE ?? path.join(config.dataDir, 'cache', 'node'),
    logger: logger.child({ module: 'node-dist' }),
  });
}

/**
 * Image builds on a Docker engine, with the base images made from Debian packages when missing,
 * and the Node.js images (`spaceport/node:<node>-npm<npm>`) from the npm registry.
 */
export function engineBuilder(config: Readonly<Config>, docker: Dockerode, logger: Logger, node: NodeDist = nodeDist(config, logger)): BaseImageGate {
  const inner = new DockerImageBuilder({
    docker,
    logger: logger.child({ module: 'image-builder' }),
    caBundle: config.SPACEPORT_BUILD_CA_BUNDLE,
    registryMirrors: config.SPACEPORT_REGISTRY_MIRRORS,
    localImages: [...new Set([...Object.values(pythonImagesWith(config.SPACEPORT_PYTHON_IMAGES)), DEFAULT_BASE_IMAGES.node])],
  });
  const known = knownBaseImages(config);
  return new BaseImageGate(inner, async (images, log) => {
    for (const image of images.filter((i) => parseNodeDistImage(i))) {
      log.write(`Node.js image ${image}: ${await node.ensureImage(docker, image, log)}\n`);
    }
    const wanted = known.filter((k) => images.includes(k.image));
    if (wanted.length === 0) return;
    const outcomes = [];
    // One call per image: ensureBaseImages takes one image of each kind.
    for (const k of wanted) outcomes.push(...(await ensureBaseImages(
      docker,
      { [k.kind]: k.image },
      logger.child({ module: 'base-images' }),
      {
        suites: k.suite ? { [k.image]: k.suite } : undefined,
        mirror: config.SPACEPORT_DEBIAN_MIRROR,
        cacheDir: config.SPACEPORT_ROOTFS_CACHE ?? path.join(config.dataDir, 'cache', 'rootfs'),
        caBundle: config.SPACEPORT_BUILD_CA_BUNDLE,
        proxy: { http: config.SPACEPORT_BUILD_HTTP_PROXY, https: config.SPACEPORT_BUILD_HTTPS_PROXY, noProxy: config.SPACEPORT_BUILD_NO_PROXY },
        log,
      },
    )));
    for (const o of outcomes) log.write(`Base image ${o.image}: ${o.result}\n`);
  });
}

/** The single-host adapters: Docker runs the Spaces and builds their images. */
export async function dockerAdapters(config: Readonly<Config>, logger: Logger): Promise<SpaceportAdapters> {
  const docker = await connectEngine(config);
  const gpus = await detectDockerGpus(docker, config.SPACEPORT_DOCKER_GPUS);
  const egress = config.SPACEPORT_SPACE_EGRESS;
  const packetFilter = egress.kind === 'all-unfiltered' ? undefined : new IptablesPacketFilter();
  const network = new DockerSpaceNetwork({ docker, logger: logger.child({ module: 'space-network' }), namePrefix: config.SPACEPORT_INSTANCE_NAME, egress, packetFilter });
  // Snapshot wake (ARCHITECTURE.md): said once at start, on or off and why.
  const support = await detectSnapshotSupport({ setting: config.SPACEPORT_SNAPSHOTS, runtime: 'docker', criu: config.SPACEPORT_CRIU });
  let onWake: ((wake: SnapshotWake) => void) | undefined;
  const snapshots = await engineSnapshots({
    docker,
    support,
    root: path.join(config.dataDir, 'snapshots'),
    execRoot: config.SPACEPORT_DOCKER_EXEC_ROOT,
    maxAgeMs: config.SPACEPORT_SNAPSHOT_MAX_AGE_HOURS * 3600_000,
    budgetBytes: config.SPACEPORT_SNAPSHOT_BUDGET,
    lazyMinBytes: config.SPACEPORT_SNAPSHOT_LAZY_MB * 1024 ** 2,
    netnsSandboxes: config.SPACEPORT_SNAPSHOT_NETNS === 'on',
    logger,
    onWake: (wake) => onWake?.(wake),
  });
  if ('snapshots' in snapshots && support.kind === 'on') logger.info({ module: 'snapshots', criu: support.criu, criuVersion: support.version }, 'snapshots: on');
  else if ('reason' in snapshots) logger.info({ module: 'snapshots', reason: snapshots.reason }, 'snapshots: off');
  const runtime = new DockerRuntime({
    docker,
    logger: logger.child({ module: 'runtime' }),
    namePrefix: config.SPACEPORT_INSTANCE_NAME,
    gpus,
    containerLimits: {
      pidsLimit: config.SPACEPORT_CONTAINER_PIDS_LIMIT,
      logMaxSize: config.SPACEPORT_CONTAINER_LOG_MAX_SIZE,
      logMaxFiles: config.SPACEPORT_CONTAINER_LOG_MAX_FILES,
    },
    network,
    operatorSized: config.hardware.operatorSized,
    snapshots: 'snapshots' in snapshots ? snapshots.snapshots : undefined,
  });
  // Refuse to start without the Space network and its firewall (SPACEPORT_SPACE_EGRESS=all-unfiltered opts out of the rules).
  await runtime.prepare();
  // Build steps (BuildKit RUN, on the engine's default bridge) are kept off the host and metadata the same way.
  if (packetFilter) await applyFirewallPlan(packetFilter, buildFirewallPlan());
  // Built-in flavors take a share of this host (a cpu-basic of 16 GiB does not fit a 24 GiB host):
  // said once at start, with whether writable layers can be capped.
  await runtime.describeHost(Object.values(config.flavors));
  const node = nodeDist(config, logger);
  return {
    runtime,
    builder: engineBuilder(config, docker, logger, node),
    plan: planFromBuilder(config, { node, sdkReleases: sdkReleaseDates(config, logger) }),
    baseImages: preparedAtStart(config),
    housekeeper: new DockerHousekeeping(docker),
    onSnapshotWake: (listener) => {
      onWake = listener;
    },
  };
}

/**
 * The base images made at start: the Python image a Space without python_version gets, and Node.
 * The other Python images are made by the first build that needs one (BaseImageGate).
 */
export function preparedAtStart(config: Readonly<Config>): string[] {
  const known = knownBaseImages(config);
  const pick = pickPython(undefined, pythonImagesWith(config.SPACEPORT_PYTHON_IMAGES), config.SPACEPORT_DEFAULT_PYTHON);
  return known.filter((k) => k.kind === 'node' || (pick.kind === 'ok' && k.image === pick.image)).map((k) => k.image);
}
