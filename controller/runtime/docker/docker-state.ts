import type Dockerode from 'dockerode';
import type { ReleaseId, SpaceId } from '../../../core/index.js';
import { LABELS, formatMemory, stoppedContainerName } from './docker-create-options.js';
import { sandboxIdOf } from './snapshots/netns-sandbox.js';
import type { InstanceState } from '../runtime.js';

/** What the Docker runtime needs from `container.inspect()`. */
export interface ContainerFacts {
  id: string;
  /** Without Docker's leading `/`. */
  name: string;
  space: SpaceId;
  release: ReleaseId;
  /** The image reference the container was created from (`Config.Image`). */
  image: string;
  /** `State.Status`: created | running | paused | restarting | removing | exited | dead. */
  status: string;
  exitCode: number;
  oomKilled: boolean;
  /** `State.Error`: why Docker could not start it (missing executable, bad mount, …). */
  error: string;
  /** Epoch ms of the latest start; undefined if it never started. */
  startedAt?: number;
  /** Docker's own restarts (restart policy); always 0 with our policy, added for completeness. */
  dockerRestartCount: number;
  /** The published host port of the app port, while it runs. */
  hostPort?: number;
  memoryBytes?: number;
  /** Names of the Docker networks it is attached to. */
  networks: string[];
  /** The network sandbox whose namespace it joins (snapshots/netns-sandbox.ts), when it does. */
  sandbox?: string;
}

export function containerFactsFrom(info: Dockerode.ContainerInspectInfo): ContainerFacts | undefined {
  const labels = info.Config.Labels ?? {};
  const space = labels[LABELS.space];
  const release = labels[LABELS.release];
  if (space === undefined || release === undefined) return undefined;
  const port = labels[LABELS.port];
  const binding = port === undefined ? undefined : info.NetworkSettings?.Ports?.[`${port}/tcp`]?.[0];
  // An app in its network sandbox's namespace has no port or network of its own: the sandbox's are on its labels.
  const sandbox = sandboxIdOf(info);
  const inSandbox = sandbox !== undefined;
  const hostPort = inSandbox ? Number(labels[LABELS.sandboxPort]) : binding?.HostPort ? Number(binding.HostPort) : undefined;
  const started = Date.parse(info.State.StartedAt);
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    space: space as SpaceId,
    release: release as ReleaseId,
    image: info.Config.Image,
    status: info.State.Status,
    exitCode: info.State.ExitCode,
    oomKilled: info.State.OOMKilled,
    error: info.State.Error ?? '',
    // Docker reports a zero time (0001-01-01) for containers that never started.
    startedAt: Number.isNaN(started) || started <= 0 ? undefined : started,
    dockerRestartCount: info.RestartCount ?? 0,
    hostPort: hostPort !== undefined && Number.isInteger(hostPort) && hostPort > 0 ? hostPort : undefined,
    memoryBytes: info.HostConfig?.Memory || undefined,
    networks: inSandbox ? [labels[LABELS.sandboxNetwork]!] : Object.keys(info.NetworkSettings?.Networks ?? {}),
    ...(sandbox ? { sandbox } : {}),
  };
}

/** A container counts as running (it has an endpoint and is probed) in these states. */
export function isRunning(facts: ContainerFacts): boolean {
  return facts.status === 'running' || facts.status === 'restarting';
}

/** Did Spaceport stop it on purpose? Our `stop()` renames the container first (see docker-runtime.ts). */
export function isStoppedByUs(facts: ContainerFacts, namePrefix: string): boolean {
  return facts.name === stoppedContainerName(facts.space, facts.release, namePrefix);
}

/** Exit code of a process ended by SIGTERM (128 + 15), as `docker-init` reports it. */
const SIGTERM_EXIT = 143;

