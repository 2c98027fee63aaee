/**
 * Registry images a Space's own Dockerfile names (`FROM python:3.11`). An install without access
 * to Docker Hub or another registry cannot pull them: BuildKit then fails with a raw `failed to
 * solve … no such host`. These pure functions find such images, say what to use instead, and name
 * where an image is found on a registry mirror (`SPACEPORT_REGISTRY_MIRRORS`). Pure.
 */

/** A reference split the way the Docker engine reads it (`python:3.11` is `docker.io/library/python:3.11`). */
export interface ImageRef {
  /** `docker.io` or the host (and port) written before the first `/`. */
  registry: string;
  /** The repository on that registry (`library/python`). */
  repository: string;
  /** `:3.11` or `@sha256:…` (`:latest` when none is written). */
  suffix: string;
  /** As written in the Dockerfile. */
  given: string;
}

export function parseImageRef(given: string): ImageRef {
  const at = given.indexOf('@');
  const namePart = at >= 0 ? given.slice(0, at) : given;
  const digest = at >= 0 ? given.slice(at) : '';
  const colon = namePart.lastIndexOf(':');
  const hasTag = colon > namePart.lastIndexOf('/');
  const name = hasTag ? namePart.slice(0, colon) : namePart;
  const suffix = digest || (hasTag ? namePart.slice(colon) : ':latest');
  const first = name.split('/')[0]!;
  const explicitHost = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = explicitHost ? (first === 'index.docker.io' ? 'docker.io' : first) : 'docker.io';
  let repository = explicitHost ? name.slice(first.length + 1) : name;
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, suffix, given };
}

/**
 * The registry images a Dockerfile builds FROM or copies from, as written: not its own stages,
 * not `scratch`, not references built from ARGs, and not images this install has (`local`).
 */
export function registryImagesOf(dockerfile: string, local: (image: string) => boolean): string[] {
  const stages = new Set<string>();
  const out: string[] = [];
  for (const line of dockerfile.split('\n')) {
    const from = /^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    const copy = /^\s*COPY\s+(?:--\S+\s+)*?--from=(\S+)/i.exec(line);
    const image = from?.[1] ?? copy?.[1];
    if (from?.[2]) stages.add(from[2].toLowerCase());
    if (!image || stages.has(image.toLowerCase()) || /^\d+$/.test(image) || image === 'scratch' || image.includes('$')) continue;
    if (!local(image) && !out.includes(image)) out.push(image);
  }
  return out;
}

/** The reference to pull from a mirror of `ref.registry` (`mirror.example:5000/library/python:3.11`). */
export function mirroredRef(mirror: string, ref: ImageRef): string {
  return `${mirror.replace(/^https?:\/\//, '').replace(/\/+$/, '')}/${ref.repository}${ref.suffix}`;
}

const PULL_FAILURE = /failed to (resolve source metadata|do request|authorize|fetch)|no such host|dial tcp|i\/o timeout|TLS handshake timeout|pull access denied|server misbehaving|connection refused|network is unreachable/i;

/**
 * When a build failed because it could not pull one of `images` from its registry: a message that
 * says so first, names the images this install has, and how an operator adds a mirror. Else undefined.
 */
export function registryPullProblem(error: string, images: readonly string[], local: readonly string[], mirrors: readonly string[]): string | undefined {
  if (!PULL_FAILURE.test(error)) return undefined;
  // BuildKit names the image as written, as `docker.io/library/python:3.11`, or by its manifest URL (`…/v2/library/python/manifests/3.11`).
  const ref = images.map(parseImageRef).find((r) => [r.given, `${r.registry}/${r.repository}`, `/v2/${r.repository}/`].some((s) => error.includes(s)));
  if (!ref) return undefined;
  const where = ref.registry === 'docker.io' ? 'Docker Hub (docker.io)' : ref.registry;
  const mirrorNote =
    mirrors.length > 0
      ? `The registry mirrors set in SPACEPORT_REGISTRY_MIRRORS (${mirrors.join(', ')}) did not have it either.`
      : 'An operator can set SPACEPORT_REGISTRY_MIRRORS to a registry mirror this install can reach (see README.md, "Registry images").';
  return [
    `This Spaceport cannot pull ${ref.given} from ${where}: the build has no access to that registry.`,
    `Use an image this install has in your Dockerfile: ${local.join(', ')} (for example FROM ${local[0] ?? 'spaceport/python:3.11'}).`,
    mirrorNote,
  ].join('\n');
}
