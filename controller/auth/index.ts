export * from './principal.js';
export * from './bootstrap-admin.js';
export * from './app-grant-key.js';
