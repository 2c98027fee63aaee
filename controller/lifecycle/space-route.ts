import type { Route, RouteTarget } from '../../proxy/index.js';
import type { Instance } from '../runtime/runtime.js';
import { staticTreeOf } from '../runtime/static-instance.js';
import type { BuildState, ReleaseRecord, SpaceRecord } from '../store/records.js';
import { observe } from './observe.js';
import { appAccessOf, grantScopeOf } from './route-table.js';
import { computeStage, type StageResult } from './stage.js';

/** What a reconcile pass saw of one Space, after acting. */
export interface PassView {
  space: SpaceRecord;
  build: BuildState | undefined;
  target: ReleaseRecord | undefined;
  /** The instances of the target and of the release serving before it, if any. */
  targetInst: Instance | undefined;
  prevInst: Instance | undefined;
  /** The target waits for the room its stopped predecessor frees: starting, not failed. */
  waitingForRoom: boolean;
  /** Woken by a visit and not ready yet. */
  waking: boolean;
  /** The target's app keeps crashing after it ran: the last crash's message. */
  crashLoop?: string;
}

const FAILED_STAGES: readonly string[] = ['BUILD_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'RUNTIME_ERROR'];

/** The Space's stage and the route proxies follow for it (pure): the target's endpoint once ready, else the old release's. */
export function spaceRoute(v: PassView): { result: StageResult; route: Route } {
  const { space, target, targetInst, prevInst } = v;
  const computed = computeStage({
    lifecycle: space.lifecycle,
    build: v.build,
    target: target ? { instance: v.waitingForRoom ? { kind: 'starting' } : observe(targetInst), failure: target.failure, crashLoop: v.crashLoop } : undefined,
    previousServing: prevInst?.state.kind === 'ready',
  });
  const serving = targetInst?.state.kind === 'ready' ? targetInst : prevInst?.state.kind === 'ready' ? prevInst : undefined;
  const result = serving?.simulatedNode && computed.serving ? { ...computed, simulatedNode: true } : computed;
  const endpoint = serving?.endpoint;
  // A static release serves its tree from the proxy: the route names the tree, so a switch is atomic.
  const tree = staticTreeOf(serving?.image);
  let routeTarget: RouteTarget;
  if (space.lifecycle === 'paused') routeTarget = { kind: 'paused' };
  else if (space.lifecycle === 'asleep') routeTarget = { kind: 'sleeping' };
  else if (tree) routeTarget = { kind: 'static', tree: tree.tree, index: tree.index };
  else if (endpoint) routeTarget = { kind: 'running', endpoint };
  else if (v.waking) routeTarget = { kind: 'waking' };
  else if (FAILED_STAGES.includes(result.stage)) routeTarget = { kind: 'failed', stage: result.stage, message: result.message ?? '' };
  else routeTarget = { kind: 'pending', stage: result.stage, message: result.message };
  return { result, route: { subdomain: space.subdomain, space: space.id, stage: result.stage, target: routeTarget, access: appAccessOf(space), grantScope: grantScopeOf(space) } };
}
