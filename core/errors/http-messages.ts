import { defineMessages } from './define-messages.js';

/**
 * controller/api/, controller/web/ and controller/auth/: the Hub API's own refusals, Git LFS over
 * HTTP, the web pages and sign-in, accounts, organizations and permissions.
 * A body that is not JSON or fails its schema raises `internalBodyNotJson` / `internalBodyInvalid`
 * (platform-messages.ts), shared with the internal API.
 */
export const HTTP_MESSAGES = defineMessages({
  // requests (controller/api/http-errors.ts, create-api.ts)
  noRoute: { code: 'NotFound', message: (p: { method: string; path: string }) => `No route for ${p.method} ${p.path}.` },

  // Hub routes Spaceport does not serve (controller/api/unserved-routes.ts): what instead
  devModeNotOffered: {
    code: 'NotImplemented',
    message: () => 'Dev mode (editing files inside the running container) is not offered here: commit with git push, upload_file or upload_folder; each commit to main rebuilds and restarts the Space.',
  },
  onlySpacesServed: {
    code: 'BadRequest',
    message: (p: { kind: string }) => `Spaceport serves Spaces only, not ${p.kind}: use repo_type="space", or the Hugging Face Hub for ${p.kind}.`,
  },
  discussionsNotOffered: { code: 'NotImplemented', message: () => 'Discussions and pull requests are not offered here: commit to a branch (create_branch, then upload_file(revision=...)) instead.' },
  lfsFilesListNotOffered: { code: 'NotImplemented', message: () => 'Listing and purging LFS files is not offered here: list_repo_tree(expand=True) shows each file\'s LFS object; deleting the Space frees them.' },
  volumesNotOffered: { code: 'NotImplemented', message: () => 'Volumes are not offered here: use persistent storage (request_space_storage, mounted at /data).' },
  collectionsNotOffered: { code: 'NotImplemented', message: () => 'Collections are not offered here: list Spaces with list_spaces(author=..., search=...).' },
  inferenceNotOffered: { code: 'NotImplemented', message: () => 'Inference endpoints and providers are not offered here: call a Space\'s app (gradio_client) instead.' },
  bodyEncodingUnsupported: {
    code: 'UnsupportedMediaType',
    message: (p: { message: string }) => `${p.message}: send a JSON body in UTF-8, without Content-Encoding or with gzip, deflate or br.`,
  },
  bodyUnreadable: { code: 'BadRequest', message: (p: { message: string }) => `The request body could not be read: ${p.message}.` },
  bodyNotJsonType: {
    code: 'UnsupportedMediaType',
    message: (p: { contentType: string }) =>
      `This route reads a JSON body: send it with "Content-Type: application/json" (got "${p.contentType.slice(0, 100)}").`,
  },
  pathNotDecodable: {
    code: 'BadRequest',
    message: (p: { message: string }) => `The path is not valid: ${p.message} (a "%" must start a valid percent-encoded UTF-8 sequence).`,
  },

  // repositories: create, duplicate, settings (repos-routes.ts, repo-settings-routes.ts)
  repoIdNotOwnerName: { code: 'InvalidName', message: (p: { text: string }) => `"${p.text.slice(0, 200)}" must be "owner/name".` },
  templatesNotOffered: {
    code: 'BadRequest',
    message: (p: { template: string }) => `Templates are not offered here ("${p.template.slice(0, 100)}"): create the Space without one and push its files.`,
  },
  privateVisibilityDisagree: { code: 'BadRequest', message: () => '"private" and "visibility" disagree: send one of them.' },
  spacesCannotBeGated: {
    code: 'BadRequest',
    message: () => 'Spaces cannot be gated (gated access is for models and datasets): make the Space private or protected instead.',
  },
  duplicateVolumesNotOffered: {
    code: 'BadRequest',
    message: () => '"volumes" (mounted repos and buckets) are not offered here: duplicate without them; persistent storage is "storageTier".',
  },

  // files, trees, ranges (repo-files-routes.ts)
  queryIntInvalid: { code: 'BadRequest', message: (p: { name: string; max: number }) => `"${p.name}" must be a whole number up to ${p.max}.` },
  rangeOutsideFile: {
    code: 'RangeNotSatisfiable',
    message: (p: { range: string; size: number }) => `Range ${p.range.slice(0, 60)} is outside the ${p.size} bytes of the file.`,
  },
  treeCursorInvalid: { code: 'BadRequest', message: () => '"cursor" is not one this server gave.' },
  pathsInfoListInvalid: { code: 'BadRequest', message: () => '"paths" must be a list of up to 1000 file paths.' },

  // commits (commit-routes.ts)
  readmeMetadataInvalid: { code: 'BadRequest', message: () => 'Invalid metadata in README.md.' },
  xetNotOffered: {
    code: 'BadRequest',
    message: () =>
      'This server has no Xet storage. Files up to 256 MiB are sent inline; for larger ones set HF_HUB_DISABLE_XET=1 so huggingface_hub uses Git LFS, or push them with git lfs.',
  },
  pullRequestsNotOffered: { code: 'BadRequest', message: () => 'Pull requests are not supported here: commit to a branch (create_pr=False).' },
  commitContentTypeInvalid: { code: 'BadRequest', message: () => 'Send the commit as application/x-ndjson: one JSON object per line, the header first.' },

  // Git LFS over HTTP (lfs-routes.ts)
  lfsRequestTooLarge: { code: 'PayloadTooLarge', message: (p: { limit: number }) => `The LFS request is larger than ${p.limit} bytes.` },
  lfsRequestNotJson: { code: 'BadRequest', message: () => 'The LFS request body is not valid JSON.' },
  lfsReadNeedsToken: { code: 'Unauthorized', message: () => 'Reading this repository needs a token: use it as the password (any username).' },
  lfsHashAlgoUnsupported: { code: 'BadRequest', message: (p: { algo: string }) => `Unsupported hash algorithm "${p.algo.slice(0, 20)}": use sha256.` },
  lfsTransferUnsupported: { code: 'BadRequest', message: () => 'Only the "basic" transfer is supported.' },
  lfsObjectIdInvalid: { code: 'BadRequest', message: () => 'Invalid object id: a sha256 is 64 lowercase hex digits.' },
  lfsBatchObjectMissing: { code: 'NotFound', message: () => 'Object does not exist.' },
  lfsTransferUrlInvalid: {
    code: 'Forbidden',
    message: () => 'This transfer URL is not valid (expired, or for another object): ask the batch API again.',
  },
  lfsSizeMissing: { code: 'BadRequest', message: () => '"size" is missing from the query.' },
  lfsContentLengthMismatch: {
    code: 'BadRequest',
    message: (p: { declared: string; size: number }) => `Content-Length ${p.declared} is not the object's size ${p.size}.`,
  },
  lfsVerifyOtherObject: { code: 'BadRequest', message: () => 'The verify request names another object than its URL.' },
  lfsObjectNotUploaded: { code: 'NotFound', message: (p: { oid: string; size: number }) => `Object ${p.oid} (${p.size} bytes) was not uploaded.` },
  lfsObjectNotInSpace: { code: 'NotFound', message: (p: { oid: string; space: string }) => `Object ${p.oid} does not exist in ${p.space}.` },

  // web pages (controller/web/)
  pagePathInvalid: { code: 'BadRequest', message: () => 'The path is not valid.' },
  pageNotFound: { code: 'NotFound', message: () => 'There is no page at this address.' },
  pageFailed: { code: 'Internal', message: () => 'Something went wrong on our side.' },
  namespaceNotFound: { code: 'NotFound', message: (p: { owner: string }) => `There is no user or organization "${p.owner}".` },
  spaceFilesPrivate: { code: 'RepoNotFound', message: (p: { space: string }) => `The files of ${p.space} are private.` },
  pageFileNoCommit: { code: 'EntryNotFound', message: (p: { path: string; space: string }) => `${p.path} does not exist in ${p.space} (no commit yet).` },
  pageApiNotGradio: { code: 'NotFound', message: (p: { space: string }) => `${p.space} is not a Gradio Space: it has no API description to show.` },
  pageFileNotAtMain: { code: 'EntryNotFound', message: (p: { path: string; space: string }) => `${p.path} does not exist in ${p.space} at main.` },
  pageCommitIdInvalid: { code: 'BadRequest', message: (p: { commit: string }) => `"${p.commit.slice(0, 80)}" is not a commit id: use 7 to 40 hexadecimal digits.` },

  // sign-in (controller/web/sign-in-routes.ts, oidc-sign-in.ts)
  signInFormExpired: { code: 'CsrfFailed', message: () => 'This form has expired: please try again.' },
  oidcNotConfigured: { code: 'NotFound', message: () => 'OpenID Connect sign-in is not configured (SPACEPORT_OIDC_ISSUER).' },
  oidcProviderUnreachable: { code: 'UpstreamFetchFailed', message: () => 'The sign-in provider cannot be reached right now.' },
  oidcSignInFailed: { code: 'SignInFailed', message: (p: { provider: string; reason: string }) => `Sign-in with ${p.provider} failed: ${p.reason}` },
  oidcStateUnknown: { code: 'SignInFailed', message: () => 'This sign-in is unknown or has expired: start again.' },
  oidcNoSubject: { code: 'SignInFailed', message: () => 'The provider sent no subject.' },

  // tokens and accounts (controller/auth/)
  tokenUnknown: { code: 'InvalidToken', message: () => 'Invalid credentials in Authorization header.' },
  tokenIdNotFound: { code: 'TokenNotFound', message: () => 'You have no token with this id.' },
  createUserNeedsAdmin: { code: 'Forbidden', message: () => 'Only an admin with a write token can create users.' },
  setPasswordForbidden: { code: 'Forbidden', message: () => 'Only an admin (or the user themself) can set a password.' },
  userNotFound: { code: 'UserNotFound', message: (p: { user: string }) => `User "${p.user}" does not exist.` },
  currentPasswordWrong: { code: 'Forbidden', message: () => 'The current password is not right.' },

  // permissions (controller/auth/principal.ts)
  writeRoleIsRead: {
    code: 'Forbidden',
    message: (p: { owner: string }) => `Your role in "${p.owner}" is "read": ask an admin of "${p.owner}" for the "write" role to change its Spaces.`,
  },
  writeNotAllowed: { code: 'Forbidden', message: (p: { owner: string }) => `You cannot change Spaces of "${p.owner}".` },
  createRoleIsRead: {
    code: 'Forbidden',
    message: (p: { namespace: string }) => `Your role in "${p.namespace}" is "read": creating Spaces there needs the "write" role.`,
  },
  createNotAllowed: {
    code: 'Forbidden',
    message: (p: { namespace: string }) =>
      `You cannot create Spaces in "${p.namespace}": only in your own namespace or an organization where you have the "write" role.`,
  },
  orgAdminOnly: { code: 'Forbidden', message: (p: { org: string }) => `Only an admin of "${p.org}" can manage its members.` },

  // organizations (controller/auth/organizations.ts)
  orgNotFound: { code: 'OrgNotFound', message: (p: { name: string }) => `Organization "${p.name.slice(0, 100)}" does not exist.` },
  orgMembersOnly: { code: 'Forbidden', message: (p: { org: string }) => `Only members of "${p.org}" see its members.` },
  orgMemberNotFound: { code: 'UserNotFound', message: (p: { user: string; org: string }) => `"${p.user.slice(0, 100)}" is not a member of "${p.org}".` },
  orgLastAdmin: { code: 'BadRequest', message: (p: { user: string; org: string }) => `"${p.user}" is the last admin of "${p.org}": make another member admin first.` },
});
