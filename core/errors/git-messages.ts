import { defineMessages } from './define-messages.js';

/** controller/git/ (with its fake) and controller/lfs/: repositories, commits, git over HTTP, upstreams, LFS. */
const invalidBranch = (p: { branch: string; problem: string }) => `Invalid branch "${p.branch.slice(0, 100)}": ${p.problem}.`;

export const GIT_MESSAGES = defineMessages({
  // repositories
  repoNotFound: { code: 'RepoNotFound', message: (p: { space: string }) => `Repository ${p.space} not found.` },
  repoExists: { code: 'RepoExists', message: (p: { space: string }) => `Repository ${p.space} already exists.` },
  repoPathOutsideRoot: { code: 'InvalidName', message: (p: { space: string }) => `Invalid Space id "${p.space}".` },
  commitIdInvalid: { code: 'RevisionNotFound', message: (p: { commit: string }) => `Invalid commit id "${p.commit.slice(0, 80)}".` },
  commitNotFound: { code: 'RevisionNotFound', message: (p: { commit: string; space: string }) => `Commit ${p.commit} not found in ${p.space}.` },
  filePathInvalid: { code: 'BadRequest', message: (p: { path: string; problem: string }) => `Invalid file path "${p.path.slice(0, 200)}": ${p.problem}.` },
  fileOutsideRepo: { code: 'InvalidConfig', message: (p: { file: string }) => `The file "${p.file}" is outside the repository.` },

  gitCommandFailed: {
    code: 'GitFailed',
    message: (p: { command: string; timedOut: boolean; exitCode: number | null; detail: string }) =>
      `git ${p.command} ${p.timedOut ? 'timed out' : `exited with ${p.exitCode ?? 'a signal'}`}${p.detail ? `: ${p.detail}` : ''}`,
  },

  // revisions
  revisionInvalid: { code: 'RevisionNotFound', message: (p: { rev: string }) => `Invalid revision "${p.rev.slice(0, 100)}".` },
  revisionNotFound: { code: 'RevisionNotFound', message: (p: { rev: string }) => `Invalid rev id: ${p.rev.slice(0, 100)}` },

  // commits (the API's commit endpoint)
  commitPathInvalid: { code: 'BadRequest', message: (p: { path: string; problem: string }) => `Invalid path "${p.path.slice(0, 200)}": ${p.problem}.` },
  commitBranchInvalid: { code: 'RevisionNotFound', message: invalidBranch },
  parentCommitInvalid: {
    code: 'BadRequest',
    message: (p: { parentCommit: string }) => `"parentCommit" must be a full commit id (40 hex digits), not "${p.parentCommit.slice(0, 80)}".`,
  },
  parentCommitStale: {
    code: 'PreconditionFailed',
    message: (p: { parentCommit: string; branch: string; head: string | undefined }) =>
      `A commit has happened since ${p.parentCommit.slice(0, 12)}: the branch "${p.branch}" is now at ${p.head?.slice(0, 12) ?? 'nothing'}. Fetch it and try again.`,
  },
  branchNotFound: { code: 'RevisionNotFound', message: (p: { branch: string }) => `Branch "${p.branch}" does not exist.` },

  // branches and tags (the API's branch and tag endpoints)
  refNameInvalid: { code: 'BadRequest', message: (p: { kind: string; name: string; problem: string }) => `Invalid ${p.kind} name "${p.name.slice(0, 100)}": ${p.problem}.` },
  refExists: { code: 'RefExists', message: (p: { kind: string; name: string }) => `The ${p.kind} "${p.name.slice(0, 100)}" already exists.` },
  tagNotFound: { code: 'RevisionNotFound', message: (p: { tag: string }) => `Tag "${p.tag.slice(0, 100)}" does not exist.` },
  mainNotDeletable: { code: 'BadRequest', message: () => 'The main branch cannot be deleted: it is what the Space builds and runs.' },
  deletedFileMissing: { code: 'EntryNotFound', message: (p: { path: string }) => `A file with this name doesn't exist: "${p.path}".` },
  deletedFolderMissing: { code: 'EntryNotFound', message: (p: { path: string }) => `A folder with this name doesn't exist: "${p.path}".` },
  fileUnderFile: { code: 'BadRequest', message: (p: { file: string; dir: string }) => `"${p.file}" cannot be added: "${p.dir}" is a file.` },
  branchMoved: { code: 'PreconditionFailed', message: (p: { branch: string }) => `The branch "${p.branch}" moved while this commit was made. Try again.` },

  // exports (git archive → a build context)
  archiveEntryOutside: {
    code: 'InvalidConfig',
    message: (p: { name: string }) => `The archive entry "${p.name.slice(0, 200)}" would be written outside the export directory.`,
  },
  archiveEntryOverwrites: {
    code: 'InvalidConfig',
    message: (p: { name: string }) => `The archive entry "${p.name.slice(0, 200)}" would overwrite an existing file or link.`,
  },
  archiveSymlinkOutside: {
    code: 'InvalidConfig',
    message: (p: { name: string; link: string }) =>
      `The file "${p.name.slice(0, 200)}" is a symbolic link pointing outside the repository ("${p.link.slice(0, 200)}").`,
  },
  archiveHardLinkInvalid: {
    code: 'InvalidConfig',
    message: (p: { name: string; link: string }) =>
      `The file "${p.name.slice(0, 200)}" is a hard link to "${p.link.slice(0, 200)}", which is not a regular file given before it in the same archive.`,
  },
  archiveSymlinkResolvesOutside: {
    code: 'InvalidConfig',
    message: (p: { name: string; target: string }) => `The file "${p.name}" is a symbolic link resolving outside the repository ("${p.target.slice(0, 200)}").`,
  },
  lfsObjectMissing: {
    code: 'BuildFailed',
    message: (p: { file: string; oid: string }) =>
      `${p.file} is a Git LFS pointer, but its object ${p.oid} is not on this server. Fix: push it with "git lfs push --all origin" (or upload the file again).`,
  },

  // git over HTTP
  gitWrongMethod: { code: 'BadRequest', message: (p: { method: string; service: string }) => `Use ${p.method} for ${p.service}.` },
  gitWrongContentType: { code: 'UnsupportedMediaType', message: (p: { service: string; type: string }) => `${p.service} reads "Content-Type: ${p.type}".` },
  gitDumbProtocol: { code: 'BadRequest', message: () => 'Only the smart HTTP protocol is supported: use git 1.6.6 or newer.' },
  gitNotAUrl: { code: 'NotFound', message: () => 'Not a git URL.' },
  gitPushNeedsToken: { code: 'Unauthorized', message: () => 'Pushing needs a token: use it as the password (any username).' },
  gitBackendForbidden: { code: 'Forbidden', message: () => 'git http-backend refused the request.' },
  gitBackendNotFound: { code: 'NotFound', message: () => 'git http-backend found nothing here.' },
  gitBackendRefused: { code: 'BadRequest', message: (p: { status: number }) => `git http-backend refused the request (${p.status}).` },
  gitBackendFailedStatus: { code: 'GitFailed', message: (p: { status: number }) => `git http-backend failed (${p.status}).` },
  gitBackendNoStart: { code: 'GitFailed', message: () => 'git http-backend could not start.' },
  gitBackendFailed: { code: 'GitFailed', message: (p: { detail: string }) => `git http-backend failed${p.detail ? `: ${p.detail}` : '.'}` },
  gitBackendBadAnswer: { code: 'GitFailed', message: () => 'git http-backend answered badly.' },
  gitBusy: {
    code: 'ServerBusy',
    message: (p: { retryAfter: number }) => `Too many git requests are running (from your address or in all): try again in ${p.retryAfter} seconds.`,
  },

  // upstreams
  upstreamFetchFailed: {
    code: 'UpstreamFetchFailed',
    message: (p: { branch: string; why?: string }) => `Fetching branch "${p.branch}" from the upstream failed${p.why === undefined ? '.' : `: ${p.why}`}`,
  },
  upstreamNoMain: { code: 'UpstreamFetchFailed', message: () => 'The upstream fetch did not produce a main branch.' },
  upstreamHostUnresolved: {
    code: 'UpstreamFetchFailed',
    message: (p: { host: string; errno?: string }) => `The upstream host "${p.host}" does not resolve${p.errno === undefined ? '' : ` (${p.errno})`}.`,
  },
  upstreamHostRefused: { code: 'InvalidUpstream', message: (p: { host: string; problem: string }) => `Upstream host "${p.host}" is not allowed: ${p.problem}.` },
  upstreamUrlInvalid: { code: 'InvalidUpstream', message: (p: { url: string; why: string }) => `Invalid upstream URL "${p.url}": ${p.why}.` },
  upstreamBranchInvalid: { code: 'InvalidUpstream', message: invalidBranch },

  // LFS objects
  lfsOidInvalid: {
    code: 'BadRequest',
    message: (p: { oid: string }) => `Invalid LFS object id "${p.oid.slice(0, 80)}": a sha256 is 64 lowercase hex digits.`,
  },
  lfsSizeInvalid: { code: 'BadRequest', message: (p: { size: string }) => `Invalid LFS object size "${p.size.slice(0, 40)}": a whole number of bytes.` },
  lfsSpaceUidInvalid: { code: 'BadRequest', message: () => 'Invalid Space uid.' },
  lfsUploadTooLarge: { code: 'BadRequest', message: (p: { size: number }) => `The upload is larger than the announced ${p.size} bytes.` },
  lfsUploadSizeMismatch: { code: 'BadRequest', message: (p: { got: number; size: number }) => `The upload has ${p.got} bytes, not the announced ${p.size}.` },
  lfsUploadHashMismatch: { code: 'BadRequest', message: (p: { got: string; oid: string }) => `The upload's sha256 is ${p.got}, not ${p.oid}.` },
});
