import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveProxyOptions } from '../../proxy/proxy-options.js';
import { silentLogger } from '../../core/index.js';
import { closeServer, listen, request, runningRoute, startProxy, type ProxyHarness } from './harness.js';

/** Embedding: only the origins the operator allows may frame an app (SPACEPORT_EMBED_ORIGINS). */
describe('frame-ancestors on app responses', () => {
  let h: ProxyHarness | undefined;
  let app: http.Server | undefined;
  afterEach(async () => {
    await h?.close();
    if (app) await closeServer(app);
    h = undefined;
    app = undefined;
  });

  async function appPort(): Promise<number> {
    app = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "default-src 'self'" }).end('<h1>app</h1>'));
    return listen(app);
  }

  it('adds the allowed origins, keeping the app\'s own policy', async () => {
    h = await startProxy([runningRoute('alice-demo', await appPort())], { frameAncestors: ['http://localhost:8080', 'https://intranet.example.com'] });
    const r = await request(h.port, { host: 'alice-demo.localhost', path: '/' });
    expect(r.status).toBe(200);
    const csp = ([] as string[]).concat(r.headers['content-security-policy'] ?? []).join(', ');
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain('frame-ancestors http://localhost:8080 https://intranet.example.com');
  });

  it('adds nothing when unset (any site may embed, as before)', async () => {
    h = await startProxy([runningRoute('alice-demo', await appPort())]);
    const r = await request(h.port, { host: 'alice-demo.localhost', path: '/' });
    expect(String(r.headers['content-security-policy'])).not.toContain('frame-ancestors');
  });

  it('refuses a source that is not an origin (no header injection)', () => {
    const base = { routes: { snapshot: () => [], subscribe: () => () => {} }, activity: { record: () => {} }, waker: { wake: async () => {} }, logger: silentLogger(), domain: 'localhost' };
    expect(() => resolveProxyOptions({ ...base, frameAncestors: ["https://a.example.com; script-src *"] } as never)).toThrow(/not an origin/);
    expect(resolveProxyOptions({ ...base, frameAncestors: ['http://*.example.com:*', "'self'"] } as never).frameAncestors).toBe("http://*.example.com:* 'self'");
  });
});
