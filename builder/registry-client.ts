import { Readable } from 'node:stream';
import { fail } from '../core/index.js';

/** Where images go: `host[:port]` and a repository prefix (`127.0.0.1:5000/spaceport` → host + `spaceport`). */
export interface RegistryTarget {
  host: string;
  prefix: string;
  /** Plain HTTP (loopback registries, or set explicitly). */
  insecure: boolean;
  username?: string;
  password?: string;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** `registry.example.com/spaceport` → target; loopback hosts speak plain HTTP. */
export function parseRegistry(value: string, creds: { username?: string; password?: string; insecure?: boolean } = {}): RegistryTarget {
  const [host, ...rest] = value.replace(/\/+$/, '').split('/');
  if (!host) throw fail('registryNoHost', { value });
  const bare = host.replace(/:\d+$/, '');
  const loopback = bare === 'localhost' || bare.startsWith('127.') || bare === '[::1]';
  return { host, prefix: rest.join('/'), insecure: creds.insecure ?? loopback, username: creds.username, password: creds.password };
}

/** The repository in the registry for a local image name (`spaceport/alice-demo` → `{prefix}/alice-demo`). */
export function registryRepository(target: RegistryTarget, localName: string): string {
  const tail = localName.replace(/^spaceport\//, '');
  return target.prefix ? `${target.prefix}/${tail}` : tail;
}

/** `name:tag` (the tag after the last colon that follows the last slash). */
export function splitReference(ref: string): { name: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref, tag: 'latest' };
}

/**
 * The few Registry API v2 calls a build needs: does a tag exist, and with which digest; a manifest
 * and its blobs (a static build's output is read back from them). Token auth
 * (`WWW-Authenticate: Bearer realm=…`) as Docker Hub, Harbor and GitLab use it, or basic auth.
 */
export class RegistryClient {
  readonly #t: RegistryTarget;
  #token?: string;

  constructor(target: RegistryTarget) {
    this.#t = target;
  }

  get target(): RegistryTarget {
    return this.#t;
  }

  /** The manifest digest of `repository:tag`, or undefined when the registry does not have it. */
  async digestOf(repository: string, tag: string): Promise<string | undefined> {
    const url = `${this.#t.insecure ? 'http' : 'https'}://${this.#t.host}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
    let res = await this.#head(url);
    if (res.status === 401) {
      await this.#authenticate(res.headers.get('www-authenticate') ?? '');
      res = await this.#head(url);
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw fail('registryAnswered', { host: this.#t.host, status: res.status, repository, tag });
    return res.headers.get('docker-content-digest') ?? undefined;
  }

  /** The manifest (or index) of `repository` at `reference` (a tag or a digest): its media type and bytes. */
  async manifest(repository: string, reference: string): Promise<{ mediaType: string; body: Buffer }> {
    const res = await this.#get(`/v2/${repository}/manifests/${encodeURIComponent(reference)}`, MANIFEST_TYPES, 15_000);
    if (!res.ok) {
      await res.body?.cancel();
      throw fail('registryAnswered', { host: this.#t.host, status: res.status, repository, tag: reference });
    }
    const body = Buffer.from(await res.arrayBuffer());
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    return { mediaType, body };
  }

  /** A blob of `repository` as a stream (the caller checks its digest). */
  async blob(repository: string, digest: string, timeoutMs = 600_000): Promise<Readable> {
    const res = await this.#get(`/v2/${repository}/blobs/${digest}`, '*/*', timeoutMs);
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw fail('registryAnswered', { host: this.#t.host, status: res.status, repository, tag: digest });
    }
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  /** GET `path` of the registry, authenticating once on a 401. */
  async #get(pathname: string, accept: string, timeoutMs: number): Promise<Response> {
    const url = `${this.#t.insecure ? 'http' : 'https'}://${this.#t.host}${pathname}`;
    let res = await this.#request(url, 'GET', accept, timeoutMs);
    if (res.status === 401) {
      await res.body?.cancel();
      await this.#authenticate(res.headers.get('www-authenticate') ?? '');
      res = await this.#request(url, 'GET', accept, timeoutMs);
    }
    return res;
  }

  #head(url: string): Promise<Response> {
    return this.#request(url, 'HEAD', MANIFEST_TYPES, 15_000);
  }

  async #request(url: string, method: 'GET' | 'HEAD', accept: string, timeoutMs: number): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    else if (this.#t.username) headers.authorization = `Basic ${Buffer.from(`${this.#t.username}:${this.#t.password ?? ''}`).toString('base64')}`;
    try {
      return await fetch(url, { method, headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw fail('registryUnreachable', { host: this.#t.host, reason: (err as Error).message }, { cause: err });
    }
  }

  async #authenticate(challenge: string): Promise<void> {
    const m = /^Bearer\s+(.*)$/i.exec(challenge);
    if (!m) return;
    const params = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((p) => [p[1]!, p[2]!]));
    if (!params.realm) return;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    if (params.scope) url.searchParams.set('scope', params.scope);
    const headers: Record<string, string> = {};
    if (this.#t.username) headers.authorization = `Basic ${Buffer.from(`${this.#t.username}:${this.#t.password ?? ''}`).toString('base64')}`;
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw fail('registryTokenRefused', { host: this.#t.host, status: res.status });
    const body = (await res.json()) as { token?: string; access_token?: string };
    this.#token = body.token ?? body.access_token;
  }
}
