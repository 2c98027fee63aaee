export { LfsStore, type LfsObject } from './lfs-store.js';
export { LfsSigner, type LfsAction, type LfsGrant } from './lfs-signer.js';
export { formatPointer, parsePointer, LFS_SPEC, MAX_POINTER_BYTES, OID_RE, type LfsPointer } from './lfs-pointer.js';
export { clientUsesXet, ignoredBy, looksBinary, lfsPatterns, shouldUseLfs, trackedByLfs, LFS_THRESHOLD_BYTES, INLINE_MAX_BYTES } from './lfs-rules.js';
export { LfsExportingRepos, smudgeTree } from './lfs-export.js';
export { missingLfsObjects } from './missing-objects.js';
