export * from './space-service.js';
export * from './hub-json.js';
export * from './sleep-policy.js';
export { trustedHost } from './trusted-host.js';
export { reservedEnvName } from './reserved-env.js';
