import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BuildError, fail, isSpaceportError, requestContext, type BuildId, type Logger } from '../../core/index.js';
import { DEPENDENCY_FILES, IMAGE_LABELS } from '../../builder/index.js';
import { sdkTraits } from '../../templates/index.js';
import type { BuildRecord, ReleaseRecord, SpaceRecord } from '../store/records.js';
import { writeStatus } from '../store/write-status.js';
import { buildErrorMessage } from './build-error-message.js';
import { releaseBuiltFiles, releaseRepoTree, staticReleaseKind } from './static-release.js';
import type { BuildPipelineOptions } from './build-pipeline-options.js';
import { untilAborted } from './until-aborted.js';

/** How often a build's failure is written again while the store's disk is full. */
const DISK_RETRY_MS = 2_000;
/**
 * How long a Space's next build waits for the engine to finish cancelling the one it superseded.
 * The engine's BuildKit (moby 20.10) stops answering when many cancelled solves of the same steps
 * pile up (a storm of pushes): one engine build per Space at a time, the cancelled one included.
 */
const DRAIN_LIMIT_MS = 60_000;

export type { BuildPipelineOptions } from './build-pipeline-options.js';

interface Job {
  build: BuildRecord;
  controller: AbortController;
  /** The request that queued it (a push, a restart): the build's log lines carry its id. */
  requestId?: string;
  /** The builder's own promise once it runs: settles when the engine is done, even after an abort. */
  engine?: Promise<unknown>;
}

/**
 * Push → image → release. One build per Space at a time (a newer push supersedes a queued or
 * running one), a few at a time overall. A tree already built is not built again.
 */
export class BuildPipeline {
  readonly #o: BuildPipelineOptions;
  readonly #queue: Job[] = [];
  readonly #running = new Map<string, Job>();
  /** Spaces whose stopped build the engine is still cancelling: their next build waits (see DRAIN_LIMIT_MS). */
  readonly #draining = new Set<string>();
  readonly #idleWaiters: (() => void)[] = [];
  readonly #cleanups = new Set<Promise<void>>();
  #closed = false;
  /** The abort reason of builds stopped by `close()`. */
  #shutdown?: Error;

  constructor(opts: BuildPipelineOptions) {
    this.#o = opts;
  }

  /**
   * Build the head of `main` if its tree was not built yet (or always, with `noCache`).
   * Returns the new build, or undefined when there is nothing to build.
   */
  async enqueue(spaceUid: string, opts: { noCache?: boolean; force?: boolean } = {}): Promise<BuildRecord | undefined> {
    const { store, repos, logger } = this.#o;
    const space = store.getSpaceByUid(spaceUid);
    if (!space) return undefined;
    const head = await repos.head(space.id);
    if (!head) return undefined;
    writeStatus(store, space.uid, (s) => (s.headSha !== head.commit ? { headSha: head.commit } : undefined));
    const latest = store.latestBuild(space.uid);
    if (!opts.noCache && !opts.force && latest && latest.tree === head.tree) {
      logger.info({ space: space.id, tree: head.tree }, 'tree already built: no build');
      return undefined;
    }
    this.#supersede(space.uid, head.commit);
    const build = store.addBuild({ spaceUid: space.uid, commit: head.commit, tree: head.tree, noCache: Boolean(opts.noCache) });
    logger.info({ space: space.id, build: build.id, commit: head.commit }, 'build queued');
    this.#queue.push({ build, controller: new AbortController(), requestId: requestContext.getStore()?.id });
    this.#pump();
    return build;
  }

