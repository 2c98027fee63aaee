import { setMaxListeners } from 'node:events';
import type Dockerode from 'dockerode';
import { dockerStatus, type Logger, type SpaceId } from '../../../core/index.js';
import { LABELS } from './docker-create-options.js';
import { ReconnectingEventStream, WATCHED_ACTIONS, type ContainerEvent } from './docker-events.js';
import { containerFactsFrom, type ContainerFacts } from './docker-state.js';
import { watchUntilReady } from './readiness-watch.js';

/** What the cache knows of one container. */
export interface CachedContainer {
  facts: ContainerFacts;
  /** The app answered on its port since this start (`facts.startedAt`); reset by the next start. */
  ready: boolean;
  /** The app's last lines after it exited on its own (read once per exit). */
  lastLines?: string[];
}

export interface DockerContainerCacheOptions {
  docker: Dockerode;
  logger: Logger;
  namePrefix: string;
  endpointHost: string;
  /** How long after a start the cache keeps probing so it can report the instance ready. */
  readinessWatchMs: number;
  /** An instance of this Space changed (an event, a readiness, a difference found by a resync). */
  onChange(space: SpaceId): void;
}

/**
 * This install's containers as the engine last told us, kept current by the engine's event stream
 * (one long request) instead of a list, an inspect per container and a probe per running container
 * on every look: a steady Space costs the engine and the controller nothing.
 *
 * - **Live** only while the stream is open and a full list made after it opened has been read; a
 *   stream that fails (an engine restart) makes it not live until it reconnects and lists again, and
 *   the runtime reads the engine directly meanwhile.
 * - An event re-inspects that one container; `resync()` lists once and inspects only containers whose
 *   state or name differ from what is cached (events missed), and reports the Spaces that changed.
 * - Readiness is probed only while an instance starts (after each start, until the app answers);
 *   an instance that answered stays ready until its next start or exit event.
 * - Every change is applied in order through one queue, so an event never overtakes a list.
 */
export class DockerContainerCache {
  readonly #o: DockerContainerCacheOptions;
  readonly #entries = new Map<string, CachedContainer>();
  readonly #closing = new AbortController();
  readonly #readinessWatches = new Map<string, Promise<void>>();
  #queue: Promise<unknown> = Promise.resolve();
  #events?: ReconnectingEventStream;
  #live = false;
  /** Bumped whenever the stream opens or goes down: a list started before that does not make the cache live. */
  #generation = 0;

