export * from './leader-lock.js';
export * from './always-leader.js';
export * from './postgres-leader-lock.js';
export * from './leader-duties.js';
export * from './leader-routed.js';
