import { describe, expect, it } from 'vitest';
import { toSpaceId, type ReleaseId } from '../../../core/index.js';
import { containerName, stoppedContainerName } from './docker-create-options.js';
import { exitReason, instanceStateOf, type ContainerFacts } from './docker-state.js';

const space = toSpaceId('alice', 'demo');
const release = 'r1' as ReleaseId;
const base: ContainerFacts = {
  id: 'c1',
  name: containerName(space, release, 'sp'),
  space,
  release,
  image: 'img',
  status: 'running',
  exitCode: 0,
  oomKilled: false,
  error: '',
  dockerRestartCount: 0,
  memoryBytes: 512 * 1024 ** 2,
  networks: ['sp-spaces'],
};
const stopped = stoppedContainerName(space, release, 'sp');
const inputs = { namePrefix: 'sp', probeOk: false, lastLines: ['Traceback', 'ValueError: boom'] };

describe('instanceStateOf', () => {
  it.each([
    ['running, probe answers', { status: 'running' }, { probeOk: true }, { kind: 'ready' }],
    ['running, probe fails', { status: 'running' }, {}, { kind: 'starting' }],
    ['running under the stopped name (stop interrupted)', { status: 'running', name: stopped }, { probeOk: true }, { kind: 'ready' }],
    ['restarting', { status: 'restarting' }, {}, { kind: 'starting' }],
    ['created, not started yet', { status: 'created' }, {}, { kind: 'starting' }],
    ['created, start failed', { status: 'created', error: 'exec: "app": not found' }, {}, { kind: 'failed', reason: 'The container could not start: exec: "app": not found' }],
    ['exited after our stop', { status: 'exited', exitCode: 143, name: stopped }, {}, { kind: 'stopped' }],
    ['exited after our stop, previous run OOM', { status: 'exited', oomKilled: true, name: stopped }, {}, { kind: 'stopped' }],
    ['exited on its own', { status: 'exited', exitCode: 1 }, {}, { kind: 'exited', exitCode: 1, reason: 'Traceback\nValueError: boom' }],
    ['exited silently', { status: 'exited', exitCode: 0 }, { lastLines: [] }, { kind: 'exited', exitCode: 0, reason: 'The app exited with code 0 and printed nothing.' }],
    ['killed for memory', { status: 'exited', exitCode: 137, oomKilled: true }, {}, { kind: 'failed', reason: 'Out of memory: the app was killed after using all of its memory limit (512Mi).' }],
    ['killed by SIGKILL without the OOM flag (Docker race)', { status: 'exited', exitCode: 137 }, { lastLines: ['allocating'] }, { kind: 'exited', exitCode: 137, reason: 'Killed (SIGKILL, exit code 137): possibly out of memory (limit 512Mi).\nallocating' }],
    ['stopped by the engine as it shut down (SIGTERM, not our stop)', { status: 'exited', exitCode: 143 }, {}, { kind: 'exited', exitCode: 143, reason: 'Stopped from outside the app (SIGTERM: the Docker engine shut down, or a `docker stop`).', interrupted: true }],
    ['stopped by the engine, then a start during its shutdown failed', { status: 'exited', exitCode: 143, error: 'failed to update store' }, {}, { kind: 'exited', exitCode: 143, reason: 'Stopped from outside the app (SIGTERM: the Docker engine shut down, or a `docker stop`).', interrupted: true }],
    ['dead', { status: 'dead' }, {}, { kind: 'failed', reason: 'The container is dead (Docker could not stop or remove it).' }],
    ['paused by someone', { status: 'paused' }, {}, { kind: 'failed', reason: 'The container was paused outside Spaceport: unpause or remove it.' }],
  ] as const)('%s', (_, facts, extra, expected) => {
    expect(instanceStateOf({ ...base, ...facts }, { ...inputs, ...extra })).toEqual(expected);
  });

  it('leaves out a container being removed', () => {
    expect(instanceStateOf({ ...base, status: 'removing' }, inputs)).toBeUndefined();
  });

  it('keeps the reason short: the last 20 lines', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    const reason = exitReason(1, lines);
    expect(reason.split('\n')).toHaveLength(20);
    expect(reason.endsWith('line 49')).toBe(true);
  });
});
