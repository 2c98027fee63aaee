import { describe, expect, it } from 'vitest';
import { haproxyFiles, renderAppErrorFile, renderHaproxyConfig } from './render-haproxy-config.js';

const files = haproxyFiles('/data/haproxy');
const render = (extra: Partial<Parameters<typeof renderHaproxyConfig>[0]> = {}) =>
  renderHaproxyConfig({ files, bind: { host: '0.0.0.0', port: 8080 }, nodePort: 40000, upstreamTimeoutMs: 300_000, ...extra });

describe('renderHaproxyConfig', () => {
  it('serves only mapped hosts itself; hub, upgrades, our paths and odd Host headers go to Spaceport with the client address', () => {
    const cfg = render();
    expect(cfg).toContain('stats socket "/data/haproxy/admin.sock" mode 600 level admin');
    expect(cfg).toContain('bind 0.0.0.0:8080');
    expect(cfg).toContain('set-var(txn.host) req.hdr(host),lower,field(1,:) if { req.hdr_cnt(host) eq 1 }');
    expect(cfg).toContain('set-var(txn.up) var(txn.host),map("/data/haproxy/spaces.map") if { var(txn.host) -m found }');
    expect(cfg).toMatch(/use_backend spaces if \{ var\(txn\.up\) -m found \} !\{ req\.hdr\(upgrade\) -m found \} !\{ path_beg \/\.spaceport\/ \}/);
    expect(cfg).toContain('default_backend spaceport');
    // Idle app connections are not shared between clients (a moved Space's old ones slowed HAProxy).
    expect(cfg).toContain('\n  http-reuse never\n');
    expect(cfg).toContain('server spaceport 127.0.0.1:40000 send-proxy');
    expect(cfg).toContain('timeout server 300000ms');
  });

  it('sends the app the Node path headers and the client a request id', () => {
    const cfg = render();
    expect(cfg).toContain('X-Forwarded-For "%[req.fhdr(x-forwarded-for)], %[src]"');
    expect(cfg).toContain('set-header X-Forwarded-Proto http');
    expect(cfg).toContain('set-header X-Forwarded-Host "%[req.fhdr(host)]"');
    expect(cfg).toContain('del-header X-HF-Authorization');
    expect(cfg).toContain('http-after-response set-header X-Request-Id "%[var(txn.rid)]" unless { res.hdr(x-request-id) -m found }');
    expect(cfg).toMatch(/backend spaces\n[^]*http-after-response set-header X-Spaceport-Data-Plane haproxy\n/);
    expect(cfg).not.toContain('Content-Security-Policy');
    expect(render({ frameAncestors: "'self' https://hub.example.com" })).toContain(
      `"%[res.fhdr(content-security-policy)], frame-ancestors 'self' https://hub.example.com"`,
    );
  });

  it('sends a request again only when the app cannot have read it, or it is idempotent without a body', () => {
    const cfg = render();
    expect(cfg).toContain('retry-on conn-failure empty-response');
    expect(cfg).toContain('acl idempotent method GET HEAD OPTIONS');
    expect(cfg).toContain('http-request disable-l7-retry if !idempotent or has_body');
  });

  it('bounds the kernel buffers an upload fills on its way to the app (not the responses)', () => {
    const cfg = render();
    expect(cfg).toContain('tune.rcvbuf.client 1048576');
    expect(cfg).toContain('tune.sndbuf.server 1048576');
    expect(cfg).not.toContain('tune.rcvbuf.server');
    expect(cfg).not.toContain('tune.sndbuf.client');
  });

  it('sends each chunk at once (http-no-delay for every proxy): a streamed token is not held for more data', () => {
    const cfg = render();
    expect(cfg.slice(cfg.indexOf('defaults'), cfg.indexOf('frontend public'))).toContain('option http-no-delay');
  });

  it('passes a client that goes away on to the app or Spaceport (abortonclose for every proxy, the frontend too)', () => {
    const cfg = render();
    expect(cfg.slice(cfg.indexOf('defaults'), cfg.indexOf('frontend public'))).toContain('option abortonclose');
  });

  it('counts a Space active from an app response under 400 on, never while a request waits or after an error', () => {
    const cfg = render();
    expect(cfg).not.toContain('http-request track-sc0');
    expect(cfg).toContain('acl app_ok status lt 400');
    expect(cfg).toContain('http-response track-sc0 var(txn.host) if app_ok');
    expect(cfg).toContain('http-response sc-inc-gpc0(0) if app_ok');
  });

  it('binds IPv6 and all-interfaces addresses as HAProxy spells them', () => {
    expect(render({ bind: { host: '::', port: 80 } })).toContain('bind :::80 v4v6');
    expect(render({ bind: { host: '::1', port: 80 } })).toContain('bind [::1]:80');
  });

  it('refuses a path or a policy that would break out of its quotes', () => {
    expect(() => render({ files: haproxyFiles('/data/my "dir"') })).toThrow(/haproxy\.cfg/);
    expect(() => render({ frameAncestors: 'https://a.example.com" \n  server evil' })).toThrow(/haproxy\.cfg/);
  });

  it('renders the 502 page Spaceport sends for a failed app', () => {
    const raw = renderAppErrorFile(['x-content-type-options', 'nosniff']);
    expect(raw.startsWith('HTTP/1.1 502 Bad Gateway\r\n')).toBe(true);
    expect(raw).toContain('cache-control: no-store\r\n');
    expect(raw).toContain('x-content-type-options: nosniff\r\n');
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toContain(`content-length: ${Buffer.byteLength(body!)}`);
  });
});
