import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HUB_FLAVORS, ManualClock, fail, silentLogger, testConfig, toSpaceId, type Flavor } from '../../core/index.js';
import { BuildLogs, BuildPipeline, planFromBuilder } from '../../controller/builds/index.js';
import { FakeGitRepos } from '../../controller/git/testing/fake-git-repos.js';
import { ActivityLedger, InProcessRouteTable, Reconciler } from '../../controller/lifecycle/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { SpaceChanges } from '../../controller/spaces/space-changes.js';
import { SecretBox, SqliteStore, type SpaceRecord } from '../../controller/store/index.js';
import { FakeImageBuilder } from './fake-image-builder.js';

const FLAVORS = new Map<string, Flavor>(HUB_FLAVORS.filter((f) => !f.gpu).map((f) => [f.name, f]));
export const CPU_FLAVORS = [...FLAVORS.keys()];

/**
 * Every writer of a Space's row, wired as `main.ts` wires them, on fakes: the store, SpaceChanges
 * (the owner's API calls), BuildPipeline with a held FakeImageBuilder, the Reconciler on a
 * FakeRuntime and a manual clock, and the ActivityLedger. Builds wait until `finishBuilds()`;
 * reconcile passes run when kicked (and on the timers the reconciler sets itself).
 */
export class StateWorld {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'spaceport-state-'));
  readonly store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
  readonly repos = new FakeGitRepos();
  readonly builder = new FakeImageBuilder();
  readonly clock = new ManualClock(1_000_000);
  readonly runtime = new FakeRuntime({ clock: this.clock });
  readonly routes = new InProcessRouteTable();
  readonly ledger = new ActivityLedger(this.store, { flushMs: 3_600_000 });
  readonly reconciler: Reconciler;
  readonly pipeline: BuildPipeline;
  readonly changes: SpaceChanges;
  #pushes = 0;

  constructor() {
    this.builder.hold = true;
    const logger = silentLogger();
    const flavorFor = (hardware: string): Flavor => FLAVORS.get(hardware) ?? (() => { throw fail('hardwareNotOffered', { hardware, offered: CPU_FLAVORS }); })();
    this.reconciler = new Reconciler({
      store: this.store,
      runtime: this.runtime,
      routes: this.routes,
      logger,
      clock: this.clock,
      domain: 'localhost',
      flavorFor,
      sleepSecondsFor: (s) => s.sleepSeconds ?? -1,
      lastActivity: (uid) => this.ledger.lastActivity(uid),
      drainMs: 0,
    });
    this.pipeline = new BuildPipeline({
      store: this.store,
      repos: this.repos,
      builder: this.builder,
      plan: planFromBuilder(testConfig()),
      logs: new BuildLogs(this.dir),
      logger,
      concurrency: 2,
      onBuilt: (uid) => void this.reconciler.kick(uid),
    });
    this.changes = new SpaceChanges({ store: this.store, runtime: this.runtime, pipeline: this.pipeline, reconciler: this.reconciler, logger, flavorFor });
  }

  async createSpace(name: string, opts: { sleepSeconds?: number } = {}): Promise<SpaceRecord> {
    const space = this.store.createSpace({ id: toSpaceId('alice', name), sdk: 'docker', visibility: 'public', hardware: 'cpu-basic', ...opts });
    await this.repos.create(space.id);
    return space;
  }

  /** A push to main, handled as `SpaceService.onPush` does (its build waits for `finishBuilds`). */
  async push(uid: string): Promise<void> {
    const space = this.space(uid);
    await this.repos.commit(space.id, { 'README.md': '---\nsdk: docker\napp_port: 7860\n---\n', Dockerfile: `FROM busybox\n# ${++this.#pushes}\n` });
    await this.pipeline.enqueue(uid);
    await this.reconciler.kick(uid);
  }

  /** Let every held build end (the next one fails if `fail`), until none is queued or running. */
  async finishBuilds(opts: { fail?: boolean } = {}): Promise<void> {
    if (opts.fail) this.builder.failNext = { step: 'RUN false', logTail: 'false: exit 1\n' };
    let idle = false;
    void this.pipeline.idle().then(() => (idle = true));
    // A build reaches the builder after its context is exported (file I/O): release until none is left.
    while (!idle) {
      this.builder.release();
      await new Promise((r) => setTimeout(r, 1));
    }
    this.builder.failNext = undefined;
  }

  /** Passes until the Space's instances stop changing (the fake starts instances ready). */
  async reconcile(uid: string): Promise<void> {
    for (let i = 0; i < 4; i++) await this.reconciler.kick(uid);
  }

  /**
   * Run `change` (an API call) while the next reconcile pass waits on the runtime: after that pass
   * read the Space, before it decides. Resolves when the change is done.
   */
  duringNextPass(change: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      const list = this.runtime.list.bind(this.runtime);
      this.runtime.list = async (id) => {
        this.runtime.list = list;
        await Promise.resolve(); // the pass is under way: a kick now is queued after it
        change().then(resolve, reject);
        return list(id);
      };
    });
  }

  space(uid: string): SpaceRecord {
    const s = this.store.getSpaceByUid(uid);
    if (!s) throw new Error(`no Space ${uid}`);
    return s;
  }

  async close(): Promise<void> {
    this.builder.hold = false;
    this.builder.release();
    await this.pipeline.close();
    await this.reconciler.close();
    this.ledger.close();
    await this.runtime.close();
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
