export * from './build-logs.js';
export * from './build-pipeline.js';
export * from './release-plan.js';
export * from './plan-from-builder.js';
export * from './base-image-gate.js';
export * from './rebuild-interrupted.js';
export * from './prepare-base-images.js';
