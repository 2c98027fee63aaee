export type { GitRepos, Head, InitialCommit } from './git-repos.js';
export { CliGitRepos, filePathProblem, type CliGitReposOptions } from './cli-git-repos.js';
export { extractTar } from './extract-tar.js';
export { GitCommandError, runGit, type RunGitOptions, type GitResult } from './run-git.js';
export { validateUpstreamUrl, type UpstreamUrlOptions } from './upstream-url.js';
export {
  addressKind,
  addressProblem,
  checkUpstreamAddressNow,
  embeddedIPv4,
  resolveUpstreamAddresses,
  type AddressKind,
  type LookupAll,
  type UpstreamAddressPolicy,
} from './upstream-address.js';
export { splitUpstreamCredentials } from './upstream-credentials.js';
export { branchNameProblem, validateBranchName } from './branch-name.js';
export { redactCredentials } from './redact.js';
export { installHooks, defaultHooksDir } from './install-hooks.js';
export { parseGitPath, isGitRequest, type GitPath, type GitService } from './git-path.js';
export {
  createGitHttpHandler,
  sendGitError,
  DEFAULT_MAX_FILE_BYTES,
  type GitHttpOptions,
  type GitHttpHandler,
  type GitHttpRepos,
  type GitAccess,
  type GitAuthorizeRequest,
  type GitAuthorizeResult,
} from './git-http.js';
export { tokenFromAuthorization } from './http-auth.js';
export { ProcessGate, type ProcessGateLimits } from './process-gate.js';
export { removeInterruptedPushes } from './interrupted-pushes.js';
export { clientAddress, trustedProxies } from './client-address.js';
export { PushCheckServer, type PointerCandidate, type PushCheck, type PushCheckRequest, type PushVerdict } from './push-check-server.js';
export { verifyWebhookSignature, branchFromWebhook, type WebhookSignatureInput, type WebhookHeaders } from './webhook-signature.js';
export { readCommit, diffStats, diffPatch, COMMIT_ID_RE, type CommitDetail, type DiffStat } from './commit-diff.js';
export { parseDiff, type DiffHunk, type DiffLine, type FileDiff } from './parse-diff.js';
export { listCommits, listTree, type CommitEntry, type TreeEntry } from './tree-reader.js';
export { lastCommits, type LastCommit } from './last-commits.js';
