import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/logger.js';
import type { Activity, Route, RouteChange, RouteSource } from '../route.js';
import { DataPlaneDriver } from './data-plane-driver.js';
import { FakeDataPlaneApi } from './testing/fake-data-plane-api.js';

class Source implements RouteSource {
  readonly routes = new Map<string, Route>();
  readonly fns = new Set<(c: RouteChange) => void>();
  snapshot(): Route[] {
    return [...this.routes.values()];
  }
  subscribe(fn: (c: RouteChange) => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  set(route: Route): void {
    this.routes.set(route.subdomain, route);
    for (const f of this.fns) f({ kind: 'upsert', route });
  }
}

const running = (sub: string, host = '10.0.0.1', port = 7860, extra: Partial<Route> = {}): Route => ({
  subdomain: sub,
  space: `o/${sub}`,
  stage: 'RUNNING',
  target: { kind: 'running', endpoint: { host, port } },
  ...extra,
});

function setup(probe: (e: { host: string; port: number }) => Promise<boolean> = async () => true) {
  const source = new Source();
  const api = new FakeDataPlaneApi();
  const batches: Activity[][] = [];
  const clock = new ManualClock(5_000);
  const driver = new DataPlaneDriver({
    routes: source,
    api,
    activity: { report: (b) => batches.push(b) },
    clock,
    logger: silentLogger(),
    domain: 'spaces.test',
    hubHosts: new Set(['hub.spaces.test']),
    pollMs: 0,
    probe,
    reprobeMs: 5,
  });
  return { source, api, batches, clock, driver };
}

describe('DataPlaneDriver', () => {
  it('maps only running public Spaces at an IP; sleeping, private, static, the hub host and names stay with Spaceport', async () => {
    const { source, api, driver } = setup();
    source.set(running('alice-demo'));
    source.set(running('secret', '10.0.0.2', 7860, { access: 'private' }));
    source.set(running('named', 'app.internal'));
    source.set(running('hub'));
    source.set({ subdomain: 'bob-app', space: 'o/bob-app', stage: 'SLEEPING', target: { kind: 'sleeping' } });
    source.set({ subdomain: 'site', space: 'o/site', stage: 'RUNNING', target: { kind: 'static', tree: 'abc', index: 'index.html' } });
    driver.start();
    await driver.resync();
    expect(await api.routes()).toEqual(new Map([['alice-demo.spaces.test', '10.0.0.1:7860']]));
    // Going to sleep: the route leaves at once.
    source.set({ subdomain: 'alice-demo', space: 'o/alice-demo', stage: 'SLEEPING', target: { kind: 'sleeping' } });
    await driver.settled();
    expect((await api.routes()).size).toBe(0);
    // Made private while running: it leaves too.
    source.set(running('alice-demo'));
    await vi.waitFor(async () => expect((await api.routes()).size).toBe(1));
    source.set(running('alice-demo', '10.0.0.1', 7860, { access: 'private' }));
    await driver.settled();
    expect((await api.routes()).size).toBe(0);
    await driver.close();
  });

  it('wakes: routes a new endpoint only once its app answers, Spaceport serving it meanwhile', async () => {
    let answers = false;
    const { source, api, driver } = setup(async () => answers);
    driver.start();
    await driver.resync();
    source.set(running('alice-demo', '10.0.0.1', 7000));
    await new Promise((r) => setTimeout(r, 30));
    expect((await api.routes()).size).toBe(0);
    answers = true;
    await vi.waitFor(async () => expect((await api.routes()).get('alice-demo.spaces.test')).toBe('10.0.0.1:7000'));
    // A new release at another endpoint that does not answer at once: off the map until it answers, then on it.
    answers = false;
    source.set(running('alice-demo', '10.0.0.1', 7001));
    await vi.waitFor(async () => expect((await api.routes()).size).toBe(0));
    answers = true;
    await vi.waitFor(async () => expect((await api.routes()).get('alice-demo.spaces.test')).toBe('10.0.0.1:7001'));
    await driver.close();
  });

  it('moves a mapped Space to its new release in one step when the new endpoint answers at once (the old serves until then)', async () => {
    const probed: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { source, api, driver } = setup(async (e) => {
      probed.push(e.port);
      if (e.port === 7001) await gate;
      return true;
    });
    source.set(running('alice-demo', '10.0.0.1', 7000));
    driver.start();
    await driver.resync();
    await vi.waitFor(async () => expect((await api.routes()).get('alice-demo.spaces.test')).toBe('10.0.0.1:7000'));
    api.log.length = 0;
    source.set(running('alice-demo', '10.0.0.1', 7001));
    await vi.waitFor(() => expect(probed).toContain(7001));
    // While the new endpoint is probed, the old one stays mapped.
    await driver.settled();
    expect((await api.routes()).get('alice-demo.spaces.test')).toBe('10.0.0.1:7000');
    release();
    await vi.waitFor(async () => expect((await api.routes()).get('alice-demo.spaces.test')).toBe('10.0.0.1:7001'));
    expect(api.log).toEqual(['set alice-demo.spaces.test 10.0.0.1:7001']);
    await driver.close();
  });

  it('pushes the whole map again after the data plane restarted', async () => {
    const { source, api, driver } = setup();
    source.set(running('a'));
    source.set(running('b', '10.0.0.2'));
    driver.start();
    await driver.resync();
    await vi.waitFor(() => expect(driver.mapped).toBe(2));
    api.restart();
    expect((await api.routes()).size).toBe(0);
    await driver.resync();
    expect([...(await api.routes()).keys()].sort()).toEqual(['a.spaces.test', 'b.spaces.test']);
    expect(api.log.at(-1)).toBe('replace 2');
    await driver.close();
  });

  it('reports a Space active when its app answered since the last read or a stream is open, in one batch', async () => {
    const { source, api, batches, clock, driver } = setup();
    source.set(running('a'));
    source.set(running('b', '10.0.0.2'));
    driver.start();
    await driver.resync();
    api.count('a.spaces.test', { responses: 3 });
    api.count('b.spaces.test', { responses: 0, open: 0 });
    api.count('gone.spaces.test', { responses: 9 });
    await driver.pollActivity();
    expect(batches).toEqual([[{ space: 'o/a', at: 5_000 }]]);
    clock.advance(1_000);
    await driver.pollActivity(); // nothing moved
    expect(batches.length).toBe(1);
    api.count('b.spaces.test', { open: 1 }); // an SSE stream open
    await driver.pollActivity();
    expect(batches[1]).toEqual([{ space: 'o/b', at: 6_000 }]);
    api.down = true;
    await driver.pollActivity(); // unreadable: nothing reported, nothing thrown
    expect(batches.length).toBe(2);
    api.down = false;
    api.count('a.spaces.test', { responses: 4 });
    api.count('b.spaces.test', { open: 0 });
    await driver.close(); // read one last time: the last answers are not lost
    expect(batches[2]).toEqual([{ space: 'o/a', at: 6_000 }]);
  });
});
