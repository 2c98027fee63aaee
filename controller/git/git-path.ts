import { toSpaceId, type SpaceId } from '../../core/index.js';

/** What a smart-HTTP request asks for, after `/spaces/{owner}/{name}(.git)?/`. */
export type GitService = 'info/refs' | 'git-upload-pack' | 'git-receive-pack' | 'HEAD';

export interface GitPath {
  space: SpaceId;
  owner: string;
  name: string;
  service: GitService;
  /** The `service=` query of `info/refs` (smart HTTP), when present. */
  queryService?: 'git-upload-pack' | 'git-receive-pack';
  /** The raw query string, without `?`. */
  query: string;
  /** Whether the request writes (push) or reads (clone, fetch). */
  access: 'read' | 'write';
}

const SERVICES: Record<string, GitService> = {
  'info/refs': 'info/refs',
  'git-upload-pack': 'git-upload-pack',
  'git-receive-pack': 'git-receive-pack',
  HEAD: 'HEAD',
};

function split(url: string): { segments: string[]; query: string } {
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  return { segments: pathname.split('/'), query: q < 0 ? '' : url.slice(q + 1) };
}

function serviceOf(segments: string[]): GitService | undefined {
  // ['', 'spaces', owner, name, ...rest]
  if (segments[0] !== '' || segments[1] !== 'spaces') return undefined;
  return SERVICES[segments.slice(4).join('/')];
}

function queryService(query: string): GitPath['queryService'] {
  const s = new URLSearchParams(query).get('service');
  return s === 'git-upload-pack' || s === 'git-receive-pack' ? s : undefined;
}

/**
 * Whether a request is git smart-HTTP traffic (clone, fetch, push) rather than another `/spaces/…`
 * URL: `GET …/info/refs?service=git-upload-pack|git-receive-pack`, `POST …/git-upload-pack|git-receive-pack`
 * or `GET …/HEAD`, with exactly an owner and a name before the suffix. Names are not validated here.
 */
export function isGitRequest(method: string | undefined, url: string | undefined): boolean {
  if (url === undefined) return false;
  const { segments, query } = split(url);
  const service = serviceOf(segments);
  if (service === undefined) return false;
  switch (service) {
    case 'info/refs':
      return method === 'GET' && queryService(query) !== undefined;
    case 'HEAD':
      return method === 'GET';
    default:
      return method === 'POST';
  }
}

/**
 * Parse `/spaces/{owner}/{name}(.git)?/{service}`. Undefined when the URL has another shape;
 * throws `InvalidName` when the owner or name (percent-decoded) breaks the Hub's name rules,
 * which also rules out `..`, `/` and `\` smuggled in encoded.
 */
export function parseGitPath(url: string): GitPath | undefined {
  const { segments, query } = split(url);
  const service = serviceOf(segments);
  if (service === undefined) return undefined;
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s; // malformed escapes: left as is, and the name rules reject the '%'
    }
  };
  const owner = decode(segments[2] ?? '');
  const rawName = decode(segments[3] ?? '');
  const name = rawName.endsWith('.git') ? rawName.slice(0, -'.git'.length) : rawName;
  const space = toSpaceId(owner, name);
  const qs = queryService(query);
  const access = service === 'git-receive-pack' || qs === 'git-receive-pack' ? 'write' : 'read';
  return { space, owner, name, service, query, access, ...(qs ? { queryService: qs } : {}) };
}
