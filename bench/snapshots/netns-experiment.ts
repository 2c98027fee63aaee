/**
 * The experiment behind network sandboxes (docs/benchmarks.md, "s30"): on an engine of its own with
 * the restoring runtime (test/support/snapshot-engine.ts), runs bench/snapshots/netns-experiment.sh,
 * which restores busybox httpd by hand (runc checkpoint, then `docker start` through the runtime) with
 * a network namespace of its own (Docker's libnetwork hook in the restore) and joined to a sandbox
 * container's (no hook), by turns, and keeps CRIU's restore logs under $OUT (default /tmp/netns-exp).
 *
 *   nice -n 19 npx tsx bench/snapshots/netns-experiment.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SnapshotEngine } from '../../test/support/snapshot-engine.js';

const out = process.env.OUT ?? '/tmp/netns-exp';
mkdirSync(out, { recursive: true });
const snap = await SnapshotEngine.start('netnsexp');
try {
  const env = { ...process.env, ...snap.env(), OUT: out, SNAP_ROOT: snap.snapshotRoot, EXEC_ROOT: path.join(snap.engine.dir, 'exec') };
  execFileSync('bash', [path.join(import.meta.dirname, 'netns-experiment.sh')], { env, stdio: 'inherit' });
} finally {
  await snap.destroy();
}
