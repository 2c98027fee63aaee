import { randomBytes } from 'node:crypto';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, toSpaceId, type ReleaseId, type SpaceId } from '../../core/index.js';
import { DockerRuntime, type InstanceSpec } from '../../controller/runtime/index.js';
import { waitFor } from '../support/http.js';
import { TEST_IMAGE_PORT, ensureTestImage } from '../support/test-image.js';

/**
 * `list()` answers from the engine's event stream: a Space that runs steadily costs the engine no
 * call at all (issue 10: every Space cost a list, an inspect and a probe every 5 s), a change made
 * outside Spaceport is seen from its event, and a resync is one list.
 */
const prefix = `spev-${randomBytes(3).toString('hex')}`;
const docker = new Dockerode();

/** Counts the engine calls a runtime makes through this client. */
function countingDocker(): { docker: Dockerode; calls: { list: number; inspect: number } } {
  const d = new Dockerode();
  const calls = { list: 0, inspect: 0 };
  const list = d.listContainers.bind(d);
  d.listContainers = ((opts: unknown) => {
    calls.list += 1;
    return list(opts as never);
  }) as never;
  const get = d.getContainer.bind(d);
  d.getContainer = ((id: string) => {
    const c = get(id);
    const inspect = c.inspect.bind(c);
    c.inspect = ((opts: unknown) => {
      calls.inspect += 1;
      return inspect(opts as never);
    }) as never;
    return c;
  }) as never;
  return { docker: d, calls };
}

describe('DockerRuntime list() from the event stream', () => {
  const space: SpaceId = toSpaceId('events', `s-${prefix}`);
  const counting = countingDocker();
  let runtime: DockerRuntime;
  let image: string;
  const changes: SpaceId[] = [];
  const spec = (release: string): InstanceSpec => ({
    space,
    release: release as ReleaseId,
    image,
    port: TEST_IMAGE_PORT,
    env: { PORT: String(TEST_IMAGE_PORT) },
    flavor: { name: 'cpu-basic', cpus: 1, memoryBytes: 256 * 1024 ** 2 },
  });

  beforeAll(async () => {
    image = await ensureTestImage(docker);
    runtime = new DockerRuntime({ docker: counting.docker, logger: silentLogger(), namePrefix: prefix });
    runtime.watch((s) => changes.push(s));
  });

  afterAll(async () => {
    await runtime?.close();
    for (const c of await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${prefix}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
  });

  it('a ready instance is listed with no engine call', async () => {
    await runtime.apply(spec('r1'));
    await waitFor('ready', async () => ((await runtime.list(space))[0]?.state.kind === 'ready' ? true : undefined), 30_000, 100);
    const before = { ...counting.calls };
    for (let i = 0; i < 50; i++) expect((await runtime.list(space))[0]?.state.kind).toBe('ready');
    expect(counting.calls).toEqual(before);
  });

  it('a stop from outside Spaceport is seen from its event (interrupted, not a crash), without a list', async () => {
    const [inst] = await runtime.list(space);
    const [info] = await docker.listContainers({ filters: { label: [`spaceport.instance=${prefix}`] } });
    changes.length = 0;
    const lists = counting.calls.list;
    await docker.getContainer(info!.Id).stop({ t: 5 });
    await waitFor('the event', async () => (changes.includes(space) ? true : undefined), 20_000, 50);
    const [after] = await waitFor('exited', async () => {
      const l = await runtime.list(space);
      return l[0]?.state.kind === 'exited' ? l : undefined;
    }, 20_000, 50);
    expect(after!.state).toMatchObject({ kind: 'exited', exitCode: 143, interrupted: true });
    expect(counting.calls.list).toBe(lists);
    expect(inst?.state.kind).toBe('ready');
  });

  it('a resync is one list and no inspect when nothing changed', async () => {
    // Let the events of the stop above (kill, die, stop) be read first: each inspects once.
    let settled = JSON.stringify(counting.calls);
    for (;;) {
      await new Promise((r) => setTimeout(r, 1_000));
      const now = JSON.stringify(counting.calls);
      if (now === settled) break;
      settled = now;
    }
    const before = { ...counting.calls };
    await runtime.resync();
    expect(counting.calls.list).toBe(before.list + 1);
    expect(counting.calls.inspect).toBe(before.inspect);
  });
});
