import { defineMessages } from './define-messages.js';

/**
 * controller/ outside its API, web UI and auth: Spaces (commits, files, settings, storage, upstreams),
 * the store, the runtimes (Docker, Kubernetes, the fake), builds, and the hub server with its wiring.
 */
export const SPACE_MESSAGES = defineMessages({
  // Spaces: who may see them, hardware, app grants (controller/spaces/space-service.ts)
  spaceNotFound: { code: 'RepoNotFound', message: (p: { space: string }) => `Repository not found: ${p.space}.` },
  hardwareNotOffered: {
    code: 'BadRequest',
    message: (p: { hardware: string; offered: readonly string[] }) => `Hardware "${p.hardware}" is not offered here. Available: ${p.offered.join(', ')}.`,
  },
  hardwareRefused: {
    code: 'BadRequest',
    message: (p: { refusal: string; offered: readonly string[] }) => `${p.refusal} Available: ${p.offered.join(', ')}.`,
  },
  grantKeyMissing: { code: 'Internal', message: () => 'No key to sign app grants with.' },
  // a status writer that lost the race to the row's version every time (controller/store/write-status.ts)
  statusWriteConflict: {
    code: 'Internal',
    message: (p: { space: string; tries: number }) => `The status of Space ${p.space} changed under each of ${p.tries} writes: nothing was written; try again.`,
  },

  // changes to a Space: pause, sleep time, storage, secrets and variables (space-changes.ts)
  staticCannotPause: { code: 'NotSupportedForStatic', message: () => 'Static Spaces cannot be paused.' },
  sleepSecondsInvalid: { code: 'BadRequest', message: () => '"seconds" must be a positive whole number of seconds, or -1 to never sleep.' },
  staticNoStorage: { code: 'NotSupportedForStatic', message: () => 'Static Spaces cannot have persistent storage.' },
  storageDowngrade: {
    code: 'StorageDowngrade',
    message: (p: { space: string; current: string; tier: string }) =>
      `${p.space} has "${p.current}" storage, and storage cannot be downgraded to "${p.tier}": delete the storage first (DELETE /api/spaces/${p.space}/storage; its data is lost), then request "${p.tier}".`,
  },
  noStorageToDelete: { code: 'NoStorage', message: (p: { space: string }) => `${p.space} has no persistent storage: nothing to delete.` },
  settingNameReserved: {
    code: 'BadRequest',
    message: (p: { key: string; kind: string; reason: string }) => `"${p.key}" cannot be a ${p.kind}: ${p.reason} Choose another name.`,
  },

  // upstreams (upstream-follow.ts)
  upstreamRejected: {
    code: 'InvalidUpstream',
    message: (p: { reason: string }) => `${p.reason} The Space keeps its previous upstream setting.`,
  },
  upstreamNotFollowed: { code: 'BadRequest', message: () => 'This Space does not follow an upstream repository.' },

  // the Hub's commit payload (commit-payload.ts)
  commitPayloadInvalid: { code: 'BadRequest', message: (p: { line: number; why: string }) => `Invalid commit payload, line ${p.line}: ${p.why}.` },
  commitPayloadEmpty: { code: 'BadRequest', message: () => 'Invalid commit payload: it is empty; the first line must be the header.' },
  commitPayloadTooLarge: { code: 'PayloadTooLarge', message: (p: { maxBytes: number }) => `The commit payload is larger than ${p.maxBytes} bytes.` },
  commitInlineTooLarge: {
    code: 'PayloadTooLarge',
    message: (p: { maxBytes: number }) =>
      `The inline (base64) content of this commit is over ${p.maxBytes} bytes: commit fewer files at once, or send large files through Git LFS (preupload answers "lfs").`,
  },
  commitInlineFileTooLarge: {
    code: 'PayloadTooLarge',
    message: (p: { path: string; maxBytes: number }) =>
      `"${p.path.slice(0, 200)}" is over ${p.maxBytes} bytes: send it through Git LFS (preupload answers "lfs"; huggingface_hub with hf_xet needs HF_HUB_DISABLE_XET=1).`,
  },
  commitBusy: {
    code: 'ServerBusy',
    message: (p: { retryAfter: number }) => `Too many commits are being received: try again in ${p.retryAfter} seconds.`,
  },
  commitPayloadLineTooLarge: {
    code: 'PayloadTooLarge',
    message: (p: { line: number; maxLine: number }) =>
      `Line ${p.line} of the commit payload is larger than ${p.maxLine} bytes: send large files through Git LFS.`,
  },
  commitPayloadLineTooLong: {
    code: 'PayloadTooLarge',
    message: (p: { line: number; maxLine: number }) =>
      `Line ${p.line} of the commit payload is larger than ${p.maxLine} bytes: send files over ${Math.floor((p.maxLine * 3) / 4 / 1024 / 1024)} MiB through Git LFS (preupload answers "lfs"; huggingface_hub with hf_xet needs HF_HUB_DISABLE_XET=1).`,
  },

  // commits and files of a Space's repository (repo-commits.ts, repo-files.ts)
  commitLfsObjectMissing: {
    code: 'BadRequest',
    message: (p: { oid: string; path: string; space: string }) =>
      `The LFS object ${p.oid} of "${p.path}" was not uploaded to ${p.space}: upload it first (preupload, then the LFS batch API).`,
  },
  pathNotOnCommit: { code: 'EntryNotFound', message: (p: { path: string; commit: string }) => `${p.path} does not exist on "${p.commit.slice(0, 12)}"` },
  lfsObjectNotOnServer: {
    code: 'EntryNotFound',
    message: (p: { path: string; oid: string }) => `The LFS object of ${p.path} (${p.oid}) is not on this server: push it with git lfs.`,
  },

  // the store (controller/store/)
  subdomainsExhausted: { code: 'RepoExists', message: (p: { space: string }) => `No free subdomain for ${p.space}.` },
  spaceExists: { code: 'RepoExists', message: (p: { space: string }) => `You already created this space repo: ${p.space}.` },
  spaceNameTaken: { code: 'RepoExists', message: (p: { space: string }) => `A Space named ${p.space} already exists.` },
  buildNotFound: { code: 'NotFound', message: (p: { build: string }) => `No build ${p.build}.` },
  buildTransitionInvalid: { code: 'Internal', message: (p: { from: string; to: string }) => `A build cannot go from ${p.from} to ${p.to}.` },
  accountNameIsOrg: { code: 'NameTaken', message: (p: { name: string }) => `"${p.name}" is already the name of an organization.` },
  accountNameIsUser: { code: 'NameTaken', message: (p: { name: string }) => `"${p.name}" is already the name of a user.` },
  accountUserExists: { code: 'UserExists', message: (p: { name: string }) => `User "${p.name}" already exists.` },
  accountNameReserved: {
    code: 'InvalidName',
    message: (p: { name: string }) => `"${p.name}" is reserved for the hub's own pages and routes: choose another name.`,
  },
  accountNameCaseTaken: {
    code: 'NameTaken',
    message: (p: { name: string; existing: string }) =>
      `"${p.name}" differs only by case from "${p.existing}", an existing user or organization (names are unique ignoring case).`,
  },
  accountNameHoldsSpaces: {
    code: 'NameTaken',
    message: (p: { name: string }) =>
      `Spaces already exist under "${p.name}" without a user or organization of that name: an operator must move or delete them before the name can be taken.`,
  },
  namespaceMissing: {
    code: 'NamespaceNotFound',
    message: (p: { namespace: string }) => `There is no user or organization "${p.namespace}": create it first, then create Spaces in it.`,
  },
  accountOrgExists: { code: 'NameTaken', message: (p: { name: string }) => `Organization "${p.name}" already exists.` },
  memberOrgNotFound: { code: 'OrgNotFound', message: (p: { org: string }) => `Organization "${p.org}" does not exist.` },

  // builds (controller/builds/): why a running build was stopped, its abort reason and its failure message
  buildSuperseded: { code: 'BuildFailed', message: (p: { commit: string }) => `Superseded by commit ${p.commit.slice(0, 12)}.` },
  buildStoppedByShutdown: { code: 'BuildFailed', message: () => 'Stopped by a Spaceport shutdown; the next start builds it again.' },
  buildTimedOut: {
    code: 'BuildFailed',
    message: (p: { seconds: number }) =>
      `The build took longer than ${p.seconds} s and was stopped (SPACEPORT_BUILD_TIMEOUT_SECONDS). Push again or restart the Space to build again.`,
  },

  // runtimes (controller/runtime/)
  instanceNotFound: { code: 'NotFound', message: (p: { space: string; release: string }) => `${p.space} has no instance for release ${p.release}.` },
  fakeOperationFailed: { code: 'RuntimeFailed', message: (p: { op: string }) => `fake: ${p.op} failed` },
  dockerHostUnsupported: {
    code: 'BadRequest',
    message: (p: { dockerHost: string }) => `DOCKER_HOST "${p.dockerHost}" is not supported: use unix:///var/run/docker.sock or tcp://host:port.`,
  },
  kubernetesNotFound: {
    code: 'NotFound',
    message: (p: { action: string; message: string }) => `Kubernetes: not found while trying to ${p.action}: ${p.message}`,
  },
  kubernetesForbidden: {
    code: 'KubernetesUnavailable',
    message: (p: { action: string; status: number; message: string }) =>
      `Kubernetes refused to ${p.action} (${p.status}): ${p.message}. Fix: give Spaceport's service account the Role of the Helm chart in the Spaces namespace.`,
  },
  kubernetesUnreachable: {
    code: 'KubernetesUnavailable',
    message: (p: { action: string; errno: string }) =>
      `The Kubernetes API server is not reachable while trying to ${p.action} (${p.errno}). Fix: check SPACEPORT_KUBECONFIG or the in-cluster service account.`,
  },
  kubernetesFailed: { code: 'RuntimeFailed', message: (p: { action: string; message: string }) => `Kubernetes: could not ${p.action}: ${p.message}` },

  // wiring (controller/*-adapters.ts)
  dockerEngineNotReachable: {
    code: 'DockerUnavailable',
    message: (p: { dockerHost: string | undefined }) =>
      `No Docker engine is reachable at ${p.dockerHost ?? 'unix:///var/run/docker.sock'}. ` +
      'Fix: start one (Debian, as root: `apt-get install -y docker.io && dockerd &`; `make up` does this for you), or set DOCKER_HOST.',
  },
  kubernetesRegistryRequired: { code: 'BadRequest', message: () => 'SPACEPORT_REGISTRY is required with SPACEPORT_RUNTIME=kubernetes.' },

  // the hub server (controller/hub-server.ts; a missing or doubled Host header is proxyHostHeaderNotSingle)
  websocketNotServed: { code: 'NotFound', message: () => 'No websocket is served here.' },
  requestUnparsable: { code: 'BadRequest', message: (p: { errno: string | undefined }) => `The request could not be parsed (${p.errno ?? 'bad request'}).` },
  portInUse: {
    code: 'PortInUse',
    message: (p: { host: string; port: number }) =>
      `Port ${p.port} on ${p.host} is already in use. Fix: stop what listens there, or choose another port with SPACEPORT_PORT (--port).`,
  },
  listenFailed: {
    code: 'PortInUse',
    message: (p: { host: string; port: number; errno: string }) =>
      `Cannot listen on ${p.host}:${p.port} (${p.errno}). Fix: choose another address or port with SPACEPORT_HOST (--host) and SPACEPORT_PORT (--port).`,
  },
});
