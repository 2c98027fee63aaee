// Threat: server-side request forgery through pull mode. A user makes the controller fetch from its
// own loopback, the internal network or a cloud metadata endpoint by naming it, or a DNS name that
// resolves there (also only at fetch time: DNS rebinding). Refused unless the operator allows it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpaceportError, toSpaceId } from '../../core/index.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { CliGitRepos } from '../../controller/git/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { commitFiles, gitClient, initWork, makeTempDir, ok, startGitServer, type GitServer } from './fixtures.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

describe('upstream URLs that resolve to internal addresses are refused when set (API)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS: 'false',
      SPACEPORT_UPSTREAM_ALLOWED_NETWORKS: '10.1.0.0/16',
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const create = (name: string, url: string) => h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static', upstream: { url, branch: 'main' } });

  it('a name that resolves to loopback, and every literal internal address, in every spelling', async () => {
    const cases: Array<[string, RegExp]> = [
      ['https://localhost/x.git', /loopback/],
      ['https://127.0.0.1/x.git', /loopback/],
      ['https://[::1]/x.git', /loopback/],
      ['https://[::ffff:127.0.0.1]/x.git', /loopback/],
      ['https://0x7f.1/x.git', /loopback/],
      ['https://2130706433/x.git', /loopback/],
      ['https://0.0.0.0/x.git', /unspecified/],
      ['https://169.254.169.254/latest/meta-data', /link-local/],
      ['https://[fe80::1]/x.git', /link-local/],
      ['https://10.0.0.5/x.git', /private/],
      ['https://192.168.1.1/x.git', /private/],
      ['https://172.20.0.1/x.git', /private/],
      ['https://[fd12::1]/x.git', /private/],
      ['https://100.64.1.1/x.git', /cgnat/],
      ['https://224.0.0.1/x.git', /multicast/],
    ];
    for (const [url, why] of cases) {
      const r = await create('ssrf', url);
      expect(r.status, url).toBe(400);
      expect(r.headers['x-error-code'], url).toBe('InvalidUpstream');
      expect(r.json().error, url).toMatch(why);
      expect(r.json().error, url).toContain('SPACEPORT_UPSTREAM_ALLOWED_NETWORKS');
    }
    expect((await h.api('GET', '/api/spaces/admin/ssrf')).status).toBe(404);
  });

  it('a network the operator allows is accepted; changing an upstream to an internal one is refused', async () => {
    const r = await create('allowed', 'https://10.1.2.3/x.git');
    expect(r.status, r.body).toBe(200);
    const put = await h.api('PUT', '/api/spaces/admin/allowed/upstream', { url: 'https://169.254.169.254/x', branch: 'main' });
    expect(put.status).toBe(400);
    expect(put.headers['x-error-code']).toBe('InvalidUpstream');
    expect(h.sp.store.getSpace(toSpaceId('admin', 'allowed'))?.upstream?.url).toBe('https://10.1.2.3/x.git');
  });
});

describe('fetch time: checked again and pinned', () => {
  let tmp: string;
  let upstream: GitServer;
  const src = toSpaceId('up', 'src');
  const space = toSpaceId('alice', 'mirror');

  beforeAll(async () => {
    tmp = await makeTempDir();
    upstream = await startGitServer(path.join(tmp, 'upstream'));
    await upstream.repos.create(src);
    upstream.known.add(src);
    const git = gitClient(tmp);
    const work = await initWork(git, path.join(tmp, 'work'));
    await commitFiles(git, work, { 'README.md': '---\nsdk: static\n---\n' });
    ok(await git(['push', '--force', '-q', upstream.repos.pathOf(src), 'main'], { cwd: work }));
  });
  afterAll(async () => {
    await upstream?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('a name that rebinds to an internal address by fetch time is refused before git runs', async () => {
    const repos = new CliGitRepos({ root: path.join(tmp, 'rebind'), lookup: async () => ['10.0.0.7'] });
    await repos.create(space);
    const before = upstream.requests.length;
    const err = await repos.fetchUpstream(space, { url: 'https://git.example.com/x.git', branch: 'main' }).catch((e: unknown) => e);
    expect(isSpaceportError(err, 'InvalidUpstream')).toBe(true);
    expect(upstream.requests.length).toBe(before);
  });

  it('git connects to the addresses that were checked, not to a fresh resolution', async () => {
    const url = `http://localhost:${upstream.port}/spaces/up/src`;
    // Checked as 127.0.0.1 (where the upstream listens): fetched.
    const good = new CliGitRepos({ root: path.join(tmp, 'pin-good'), allowLoopbackUpstreams: true, lookup: async () => ['127.0.0.1'] });
    await good.create(space);
    expect((await good.fetchUpstream(space, { url, branch: 'main' })).commit).toMatch(/^[0-9a-f]{40}$/);
    // Checked as 127.0.0.3 (nothing listens there): git goes there too, and fails, though the
    // system resolver would have said 127.0.0.1.
    const pinned = new CliGitRepos({ root: path.join(tmp, 'pin-other'), allowLoopbackUpstreams: true, lookup: async () => ['127.0.0.3'] });
    await pinned.create(space);
    const err = await pinned.fetchUpstream(space, { url, branch: 'main' }).catch((e: unknown) => e);
    expect(isSpaceportError(err, 'UpstreamFetchFailed'), String(err)).toBe(true);
  });
});
