import type { Flavor } from '../../core/index.js';
import { SIMULATED_NODE_MESSAGE, type StageResult } from '../lifecycle/index.js';
import type { SpaceRecord } from '../store/records.js';

export interface HubUrls {
  /** The API endpoint clients use, e.g. http://localhost:8080. */
  publicUrl: string;
  domain: string;
}

/** The app's URL for a Space: same scheme and port as the endpoint, on the Space's subdomain. */
export function spaceHost(space: Pick<SpaceRecord, 'subdomain'>, urls: HubUrls): string {
  const u = new URL(urls.publicUrl);
  return `${u.protocol}//${space.subdomain}.${urls.domain}${u.port ? `:${u.port}` : ''}`;
}

/** The runtime JSON of the Hub (SPACES-SPEC §4): `hardware` is always an object. */
export function runtimeJson(
  space: SpaceRecord,
  stage: StageResult,
  opts: { gcTimeout: number | null; flavor: Flavor | undefined; domain: string; currentHardware?: string | null },
): Record<string, unknown> {
  return {
    stage: stage.stage,
    hardware: { current: opts.currentHardware !== undefined ? opts.currentHardware : stage.serving ? space.hardware : null, requested: space.hardware },
    storage: space.storageTier ?? null,
    gcTimeout: opts.gcTimeout,
    replicas: { requested: 1, current: stage.serving ? 1 : 0 },
    devMode: false,
    domains: [{ domain: `${space.subdomain}.${opts.domain}`, stage: 'READY' }],
    sdk: space.sdk,
    ...(typeof space.cardData?.sdk_version === 'string' ? { sdkVersion: space.cardData.sdk_version } : {}),
    ...(stage.message ? { errorMessage: stage.message } : {}),
    // Not a Hub field (huggingface_hub keeps unknown ones in SpaceRuntime.raw): the app cannot answer there.
    ...(stage.simulatedNode ? { node: { simulated: true, message: SIMULATED_NODE_MESSAGE } } : {}),
    ...(opts.flavor
      ? {
          resources: {
            requests: { cpu: (opts.flavor.requests ?? opts.flavor).cpus, memory: (opts.flavor.requests ?? opts.flavor).memoryBytes },
            limits: { cpu: opts.flavor.cpus, memory: opts.flavor.memoryBytes },
            replicas: 1,
          },
        }
      : {}),
  };
}

/** `space_info` JSON (SPACES-SPEC §5.2). */
export function spaceInfoJson(
  space: SpaceRecord,
  runtime: Record<string, unknown>,
  opts: { urls: HubUrls; siblings?: Record<string, unknown>[]; usedStorage?: number; trendingScore?: number },
): Record<string, unknown> {
  return {
    _id: space.uid,
    id: space.id,
    author: space.owner,
    sha: space.headSha ?? null,
    createdAt: space.createdAt,
    lastModified: space.updatedAt,
    private: space.visibility === 'private',
    visibility: space.visibility,
    gated: false,
    disabled: false,
    subdomain: space.subdomain,
    host: spaceHost(space, opts.urls),
    likes: space.likes ?? 0,
    trendingScore: opts.trendingScore ?? 0,
    sdk: space.sdk,
    tags: Array.isArray(space.cardData?.tags) ? space.cardData.tags : [],
    cardData: space.cardData ?? {},
    ...(opts.siblings ? { siblings: opts.siblings } : {}),
    ...(opts.usedStorage !== undefined ? { usedStorage: opts.usedStorage } : {}),
    runtime,
    models: [],
    datasets: [],
    ...(space.upstream ? { upstream: { url: redactUrl(space.upstream.url), branch: space.upstream.branch } } : {}),
  };
}

/** An upstream URL without credentials, for responses and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
