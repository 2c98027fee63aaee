import { silentLogger } from '../../core/index.js';
import { AlwaysLeader } from './always-leader.js';
import { runLeaderLockContract } from './testing/leader-lock-contract.js';

// The contract on the one-process lock (SQLite, the default); the PostgreSQL lock runs the same in
// test/leadership/postgres-leader-lock.test.ts.
runLeaderLockContract('always', () => new AlwaysLeader(silentLogger()), { gainWithinMs: 100 });
