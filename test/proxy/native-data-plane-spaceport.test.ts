// Spaceport with SPACEPORT_DATA_PLANE=haproxy: HAProxy takes the public port, the hub and every cold
// request reach Spaceport behind it (with the client's address), and HAProxy stops with Spaceport.
// How to tell which path is in use: /metrics and HAProxy's response header.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';
import { waitFor } from '../support/http.js';
import { parseMetrics } from '../support/metrics-text.js';
import { request } from './harness.js';

const metric = (text: string, series: string): number | undefined => parseMetrics(text)(series);

describe('Spaceport with the native data plane (SPACEPORT_DATA_PLANE=haproxy)', () => {
  let h: Harness;
  let app: http.Server;
  beforeAll(async () => {
    app = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('app'));
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_DATA_PLANE: 'haproxy',
    });
  });
  afterAll(async () => {
    await h?.close();
    app?.closeAllConnections();
    await new Promise((r) => app?.close(r));
  });

  it('HAProxy holds the public port; the hub answers through it, with its own headers', async () => {
    expect(existsSync(path.join(h.dataDir, 'haproxy', 'admin.sock'))).toBe(true);
    const r = await h.api('GET', '/api/whoami-v2');
    expect(r.status).toBe(200);
    expect(r.headers['x-request-id']).toBeTruthy();
  });

  it('an unknown Space host gets Spaceport\'s 404 page through HAProxy', async () => {
    const r = await request(h.port, { host: 'nobody-here.localhost' });
    expect(r.status).toBe(404);
    expect(r.body).toContain('<!doctype html>');
  });

  it('says which path is in use: HAProxy names itself on what it served, /metrics names the plane and counts the mapped Spaces', async () => {
    const appPort = (app.address() as AddressInfo).port;
    h.sp.routes.upsert({ subdomain: 'ext-app', space: 'ext/app', stage: 'RUNNING', target: { kind: 'running', endpoint: { host: '127.0.0.1', port: appPort } } });
    const served = await waitFor('the Space served by HAProxy', async () => {
      const r = await request(h.port, { host: 'ext-app.localhost' });
      return r.headers['x-spaceport-data-plane'] === 'haproxy' ? r : undefined;
    }, 15_000, 25);
    expect(`${served.status} ${served.body}`).toBe('200 app');
    // Spaceport's own answers (the hub, an unknown host) carry no such header.
    expect((await h.api('GET', '/api/whoami-v2')).headers['x-spaceport-data-plane']).toBeUndefined();
    expect((await request(h.port, { host: 'nobody-here.localhost' })).headers['x-spaceport-data-plane']).toBeUndefined();
    const scrape = await request(h.port, { host: `127.0.0.1:${h.port}`, path: '/metrics' });
    expect(scrape.status).toBe(200);
    expect(metric(scrape.body, 'spaceport_data_plane{plane="haproxy"}')).toBe(1);
    expect(metric(scrape.body, 'spaceport_data_plane{plane="node"}')).toBe(0);
    expect(metric(scrape.body, 'spaceport_data_plane_mapped_spaces')).toBe(1);
    expect(metric(scrape.body, 'spaceport_data_plane_restarts_total')).toBe(0);
  });

  it('stops HAProxy with Spaceport', async () => {
    const port = h.port;
    await h.sp.close();
    await expect(request(port, { host: 'nobody-here.localhost' })).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);
  });
});

describe('SPACEPORT_DATA_PLANE=auto (the default)', () => {
  // A runtime that takes the Spaces' traffic on this host (the Docker runtime's name), as `make up` runs.
  const onDocker = () => Object.defineProperty(new FakeRuntime(), 'name', { value: 'docker' }) as FakeRuntime;
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('runs HAProxy where its binary runs', async () => {
    const h = await startHarness((config) => ({ runtime: onDocker(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), { SPACEPORT_DATA_PLANE: 'auto' });
    try {
      expect(existsSync(path.join(h.dataDir, 'haproxy', 'admin.sock'))).toBe(true);
      const scrape = await request(h.port, { host: `127.0.0.1:${h.port}`, path: '/metrics' });
      expect(metric(scrape.body, 'spaceport_data_plane{plane="haproxy"}')).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('an HAProxy that does not start leaves the Node path serving everything (haproxy itself: an error)', async () => {
    // A binary that answers `-v` (so auto picks it) but exits at once when started.
    const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-bad-haproxy-'));
    dirs.push(dir);
    const bad = path.join(dir, 'haproxy');
    writeFileSync(bad, '#!/bin/sh\n[ "$1" = "-v" ] && exit 0\necho "cannot bind socket" >&2\nexit 1\n');
    chmodSync(bad, 0o755);
    const h = await startHarness((config) => ({ runtime: onDocker(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), { SPACEPORT_DATA_PLANE: 'auto', SPACEPORT_HAPROXY: bad });
    try {
      expect((await h.api('GET', '/api/whoami-v2')).status).toBe(200);
      const scrape = await request(h.port, { host: `127.0.0.1:${h.port}`, path: '/metrics' });
      expect(metric(scrape.body, 'spaceport_data_plane{plane="node"}')).toBe(1);
    } finally {
      await h.close();
    }
    await expect(
      startHarness((config) => ({ runtime: onDocker(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), { SPACEPORT_DATA_PLANE: 'haproxy', SPACEPORT_HAPROXY: bad }),
    ).rejects.toThrow(/did not start: exited \(1\): cannot bind socket/);
  });
});
