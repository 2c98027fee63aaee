import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, parseRegistry, registryRepository, splitReference } from './registry-client.js';

describe('registry names', () => {
  it('splits a registry setting into host and prefix; loopback speaks plain HTTP', () => {
    expect(parseRegistry('127.0.0.1:5000/spaceport')).toMatchObject({ host: '127.0.0.1:5000', prefix: 'spaceport', insecure: true });
    expect(parseRegistry('registry.example.com/team/spaces/')).toMatchObject({ host: 'registry.example.com', prefix: 'team/spaces', insecure: false });
    expect(parseRegistry('localhost:5000')).toMatchObject({ prefix: '', insecure: true });
  });

  it('maps a local image to its repository and tag', () => {
    const t = parseRegistry('r.example.com/spaces');
    expect(registryRepository(t, 'spaceport/alice-demo')).toBe('spaces/alice-demo');
    expect(splitReference('spaceport/alice-demo:0123456789ab-cafe1234')).toEqual({ name: 'spaceport/alice-demo', tag: '0123456789ab-cafe1234' });
    expect(splitReference('127.0.0.1:5000/x/y')).toEqual({ name: '127.0.0.1:5000/x/y', tag: 'latest' });
  });
});

describe('RegistryClient against a registry that wants a bearer token', () => {
  let server: http.Server;
  let port: number;
  const seen: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
      if (req.url?.startsWith('/token')) {
        const ok = req.headers.authorization === `Basic ${Buffer.from('bot:pw').toString('base64')}`;
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? JSON.stringify({ token: 'tkn' }) : '{}');
        return;
      }
      if (req.headers.authorization !== 'Bearer tkn') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="reg",scope="repository:spaces/demo:pull"` }).end();
        return;
      }
      if (req.url === '/v2/spaces/demo/manifests/v1') {
        res.writeHead(200, { 'docker-content-digest': 'sha256:abc' }).end();
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers the digest of a tag it has, after fetching a token with the credentials; undefined for a missing tag', async () => {
    const client = new RegistryClient(parseRegistry(`127.0.0.1:${port}/spaces`, { username: 'bot', password: 'pw' }));
    expect(await client.digestOf('spaces/demo', 'v1')).toBe('sha256:abc');
    expect(await client.digestOf('spaces/demo', 'v2')).toBeUndefined();
    expect(seen.some((s) => s.startsWith('GET /token?service=reg&scope=repository%3Aspaces%2Fdemo%3Apull'))).toBe(true);
  });

  it('names the setting when the credentials are refused', async () => {
    const client = new RegistryClient(parseRegistry(`127.0.0.1:${port}/spaces`, { username: 'bot', password: 'wrong' }));
    await expect(client.digestOf('spaces/demo', 'v1')).rejects.toThrow(/SPACEPORT_REGISTRY_USERNAME\/PASSWORD/);
  });

  it('names the setting when the registry is not reachable', async () => {
    const client = new RegistryClient(parseRegistry('127.0.0.1:1/spaces'));
    await expect(client.digestOf('spaces/demo', 'v1')).rejects.toThrow(/not reachable.*SPACEPORT_REGISTRY/);
  });
});
