export { detectSnapshotSupport, runCommand, type CommandResult, type RunCommand, type SnapshotSupport, type SnapshotSupportOptions } from './snapshot-support.js';
export { SnapshotStore, settingsHash, type SnapshotKey, type SnapshotLookup, type SnapshotMeta, type SnapshotStoreOptions } from './snapshot-store.js';
