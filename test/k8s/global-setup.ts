/**
 * vitest globalSetup of the k8s project (test/k8s/): brings the test cluster up once for the run
 * (or reuses a healthy one) and, at the end, takes it down only when a test run started it and no
 * other test run still uses it. `SPACEPORT_K8S_KEEP=1` keeps a cluster this run started.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureCluster, k8sStateDir, runClusterScript } from '../support/k8s-cluster.js';

/** Present while the cluster belongs to test runs (not to someone who ran `cluster.sh up` by hand). */
const OWNER_MARK = 'started-by-tests';
const RUNS_DIR = 'test-runs';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function otherLiveRuns(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.map(Number).filter((pid) => Number.isInteger(pid) && pid !== process.pid && alive(pid));
}

export default async function setup(): Promise<() => Promise<void>> {
  const started = Date.now();
  const { env, started: startedHere } = await ensureCluster();
  const state = k8sStateDir();
  const runs = join(state, RUNS_DIR);
  const me = join(runs, String(process.pid));
  if (startedHere) await writeFile(join(state, OWNER_MARK), `${process.pid}\n`);
  await mkdir(runs, { recursive: true });
  await writeFile(me, '');
  process.stderr.write(`k8s: cluster ${env.server} ${startedHere ? 'started' : 'reused'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  return async () => {
    await rm(me, { force: true });
    if (process.env.SPACEPORT_K8S_KEEP === '1') {
      await rm(join(state, OWNER_MARK), { force: true });
      process.stderr.write(`k8s: SPACEPORT_K8S_KEEP=1: cluster kept (bash scripts/k8s/cluster.sh down)\n`);
      return;
    }
    const owned = await readdir(state).then((n) => n.includes(OWNER_MARK), () => false);
    if (!owned) return;
    const others = await otherLiveRuns(runs);
    if (others.length > 0) {
      process.stderr.write(`k8s: cluster left up for test runs ${others.join(', ')} (the last one takes it down)\n`);
      return;
    }
    await runClusterScript('down');
  };
}
