// Test doubles of the Runtime: the in-memory fake and the contract suite every Runtime passes.
// Imported by tests and benchmarks only; production code never imports this folder.
export { FakeRuntime, type FakeCounts, type FakeOperation, type FakeRuntimeOptions } from './fake-runtime.js';
