export * from './stage.js';
export * from './reconciler.js';
export { markAwake } from './mark-awake.js';
export type { ReconcilerOptions } from './reconciler-options.js';
export * from './route-table.js';
export * from './activity-ledger.js';
export * from './instance-spec.js';
export { startupTimeoutOf } from './observe.js';
export { summarizeRuntimeFailure } from './runtime-error-summary.js';
