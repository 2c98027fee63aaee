import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
