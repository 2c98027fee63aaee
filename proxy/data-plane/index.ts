/**
 * The native data plane (docs/data-plane.md): HAProxy carries requests to running public Spaces;
 * everything else falls to Spaceport. `startNativeDataPlane` is what the composition root calls; the
 * parts are exported for tests and the benchmark.
 */
export type { DataPlaneApi, HostCounters } from './data-plane-api.js';
export { DataPlaneDriver, tcpProbe, type DataPlaneDriverOptions } from './data-plane-driver.js';
export { HaproxyProcess, type HaproxyProcessOptions } from './haproxy-process.js';
export { HaproxyRuntimeApi, type HaproxyRuntimeApiOptions } from './haproxy-runtime-api.js';
export { proxyProtocolListener } from './proxy-protocol-listener.js';
export { ACTIVITY_TABLE, haproxyFiles, renderAppErrorFile, renderHaproxyConfig, type HaproxyConfigInput, type HaproxyFiles } from './render-haproxy-config.js';
export { chooseDataPlane, dataPlaneState, haproxyAvailable, startNativeDataPlane, type DataPlaneState, type NativeDataPlane, type NativeDataPlaneOptions } from './start-native-data-plane.js';
