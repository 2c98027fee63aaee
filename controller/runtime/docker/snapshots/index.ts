export { detectSnapshotSupport, runCommand, type CommandResult, type RunCommand, type SnapshotSupport, type SnapshotSupportOptions } from './snapshot-support.js';
export { SnapshotStore, settingsHash, type SnapshotKey, type SnapshotLookup, type SnapshotMeta, type SnapshotStoreOptions } from './snapshot-store.js';
export { DockerSnapshots, RESTORE_RUNTIME, type DockerSnapshotsOptions, type LazyPagesOptions, type RestoreFacts, type SnapshotWake } from './docker-snapshots.js';
export { engineSnapshots, type EngineSnapshotsOptions } from './engine-snapshots.js';
export { NetnsSandboxes, joinSandbox, sandboxCreateOptions, sandboxIdOf, type Sandbox } from './netns-sandbox.js';
