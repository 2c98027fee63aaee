import { describe, expect, it } from 'vitest';
import type { ReleaseId, SpaceId } from '../../core/index.js';
import type { Instance } from '../runtime/runtime.js';
import type { ReleaseRecord, SpaceRecord } from '../store/records.js';
import { spaceRoute, type PassView } from './space-route.js';

const space = { uid: 'u1', id: 'alice/demo' as SpaceId, subdomain: 'alice-demo', visibility: 'public', lifecycle: 'active' } as SpaceRecord;
const target = { id: 'r2' as ReleaseId } as ReleaseRecord;
const inst = (release: string, state: Instance['state'], port = 1): Instance =>
  ({ space: space.id, release: release as ReleaseId, image: 'i', state, endpoint: { host: '127.0.0.1', port }, restartCount: 0 }) as Instance;
const view = (v: Partial<PassView>): PassView => ({ space, build: undefined, target, targetInst: undefined, prevInst: undefined, waitingForRoom: false, waking: false, ...v });

describe('spaceRoute', () => {
  it('sends traffic to the target once ready, to the old release until then', () => {
    expect(spaceRoute(view({ targetInst: inst('r2', { kind: 'ready' }, 2), prevInst: inst('r1', { kind: 'ready' }, 1) })).route.target).toEqual({
      kind: 'running',
      endpoint: { host: '127.0.0.1', port: 2 },
    });
    const switching = spaceRoute(view({ targetInst: inst('r2', { kind: 'starting' }, 2), prevInst: inst('r1', { kind: 'ready' }, 1) }));
    expect(switching.route.target).toEqual({ kind: 'running', endpoint: { host: '127.0.0.1', port: 1 } });
    expect(switching.result.stage).toBe('RUNNING_APP_STARTING');
  });

  it('routes a sleeping, paused, waking, failed or starting Space to the page that says so', () => {
    expect(spaceRoute(view({ space: { ...space, lifecycle: 'asleep' } })).route.target).toEqual({ kind: 'sleeping' });
    expect(spaceRoute(view({ space: { ...space, lifecycle: 'paused' } })).route.target).toEqual({ kind: 'paused' });
    expect(spaceRoute(view({ targetInst: inst('r2', { kind: 'starting' }), waking: true })).route.target).toEqual({ kind: 'waking' });
    expect(spaceRoute(view({ target: { ...target, failure: 'exit 1' } })).route.target).toEqual({ kind: 'failed', stage: 'RUNTIME_ERROR', message: 'exit 1' });
    expect(spaceRoute(view({ targetInst: inst('r2', { kind: 'starting' }) })).route.target).toMatchObject({ kind: 'pending', stage: 'APP_STARTING' });
  });

  it('counts a target waiting for room on a full pool as starting, not failed', () => {
    const full = inst('r2', { kind: 'failed', reason: 'no node', capacity: true } as Instance['state']);
    expect(spaceRoute(view({ targetInst: full })).result.stage).toBe('RUNTIME_ERROR');
    expect(spaceRoute(view({ targetInst: full, waitingForRoom: true })).result.stage).toBe('APP_STARTING');
  });

  it('says when the serving instance runs on a simulated node, and only then', () => {
    const onKwok = { ...inst('r2', { kind: 'ready' }), simulatedNode: true };
    expect(spaceRoute(view({ targetInst: onKwok })).result).toMatchObject({ stage: 'RUNNING', simulatedNode: true });
    expect(spaceRoute(view({ targetInst: inst('r2', { kind: 'starting' }), prevInst: { ...onKwok, release: 'r1' as ReleaseId } })).result.simulatedNode).toBe(true);
    expect(spaceRoute(view({ targetInst: inst('r2', { kind: 'ready' }) })).result.simulatedNode).toBeUndefined();
    expect(spaceRoute(view({ space: { ...space, lifecycle: 'asleep' }, targetInst: onKwok })).result.simulatedNode).toBeUndefined();
  });

  it('keeps a private Space private on every proxy', () => {
    expect(spaceRoute(view({ space: { ...space, visibility: 'private' } })).route).toMatchObject({ subdomain: 'alice-demo', space: 'alice/demo', access: 'private' });
  });

  it('routes a static release to its tree (no endpoint), also while a newer release starts', () => {
    const tree = 'ab'.repeat(20);
    const staticInst = { ...inst('r2', { kind: 'ready' }), image: `static-tree:${tree}/docs/index.html`, endpoint: undefined } as Instance;
    expect(spaceRoute(view({ targetInst: staticInst })).route.target).toEqual({ kind: 'static', tree, index: 'docs/index.html' });
    expect(spaceRoute(view({ targetInst: staticInst })).result.stage).toBe('RUNNING');
    const prev = { ...staticInst, release: 'r1' as ReleaseId };
    expect(spaceRoute(view({ targetInst: inst('r2', { kind: 'starting' }), prevInst: prev })).route.target).toEqual({ kind: 'static', tree, index: 'docs/index.html' });
  });
});
