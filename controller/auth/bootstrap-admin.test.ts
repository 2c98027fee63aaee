import { describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../core/index.js';
import { SecretBox, SqliteStore } from '../store/index.js';
import { ADMIN_TOKEN_NAME, bootstrapAdmin, reportNameProblems } from './bootstrap-admin.js';

describe('reportNameProblems', () => {
  const capture = () => {
    const lines: { obj: unknown; msg: string }[] = [];
    const logger = { warn: (obj: unknown, msg: string) => lines.push({ obj, msg }) } as unknown as Logger;
    return { lines, logger };
  };

  it('warns once for names equal ignoring case and once for orphan namespaces, naming them', () => {
    const { lines, logger } = capture();
    reportNameProblems({ nameProblems: () => ({ caseCollisions: [['Alice', 'alice']], orphanNamespaces: ['ghostns'] }) }, logger);
    expect(lines).toEqual([
      { obj: { caseCollisions: [['Alice', 'alice']] }, msg: expect.stringMatching(/ignoring case/) },
      { obj: { orphanNamespaces: ['ghostns'] }, msg: expect.stringMatching(/no user or organization/) },
    ]);
  });

  it('says nothing when the data obeys the rules', () => {
    const { lines, logger } = capture();
    reportNameProblems({ nameProblems: () => ({ caseCollisions: [], orphanNamespaces: [] }) }, logger);
    expect(lines).toEqual([]);
  });
});

describe('bootstrapAdmin and SPACEPORT_ADMIN_TOKEN rotation', () => {
  const OLD = 'sp_old_admin_token_0123456789';
  const NEW = 'sp_new_admin_token_0123456789';

  it('a changed SPACEPORT_ADMIN_TOKEN replaces the previous one at the next start; tokens made otherwise stay', () => {
    const store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
    bootstrapAdmin(store, { user: 'admin', token: OLD, logger: silentLogger() });
    store.addToken('admin', { displayName: 'laptop', role: 'read', plaintext: 'sp_laptop_token_0123456789' });
    bootstrapAdmin(store, { user: 'admin', token: OLD, logger: silentLogger() }); // a restart, unchanged
    expect(store.findToken(OLD)).toBeDefined();
    bootstrapAdmin(store, { user: 'admin', token: NEW, logger: silentLogger() }); // rotated
    expect(store.findToken(OLD)).toBeUndefined();
    expect(store.findToken(NEW)?.user.name).toBe('admin');
    expect(store.findToken('sp_laptop_token_0123456789')).toBeDefined();
    expect(store.listTokens('admin').map((t) => t.displayName).sort()).toEqual([ADMIN_TOKEN_NAME, 'laptop']);
  });
});