  /** Wait until no build is queued or running (once closed: running; queued ones stay queued). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.#running.size === 0 && (this.#queue.length === 0 || this.#closed);
  }

  /**
   * Stop: running builds are aborted but stay `running` in the store (as after a crash), so the
   * next start builds them again (`rebuildInterrupted`): a stop is not a failed build. Queued ones
   * stay queued.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const shutdown = fail('buildStoppedByShutdown');
    this.#shutdown = shutdown;
    for (const job of this.#running.values()) job.controller.abort(shutdown);
    await this.idle();
    await Promise.all(this.#cleanups);
  }

  /**
   * Build again after `close()` (a replica that leads again). Jobs of the previous term are dropped
   * here: they stayed queued or running in the store, and `rebuildInterrupted` queues them again.
   */
  resume(): void {
    if (!this.#closed) return;
    this.#queue.splice(0);
    this.#closed = false;
    this.#shutdown = undefined;
  }

  /**
   * Remove a build's context directory once the builder is done reading it. A stopped build frees
   * its slot at once (`untilAborted`), but the builder may still be packing the directory: removing
   * it under the tar stream made that stream fail while nobody listened yet, which ended the process.
   */
  #removeWhenSettled(dir: string, building: Promise<unknown> | undefined): void {
    const cleanup = Promise.resolve(building)
      .then(() => undefined, () => undefined)
      .then(() => rm(dir, { recursive: true, force: true }))
      .catch((err: unknown) => this.#o.logger.warn({ err, dir }, 'cannot remove a build context directory'))
      .finally(() => this.#cleanups.delete(cleanup));
    this.#cleanups.add(cleanup);
  }

  #supersede(spaceUid: string, commit: string): void {
    const superseded = fail('buildSuperseded', { commit });
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const job = this.#queue[i]!;
      if (job.build.spaceUid !== spaceUid) continue;
      this.#queue.splice(i, 1);
      this.#o.store.setBuildState(job.build.id, { status: 'failed', failure: 'BUILD_ERROR', message: superseded.message });
    }
    this.#running.get(spaceUid)?.controller.abort(superseded);
  }

