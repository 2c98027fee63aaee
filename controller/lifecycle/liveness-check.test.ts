import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger, type ReleaseId } from '../../core/index.js';
import type { Instance } from '../runtime/runtime.js';
import { LivenessCheck, hangMessage } from './liveness-check.js';

const R1 = 'r1' as ReleaseId;
const R2 = 'r2' as ReleaseId;
const policy = { periodMs: 1_000, timeoutMs: 500, failures: 3 };
const ready = (release: ReleaseId, port = 8000): Instance => ({
  space: 'a/b' as Instance['space'],
  release,
  image: 'img',
  state: { kind: 'ready' },
  endpoint: { host: '127.0.0.1', port },
  restartCount: 0,
});

describe('LivenessCheck', () => {
  afterEach(() => vi.useRealTimers());

  function setup(answers: () => boolean, opts: { off?: boolean } = {}) {
    vi.useFakeTimers();
    const hangs: string[] = [];
    const probes: number[] = [];
    const check = new LivenessCheck({
      policy: opts.off ? undefined : policy,
      probe: async (t) => {
        probes.push(t.port);
        return answers();
      },
      onHang: (uid) => hangs.push(uid),
      logger: silentLogger(),
    });
    return { check, hangs, probes };
  }

  it('marks a ready app hung after `failures` failed probes in a row, and hands the hang over once', async () => {
    let up = true;
    const { check, hangs } = setup(() => up);
    expect(check.look('s1', R1, ready(R1))).toBeUndefined();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(hangs).toEqual([]);
    up = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(hangs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(hangs).toEqual(['s1']);
    expect(check.look('s1', R1, ready(R1))).toBe(hangMessage(policy));
    // Taken: the next look watches the (restarted) app afresh.
    expect(check.look('s1', R1, ready(R1))).toBeUndefined();
    check.close();
  });

  it('an answer between failures starts the count over', async () => {
    const seq = [false, false, true, false, false, true];
    const { check, hangs } = setup(() => seq.shift() ?? true);
    check.look('s1', R1, ready(R1));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(hangs).toEqual([]);
    check.close();
  });

  it('stops probing a Space that is no longer ready, and a new release starts over', async () => {
    const { check, hangs, probes } = setup(() => false);
    check.look('s1', R1, ready(R1, 8001));
    await vi.advanceTimersByTimeAsync(2_000);
    check.look('s1', undefined, undefined);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(probes).toEqual([8001, 8001]);
    expect(hangs).toEqual([]);
    check.look('s1', R2, ready(R2, 8002));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(hangs).toEqual(['s1']);
    // A hang belongs to its release: an older one does not take it.
    expect(check.look('s1', R1, ready(R1, 8001))).toBeUndefined();
    check.close();
  });

  it('does not watch an instance that is starting or has no endpoint', async () => {
    const { check, probes } = setup(() => false);
    check.look('s1', R1, { ...ready(R1), state: { kind: 'starting' } });
    check.look('s2', R1, { ...ready(R1), endpoint: undefined });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(probes).toEqual([]);
    check.close();
  });

  it('without a policy nothing is probed', async () => {
    const { check, probes, hangs } = setup(() => false, { off: true });
    check.look('s1', R1, ready(R1));
    check.watch('s1', R1, { host: '127.0.0.1', port: 1 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(probes).toEqual([]);
    expect(hangs).toEqual([]);
    check.close();
  });
});
