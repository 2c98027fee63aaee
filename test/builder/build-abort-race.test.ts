import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BuildError, silentLogger, type LogSink, type SpaceId } from '../../core/index.js';
import { DEFAULT_BASE_IMAGES, DockerImageBuilder, ensureBaseImages } from '../../builder/index.js';
import { TestResources } from './docker-helpers.js';

/**
 * Issue 15, "the process dies on one race": a build superseded while the builder opened its BuildKit
 * session ended the whole process (an 'error' event on a stream nobody listened to). Here a build is
 * stopped at every point where the build path waits on the engine or on its log (each engine request
 * as it starts and as it answers, each of the first log lines), and the build's context directory is
 * removed at that same moment, as the build pipeline did when a newer commit arrived. Each time the
 * build must end with the abort's reason, nothing may reach Node's uncaught-error handler, and no
 * socket may stay open.
 */
const REASON = 'Superseded by commit 0123456789ab.';

/**
 * The engine requests of one build, in order: `onPoint` hears each as it starts and as the engine
 * answers, and the request (or the answer) waits for what `onPoint` returns, so a test can make
 * things happen "while the engine takes its time" deterministically.
 */
function instrumented(docker: Docker, onPoint: (name: string) => Promise<void> | void): Docker {
  const modem = docker.modem as unknown as { dial(opts: { path?: string }, cb: (err: unknown, res: unknown) => void): void };
  const dial = modem.dial.bind(modem);
  modem.dial = (opts, cb) => {
    const what = String(opts.path ?? '').replace(/\?.*$/, '').replace(/^\/images\/.*\/json$/, '/images/{name}/json');
    void Promise.resolve(onPoint(`request ${what}`)).then(() =>
      dial(opts, (err, res) => void Promise.resolve(onPoint(`answer ${what}`)).then(() => cb(err, res))),
    );
  };
  return docker;
}

function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'PipeWrap' || r === 'TCPSocketWrap').length;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!ok()) throw new Error(`never: ${what}`);
}

describe('a build stopped at any point of the build path (real engine, BuildKit)', () => {
  const res = new TestResources(new Docker());
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => {
    uncaught.push(err);
  };
  let point: ((name: string) => Promise<void> | void) | undefined;
  const docker = instrumented(new Docker(), (name) => point?.(name));
  const builder = new DockerImageBuilder({ docker, logger: silentLogger() });

  beforeAll(async () => {
    await ensureBaseImages(new Docker(), DEFAULT_BASE_IMAGES, silentLogger());
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
  });
  afterAll(() => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  });
  afterEach(() => res.cleanup());

  /** A context of many files (so the tar stream is still reading when it is stopped). */
  async function context(): Promise<string> {
    const files: Record<string, string> = { Dockerfile: `FROM ${DEFAULT_BASE_IMAGES.python}\nCOPY . /ctx\nRUN echo one && echo two && echo three\n` };
    const dir = await res.repo(files);
    await mkdir(path.join(dir, 'data'));
    for (let i = 0; i < 200; i++) await writeFile(path.join(dir, 'data', `f${i}.txt`), `${i}\n`.repeat(2000));
    return dir;
  }

  it('ends with the abort reason at each point, the process keeps running and no socket is left open', async () => {
    // A first build, untouched, names the points (and warms the layer cache).
    const points: string[] = [];
    point = (name) => void points.push(name);
    const logPoints = (signalAt: (name: string) => unknown): LogSink => {
      let lines = 0;
      return { write: () => void (++lines <= 3 ? signalAt(`log line ${lines}`) : undefined) };
    };
    const first = res.imageName('abort-race');
    res.images.push(first);
    await builder.build({ space: 'race/first' as SpaceId, image: first, contextDir: await context() }, logPoints((n) => points.push(n)), new AbortController().signal);
    point = undefined;
    expect(points).toEqual(expect.arrayContaining(['request /session', 'answer /session', 'request /build', 'answer /build', 'log line 1', 'request /images/{name}/json']));

    const baseline = openSockets();
    const outcomes: string[] = [];
    for (const [k, at] of points.entries()) {
      const dir = await context();
      const image = res.imageName(`abort-race-${k}`);
      res.images.push(image);
      const ac = new AbortController();
      // Stop the build and remove its directory (as the pipeline did), then let the engine go on.
      const stop = async (name: string): Promise<void> => {
        if (name !== at || ac.signal.aborted) return;
        ac.abort(new Error(REASON));
        await rm(dir, { recursive: true, force: true });
        await new Promise((r) => setTimeout(r, 100));
      };
      point = stop;
      const err = await builder.build({ space: 'race/k' as SpaceId, image, contextDir: dir }, logPoints(stop), ac.signal).then(() => undefined, (e: unknown) => e);
      point = undefined;
      outcomes.push(`${at}: ${err instanceof BuildError ? err.message : String(err)}`);
      await until(`the sockets of the build stopped at "${at}" close`, () => openSockets() <= baseline);
    }
    expect(uncaught.map((e) => `${(e as Error).name}: ${(e as Error).message}`)).toEqual([]);
    expect(outcomes).toEqual(points.map((at) => `${at}: ${REASON}`));
  }, 300_000);
});
