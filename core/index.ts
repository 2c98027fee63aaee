export * from './errors.js';
export * from './config.js';
export * from './hardware.js';
export * from './logger.js';
export * from './ids.js';
export * from './clock.js';
export * from './logs.js';
export * from './secret-mask.js';
