export * from './space-service.js';
export * from './hub-json.js';
export * from './sleep-policy.js';
export { trustedHost } from './trusted-host.js';
export { reservedEnvName } from './reserved-env.js';
export { RepoFiles, entryJson, type ResolvedFile } from './repo-files.js';
export { RepoCommits, type PreuploadFile, type RepoCommitsOptions } from './repo-commits.js';
export { readCommitPayload, parsePayloadLine, type CommitPayload, type PayloadOp, type PayloadLimits } from './commit-payload.js';
