import { readFileSync } from 'node:fs';
import path from 'node:path';
import type Dockerode from 'dockerode';
import type { Logger } from '../../../../core/index.js';
import { DockerSnapshots, RESTORE_RUNTIME, type SnapshotWake } from './docker-snapshots.js';
import { NetnsSandboxes } from './netns-sandbox.js';
import { SnapshotStore } from './snapshot-store.js';
import { runCommand, type RunCommand, type SnapshotSupport } from './snapshot-support.js';

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
  /** Snapshots of at least this size restore with lazy pages (SPACEPORT_SNAPSHOT_LAZY_MB); unset: never. */
  lazyMinBytes?: number;
  /** Apps join network sandboxes (netns-sandbox.ts, SPACEPORT_SNAPSHOT_NETNS). */
  netnsSandboxes?: boolean;
  run?: RunCommand;
}

/** Whether CRIU can serve pages on demand here (userfaultfd with the non-cooperative events lazy restore needs), or why not. */
async function lazyPagesUnavailable(criu: string, run: RunCommand): Promise<string | undefined> {
  const r = await run(criu, ['check', '--feature', 'uffd-noncoop'], 20_000);
  if (r.code === 0) return undefined;
  return `criu check --feature uffd-noncoop: ${r.startError ?? (r.output.trim().split('\n').at(-1)?.slice(0, 200) || `exit ${r.code}`)}`;
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
  const unavailable = o.lazyMinBytes === undefined ? undefined : await lazyPagesUnavailable(o.support.criu, o.run ?? runCommand);
  const lazy = o.lazyMinBytes === undefined ? undefined : { minBytes: o.lazyMinBytes, unavailable };
  if (unavailable) o.logger.info({ module: 'snapshots', reason: unavailable }, 'snapshots: lazy pages off (large snapshots restore eagerly)');
  const store = new SnapshotStore({ root: o.root, maxAgeMs: o.maxAgeMs, budgetBytes: o.budgetBytes });
  const snapshots = new DockerSnapshots({
    store,
    criu: o.support.criu,
    runcRoot: path.join(o.execRoot, 'runtime-runc', 'moby'),
    logger: o.logger,
    onWake: o.onWake,
    lazyPages: lazy,
    sandboxes: o.netnsSandboxes ? new NetnsSandboxes({ docker: o.docker, logger: o.logger.child({ module: 'snapshots' }) }) : undefined,
  });
  snapshots.prune();
  return { snapshots };
}
