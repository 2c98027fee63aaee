import { readFileSync } from 'node:fs';
import path from 'node:path';
import type Dockerode from 'dockerode';
import type { Logger } from '../../../../core/index.js';
import { DockerSnapshots, RESTORE_RUNTIME, type SnapshotWake } from './docker-snapshots.js';
import { SnapshotStore } from './snapshot-store.js';
import type { SnapshotSupport } from './snapshot-support.js';

export interface EngineSnapshotsOptions {
  docker: Dockerode;
  support: SnapshotSupport;
  /** `{data dir}/snapshots`: where the registered runtime must look too. */
  root: string;
  /** The engine's exec root (dockerd --exec-root). */
  execRoot: string;
  maxAgeMs: number;
  budgetBytes: number;
  logger: Logger;
  onWake?: (wake: SnapshotWake) => void;
}

/**
 * Snapshots for this engine, or why not: CRIU must pass its check (`support`) and the engine must
 * know the restoring runtime (`runtimes` in daemon.json, scripts/criu/register-runtime.sh) with
 * this install's snapshot root.
 */
export async function engineSnapshots(o: EngineSnapshotsOptions): Promise<{ snapshots: DockerSnapshots } | { reason: string }> {
  if (o.support.kind === 'off') return { reason: o.support.reason };
  const info = (await o.docker.info()) as { Runtimes?: Record<string, { path?: string }> };
  const runtime = info.Runtimes?.[RESTORE_RUNTIME]?.path;
  const fix = `register it: sudo scripts/criu/register-runtime.sh ${o.support.criu} ${o.root} (make up does)`;
  if (!runtime) return { reason: `the Docker engine has no ${RESTORE_RUNTIME} runtime; ${fix}` };
  let script = '';
  try {
    script = readFileSync(runtime, 'utf8');
  } catch {
    return { reason: `the engine's ${RESTORE_RUNTIME} runtime is not a file here (the engine must run on this host); ${fix}` };
  }
  if (!script.includes(`SPACEPORT_SNAPSHOT_ROOT=${o.root}\n`)) return { reason: `the engine's ${RESTORE_RUNTIME} runtime keeps snapshots elsewhere than ${o.root}; ${fix}` };
  const store = new SnapshotStore({ root: o.root, maxAgeMs: o.maxAgeMs, budgetBytes: o.budgetBytes });
  const snapshots = new DockerSnapshots({
    store,
    criu: o.support.criu,
    runcRoot: path.join(o.execRoot, 'runtime-runc', 'moby'),
    logger: o.logger,
    onWake: o.onWake,
  });
  snapshots.prune();
  return { snapshots };
}
