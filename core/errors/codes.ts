/**
 * The one registry of error codes: each code has its HTTP status and a default message.
 * Codes used by the Hub (`RepoNotFound`, `RevisionNotFound`, …) keep the Hub's spelling, since
 * huggingface_hub maps them to its own exception classes.
 */
export const ERRORS = {
  BadRequest: { status: 400, message: 'The request is not valid.' },
  InvalidName: { status: 400, message: 'The name is not valid.' },
  InvalidConfig: { status: 400, message: 'The Space configuration is not valid.' },
  InvalidUpstream: { status: 400, message: 'The upstream repository URL or branch is not valid.' },
  NotSupportedForStatic: { status: 400, message: 'Static Spaces cannot do this.' },
  StorageDowngrade: {
    status: 400,
    message: 'Persistent storage can be upgraded, not downgraded: delete the storage first (DELETE /api/spaces/{id}/storage), then request the smaller tier.',
  },
  NoStorage: { status: 400, message: 'This Space has no persistent storage: request some with POST /api/spaces/{id}/storage {"tier": "small"}.' },
  Unauthorized: { status: 401, message: 'A valid token is required: send "Authorization: Bearer <token>".' },
  InvalidToken: { status: 401, message: 'The token is not valid.' },
  Forbidden: { status: 403, message: 'You do not have permission to do this.' },
  ReadOnlyToken: { status: 403, message: 'This token is read-only: use a token with the "write" role.' },
  CsrfFailed: { status: 403, message: 'A request made with a session cookie must carry its CSRF token (X-CSRF-Token header or "_csrf" form field): reload the page and try again.' },
  SignInFailed: { status: 401, message: 'Wrong user name or password.' },
  TooManySignIns: { status: 429, message: 'Too many failed sign-ins from this address: wait a few minutes and try again.' },
  BadSignature: { status: 403, message: 'The webhook signature does not match.' },
  RepoNotFound: { status: 404, message: 'Repository not found.' },
  RevisionNotFound: { status: 404, message: 'Revision not found.' },
  EntryNotFound: { status: 404, message: 'Entry not found.' },
  UserNotFound: { status: 404, message: 'User not found.' },
  OrgNotFound: { status: 404, message: 'Organization not found.' },
  TokenNotFound: { status: 404, message: 'Token not found.' },
  NotFound: { status: 404, message: 'Not found.' },
  RepoExists: { status: 409, message: 'You already created this space repo.' },
  UserExists: { status: 409, message: 'This user already exists.' },
  RefExists: { status: 409, message: 'This branch or tag already exists.' },
  PreconditionFailed: { status: 412, message: 'A commit has happened since: fetch the branch and try again.' },
  RangeNotSatisfiable: { status: 416, message: 'The requested range is not satisfiable.' },
  NameTaken: { status: 409, message: 'This name is already used by a user or an organization.' },
  PayloadTooLarge: { status: 413, message: 'The request body is too large.' },
  UnsupportedMediaType: { status: 415, message: 'The request body has a content type, charset or encoding this route does not read: send JSON with "Content-Type: application/json".' },
  HeadersTooLarge: { status: 431, message: 'The request headers are too large.' },
  NotImplemented: { status: 501, message: 'The Hub has this route; Spaceport does not offer it.' },
  UpstreamFetchFailed: { status: 502, message: 'Fetching the upstream repository failed.' },
  DockerUnavailable: { status: 503, message: 'The Docker engine is not reachable.' },
  PortInUse: { status: 500, message: 'The port is already in use.' },
  KubernetesUnavailable: { status: 503, message: 'The Kubernetes API server is not reachable or refused the request.' },
  RuntimeFailed: { status: 500, message: 'The runtime failed.' },
  BuildFailed: { status: 500, message: 'The image build failed.' },
  ImageInUse: { status: 409, message: 'The image is used by a container.' },
  BaseImageFailed: { status: 500, message: 'Building a base image from Debian packages failed.' },
  GitFailed: { status: 500, message: 'A git operation failed.' },
  Internal: { status: 500, message: 'Internal error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;
