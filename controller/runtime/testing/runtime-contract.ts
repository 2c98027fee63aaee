/**
 * The contract every Runtime passes (docker, fake, later kubernetes), as a vitest suite.
 * Imported only by tests (`fake-runtime.test.ts`, `test/runtime/docker.test.ts`); not re-exported
 * from index.ts, so production code never loads vitest.
 *
 * The runtime under test runs the *test app* (test/support/test-image.ts builds it for Docker; the
 * fake plays it with `onStart`):
 * - it prints `listening on {PORT}` on stdout, then serves HTTP on $PORT: `GET /cgi-bin/env`
 *   answers 200 with the environment as `KEY=VALUE` lines and logs `request {url}` to stderr;
 *   other paths answer some HTTP response;
 * - with `CRASH=1` it prints `crash output line 1` (stdout) and `crash output line 2 to stderr`
 *   (stderr), then exits with `CRASH_CODE` (default 3).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isSpaceportError, toSpaceId, type LogLine, type ReleaseId, type SpaceId } from '../../../core/index.js';
import type { Instance, InstanceSpec, Runtime } from '../runtime.js';

export interface RuntimeFixture {
  runtime: Runtime;
  /** The test app's image. */
  image: string;
  /** Another reference to the test app (replacing a release's image). */
  otherImage: string;
  /** The port the test app listens on inside its instance (passed to it as PORT). */
  port: number;
  /** For runtimes whose instances get ready only when told (the fake with `readyAfterApply: false`). */
  makeReady?: (space: SpaceId, release: ReleaseId) => void | Promise<void>;
  /** After the suite: the instances are removed and the runtime closed by then. */
  cleanup?: () => Promise<void>;
}

const WAIT_MS = 20_000;

