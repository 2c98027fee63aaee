export * from './space-service.js';
export * from './hub-json.js';
export * from './sleep-policy.js';
