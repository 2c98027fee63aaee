import { describe, expect, it } from 'vitest';
import { computeStage, type StageFacts, type StageResult } from './stage.js';

const ready = { kind: 'ready' } as const;
const starting = { kind: 'starting' } as const;
const absent = { kind: 'absent' } as const;

/** The lifecycle of a Space, one row per situation. */
const table: [string, StageFacts, Partial<StageResult>][] = [
  ['new Space, nothing pushed', { lifecycle: 'active', previousServing: false }, { stage: 'NO_APP_FILE', serving: false }],
  ['first build queued', { lifecycle: 'active', build: { status: 'queued' }, previousServing: false }, { stage: 'BUILDING', serving: false }],
  ['first build running', { lifecycle: 'active', build: { status: 'running' }, previousServing: false }, { stage: 'BUILDING' }],
  ['bad README on first push', { lifecycle: 'active', build: { status: 'failed', failure: 'CONFIG_ERROR', message: 'sdk' }, previousServing: false }, { stage: 'CONFIG_ERROR', message: 'sdk', serving: false }],
  ['missing app file', { lifecycle: 'active', build: { status: 'failed', failure: 'NO_APP_FILE', message: 'app.py' }, previousServing: false }, { stage: 'NO_APP_FILE', message: 'app.py' }],
  ['built, container starting', { lifecycle: 'active', build: { status: 'succeeded', image: 'i' }, target: { instance: starting }, previousServing: false }, { stage: 'APP_STARTING', serving: false }],
  ['built, container not created yet', { lifecycle: 'active', build: { status: 'succeeded', image: 'i' }, target: { instance: absent }, previousServing: false }, { stage: 'APP_STARTING' }],
  ['running', { lifecycle: 'active', build: { status: 'succeeded', image: 'i' }, target: { instance: ready }, previousServing: false }, { stage: 'RUNNING', serving: true }],
  ['new push builds while old serves', { lifecycle: 'active', build: { status: 'running' }, target: { instance: ready }, previousServing: false }, { stage: 'RUNNING_BUILDING', serving: true }],
  ['new release starts while old serves', { lifecycle: 'active', build: { status: 'succeeded', image: 'i' }, target: { instance: starting }, previousServing: true }, { stage: 'RUNNING_APP_STARTING', serving: true }],
  ['failed build keeps old serving', { lifecycle: 'active', build: { status: 'failed', failure: 'BUILD_ERROR', message: 'pip' }, target: { instance: ready }, previousServing: false }, { stage: 'BUILD_ERROR', serving: true }],
  ['app crashed at start', { lifecycle: 'active', build: { status: 'succeeded', image: 'i' }, target: { instance: { kind: 'exited', reason: 'Traceback' } }, previousServing: false }, { stage: 'RUNTIME_ERROR', message: 'Traceback', serving: false }],
  ['new release crashed, old serves', { lifecycle: 'active', build: { status: 'succeeded', image: 'i' }, target: { instance: absent, failure: 'timeout' }, previousServing: true }, { stage: 'RUNTIME_ERROR', message: 'timeout', serving: true }],
  ['refused earlier, running now: what is true now wins', { lifecycle: 'active', build: { status: 'succeeded', image: 'i' }, target: { instance: ready, failure: 'No node can run hardware t4-small' }, previousServing: false }, { stage: 'RUNNING', serving: true }],
  ['crash loop, between two crashes its app answers', { lifecycle: 'active', build: { status: 'succeeded', image: 'i' }, target: { instance: ready, crashLoop: 'exited with code 1' }, previousServing: false }, { stage: 'RUNTIME_ERROR', message: 'exited with code 1', serving: true }],
  ['crash loop, restarting', { lifecycle: 'active', build: { status: 'succeeded', image: 'i' }, target: { instance: starting, crashLoop: 'exited with code 1' }, previousServing: false }, { stage: 'RUNTIME_ERROR', serving: false }],
  ['asleep', { lifecycle: 'asleep', build: { status: 'succeeded', image: 'i' }, target: { instance: { kind: 'stopped' } }, previousServing: false }, { stage: 'SLEEPING', serving: false }],
  ['waking up', { lifecycle: 'active', build: { status: 'succeeded', image: 'i' }, target: { instance: { kind: 'stopped' } }, previousServing: false }, { stage: 'APP_STARTING' }],
  ['paused wins over everything', { lifecycle: 'paused', build: { status: 'running' }, target: { instance: ready }, previousServing: true }, { stage: 'PAUSED', serving: false }],
  ['push to a sleeping Space builds', { lifecycle: 'asleep', build: { status: 'running' }, target: { instance: { kind: 'stopped' } }, previousServing: false }, { stage: 'BUILDING', serving: false }],
];

describe('computeStage', () => {
  it.each(table)('%s', (_name, facts, expected) => {
    expect(computeStage(facts)).toMatchObject(expected);
  });
});
