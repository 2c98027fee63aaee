import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';
import { SqliteStore } from './sqlite-store.js';
import { runStoreContract } from './testing/store-contract.js';

runStoreContract('sqlite in memory', () => ({ store: new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() }) }));

runStoreContract('sqlite on disk', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-store-'));
  return {
    store: new SqliteStore({ file: path.join(dir, 'spaceport.db'), secrets: SecretBox.fromDataDir(dir) }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});

it('keeps data across reopen and never writes a secret or token in clear', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-store-'));
  try {
    const file = path.join(dir, 'spaceport.db');
    const a = new SqliteStore({ file, secrets: SecretBox.fromDataDir(dir) });
    a.createUser('alice', 'admin');
    a.addToken('alice', { displayName: 'x', role: 'write', plaintext: 'sp_plaintext_token_value' });
    const s = a.createSpace({ id: 'alice/demo' as never, sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
    a.upsertSetting(s.uid, 'secret', { key: 'K', value: 'very-secret-value' });
    a.close();
    const raw = readFileSync(file).toString('latin1') + readFileSync(`${file}-wal`, { flag: 'a+' }).toString('latin1');
    expect(raw).not.toContain('very-secret-value');
    expect(raw).not.toContain('sp_plaintext_token_value');
    const b = new SqliteStore({ file, secrets: SecretBox.fromDataDir(dir) });
    expect(b.getSpaceByUid(s.uid)?.id).toBe('alice/demo');
    expect(b.listSettings(s.uid, 'secret')[0]?.value).toBe('very-secret-value');
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('older data that breaks the name rules is reported at start, kept and served; new names obey them (issue 15)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-store-'));
  try {
    const file = path.join(dir, 'spaceport.db');
    const a = new SqliteStore({ file, secrets: SecretBox.fromDataDir(dir) });
    a.createUser('alice', 'user');
    a.close();
    // Rows an older Spaceport could write: names equal ignoring case, a Space in nobody's namespace.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(file);
    db.prepare("INSERT INTO organizations (name, fullname, created_at) VALUES ('Alice', 'Alice', '2026-01-01T00:00:00Z')").run();
    db.prepare("INSERT INTO users (name, role, created_at) VALUES ('ALICE', 'user', '2026-01-01T00:00:00Z')").run();
    db.close();
    const b = new SqliteStore({ file, secrets: SecretBox.fromDataDir(dir) });
    b.createSpace({ id: 'ghostns/secret' as never, sdk: 'static', visibility: 'private', hardware: 'cpu-basic' });
    expect(b.nameProblems()).toEqual({ caseCollisions: [['ALICE', 'Alice', 'alice']], orphanNamespaces: ['ghostns'] });
    // Each keeps working under its exact name; none can be made again in another case.
    expect([b.getUser('alice')?.name, b.getUser('ALICE')?.name, b.getOrg('Alice')?.name]).toEqual(['alice', 'ALICE', 'Alice']);
    expect(b.accountNamedIgnoringCase('aLiCe')).toBeDefined();
    expect(b.accountNamedIgnoringCase('alice')).toEqual({ kind: 'user', name: 'alice' });
    expect(() => b.createOrg('aliCE')).toThrow(expect.objectContaining({ code: 'NameTaken' }));
    expect(() => b.createUser('GhostNS', 'user')).toThrow(expect.objectContaining({ code: 'NameTaken' }));
    expect(() => b.createOrg('Login')).toThrow(expect.objectContaining({ code: 'InvalidName' }));
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('a visibility change bumps the generation; setting the same visibility does not', () => {
  const store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
  store.createUser('alice', 'user');
  const s = store.createSpace({ id: 'alice/demo' as never, sdk: 'static', visibility: 'private', hardware: 'cpu-basic' });
  expect(s.visibilityGen).toBe(0);
  expect(store.updateSpec(s.uid, { visibility: 'private' }).visibilityGen).toBe(0);
  expect(store.updateSpec(s.uid, { visibility: 'public' }).visibilityGen).toBe(1);
  expect(store.updateSpec(s.uid, { visibility: 'private', hardware: 'cpu-upgrade' }).visibilityGen).toBe(2);
  expect(store.updateSpec(s.uid, { hardware: 'cpu-basic' }).visibilityGen).toBe(2);
  store.close();
});

it('migration 010 splits the old lifecycle column into paused (spec) and asleepSince (status)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-store-'));
  try {
    const file = path.join(dir, 'spaceport.db');
    // A database as the migrations before 010 left it, with a Space in each lifecycle.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(file);
    const migrations = path.join(import.meta.dirname, 'migrations');
    db.exec('CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const name of readdirSync(migrations).filter((f) => f.endsWith('.sql') && f < '010').sort()) {
      db.exec(readFileSync(path.join(migrations, name), 'utf8'));
      db.prepare("INSERT INTO schema_migrations (name, applied_at) VALUES (?, '2026-01-01T00:00:00Z')").run(name);
    }
    for (const lifecycle of ['active', 'asleep', 'paused']) {
      db.prepare(
        `INSERT INTO spaces (uid, id, owner, name, subdomain, sdk, visibility, lifecycle, hardware, created_at, updated_at)
         VALUES (?, ?, 'alice', ?, ?, 'gradio', 'public', ?, 'cpu-basic', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
      ).run(`sp_${lifecycle}`, `alice/${lifecycle}`, lifecycle, `alice-${lifecycle}`, lifecycle);
    }
    db.close();
    const store = new SqliteStore({ file, secrets: SecretBox.fromDataDir(dir) });
    expect(['active', 'asleep', 'paused'].map((l) => store.getSpaceByUid(`sp_${l}`)?.lifecycle)).toEqual(['active', 'asleep', 'paused']);
    expect(store.getSpaceByUid('sp_paused')).toMatchObject({ paused: true, asleepSince: undefined, version: 0 });
    expect(store.getSpaceByUid('sp_asleep')?.asleepSince).toBeGreaterThan(0);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
