export * from './create-api.js';
export * from './http-errors.js';
