import Dockerode from 'dockerode';
import { dockerStatus, fail } from '../../../core/index.js';

/** A dockerode client for a DOCKER_HOST value (`unix:///path`, `tcp://host:port`), or the default socket. */
export function connectDocker(dockerHost?: string): Dockerode {
  if (dockerHost === undefined || dockerHost === '') return new Dockerode({ socketPath: '/var/run/docker.sock' });
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return new Dockerode({ socketPath: url.pathname });
  if (url.protocol === 'tcp:' || url.protocol === 'http:') {
    return new Dockerode({ host: url.hostname, port: url.port || 2375, protocol: 'http' });
  }
  throw fail('dockerHostUnsupported', { dockerHost });
}

/** Await a Docker call, treating the given HTTP statuses (404: gone, 304: already so, …) as success. */
export async function ignoreStatus(p: Promise<unknown>, statuses: number[]): Promise<void> {
  try {
    await p;
  } catch (err) {
    const status = dockerStatus(err);
    if (status === undefined || !statuses.includes(status)) throw err;
  }
}

export function toBuffer(out: unknown): Buffer {
  if (Buffer.isBuffer(out)) return out;
  if (typeof out === 'string') return Buffer.from(out);
  return Buffer.alloc(0);
}
