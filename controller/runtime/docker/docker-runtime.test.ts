import Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { isSpaceportError, silentLogger, toSpaceId } from '../../../core/index.js';
import { DockerRuntime, connectDocker } from './docker-runtime.js';

/** The connection settings docker-modem keeps (not in its type declarations). */
const modemOf = (d: Dockerode): { socketPath?: string; host?: string; port?: number | string } => d.modem as never;

// Behaviour against a real engine is in test/runtime/docker.test.ts (the contract suite and more).
describe('DockerRuntime without an engine', () => {
  it('connectDocker understands DOCKER_HOST forms', () => {
    expect(modemOf(connectDocker()).socketPath).toBe('/var/run/docker.sock');
    expect(modemOf(connectDocker('unix:///run/user/1000/docker.sock')).socketPath).toBe('/run/user/1000/docker.sock');
    const tcp = modemOf(connectDocker('tcp://10.0.0.5:2376'));
    expect([tcp.host, String(tcp.port)]).toEqual(['10.0.0.5', '2376']);
    expect(() => connectDocker('ssh://me@host')).toThrow(/DOCKER_HOST/);
  });

  it('reports an unreachable engine as DockerUnavailable, for every operation', async () => {
    const rt = new DockerRuntime({ docker: new Dockerode({ socketPath: '/nonexistent/docker.sock' }), logger: silentLogger() });
    const space = toSpaceId('alice', 'demo');
    const unavailable = (e: unknown): boolean => isSpaceportError(e, 'DockerUnavailable');
    try {
      await expect(rt.list()).rejects.toSatisfy(unavailable);
      await expect(rt.stop(space, 'r1' as never)).rejects.toSatisfy(unavailable);
      await expect(rt.remove(space)).rejects.toSatisfy(unavailable);
      await expect(
        rt.apply({ space, release: 'r1' as never, image: 'x', port: 7860, env: {}, flavor: { name: 'cpu-basic', cpus: 1, memoryBytes: 2 ** 28 } }),
      ).rejects.toSatisfy(unavailable);
      const iterate = async (): Promise<void> => {
        for await (const _ of rt.logs(space, 'r1' as never, { follow: false })) void _;
      };
      await expect(iterate()).rejects.toSatisfy(unavailable);
    } finally {
      await rt.close();
    }
  });
});

describe('DockerRuntime on a busy host', () => {
  it('starts again when the host port Docker picked is taken meanwhile, and gives up after a few tries', async () => {
    const taken = Object.assign(new Error('(HTTP code 500) server error - driver failed programming external connectivity on endpoint x: Error starting userland proxy: listen tcp4 127.0.0.1:32903: bind: address already in use'), { statusCode: 500 });
    let failures = 0;
    let starts = 0;
    const docker = {
      listContainers: async () => [],
      info: async () => ({ NCPU: 2 }),
      createContainer: async () => ({ id: 'c1' }),
      getContainer: () => ({
        start: async () => {
          starts++;
          if (failures > 0) {
            failures--;
            throw taken;
          }
        },
      }),
    };
    const rt = new DockerRuntime({ docker: docker as never, logger: silentLogger() });
    const spec = { space: toSpaceId('alice', 'demo'), release: 'r1' as never, image: 'x', port: 7860, env: {}, flavor: { name: 'cpu-basic', cpus: 1, memoryBytes: 2 ** 28 } };
    try {
      failures = 2;
      await rt.apply(spec);
      expect(starts).toBe(3);
      failures = 10;
      starts = 0;
      await expect(rt.apply(spec)).rejects.toThrow(/address already in use/);
      expect(starts).toBe(4);
    } finally {
      await rt.close();
    }
  });
});
