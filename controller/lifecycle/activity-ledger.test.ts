import { describe, expect, it } from 'vitest';
import { toSpaceId } from '../../core/index.js';
import { SecretBox, SqliteStore } from '../store/index.js';
import { ActivityLedger } from './activity-ledger.js';

describe('ActivityLedger with a store that refuses writes (a full disk)', () => {
  it('keeps the activity it could not write and writes it on a later flush', () => {
    const store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
    const space = store.createSpace({ id: toSpaceId('alice', 'demo'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
    const ledger = new ActivityLedger(store, { flushMs: 3_600_000 });
    ledger.report([{ space: space.id, at: 1234 }]);
    const record = store.recordActivity.bind(store);
    store.recordActivity = () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    expect(() => ledger.flush()).toThrow(/disk is full/);
    store.recordActivity = record;
    ledger.flush();
    expect(store.getSpaceByUid(space.uid)?.lastActiveAt).toBe(1234);
    expect(() => ledger.close()).not.toThrow();
  });
});
