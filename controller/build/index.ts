export * from './build-logs.js';
export * from './build-pipeline.js';
export * from './plan.js';
