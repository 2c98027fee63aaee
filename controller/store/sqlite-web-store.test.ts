import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { toSpaceId } from '../../core/index.js';
import { SecretBox } from './secret-box.js';
import { SqliteStore } from './sqlite-store.js';

describe('SqliteStore: sign-in and the gallery query (migration 006)', () => {
  it('keeps password hashes, OpenID links and expiring sessions', () => {
    const store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
    store.createUser('alice', 'user');
    expect(store.getPasswordHash('alice')).toBeUndefined();
    store.setPasswordHash('alice', '$argon2id$fake');
    expect(store.getPasswordHash('alice')).toBe('$argon2id$fake');
    store.linkOidcSubject('alice', 'https://idp sub-1');
    expect(store.findUserByOidcSubject('https://idp sub-1')).toBe('alice');
    expect(store.findUserByOidcSubject('https://idp sub-2')).toBeUndefined();
    store.createWebSession('h1', { user: 'alice', csrf: 'c', expiresAt: 2000 });
    expect(store.getWebSession('h1', 1000)).toEqual({ user: 'alice', csrf: 'c', expiresAt: 2000 });
    expect(store.getWebSession('h1', 2000)).toBeUndefined();
    store.createWebSession('h2', { user: 'alice', csrf: 'c', expiresAt: 5000 });
    store.deleteWebSession('h2');
    expect(store.getWebSession('h2', 0)).toBeUndefined();
    store.close();
  });

  it('filters, searches and pages Spaces in SQL, hiding private ones from others', () => {
    const store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
    for (let i = 0; i < 30; i++) store.createSpace({ id: toSpaceId(i % 2 ? 'alice' : 'bob', `app-${i}`), sdk: i % 3 ? 'gradio' : 'static', visibility: i === 4 ? 'private' : 'public', hardware: 'cpu-basic' });
    store.createSpace({ id: toSpaceId('alice', 'x_100pct'), sdk: 'docker', visibility: 'public', hardware: 'cpu-basic' });
    const page1 = store.querySpaces({ limit: 10, offset: 0, scope: { privateOwners: [] } });
    expect(page1.total).toBe(30); // bob/app-4 is private
    expect(page1.spaces).toHaveLength(10);
    expect(store.querySpaces({ limit: 100, offset: 0, scope: { privateOwners: ['bob'] } }).total).toBe(31);
    expect(store.querySpaces({ limit: 100, offset: 0, scope: { privateOwners: 'all' } }).total).toBe(31);
    expect(store.querySpaces({ limit: 100, offset: 0, owner: 'alice', sdk: 'static', scope: { privateOwners: [] } }).spaces.every((s) => s.owner === 'alice' && s.sdk === 'static')).toBe(true);
    // LIKE wildcards in the search are literal.
    expect(store.querySpaces({ limit: 100, offset: 0, search: '_1', scope: { privateOwners: [] } }).spaces.map((s) => s.id)).toEqual(['alice/x_100pct']);
    expect(store.querySpaces({ limit: 100, offset: 0, search: '%', scope: { privateOwners: [] } }).total).toBe(0);
    expect(store.querySpaces({ limit: 100, offset: 0, search: 'APP-2', scope: { privateOwners: [] } }).total).toBe(11);
    const last = store.querySpaces({ limit: 10, offset: 30, scope: { privateOwners: [] } });
    expect(last.spaces).toHaveLength(0);
    store.close();
  });

  it('pages every gallery sort through an index, not by sorting every Space (migration 012 for "created"), and counts the visible ones through one (013)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'store-'));
    try {
      const file = path.join(dir, 'spaceport.db');
      new SqliteStore({ file, secrets: SecretBox.ephemeral() }).close();
      const db = new Database(file, { readonly: true });
      const plan = (order: string) =>
        (db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM spaces ORDER BY ${order} LIMIT 20`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
      expect(plan('created_at DESC, id')).toContain('USING INDEX spaces_by_created');
      expect(plan('created_at DESC, id')).not.toContain('TEMP B-TREE');
      expect(plan('updated_at DESC, id')).toContain('USING INDEX spaces_by_updated');
      // The page's total (migration 013): the narrow index, not every row (1 ms of /spaces at 10,000 Spaces).
      const count = (db.prepare("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM spaces WHERE visibility != 'private'").all() as { detail: string }[]).map((r) => r.detail).join('; ');
      expect(count).toContain('COVERING INDEX spaces_by_visibility');
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sorts by 'trending': likes of the last 7 days (trendingScoreOf), then visited in the last 7 days, then all likes", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'store-'));
    try {
      const file = path.join(dir, 'spaceport.db');
      const store = new SqliteStore({ file, secrets: SecretBox.ephemeral() });
      const uid = (name: string) => store.createSpace({ id: toSpaceId('alice', name), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' }).uid;
      const [old, recent, visited, quiet] = [uid('old-likes'), uid('recent-like'), uid('visited'), uid('quiet')];
      for (const u of ['u1', 'u2', 'u3']) store.createUser(u, 'user');
      for (const u of ['u1', 'u2', 'u3']) store.setLike(old, u, true);
      store.setLike(recent, 'u1', true);
      store.recordActivity(visited, Date.now() - 60_000);
      store.recordActivity(quiet, Date.now() - 30 * 86_400_000);
      store.close();
      // The old Space's likes were given a month ago.
      const db = new Database(file);
      db.prepare('UPDATE space_likes SET created_at = ? WHERE space_uid = ?').run(new Date(Date.now() - 30 * 86_400_000).toISOString(), old);
      db.close();
      const reopened = new SqliteStore({ file, secrets: SecretBox.ephemeral() });
      const ids = reopened.querySpaces({ limit: 10, offset: 0, sort: 'trending', scope: { privateOwners: [] } }).spaces.map((s) => s.id);
      expect(ids).toEqual(['alice/recent-like', 'alice/visited', 'alice/old-likes', 'alice/quiet']);
      // The score the order sorts by first, as space_info and list_spaces answer it (trendingScore).
      expect([old, recent, visited, quiet].map((u) => reopened.trendingScoreOf(u))).toEqual([0, 1, 0, 0]);
      expect(reopened.trendingScoreOf('no-such-uid')).toBe(0);
      // A private Space liked just now is not trending to those who may not read it.
      const hidden = reopened.createSpace({ id: toSpaceId('carol', 'secret'), sdk: 'static', visibility: 'private', hardware: 'cpu-basic' }).uid;
      reopened.setLike(hidden, 'u2', true);
      expect(reopened.querySpaces({ limit: 10, offset: 0, sort: 'trending', scope: { privateOwners: [] } }).spaces.map((s) => s.id)).not.toContain('carol/secret');
      expect(reopened.querySpaces({ limit: 10, offset: 0, sort: 'trending', scope: { privateOwners: ['carol'] } }).spaces[0]!.id).toBe('carol/secret');
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
