import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger, testConfig, createLogger, type Config, type Logger } from '../../core/index.js';
import { startSpaceport, type RunningSpaceport, type SpaceportAdapters } from '../../controller/main.js';
import { request, waitFor, type HttpResult } from './http.js';

export const ADMIN_TOKEN = 'sp_test_admin_token_0123456789';

/**
 * `GET /api/spaces/{id}/runtime` as Spaceport answers it (controller/spaces/hub-json.ts `runtimeJson`,
 * the Hub's shape: SPACES-SPEC §4). The controller returns it untyped; suites read it through this.
 */
export interface SpaceRuntimeJson {
  stage: string;
  hardware: { current: string | null; requested: string | null };
  storage: string | null;
  gcTimeout: number | null;
  replicas: { requested: number; current: number };
  devMode: boolean;
  domains: { domain: string; stage: string }[];
  sdk: string;
  sdkVersion?: string;
  errorMessage?: string;
  resources?: { requests: { cpu: number; memory: number }; limits: { cpu: number; memory: number }; replicas: number };
}

export interface Harness {
  sp: RunningSpaceport;
  config: Readonly<Config>;
  dataDir: string;
  port: number;
  api(method: string, p: string, body?: unknown, token?: string | null): Promise<HttpResult>;
  /** GET a Space's app through the proxy (Host: `{subdomain}.localhost`). */
  app(subdomain: string, p?: string, headers?: Record<string, string>): Promise<HttpResult>;
  stage(space: string): Promise<SpaceRuntimeJson>;
  waitStage(space: string, stages: string[], timeoutMs?: number): Promise<SpaceRuntimeJson>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Spaceport on port 0 with a fresh data dir; `restart()` keeps the data dir. */
export async function startHarness(
  makeAdapters: (config: Readonly<Config>) => Promise<SpaceportAdapters> | SpaceportAdapters,
  env: Record<string, string> = {},
  opts: { logger?: Logger } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-data-'));
  const config = testConfig({
    SPACEPORT_PORT: '0',
    SPACEPORT_HOST: '127.0.0.1',
    SPACEPORT_DATA_DIR: dataDir,
    SPACEPORT_ADMIN_TOKEN: ADMIN_TOKEN,
    SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS: 'true',
    // The Node path unless a test asks for HAProxy: the suites that run through it are make test-data-plane's and the native ones.
    SPACEPORT_DATA_PLANE: 'node',
    SPACEPORT_DRAIN_MS: '300',
    // Suites make base images when their builds need them (a background debootstrap could outlive a short suite).
    SPACEPORT_PREPARE_BASE_IMAGES: 'false',
    ...env,
  });
  const logger = opts.logger ?? (process.env.SPACEPORT_TEST_LOG ? createLogger({ level: process.env.SPACEPORT_TEST_LOG }) : silentLogger());
  let sp = await startSpaceport(config, logger, await makeAdapters(config));
  let port = sp.port;
  const h: Harness = {
    get sp() {
      return sp;
    },
    config,
    dataDir,
    get port() {
      return port;
    },
    api: (method, p, body, token = ADMIN_TOKEN) => request({ port, path: p, method, body, token: token ?? undefined, host: `127.0.0.1:${port}` }),
    app: (subdomain, p = '/', headers = {}) => request({ port, path: p, host: `${subdomain}.localhost:${port}`, headers }),
    stage: async (space) => (await h.api('GET', `/api/spaces/${space}/runtime`)).json(),
    waitStage: (space, stages, timeoutMs = 60_000) =>
      waitFor(`${space} in ${stages.join('|')}`, async () => {
        const rt = await h.stage(space);
        return stages.includes(rt.stage) ? rt : undefined;
      }, timeoutMs),
    restart: async () => {
      await sp.close();
      // Same data dir and port, new process state.
      const again = { ...config, SPACEPORT_PORT: port };
      sp = await startSpaceport(again, logger, await makeAdapters(again));
      port = sp.port;
    },
    close: async () => {
      await sp.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}