export function runRuntimeContract(name: string, makeRuntime: () => Promise<RuntimeFixture>): void {
  describe(`Runtime contract: ${name}`, () => {
    let fx: RuntimeFixture;
    const runId = randomBytes(3).toString('hex');
    let n = 0;
    let used: SpaceId[] = [];

    const newSpace = (): SpaceId => toSpaceId('contract', `${name.replace(/[^a-z0-9]/gi, '') || 'rt'}-${runId}-${++n}`);
    const rel = (r: string): ReleaseId => r as ReleaseId;
    const specFor = (space: SpaceId, release: ReleaseId, extra: Partial<InstanceSpec> = {}): InstanceSpec => {
      if (!used.includes(space)) used.push(space);
      return {
        space,
        release,
        image: fx.image,
        port: fx.port,
        env: { PORT: String(fx.port), CONTRACT_MARKER: `marker-${space}-${release}`, ...extra.env },
        flavor: { name: 'cpu-basic', cpus: 1, memoryBytes: 256 * 1024 ** 2 },
        ...(extra.image ? { image: extra.image } : {}),
        ...(extra.labels ? { labels: extra.labels } : {}),
      };
    };

    async function waitForInstance(space: SpaceId, release: ReleaseId, what: string, ok: (i: Instance) => boolean): Promise<Instance> {
      const deadline = Date.now() + WAIT_MS;
      let last: Instance[] = [];
      for (;;) {
        last = await fx.runtime.list(space);
        const inst = last.find((i) => i.release === release);
        if (inst && ok(inst)) return inst;
        if (inst?.state.kind === 'starting' && fx.makeReady) await fx.makeReady(space, release);
        if (Date.now() > deadline) throw new Error(`${space} ${release}: not ${what} after ${WAIT_MS} ms; last seen ${JSON.stringify(last)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const waitReady = (space: SpaceId, release: ReleaseId): Promise<Instance> =>
      waitForInstance(space, release, 'ready', (i) => i.state.kind === 'ready' && i.endpoint !== undefined);

    async function within<T>(p: Promise<T>, what: string): Promise<T> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
      });
      try {
        return await Promise.race([p, timeout]);
      } finally {
        clearTimeout(timer);
      }
    }

    async function collect(it: AsyncIterable<LogLine>): Promise<LogLine[]> {
      const lines: LogLine[] = [];
      for await (const line of it) lines.push(line);
      return lines;
    }

    async function getText(endpoint: { host: string; port: number }, path: string): Promise<{ status: number; body: string }> {
      const res = await fetch(`http://${endpoint.host}:${endpoint.port}${path}`, { signal: AbortSignal.timeout(5000) });
      return { status: res.status, body: await res.text() };
    }

    beforeAll(async () => {
      fx = await makeRuntime();
    });

    afterEach(async () => {
      const spaces = used;
      used = [];
      for (const space of spaces) await fx.runtime.remove(space);
    });

    afterAll(async () => {
      if (!fx) return;
      for (const space of used) await fx.runtime.remove(space).catch(() => undefined);
      await fx.runtime.close();
      await fx.cleanup?.();
    });

    it('apply is idempotent: applied twice (and concurrently), one instance', async () => {
      const space = newSpace();
      const spec = specFor(space, rel('r1'));
      await Promise.all([fx.runtime.apply(spec), fx.runtime.apply(spec)]);
      await fx.runtime.apply(spec);
      const list = await fx.runtime.list(space);
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ space, release: 'r1', image: fx.image, restartCount: 0 });
    });

    it('an instance becomes ready with an endpoint where the app answers, with its env', async () => {
      const space = newSpace();
      await fx.runtime.apply(specFor(space, rel('r1')));
      const inst = await waitReady(space, rel('r1'));
      expect(inst.startedAt).toBeTypeOf('number');
      const res = await getText(inst.endpoint!, '/cgi-bin/env');
      expect(res.status).toBe(200);
      expect(res.body).toContain(`CONTRACT_MARKER=marker-${space}-r1`);
      expect(res.body).toContain(`SPACE_ID=${space}`);
    });

    it('list() filters by Space; without a Space it lists them all', async () => {
      const a = newSpace();
      const b = newSpace();
      await fx.runtime.apply(specFor(a, rel('r1')));
      await fx.runtime.apply(specFor(b, rel('r1')));
      const onlyA = await fx.runtime.list(a);
      expect(onlyA.map((i) => i.space)).toEqual([a]);
      const all = await fx.runtime.list();
      expect(all.filter((i) => i.space === a || i.space === b).map((i) => i.space).sort()).toEqual([a, b].sort());
    });

    it('stop() keeps the instance as stopped; apply() starts it again', async () => {
      const space = newSpace();
      const spec = specFor(space, rel('r1'));
      await fx.runtime.apply(spec);
      await waitReady(space, rel('r1'));
      await fx.runtime.stop(space, rel('r1'));
      const [stopped] = await fx.runtime.list(space);
      expect(stopped?.state).toEqual({ kind: 'stopped' });
      expect(stopped?.endpoint).toBeUndefined();
      await fx.runtime.stop(space, rel('r1')); // idempotent
      await fx.runtime.apply(spec);
      const again = await waitReady(space, rel('r1'));
      expect(again.restartCount).toBe(1);
      expect(await fx.runtime.list(space)).toHaveLength(1);
      expect((await getText(again.endpoint!, '/cgi-bin/env')).status).toBe(200);
    });

    it('two releases of one Space run side by side', async () => {
      const space = newSpace();
      await fx.runtime.apply(specFor(space, rel('r1')));
      await fx.runtime.apply(specFor(space, rel('r2')));
      const one = await waitReady(space, rel('r1'));
      const two = await waitReady(space, rel('r2'));
      expect(one.endpoint).not.toEqual(two.endpoint);
      expect((await getText(one.endpoint!, '/cgi-bin/env')).body).toContain(`CONTRACT_MARKER=marker-${space}-r1`);
      expect((await getText(two.endpoint!, '/cgi-bin/env')).body).toContain(`CONTRACT_MARKER=marker-${space}-r2`);
    });

    it('remove({keep}) leaves only the kept release; remove() leaves none', async () => {
      const space = newSpace();
      await fx.runtime.apply(specFor(space, rel('r1')));
      await fx.runtime.apply(specFor(space, rel('r2')));
      await fx.runtime.remove(space, { keep: rel('r2') });
      const left = await fx.runtime.list(space);
      expect(left.map((i) => i.release)).toEqual(['r2']);
      await waitReady(space, rel('r2'));
      await fx.runtime.remove(space);
      expect(await fx.runtime.list(space)).toEqual([]);
      await fx.runtime.remove(space); // idempotent
    });

    it('apply() with another image for the same release replaces the instance', async () => {
      const space = newSpace();
      await fx.runtime.apply(specFor(space, rel('r1')));
      await fx.runtime.apply(specFor(space, rel('r1'), { image: fx.otherImage }));
      const list = await fx.runtime.list(space);
      expect(list).toHaveLength(1);
      expect(list[0]?.image).toBe(fx.otherImage);
      await waitReady(space, rel('r1'));
    });

    it('logs() returns the app output, and tail limits it', async () => {
      const space = newSpace();
      await fx.runtime.apply(specFor(space, rel('r1')));
      const inst = await waitReady(space, rel('r1'));
      await getText(inst.endpoint!, '/cgi-bin/env?tail-check');
      // The app's output reaches the log asynchronously: read until the request's line is there.
      const deadline = Date.now() + WAIT_MS;
      let all: LogLine[] = [];
      while (!all.some((l) => l.data === 'request /cgi-bin/env?tail-check')) {
        if (Date.now() > deadline) throw new Error(`the request line never reached the log: ${JSON.stringify(all)}`);
        await new Promise((r) => setTimeout(r, 100));
        all = await within(collect(fx.runtime.logs(space, rel('r1'), { follow: false })), 'logs');
      }
      expect(all.map((l) => l.data)).toContain(`listening on ${fx.port}`);
      for (const line of all) {
        expect(line.data).not.toContain('\n');
        expect(new Date(line.timestamp).toISOString()).toBe(line.timestamp);
      }
      // Lines are only appended: the last two are two consecutive lines of a later full read.
      const last = await within(collect(fx.runtime.logs(space, rel('r1'), { follow: false, tail: 2 })), 'logs tail');
      expect(last).toHaveLength(2);
      const full = await within(collect(fx.runtime.logs(space, rel('r1'), { follow: false })), 'logs');
      const i = full.findIndex((l) => l.timestamp === last[0]!.timestamp && l.data === last[0]!.data);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(full[i + 1]).toEqual(last[1]);
      expect(await within(collect(fx.runtime.logs(space, rel('r1'), { follow: false, tail: 0 })), 'logs tail 0')).toEqual([]);
    });

    it('logs({follow}) streams new lines until its signal aborts', async () => {
      const space = newSpace();
      await fx.runtime.apply(specFor(space, rel('r1')));
      const inst = await waitReady(space, rel('r1'));
      const ac = new AbortController();
      const lines: string[] = [];
      let sawStart!: () => void;
      let sawMarker!: () => void;
      const started = new Promise<void>((r) => (sawStart = r));
      const marked = new Promise<void>((r) => (sawMarker = r));
      const reader = (async () => {
        for await (const line of fx.runtime.logs(space, rel('r1'), { follow: true, signal: ac.signal })) {
          lines.push(line.data);
          if (line.data === `listening on ${fx.port}`) sawStart();
          if (line.data === 'request /cgi-bin/env?follow-marker') sawMarker();
        }
      })();
      try {
        await within(started, 'the first line');
        await getText(inst.endpoint!, '/cgi-bin/env?follow-marker');
        await within(marked, 'a line printed after following began');
      } finally {
        ac.abort();
      }
      await within(reader, 'the follow to end on abort');
      expect(lines.indexOf('request /cgi-bin/env?follow-marker')).toBeGreaterThan(lines.indexOf(`listening on ${fx.port}`));
    });

    it('logs() of a release without an instance rejects with NotFound', async () => {
      const space = newSpace();
      await expect(collect(fx.runtime.logs(space, rel('nope'), { follow: false }))).rejects.toSatisfy((e) => isSpaceportError(e, 'NotFound'));
    });

    it('watch() calls back for the Space when its instance starts and stops', async () => {
      const space = newSpace();
      const seen: SpaceId[] = [];
      const unsubscribe = fx.runtime.watch((s) => seen.push(s));
      try {
        await fx.runtime.apply(specFor(space, rel('r1')));
        await within(waitUntil(() => seen.includes(space)), 'a watch callback after start');
        await waitReady(space, rel('r1'));
        seen.length = 0;
        await fx.runtime.stop(space, rel('r1'));
        await within(waitUntil(() => seen.includes(space)), 'a watch callback after stop');
      } finally {
        unsubscribe();
      }
    });

    it('an app that exits is reported exited with its exit code and last output; apply() restarts it', async () => {
      const space = newSpace();
      const spec = specFor(space, rel('r1'), { env: { CRASH: '1', CRASH_CODE: '3' } });
      await fx.runtime.apply(spec);
      const exited = await waitForInstance(space, rel('r1'), 'exited', (i) => i.state.kind === 'exited');
      expect(exited.state).toMatchObject({ kind: 'exited', exitCode: 3 });
      const reason = exited.state.kind === 'exited' ? exited.state.reason : '';
      expect(reason).toContain('crash output line 1');
      expect(reason).toContain('crash output line 2 to stderr');
      expect(exited.endpoint).toBeUndefined();
      await fx.runtime.apply(spec);
      const again = await waitForInstance(space, rel('r1'), 'exited again', (i) => i.state.kind === 'exited' && i.restartCount === 1);
      expect(again.state).toMatchObject({ kind: 'exited', exitCode: 3 });
    });

    it('stop() and remove() of what does not exist do nothing', async () => {
      const space = newSpace();
      await fx.runtime.stop(space, rel('r1'));
      await fx.runtime.remove(space);
      expect(await fx.runtime.list(space)).toEqual([]);
    });
  });
}

async function waitUntil(ok: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
