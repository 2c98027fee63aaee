import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type SpaceId } from '../../core/index.js';
import { PushCheckServer, type PushCheckRequest, type PushVerdict } from './push-check-server.js';

describe('PushCheckServer', () => {
  const servers: PushCheckServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  /** A check of README.md lines only (`refusals`); LFS pointers are echoed back as missing. */
  function start(check: (p: PushCheckRequest) => string[] | Promise<string[]>): PushCheckServer {
    const verdict = async (p: PushCheckRequest): Promise<PushVerdict> => ({ refusals: await check(p), missingLfs: p.pointers.map((c) => ({ path: c.path, oid: c.text.slice(-4) })) });
    const s = new PushCheckServer(verdict, silentLogger());
    servers.push(s);
    return s;
  }

  const post = (url: string, token: string | undefined, body: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });

  it('answers a push\'s hook with the check\'s refusals, for the Space the token was issued for, while the push lasts', async () => {
    const seen: PushCheckRequest[] = [];
    const s = start((p) => {
      seen.push(p);
      return p.readme?.includes('bad') ? ['README.md front matter: "sdk" is wrong.'] : [];
    });
    const push = await s.open('alice/demo' as SpaceId);
    const url = push.env.SPACEPORT_PUSH_CHECK_URL!;
    const token = push.env.SPACEPORT_PUSH_CHECK_TOKEN!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/push-check$/);
    expect(await (await post(url, token, JSON.stringify({ readme: '---\nsdk: bad\n---\n' }))).json()).toEqual({ refusals: ['README.md front matter: "sdk" is wrong.'], missingLfs: [] });
    expect(await (await post(url, token, JSON.stringify({ readme: null }))).json()).toEqual({ refusals: [], missingLfs: [] });
    // Pointer candidates: only well-formed entries of at most 1 KiB reach the check.
    const lfs = [{ path: 'a.bin', text: 'version https://x\n1234' }, { path: 'b.bin', text: 'x'.repeat(2000) }, { path: 3, text: 'y' }];
    expect(await (await post(url, token, JSON.stringify({ lfs }))).json()).toEqual({ refusals: [], missingLfs: [{ path: 'a.bin', oid: '1234' }] });
    expect(seen).toEqual([
      { space: 'alice/demo', readme: '---\nsdk: bad\n---\n', pointers: [] },
      { space: 'alice/demo', readme: undefined, pointers: [] },
      { space: 'alice/demo', readme: undefined, pointers: [{ path: 'a.bin', text: 'version https://x\n1234' }] },
    ]);
    push.release();
    expect((await post(url, token, '{}')).status).toBe(404);
  });

  it('refuses requests without a live token, on other paths, and bodies that are not JSON or too large', async () => {
    const s = start(() => []);
    const push = await s.open('alice/demo' as SpaceId);
    const url = push.env.SPACEPORT_PUSH_CHECK_URL!;
    const token = push.env.SPACEPORT_PUSH_CHECK_TOKEN!;
    expect((await post(url, undefined, '{}')).status).toBe(404);
    expect((await post(url, 'f'.repeat(48), '{}')).status).toBe(404);
    expect((await post(url.replace('/push-check', '/other'), token, '{}')).status).toBe(404);
    expect((await post(url, token, 'not json')).status).toBe(400);
    const big = await post(url, token, JSON.stringify({ readme: 'x'.repeat(17 * 1024 * 1024) })).catch((e: unknown) => e);
    if (big instanceof Response) expect(big.status).toBe(400);
    else expect(big).toBeInstanceOf(Error); // the connection may be cut while the body is still being sent
    push.release();
  });

  it('a check that throws is a 500 (the hook then lets the push through and the build reports it)', async () => {
    const s = start(() => {
      throw new Error('boom');
    });
    const push = await s.open('alice/demo' as SpaceId);
    expect((await post(push.env.SPACEPORT_PUSH_CHECK_URL!, push.env.SPACEPORT_PUSH_CHECK_TOKEN!, '{"readme":"x"}')).status).toBe(500);
    push.release();
  });
});
