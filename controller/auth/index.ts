export * from './principal.js';
export * from './bootstrap-admin.js';
export * from './app-grant-key.js';
export * from './passwords.js';
export * from './web-sessions.js';
export * from './sign-in-limiter.js';