  #pump(): void {
    while (!this.#closed && this.#running.size < this.#o.concurrency) {
      const i = this.#queue.findIndex((j) => !this.#running.has(j.build.spaceUid) && !this.#draining.has(j.build.spaceUid));
      if (i < 0) break;
      const job = this.#queue.splice(i, 1)[0]!;
      this.#running.set(job.build.spaceUid, job);
      const run = (): Promise<void> => this.#run(job);
      const started = job.requestId !== undefined ? requestContext.run({ id: job.requestId }, run) : requestContext.exit(run);
      void started
        .catch((err: unknown) => this.#bookkeepingFailed(job, err))
        .finally(() => {
          this.#running.delete(job.build.spaceUid);
          this.#drain(job);
          this.#o.onBuilt(job.build.spaceUid);
          this.#pump();
          if (this.#isIdle()) for (const w of this.#idleWaiters.splice(0)) w();
        });
    }
  }

  /**
   * A stopped build frees its slot at once (`untilAborted`), but the engine may still be cancelling
   * it: the Space's next build starts when the engine is done, or after the drain limit if it never says.
   */
  #drain(job: Job): void {
    const space = job.build.spaceUid;
    if (!job.controller.signal.aborted || job.engine === undefined) return;
    this.#draining.add(space);
    const ms = this.#o.drainLimitMs ?? DRAIN_LIMIT_MS;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#o.logger.warn({ build: job.build.id, ms }, 'the engine has not ended a stopped build: the next build starts anyway');
        resolve();
      }, ms);
      timer.unref();
    });
    void Promise.race([job.engine.then(() => undefined, () => undefined), limit]).then(() => {
      clearTimeout(timer);
      this.#draining.delete(space);
      this.#pump();
    });
  }

  /** A Space deleted while it built takes its build rows along: the bookkeeping then has nothing to update. */
  #bookkeepingFailed(job: Job, err: unknown): void {
    let exists = true;
    try {
      exists = this.#o.store.getSpaceByUid(job.build.spaceUid) !== undefined;
    } catch {
      /* the store is closing */
    }
    if (exists) this.#o.logger.error({ err, build: job.build.id }, 'build bookkeeping failed');
    else this.#o.logger.info({ build: job.build.id }, 'build ended after its Space was deleted');
  }

  async #run(job: Job): Promise<void> {
    const { store, logger } = this.#o;
    const { build } = job;
    const space = store.getSpaceByUid(build.spaceUid);
    if (!space) return;
    const log = logger.child({ space: space.id, build: build.id });
    const secrets = Object.fromEntries(store.listSettings(space.uid, 'secret').map((v) => [v.key, v.value]));
    const sink = this.#o.logs.open(build.id, Object.values(secrets));
    store.setBuildState(build.id, { status: 'running' });
    log.info('build running');
    const started = performance.now();
    let outcomeKind: 'succeeded' | 'failed' | 'cancelled' = 'failed';
    const timeoutMs = this.#o.timeoutMs;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            job.controller.abort(fail('buildTimedOut', { seconds: Math.round(timeoutMs / 1000) }));
            log.warn({ timeoutMs }, 'build timed out');
          }, timeoutMs);
    timer?.unref();
    try {
      const outcome = await this.#build(space, build, { sink, secrets, signal: job.controller.signal, onEngine: (p) => (job.engine = p) });
      if (outcome.kind === 'failed') {
        sink.write(`${outcome.message}\n`);
        store.setBuildState(build.id, { status: 'failed', failure: outcome.failure, message: outcome.message });
        log.warn({ failure: outcome.failure }, 'build failed');
        return;
      }
      store.setBuildState(build.id, { status: 'succeeded', image: outcome.image });
      // Decided on a read taken now, not on `space` (read when the build started): the owner may have
      // paused the Space or changed its hardware meanwhile, and those are theirs to keep.
      let release = undefined as ReleaseRecord | undefined;
      writeStatus(store, space.uid, (now) => {
        release = store.addRelease({
          spaceUid: space.uid,
          buildId: build.id,
          commit: build.commit,
          image: outcome.image,
          port: outcome.port,
          config: outcome.config,
          hardware: now.hardware,
        });
        // A push wakes a sleeping Space (the Hub rebuilds and restarts it); a paused one stays paused (`paused` is spec).
        return { targetRelease: release.id, cardData: outcome.cardData, sdk: outcome.sdk, asleepSince: undefined };
      });
      if (!release) throw fail('spaceNotFound', { space: space.id });
      outcomeKind = 'succeeded';
      sink.write(`Build succeeded: ${outcome.image}\n`);
      log.info({ image: outcome.image, release: release.id }, 'build succeeded');
    } catch (err) {
      const aborted = job.controller.signal.aborted;
      const message = aborted
        ? String((job.controller.signal.reason as Error | undefined)?.message ?? 'Build cancelled.')
        : err instanceof BuildError
          ? buildErrorMessage(err)
          : isSpaceportError(err)
            ? err.message
            : `Build failed: ${(err as Error).message}`;
      sink.write(`${message}\n`);
      if (aborted && job.controller.signal.reason === this.#shutdown) {
        outcomeKind = 'cancelled';
        log.info({ reason: message }, 'build stopped by shutdown; the next start builds it again');
        return;
      }
      await this.#recordFailure(build.id, message, log);
      if (aborted) outcomeKind = 'cancelled';
      if (aborted) log.info({ reason: message }, 'build stopped');
      else log.warn({ err }, 'build failed');
    } finally {
      clearTimeout(timer);
      this.#o.onFinished?.(outcomeKind, (performance.now() - started) / 1000);
      sink.end();
      const ids = store.listBuilds(space.uid, 1000).map((b) => b.id as string);
      this.#o.logs.prune(ids, this.#o.keepLogs ?? 20);
    }
  }

  /**
   * Mark the build failed. With the data directory's disk full the store refuses every write
   * (SQLITE_FULL): try again every few seconds until it takes it, so the build never stays
   * `running` once there is room again (a restart or a new push then builds).
   */
  async #recordFailure(id: BuildRecord['id'], message: string, log: Logger): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.#o.store.setBuildState(id, { status: 'failed', failure: 'BUILD_ERROR', message });
        return;
      } catch (err) {
        const code = String((err as { code?: unknown }).code ?? '');
        if (!/^SQLITE_(FULL|IOERR)/.test(code) || this.#closed) throw err;
        if (attempt === 1) log.error({ err }, 'cannot record the build failure (disk full?); trying again until there is room');
        await new Promise((r) => setTimeout(r, DISK_RETRY_MS));
      }
    }
  }

  async #build(
    space: SpaceRecord,
    build: BuildRecord,
    {
      sink,
      secrets,
      signal,
      onEngine,
    }: { sink: { write(s: string): void }; secrets: Record<string, string>; signal: AbortSignal; onEngine: (building: Promise<string>) => void },
  ): Promise<
    | { kind: 'failed'; failure: 'CONFIG_ERROR' | 'NO_APP_FILE'; message: string }
    | { kind: 'built'; image: string; port: number; config: Record<string, unknown>; cardData: Record<string, unknown>; sdk: SpaceRecord['sdk'] }
  > {
    const { repos, builder, store } = this.#o;
    sink.write(`Building ${space.id} at ${build.commit}\n`);
    const readme = await repos.readFile(space.id, build.commit, 'README.md');
    const files = await repos.listFiles(space.id, build.commit);
    const variables = Object.fromEntries(store.listSettings(space.uid, 'variable').map((v) => [v.key, v.value]));
    const requirements = files.includes('requirements.txt') ? await repos.readFile(space.id, build.commit, 'requirements.txt') : undefined;
    const nodeFiles: { packageJson?: string; nvmrc?: string; nodeVersionFile?: string } = {};
    for (const [key, file] of [['packageJson', 'package.json'], ['nvmrc', '.nvmrc'], ['nodeVersionFile', '.node-version']] as const) {
      if (files.includes(file)) nodeFiles[key] = (await repos.readFile(space.id, build.commit, file))?.toString('utf8');
    }
    const dependenciesChangedAt = await repos.lastChangedAt(space.id, build.commit, DEPENDENCY_FILES);
    const plan = await this.#o.plan({
      dependenciesChangedAt,
      space,
      readme: readme?.toString('utf8'),
      files,
      tree: build.tree,
      variables,
      requirementsTxt: requirements?.toString('utf8'),
      nodeFiles,
      staticOutput: this.#o.staticTrees && builder.imageFiles ? 'files' : 'server',
    });
    if (plan.kind !== 'ok') return { kind: 'failed', failure: plan.kind === 'no_app_file' ? 'NO_APP_FILE' : 'CONFIG_ERROR', message: plan.message };
    for (const notice of plan.notices) sink.write(`${notice}\n`);
    const release = staticReleaseKind(plan, this.#o.staticTrees, builder);
    const built = (image: string) => ({ kind: 'built' as const, image, port: plan.port, config: plan.config, cardData: plan.cardData, sdk: plan.sdk });
    if (release === 'tree') {
      // The release kind "static tree": the files themselves, in place before the release exists.
      return built(await releaseRepoTree({ staticTrees: this.#o.staticTrees!, repos, space: space.id, commit: build.commit, tree: build.tree, config: plan.config, sink, signal }));
    }
    let image = plan.image;
    const found = build.noCache ? undefined : builder.resolve ? await builder.resolve(plan.image) : (await builder.exists(plan.image)) ? plan.image : undefined;
    if (found) {
      image = found;
      sink.write(`Image ${found} is already built: reusing it.\n`);
    } else {
      const dir = await mkdtemp(path.join(tmpdir(), `spaceport-build-${build.id as BuildId}-`));
      let building: Promise<string> | undefined;
      try {
        await repos.exportTree(space.id, build.commit, dir);
        signal.throwIfAborted();
        building = builder.build(
          {
            space: space.id,
            image: plan.image,
            contextDir: dir,
            dockerfile: plan.dockerfile,
            extraFiles: plan.extraFiles,
            buildArgs: plan.buildArgs,
            secrets: sdkTraits(space.sdk).image.kind === 'own-dockerfile' ? secrets : undefined,
            labels: {
              ...(this.#o.instance ? { [IMAGE_LABELS.instance]: this.#o.instance } : {}),
              // The unique id, not the name: a Space deleted and made again under its name is another Space.
              [IMAGE_LABELS.space]: space.uid,
              'spaceport.space.name': space.id,
              'spaceport.commit': build.commit,
            },
            noCache: build.noCache,
          },
          sink,
          signal,
        );
        onEngine(building);
        image = await untilAborted(building, signal);
      } finally {
        this.#removeWhenSettled(dir, building);
      }
    }
    if (release === 'built-files') {
      return built(await releaseBuiltFiles({ staticTrees: this.#o.staticTrees!, builder: builder as Required<typeof builder>, image, config: plan.config, sink, signal }));
    }
    return built(image);
  }
}

