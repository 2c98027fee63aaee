export * from './principal.js';
export * from './bootstrap-admin.js';
