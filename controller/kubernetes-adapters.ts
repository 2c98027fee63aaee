import { RegistryImageBuilder, parseRegistry } from '../builder/index.js';
import { fail, type Config, type Logger } from '../core/index.js';
import { planFromBuilder } from './builds/index.js';
import { connectEngine, engineBuilder, nodeDist, preparedAtStart, sdkReleaseDates } from './docker-adapters.js';
import { DockerHousekeeping } from './runtime/docker/docker-housekeeping.js';
import { KubernetesRuntime, loadKubeConfig } from './runtime/index.js';
import type { SpaceportAdapters } from './spaceport-interfaces.js';

/**
 * The cluster adapters: Spaces run as Deployments in SPACEPORT_K8S_NAMESPACE; images are built by
 * the Docker engine at DOCKER_HOST (the chart's builder) and pushed to SPACEPORT_REGISTRY, from
 * which the nodes pull them by digest. Static Spaces run no pod: their trees lie in the controller's
 * data volume and every proxy replica fetches them by hash (`/internal/trees/{hash}`); a static
 * build's output is read back from the registry (`RegistryImageBuilder.imageFiles`).
 */
export async function kubernetesAdapters(config: Readonly<Config>, logger: Logger): Promise<SpaceportAdapters> {
  if (!config.SPACEPORT_REGISTRY) throw fail('kubernetesRegistryRequired');
  const docker = await connectEngine(config);
  const creds = { username: config.SPACEPORT_REGISTRY_USERNAME, password: config.SPACEPORT_REGISTRY_PASSWORD };
  const registry = parseRegistry(config.SPACEPORT_REGISTRY, creds);
  const pullRegistry = config.SPACEPORT_REGISTRY_PULL ? parseRegistry(config.SPACEPORT_REGISTRY_PULL, creds) : undefined;
  const node = nodeDist(config, logger);
  const gate = engineBuilder(config, docker, logger, node);
  const builder = Object.assign(
    new RegistryImageBuilder({ inner: gate, docker, registry, pullRegistry, logger: logger.child({ module: 'registry' }) }),
    { ensureBaseImages: gate.ensureBaseImages.bind(gate) },
  );
  const runtime = new KubernetesRuntime({
    kubeConfig: loadKubeConfig(config.SPACEPORT_KUBECONFIG),
    placement: {
      namespace: config.SPACEPORT_K8S_NAMESPACE,
      instance: config.SPACEPORT_INSTANCE_NAME,
      gpu: config.hardware.gpu,
      nodeSelector: config.hardware.nodeSelector,
      tolerations: config.hardware.tolerations,
      requestRatio: config.hardware.requestRatio,
      liveness: {
        periodSeconds: config.SPACEPORT_LIVENESS_PERIOD_SECONDS,
        timeoutSeconds: config.SPACEPORT_LIVENESS_TIMEOUT_SECONDS,
        failureThreshold: config.SPACEPORT_LIVENESS_FAILURES,
      },
      ...(config.SPACEPORT_STORAGE_CLASS ? { storageClassName: config.SPACEPORT_STORAGE_CLASS } : {}),
      ...(config.SPACEPORT_K8S_PRIORITY_CLASS ? { priorityClassName: config.SPACEPORT_K8S_PRIORITY_CLASS } : {}),
      ...(config.SPACEPORT_K8S_IMAGE_PULL_SECRETS ? { imagePullSecrets: config.SPACEPORT_K8S_IMAGE_PULL_SECRETS.split(',') } : {}),
    },
    logger: logger.child({ module: 'runtime' }),
  });
  await runtime.start();
  return {
    runtime,
    builder,
    plan: planFromBuilder(config, { node, sdkReleases: sdkReleaseDates(config, logger) }),
    baseImages: preparedAtStart(config),
    // The builder engine's BuildKit cache and its local copies of old releases (the registry keeps its own).
    housekeeper: new DockerHousekeeping(docker),
  };
}
