export * from './records.js';
export * from './space-store.js';
export * from './sqlite-store.js';
export * from './secret-box.js';
export * from './build-transitions.js';
export * from './web-store.js';
export * from './write-status.js';
