import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { runCaptured, venvScriptEnv } from '../support/hub-client.js';
import { hubClientVenvs, type HubClientVenv } from '../support/hub-client-venvs.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Likes (issue 17): `POST/DELETE /api/spaces/{id}/like`, `likes` in space_info, `list_spaces(sort="likes")`,
 * `list_liked_repos`, `list_repo_likers`, with the real huggingface_hub; private stays missing.
 */
describe('likes (issue 17)', () => {
  let h: Harness;
  let venvs: HubClientVenv[];
  let bob: string;
  let bobRead: string;
  const dirs: string[] = [];

  beforeAll(async () => {
    venvs = await hubClientVenvs();
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    bob = (await h.api('POST', '/api/users', { name: 'bob' })).json().token;
    bobRead = (await h.api('POST', '/api/settings/tokens', { displayName: 'bob-read', role: 'read' }, bob)).json().token;
    expect((await h.api('POST', '/api/repos/create', { name: 'priv', type: 'space', sdk: 'static', private: true })).status).toBe(200);
  }, 15 * 60_000);

  afterAll(async () => {
    await h?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const [i, name] of ['hf-1.33.0', 'hf-2.4.0-xet'].entries()) {
    it(`huggingface_hub ${name}: a like counts in space_info (likes, trending_score), list_liked_repos, list_repo_likers and list_spaces(sort="likes"|"trending_score", expand); unlike undoes it`, async () => {
      const space = `pub${i}`;
      expect((await h.api('POST', '/api/repos/create', { name: space, type: 'space', sdk: 'static' })).status).toBe(200);
      const venv = venvs.find((v) => v.name === name)!;
      const home = mkdtempSync(path.join(tmpdir(), 'spaceport-likes-'));
      dirs.push(home);
      const r = await runCaptured(venv.python, [path.join(import.meta.dirname, 'check_likes.py')], venvScriptEnv(venv, { port: h.port, home, token: bob }, { SPACEPORT_PUBLIC: `admin/${space}`, SPACEPORT_PRIVATE: 'admin/priv' }));
      expect(r.code, `${r.out}\n${r.err}`).toBe(0);
      expect(JSON.parse(r.out.trim().split('\n').pop()!)).toEqual({
        like: { likes: 1, liked: true },
        likes_after_like: 1,
        liked_by_bob: [`admin/${space}`],
        likers: ['bob'],
        most_liked_first: `admin/${space}`,
        trending_first: `admin/${space}`,
        trending_score: 1,
        trending_score_expanded: 1,
        trending_score_listed: 1,
        trending_score_listed_expanded: 1,
        private: 'not found',
        likes_after_unlike: 0,
        trending_score_after_unlike: 0,
        liked_after_unlike: [],
      });
    }, 5 * 60_000);
  }

  it('a like needs a signed-in writer; a user\'s likes list only what the caller may read', async () => {
    expect((await h.api('POST', '/api/repos/create', { name: 'liked', type: 'space', sdk: 'static' })).status).toBe(200);
    const anonymous = await h.api('POST', '/api/spaces/admin/liked/like', undefined, null);
    expect([anonymous.status, anonymous.headers['x-error-code']]).toEqual([401, 'Unauthorized']);
    const read = await h.api('POST', '/api/spaces/admin/liked/like', undefined, bobRead);
    expect([read.status, read.headers['x-error-code']]).toEqual([403, 'ReadOnlyToken']);
    // The admin likes its own private Space and a public one: others see only the public one.
    expect((await h.api('POST', '/api/spaces/admin/priv/like')).json()).toEqual({ likes: 1, liked: true });
    expect((await h.api('POST', '/api/spaces/admin/liked/like')).json()).toEqual({ likes: 1, liked: true });
    const names = (r: { json: () => unknown }) => (r.json() as { repo: { name: string } }[]).map((l) => l.repo.name).sort();
    expect(names(await h.api('GET', '/api/users/admin/likes'))).toEqual(['admin/liked', 'admin/priv']);
    expect(names(await h.api('GET', '/api/users/admin/likes', undefined, bob))).toEqual(['admin/liked']);
    expect(names(await h.api('GET', '/api/users/admin/likes', undefined, null))).toEqual(['admin/liked']);
    const missing = await h.api('GET', '/api/spaces/admin/priv/likers', undefined, bob);
    expect([missing.status, missing.headers['x-error-code']]).toEqual([404, 'RepoNotFound']);
    expect((await h.api('GET', '/api/users/nobody-here/likes')).status).toBe(404);
  });
});
