export type { Housekeeper } from './housekeeper.js';
export { HousekeepingTask, type HousekeepingOptions, type HousekeepingReport } from './housekeeping-task.js';
export { planImageGc, type SpaceImages } from './plan-image-gc.js';
export { collectStaticTrees, STATIC_TREE_GRACE_MS } from './static-tree-gc.js';
