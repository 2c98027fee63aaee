export { detectSnapshotSupport, runCommand, type CommandResult, type RunCommand, type SnapshotSupport, type SnapshotSupportOptions } from './snapshot-support.js';
