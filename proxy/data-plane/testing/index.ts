/** Test doubles of the native data plane: the in-memory `DataPlaneApi` and the contract every implementation passes. */
export { runDataPlaneApiContract } from './data-plane-api.contract.js';
export { FakeDataPlaneApi } from './fake-data-plane-api.js';