  constructor(opts: DockerContainerCacheOptions) {
    this.#o = opts;
    // Every readiness watch (one per starting instance, hundreds at a host's start) listens to it.
    setMaxListeners(0, this.#closing.signal);
  }

  get live(): boolean {
    return this.#live;
  }

  /** Follow the engine's events (idempotent); the cache turns live once it has listed after connecting. */
  start(): void {
    if (this.#events || this.#closing.signal.aborted) return;
    const label = [`${LABELS.managed}=true`, `${LABELS.instance}=${this.#o.namePrefix}`];
    this.#events = new ReconnectingEventStream({
      logger: this.#o.logger,
      open: ({ since, signal }) =>
        this.#o.docker.getEvents({
          since,
          filters: { type: ['container'], label, event: [...WATCHED_ACTIONS] },
          abortSignal: signal,
        } as Dockerode.GetEventsOptions) as Promise<AsyncIterable<Buffer>>,
      onOpen: () => this.#relist(),
      onDown: () => {
        this.#generation += 1;
        this.#live = false;
      },
      onEvent: (event) => this.#onEvent(event),
    });
    this.#events.start();
  }

  async close(): Promise<void> {
    this.#closing.abort();
    this.#live = false;
    const events = this.#events;
    this.#events = undefined;
    await events?.close();
    await Promise.all([...this.#readinessWatches.values()]);
    await this.#queue.catch(() => undefined);
  }

  /** The cached containers (of one Space), or undefined when the cache is not live. */
  entries(space?: SpaceId): CachedContainer[] | undefined {
    if (!this.#live) return undefined;
    const all = [...this.#entries.values()];
    return space === undefined ? all : all.filter((e) => e.facts.space === space);
  }

  /** The app answered since this start. */
  markReady(entry: CachedContainer): void {
    const current = this.#entries.get(entry.facts.id);
    if (current && current.facts.startedAt === entry.facts.startedAt && current.facts.status === 'running') current.ready = true;
  }

  /** Read one Space's containers again (after a write of ours: apply, stop, remove), so the next look sees the write. */
  refreshSpace(space: SpaceId): Promise<void> {
    if (!this.#events) return Promise.resolve();
    return this.#serial(async () => {
      const found = await this.#inspectListed({ space });
      for (const [id, e] of this.#entries) if (e.facts.space === space && !found.has(id)) this.#entries.delete(id);
      for (const facts of found.values()) this.#put(facts);
    });
  }

  /** One list of this install's containers (missed events); calls `onChange` for every Space that differs. */
  async resync(): Promise<void> {
    if (!this.#live) return;
    const changed = await this.#serial(() => this.#listAll());
    for (const space of changed) this.#o.onChange(space);
  }

  /** Not live until one full list, made after now, has been read (the stream opened, or an event could not be read). */
  #relist(): void {
    const generation = ++this.#generation;
    this.#live = false;
    void this.#serial(async () => {
      const changed = await this.#listAll();
      if (generation === this.#generation && this.#events && !this.#closing.signal.aborted) this.#live = true;
      for (const space of changed) this.#o.onChange(space);
    }).catch((err: unknown) => this.#o.logger.warn({ err: (err as Error)?.message ?? String(err) }, 'docker: listing containers failed; reading the engine directly until the event stream reconnects'));
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** List every container and inspect only the new or changed ones; returns the Spaces that changed. */
  async #listAll(): Promise<Set<SpaceId>> {
    const label = [`${LABELS.managed}=true`, `${LABELS.instance}=${this.#o.namePrefix}`];
    const infos = await this.#o.docker.listContainers({ all: true, filters: { label } });
    const changed = new Set<SpaceId>();
    const seen = new Set<string>();
    await Promise.all(
      infos.map(async (info) => {
        seen.add(info.Id);
        const cached = this.#entries.get(info.Id);
        const name = (info.Names?.[0] ?? '').replace(/^\//, '');
        if (cached && cached.facts.status === info.State && cached.facts.name === name) return;
        const facts = await this.#inspect(info.Id);
        if (!facts) return;
        if (this.#put(facts)) changed.add(facts.space);
      }),
    );
    for (const [id, e] of this.#entries) {
      if (seen.has(id)) continue;
      this.#entries.delete(id);
      changed.add(e.facts.space);
    }
    return changed;
  }

  async #inspectListed(filter: { space: SpaceId }): Promise<Map<string, ContainerFacts>> {
    const label = [`${LABELS.managed}=true`, `${LABELS.instance}=${this.#o.namePrefix}`, `${LABELS.space}=${filter.space}`];
    const infos = await this.#o.docker.listContainers({ all: true, filters: { label } });
    const out = new Map<string, ContainerFacts>();
    for (const facts of await Promise.all(infos.map((i) => this.#inspect(i.Id)))) if (facts) out.set(facts.id, facts);
    return out;
  }

  async #inspect(id: string): Promise<ContainerFacts | undefined> {
    try {
      return containerFactsFrom(await this.#o.docker.getContainer(id).inspect());
    } catch (err) {
      if (dockerStatus(err) === 404) return undefined; // removed meanwhile
      throw err;
    }
  }

  /** Store fresh facts; readiness carries over only within the same start. Returns whether anything changed. */
  #put(facts: ContainerFacts): boolean {
    const old = this.#entries.get(facts.id);
    const same =
      old !== undefined &&
      old.facts.status === facts.status &&
      old.facts.name === facts.name &&
      old.facts.startedAt === facts.startedAt &&
      old.facts.hostPort === facts.hostPort &&
      old.facts.exitCode === facts.exitCode &&
      old.facts.image === facts.image &&
      old.facts.error === facts.error &&
      old.facts.oomKilled === facts.oomKilled;
    if (same) {
      old.facts = facts;
      return false;
    }
    const ready = old !== undefined && old.ready && old.facts.startedAt === facts.startedAt && facts.status === 'running';
    this.#entries.set(facts.id, { facts, ready });
    return true;
  }

  #onEvent(event: ContainerEvent): void {
    if (event.space === undefined || event.id === '') return;
    const space = event.space as SpaceId;
    void this.#serial(async () => {
      const facts = await this.#inspect(event.id);
      if (facts) this.#put(facts);
      else this.#entries.delete(event.id);
    })
      .catch((err: unknown) => {
        // What this event changed is unknown: list again (if the engine went away, the stream fails
        // too and the list after it reconnects makes the cache live again).
        this.#o.logger.debug({ err: (err as Error)?.message ?? String(err), space }, 'docker: inspect after an event failed');
        this.#relist();
      })
      .finally(() => {
        this.#o.onChange(space);
        if (event.action === 'start') this.#watchReadiness(event.id, space);
      });
  }

  /** After a start, probe until the app answers (or the container stops) and report that change too. */
  #watchReadiness(id: string, space: SpaceId): void {
    if (this.#readinessWatches.has(id)) return;
    const signal = this.#closing.signal;
    // The entry of the start that was probed: a restart meanwhile is not made ready by it (`markReady`).
    let probed: CachedContainer | undefined;
    const target = () => {
      probed = this.#entries.get(id);
      if (!probed || probed.ready || probed.facts.status !== 'running' || probed.facts.hostPort === undefined) return undefined;
      return { host: this.#o.endpointHost, port: probed.facts.hostPort };
    };
    const watch = watchUntilReady({ target, watchMs: this.#o.readinessWatchMs, signal })
      .then((ready) => {
        if (!ready || !probed) return;
        this.markReady(probed);
        this.#o.onChange(space);
      })
      .catch((err: unknown) => {
        if (!signal.aborted) this.#o.logger.debug({ err, space }, 'readiness watch ended');
      })
      .finally(() => this.#readinessWatches.delete(id));
    this.#readinessWatches.set(id, watch);
  }
}
