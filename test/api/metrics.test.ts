// An operator scrapes /metrics (Prometheus text) and sees the proxy, builds and the reconciler move;
// nobody else may read it unless the operator says so.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { countByStage, createMetricsEndpoint, SpaceportMetrics } from '../../controller/metrics/index.js';
import { startProxyServer, type RunningProxyServer } from '../../proxy/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { parseMetrics } from '../support/metrics-text.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

const parse = parseMetrics;

describe('/metrics', () => {
  let h: Harness;
  let work: string;
  const scrape = async (headers: Record<string, string> = {}) =>
    request({ port: h.port, path: '/metrics', host: `127.0.0.1:${h.port}`, headers });

  beforeAll(async () => {
    h = await startHarness(
      (config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config), staticSpacesAsImages: true }),
      { SPACEPORT_METRICS_TOKEN: METRICS_TOKEN },
    );
  });
  afterAll(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('counts proxy requests by class with latencies, builds, reconcile passes and Spaces per stage', async () => {
    const before = parse((await scrape()).body);
    expect(before('spaceport_builds_total{outcome="succeeded"}')).toBe(0);
    expect(before('spaceport_proxy_requests_total{code="2xx"}')).toBe(0);

    expect((await h.api('POST', '/api/repos/create', { name: 'm', type: 'space', sdk: 'static' })).status).toBe(200);
    // The initial commit (the starter page) builds first; then the push builds.
    expect((await h.waitStage('admin/m', ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR'])).stage).toBe('RUNNING');
    work = await makeWorkTree({ 'README.md': '---\nsdk: static\n---\n', 'index.html': '<h1>m</h1>' });
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/m', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    expect((await h.waitStage('admin/m', ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR'])).stage).toBe('RUNNING');
    for (let i = 0; i < 3; i++) expect((await h.app('admin-m', '/')).status).toBe(200);
    expect((await h.app('nobody', '/')).status).toBe(404);

    const r = await scrape();
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const after = parse(r.body);
    expect(after('spaceport_proxy_requests_total{code="2xx"}')).toBe(3);
    expect(after('spaceport_proxy_requests_total{code="4xx"}')).toBe(1);
    expect(after('spaceport_proxy_request_duration_seconds_count{code="2xx"}')).toBe(3);
    expect(after('spaceport_builds_total{outcome="succeeded"}')).toBe(2);
    expect(after('spaceport_build_duration_seconds_count{outcome="succeeded"}')).toBe(2);
    expect(after('spaceport_reconcile_passes_total')).toBeGreaterThan(0);
    expect(after('spaceport_spaces{stage="RUNNING"}')).toBe(1);
    expect(after('spaceport_proxy_held_requests')).toBe(0);
    expect(after('spaceport_hub_requests_total{code="2xx"}')).toBeGreaterThan(0);
    expect(after('spaceport_process_resident_memory_bytes')).toBeGreaterThan(0);
    // The Node path carries every request (SPACEPORT_DATA_PLANE's default): no Space in HAProxy's map.
    expect(after('spaceport_data_plane{plane="node"}')).toBe(1);
    expect(after('spaceport_data_plane{plane="haproxy"}')).toBe(0);
    expect(after('spaceport_data_plane_mapped_spaces')).toBe(0);
  });

  it('counts a wake and its duration when a visit wakes a sleeping Space', async () => {
    const wakesBefore = parse((await scrape()).body)('spaceport_proxy_wakes_total') ?? 0;
    expect((await h.api('POST', '/api/spaces/admin/m/sleeptime', { seconds: 1 })).status).toBe(200);
    await waitFor('the Space asleep', async () => (h.sp.routes.get('admin-m')?.target.kind === 'sleeping' ? true : undefined), 20_000);
    expect((await h.api('POST', '/api/spaces/admin/m/sleeptime', { seconds: 300 })).status).toBe(200);
    // A non-browser client is held until the Space runs, then answered by the app.
    expect((await h.app('admin-m', '/')).status).toBe(200);
    const after = parse((await scrape()).body);
    expect(after('spaceport_proxy_wakes_total')).toBe(wakesBefore + 1);
    await waitFor('the wake recorded', async () => (parse((await scrape()).body)('spaceport_proxy_wake_duration_seconds_count{outcome="running"}') ? true : undefined));
  });

  it('protected by default: loopback clients that came straight in, or the metrics token; others get 404', async () => {
    expect((await scrape()).status).toBe(200);
    // Through a reverse proxy on the same host the client is not local.
    expect((await scrape({ 'x-forwarded-for': '203.0.113.9' })).status).toBe(404);
    expect((await scrape({ forwarded: 'for=203.0.113.9' })).status).toBe(404);
    expect((await scrape({ 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(200);
    expect((await scrape({ 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer wrong-token-0123456789abcd' })).status).toBe(404);
    // Not served on Space hosts (an app may have its own /metrics).
    const app = await h.app('admin-m', '/metrics');
    expect(app.body).not.toContain('spaceport_');
  });
});

describe('/metrics settings', () => {
  it('off: 404 for everyone; public: anyone', async () => {
    for (const [setting, status] of [['off', 404], ['public', 200]] as const) {
      const h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config), staticSpacesAsImages: true }), {
        SPACEPORT_METRICS: setting,
      });
      try {
        const r = await request({ port: h.port, path: '/metrics', host: `127.0.0.1:${h.port}`, headers: { 'x-forwarded-for': '198.51.100.1' } });
        expect(r.status, setting).toBe(status);
      } finally {
        await h.close();
      }
    }
  });
});

describe('/metrics on a proxy replica (spaceport proxy)', () => {
  it('counts what the replica answered, under the same access rules', async () => {
    const token = 'replica-metrics-internal-token-0123';
    const h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config), staticSpacesAsImages: true }), {
      SPACEPORT_INTERNAL_TOKEN: token,
    });
    let replica: RunningProxyServer | undefined;
    try {
      expect((await h.api('POST', '/api/repos/create', { name: 'pending', type: 'space', sdk: 'gradio' })).status).toBe(200);
      const metrics = new SpaceportMetrics(
        { heldRequests: () => replica?.proxy.stats().held ?? 0, spacesByStage: () => countByStage(replica?.routes.snapshot() ?? []) },
        { processMetrics: false },
      );
      replica = await startProxyServer({
        controllerUrl: h.sp.url,
        token,
        port: 0,
        host: '127.0.0.1',
        domain: 'localhost',
        logger: silentLogger(),
        metrics,
        operatorEndpoint: createMetricsEndpoint({ metrics, access: 'protected', logger: silentLogger() }),
      });
      const port = replica.port;
      await waitFor('the first route snapshot', async () => (replica!.routes.hasSnapshot ? true : undefined));
      expect((await request({ port, path: '/', host: `nobody.localhost:${port}` })).status).toBe(404);
      expect((await request({ port, path: '/', host: `admin-pending.localhost:${port}` })).status).toBe(503);
      const r = await request({ port, path: '/metrics', host: `127.0.0.1:${port}` });
      expect(r.status).toBe(200);
      const m = parse(r.body);
      expect(m('spaceport_proxy_requests_total{code="4xx"}')).toBe(1);
      expect(m('spaceport_proxy_requests_total{code="5xx"}')).toBe(1);
      expect(m('spaceport_spaces{stage="NO_APP_FILE"}')).toBe(1);
      expect((await request({ port, path: '/metrics', host: `127.0.0.1:${port}`, headers: { 'x-forwarded-for': '203.0.113.1' } })).status).toBe(404);
    } finally {
      await replica?.close();
      await h.close();
    }
  });
});
