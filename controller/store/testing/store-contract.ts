import { describe, expect, it } from 'vitest';
import { toSpaceId } from '../../../core/index.js';
import type { SpaceStore } from '../space-store.js';

/** One suite for every SpaceStore implementation. */
export function runStoreContract(name: string, makeStore: () => { store: SpaceStore; cleanup?: () => void }): void {
  describe(`SpaceStore contract: ${name}`, () => {
    const withStore = (fn: (store: SpaceStore) => void) => () => {
      const { store, cleanup } = makeStore();
      try {
        fn(store);
      } finally {
        store.close();
        cleanup?.();
      }
    };

    it('finds a user by token and never stores the plaintext', withStore((store) => {
      store.createUser('alice', 'user');
      store.addToken('alice', { displayName: 'cli', role: 'write', plaintext: 'sp_secret_token_1234567890' });
      expect(store.findToken('sp_secret_token_1234567890')?.user.name).toBe('alice');
      expect(store.findToken('sp_wrong')).toBeUndefined();
      expect(store.countTokens()).toBe(1);
    }));

    it('lists and revokes tokens; each keeps its own createdAt', withStore((store) => {
      store.createUser('alice', 'user');
      const a = store.addToken('alice', { displayName: 'one', role: 'write', plaintext: 'sp_token_one_0123456789' });
      const b = store.addToken('alice', { displayName: 'two', role: 'read', plaintext: 'sp_token_two_0123456789' });
      expect(store.listTokens('alice').map((t) => t.displayName)).toEqual(['one', 'two']);
      expect(store.findToken('sp_token_two_0123456789')?.token).toEqual(b);
      expect(store.deleteToken('bob', a.id)).toBe(false);
      expect(store.deleteToken('alice', a.id)).toBe(true);
      expect(store.findToken('sp_token_one_0123456789')).toBeUndefined();
      expect(store.listTokens('alice')).toEqual([b]);
    }));

    it('keeps organizations and their members; users and organizations share one namespace', withStore((store) => {
      store.createUser('alice', 'user');
      store.createUser('bob', 'user');
      expect(store.createOrg('acme', 'Acme Inc')).toMatchObject({ name: 'acme', fullname: 'Acme Inc' });
      expect(() => store.createOrg('acme')).toThrow(expect.objectContaining({ code: 'NameTaken' }));
      expect(() => store.createOrg('alice')).toThrow(expect.objectContaining({ code: 'NameTaken' }));
      expect(() => store.createUser('acme', 'user')).toThrow(expect.objectContaining({ code: 'NameTaken' }));
      store.setMember('acme', 'alice', 'admin');
      store.setMember('acme', 'bob', 'read');
      expect(store.setMember('acme', 'bob', 'write').role).toBe('write');
      expect(store.listMembers('acme').map((m) => [m.user, m.role])).toEqual([['alice', 'admin'], ['bob', 'write']]);
      expect(store.membershipsOf('bob').map((m) => [m.org, m.role])).toEqual([['acme', 'write']]);
      expect(() => store.setMember('acme', 'nobody', 'read')).toThrow(expect.objectContaining({ code: 'UserNotFound' }));
      expect(() => store.setMember('ghost', 'bob', 'read')).toThrow(expect.objectContaining({ code: 'OrgNotFound' }));
      expect(store.removeMember('acme', 'bob')).toBe(true);
      expect(store.removeMember('acme', 'bob')).toBe(false);
      expect(store.listOrgs().map((o) => o.name)).toEqual(['acme']);
      store.deleteOrg('acme');
      expect(store.getOrg('acme')).toBeUndefined();
      expect(store.membershipsOf('alice')).toEqual([]);
    }));

    it('refuses a second user with the same name', withStore((store) => {
      store.createUser('bob', 'user');
      expect(() => store.createUser('bob', 'user')).toThrow(/already exists/);
    }));

    it('creates Spaces with Hub subdomains and a hash on collision', withStore((store) => {
      const a = store.createSpace({ id: toSpaceId('a_b', 'c'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
      const b = store.createSpace({ id: toSpaceId('a', 'b-c'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
      expect(a.subdomain).toBe('a-b-c');
      expect(b.subdomain).toMatch(/^a-b-c-[0-9a-f]{6}$/);
      expect(store.getSpaceBySubdomain(b.subdomain)?.id).toBe('a/b-c');
      expect(() => store.createSpace({ id: toSpaceId('A_B', 'C'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' })).toThrow(/already/);
    }));

    it('iterates Spaces in id order, by owner and by a case-insensitive substring of the id', withStore((store) => {
      for (const [owner, name] of [['bob', 'Zeta'], ['alice', 'demo'], ['bob', 'alpha'], ['carol', 'demo-2']] as const) {
        store.createSpace({ id: toSpaceId(owner, name), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
      }
      const ids = (it: Iterable<{ id: string }>) => [...it].map((s) => s.id);
      expect(ids(store.iterateSpaces())).toEqual(store.listSpaces().map((s) => s.id));
      expect(ids(store.iterateSpaces({ owner: 'bob' }))).toEqual(['bob/Zeta', 'bob/alpha']);
      expect(ids(store.iterateSpaces({ search: 'DEMO' }))).toEqual(['alice/demo', 'carol/demo-2']);
      expect(ids(store.iterateSpaces({ owner: 'carol', search: 'demo' }))).toEqual(['carol/demo-2']);
      expect(ids(store.iterateSpaces({ search: '%' }))).toEqual([]);
    }));

    it('updates and moves a Space, keeping its uid', withStore((store) => {
      const s = store.createSpace({ id: toSpaceId('alice', 'demo'), sdk: 'gradio', visibility: 'public', hardware: 'cpu-basic' });
      const u = store.updateSpec(s.uid, { paused: true, upstream: { url: 'https://x/y', branch: 'main' } });
      expect(u.lifecycle).toBe('paused');
      expect(store.updateStatus(s.uid, u.version, { cardData: { sdk: 'gradio' } })).toMatchObject({ cardData: { sdk: 'gradio' } });
      expect(u.upstream).toEqual({ url: 'https://x/y', branch: 'main' });
      const m = store.moveSpace(s.uid, toSpaceId('alice', 'demo2'));
      expect(m.uid).toBe(s.uid);
      expect(m.subdomain).toBe('alice-demo2');
      expect(store.getSpace(toSpaceId('alice', 'demo'))).toBeUndefined();
    }));

    it('writes status only at the version read: a spec or status write since makes it a conflict, nothing written', withStore((store) => {
      const s = store.createSpace({ id: toSpaceId('alice', 'demo'), sdk: 'gradio', visibility: 'public', hardware: 'cpu-basic' });
      const read = store.getSpaceByUid(s.uid)!;
      const slept = store.updateStatus(s.uid, read.version, { asleepSince: 1_000 });
      expect(slept).toMatchObject({ lifecycle: 'asleep', asleepSince: 1_000, version: read.version + 1 });
      // A second writer that read before the first write: refused.
      expect(store.updateStatus(s.uid, read.version, { asleepSince: undefined })).toBe('conflict');
      expect(store.getSpaceByUid(s.uid)?.lifecycle).toBe('asleep');
      // The owner's pause moves the version: a decision taken before it is refused; the pause stays.
      const fresh = store.getSpaceByUid(s.uid)!;
      const paused = store.updateSpec(s.uid, { paused: true });
      expect(paused.version).toBeGreaterThan(fresh.version);
      expect(store.updateStatus(s.uid, fresh.version, { asleepSince: undefined, servingRelease: undefined })).toBe('conflict');
      // Decided again on a fresh read: written, and the spec is untouched by it.
      const again = store.updateStatus(s.uid, paused.version, { asleepSince: undefined });
      expect(again).toMatchObject({ paused: true, lifecycle: 'paused', asleepSince: undefined });
      expect(() => store.updateStatus('sp_nope', 0, { headSha: 'x' })).toThrow(expect.objectContaining({ code: 'RepoNotFound' }));
    }));

    it('keeps the later activity only, moving neither the version nor updatedAt; status moves updatedAt only with a new head', withStore((store) => {
      const s = store.createSpace({ id: toSpaceId('alice', 'demo'), sdk: 'gradio', visibility: 'public', hardware: 'cpu-basic' });
      const before = store.getSpaceByUid(s.uid)!;
      store.recordActivity(s.uid, 5_000);
      store.recordActivity(s.uid, 4_000);
      const after = store.getSpaceByUid(s.uid)!;
      expect(after).toMatchObject({ lastActiveAt: 5_000, version: before.version, updatedAt: before.updatedAt });
      const served = store.updateStatus(s.uid, after.version, { asleepSince: 7_000, cardData: { title: 'x' } });
      expect(served).toMatchObject({ updatedAt: before.updatedAt });
      const pushed = store.updateStatus(s.uid, (served as { version: number }).version, { headSha: 'abc' });
      expect((pushed as { updatedAt: string }).updatedAt >= before.updatedAt).toBe(true);
      expect(pushed).toMatchObject({ headSha: 'abc' });
    }));

    it('keeps a Space\'s storage tier: set at create, changed, kept by a move, removed', withStore((store) => {
      const plain = store.createSpace({ id: toSpaceId('alice', 'plain'), sdk: 'docker', visibility: 'public', hardware: 'cpu-basic' });
      expect(plain.storageTier).toBeUndefined();
      const s = store.createSpace({ id: toSpaceId('alice', 'data'), sdk: 'docker', visibility: 'public', hardware: 'cpu-basic', storageTier: 'small' });
      expect(s.storageTier).toBe('small');
      expect(store.updateSpec(s.uid, { storageTier: 'large' }).storageTier).toBe('large');
      expect(store.moveSpace(s.uid, toSpaceId('alice', 'data2')).storageTier).toBe('large');
      expect(store.updateSpec(s.uid, { storageTier: undefined }).storageTier).toBeUndefined();
      expect(store.getSpaceByUid(s.uid)?.storageTier).toBeUndefined();
    }));

    it('moves builds through the transition table only', withStore((store) => {
      const s = store.createSpace({ id: toSpaceId('alice', 'demo'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
      const b = store.addBuild({ spaceUid: s.uid, commit: 'c1', tree: 't1', noCache: false });
      expect(store.unfinishedBuilds().map((x) => x.id)).toEqual([b.id]);
      expect(() => store.setBuildState(b.id, { status: 'succeeded', image: 'x' })).toThrow(/cannot go/);
      store.setBuildState(b.id, { status: 'running' });
      const done = store.setBuildState(b.id, { status: 'failed', failure: 'BUILD_ERROR', message: 'pip failed' });
      expect(done).toMatchObject({ status: 'failed', failure: 'BUILD_ERROR', message: 'pip failed' });
      expect(store.latestBuild(s.uid)?.id).toBe(b.id);
      expect(store.unfinishedBuilds()).toEqual([]);
    }));

    it('keeps releases and their runtime failure', withStore((store) => {
      const s = store.createSpace({ id: toSpaceId('alice', 'demo'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
      const b = store.addBuild({ spaceUid: s.uid, commit: 'c1', tree: 't1', noCache: false });
      const r = store.addRelease({ spaceUid: s.uid, buildId: b.id, commit: 'c1', image: 'img', port: 8080, config: { sdk: 'static' } });
      store.setReleaseFailure(r.id, 'exited 1');
      expect(store.getRelease(r.id)).toMatchObject({ image: 'img', port: 8080, failure: 'exited 1', config: { sdk: 'static' } });
    }));

    it('upserts secrets and variables, sealing secrets', withStore((store) => {
      const s = store.createSpace({ id: toSpaceId('alice', 'demo'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
      store.upsertSetting(s.uid, 'secret', { key: 'TOKEN', value: 's3cr3t', description: 'api' });
      store.upsertSetting(s.uid, 'secret', { key: 'TOKEN', value: 'n3w' });
      store.upsertSetting(s.uid, 'variable', { key: 'MODE', value: 'fast' });
      expect(store.listSettings(s.uid, 'secret')).toMatchObject([{ key: 'TOKEN', value: 'n3w', description: 'api' }]);
      expect(store.listSettings(s.uid, 'variable')).toMatchObject([{ key: 'MODE', value: 'fast' }]);
      store.deleteSetting(s.uid, 'secret', 'TOKEN');
      expect(store.listSettings(s.uid, 'secret')).toEqual([]);
    }));

    it('deletes a Space with its builds', withStore((store) => {
      const s = store.createSpace({ id: toSpaceId('alice', 'demo'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
      store.addBuild({ spaceUid: s.uid, commit: 'c1', tree: 't1', noCache: false });
      store.deleteSpace(s.uid);
      expect(store.getSpaceByUid(s.uid)).toBeUndefined();
      expect(store.unfinishedBuilds()).toEqual([]);
    }));

    it('keeps likes once per user, with the count on the Space, moving no version; sorts by them; a trending score of the week\'s likes; private ones only in scope', withStore((store) => {
      for (const u of ['alice', 'bob', 'carol']) store.createUser(u, 'user');
      const pub = store.createSpace({ id: toSpaceId('alice', 'pub'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
      const priv = store.createSpace({ id: toSpaceId('alice', 'priv'), sdk: 'static', visibility: 'private', hardware: 'cpu-basic' });
      const other = store.createSpace({ id: toSpaceId('bob', 'other'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
      const version = store.getSpaceByUid(pub.uid)!.version;
      expect(store.setLike(pub.uid, 'bob', true)).toBe(true);
      expect(store.setLike(pub.uid, 'bob', true)).toBe(false);
      expect(store.setLike(pub.uid, 'carol', true)).toBe(true);
      expect(store.setLike(priv.uid, 'bob', true)).toBe(true);
      expect(store.getSpaceByUid(pub.uid)).toMatchObject({ likes: 2, version });
      expect(store.likersOf(pub.uid).map((l) => l.user).sort()).toEqual(['bob', 'carol']);
      expect(store.likesOf('bob', { privateOwners: [] }).map((l) => l.space.id)).toEqual(['alice/pub']);
      expect(store.likesOf('bob', { privateOwners: ['alice'] }).map((l) => l.space.id).sort()).toEqual(['alice/priv', 'alice/pub']);
      expect(store.querySpaces({ scope: { privateOwners: [] }, sort: 'likes', limit: 10, offset: 0 }).spaces.map((x) => x.id)).toEqual(['alice/pub', 'bob/other']);
      // trendingScore: likes given in the last 7 days (all of these are), what the trending order sorts by first.
      expect([pub, priv, other].map((s) => store.trendingScoreOf(s.uid))).toEqual([2, 1, 0]);
      expect(store.querySpaces({ scope: { privateOwners: [] }, sort: 'trending', limit: 10, offset: 0 }).spaces.map((x) => x.id)).toEqual(['alice/pub', 'bob/other']);
      expect(store.setLike(pub.uid, 'carol', false)).toBe(true);
      expect(store.setLike(pub.uid, 'carol', false)).toBe(false);
      expect(store.getSpaceByUid(pub.uid)?.likes).toBe(1);
      expect(store.trendingScoreOf(pub.uid)).toBe(1);
      store.deleteSpace(priv.uid);
      expect(store.likesOf('bob', { privateOwners: 'all' }).map((l) => l.space.id)).toEqual(['alice/pub']);
      expect(store.getSpaceByUid(other.uid)?.likes).toBe(0);
    }));
  });
}
