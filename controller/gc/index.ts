export type { Housekeeper } from './housekeeper.js';
export { HousekeepingTask, type HousekeepingOptions, type HousekeepingReport } from './housekeeping-task.js';
export { planImageGc, type SpaceImages } from './plan-image-gc.js';