/**
 * Stopped from outside, not by the app and not by us: ended by SIGTERM without our rename. Spaceport
 * never sends SIGTERM except through `stop()` (which renames first), and apps do not SIGTERM
 * themselves; the engine does, to every container, when it shuts down (a restart of dockerd, Ctrl-C
 * on a `make up` that started it, a host shutdown), and so does an operator's `docker stop`.
 */
export function isInterrupted(facts: ContainerFacts, namePrefix: string): boolean {
  // `State.Error` is not looked at: a start tried while the engine was still shutting down fails
  // (and sets it) without changing how the app ended.
  return facts.status === 'exited' && facts.exitCode === SIGTERM_EXIT && !facts.oomKilled && !isStoppedByUs(facts, namePrefix);
}

export const REASON_MAX_LINES = 20;
const REASON_MAX_CHARS = 4000;

/** The last lines of output, as the reason an app exited. */
export function exitReason(exitCode: number, lastLines: readonly string[]): string {
  const tail = lastLines.slice(-REASON_MAX_LINES).join('\n').slice(-REASON_MAX_CHARS).trim();
  return tail === '' ? `The app exited with code ${exitCode} and printed nothing.` : tail;
}

export interface StateInputs {
  namePrefix: string;
  /** Readiness probe result; only looked at while the container runs. */
  probeOk: boolean;
  /** The app's last lines of output; only looked at when it exited on its own. */
  lastLines: readonly string[];
}

/**
 * Docker's view of a container → our instance state. Undefined for a container being removed
 * (it is about to disappear and is left out of `list()`).
 */
export function instanceStateOf(facts: ContainerFacts, inputs: StateInputs): InstanceState | undefined {
  switch (facts.status) {
    case 'running':
      return inputs.probeOk ? { kind: 'ready' } : { kind: 'starting' };
    case 'restarting':
      return { kind: 'starting' };
    case 'created':
      // Created and never started: either apply() is between create and start, or the start failed.
      return facts.error ? { kind: 'failed', reason: `The container could not start: ${facts.error}` } : { kind: 'starting' };
    case 'paused':
      return { kind: 'failed', reason: 'The container was paused outside Spaceport: unpause or remove it.' };
    case 'removing':
      return undefined;
    case 'dead':
      return { kind: 'failed', reason: `The container is dead (Docker could not stop or remove it)${facts.error ? `: ${facts.error}` : '.'}` };
    case 'exited':
      // A stop we asked for wins over how the previous run ended.
      if (isStoppedByUs(facts, inputs.namePrefix)) return { kind: 'stopped' };
      if (facts.oomKilled) {
        const limit = facts.memoryBytes ? ` (${formatMemory(facts.memoryBytes)})` : '';
        return { kind: 'failed', reason: `Out of memory: the app was killed after using all of its memory limit${limit}.` };
      }
      if (isInterrupted(facts, inputs.namePrefix)) {
        return { kind: 'exited', exitCode: SIGTERM_EXIT, reason: 'Stopped from outside the app (SIGTERM: the Docker engine shut down, or a `docker stop`).', interrupted: true };
      }
      if (facts.error) return { kind: 'failed', reason: `The container could not start: ${facts.error}` };
      if (facts.exitCode === 137) {
        // Docker sets OOMKilled from an event that can race the exit: a SIGKILL we did not send is
        // most likely the memory limit, so say so (the state stays `exited`, as Docker reports it).
        const limit = facts.memoryBytes ? ` (limit ${formatMemory(facts.memoryBytes)})` : '';
        const head = `Killed (SIGKILL, exit code 137): possibly out of memory${limit}.`;
        const tail = inputs.lastLines.length > 0 ? `\n${exitReason(facts.exitCode, inputs.lastLines)}` : '';
        return { kind: 'exited', exitCode: 137, reason: `${head}${tail}` };
      }
      return { kind: 'exited', exitCode: facts.exitCode, reason: exitReason(facts.exitCode, inputs.lastLines) };
    default:
      return { kind: 'failed', reason: `Unknown container status "${facts.status}".` };
  }
}
