import { SecretMask, type LogLine, type SpaceId } from '../../core/index.js';
import type { Principal } from '../auth/index.js';
import type { BuildLogs } from '../builds/index.js';
import type { Runtime } from '../runtime/runtime.js';
import type { SpaceRecord } from '../store/records.js';
import type { SpaceStore } from '../store/space-store.js';
import type { SpaceService } from './space-service.js';

export interface LogReadOptions {
  follow: boolean;
  tail?: number;
  signal?: AbortSignal;
}

export interface SpaceLogsOptions {
  spaces: SpaceService;
  store: SpaceStore;
  buildLogs: BuildLogs;
  runtime: Runtime;
}

const none = async function* (): AsyncIterable<LogLine> {};

/** Run logs are the app's own output: secret values it prints are masked as in build logs. */
async function* masked(lines: AsyncIterable<LogLine>, mask: SecretMask): AsyncIterable<LogLine> {
  for await (const line of lines) yield { timestamp: line.timestamp, data: mask.apply(line.data) };
}

/** A Space's build and run logs: for those who may change it (`SpaceService.getForWrite`). */
export class SpaceLogs {
  readonly #o: SpaceLogsOptions;

  constructor(opts: SpaceLogsOptions) {
    this.#o = opts;
  }

  /** The latest build's log (none yet: no lines). */
  build(p: Principal, id: SpaceId, opts: LogReadOptions): AsyncIterable<LogLine> {
    const space = this.#o.spaces.getForWrite(p, id);
    const build = this.#o.store.latestBuild(space.uid);
    return build ? this.#o.buildLogs.read(build.id, opts) : none();
  }

  /** The app's output, of the release being started or serving, secret values masked. */
  run(p: Principal, id: SpaceId, opts: LogReadOptions): AsyncIterable<LogLine> {
    const space = this.#o.spaces.getForWrite(p, id);
    const fresh = this.#o.spaces.reload(space);
    const release = fresh.targetRelease ?? fresh.servingRelease;
    const mask = new SecretMask(this.#o.store.listSettings(space.uid, 'secret').map((s) => s.value));
    return release ? masked(this.#o.runtime.logs(fresh.id, release, opts), mask) : none();
  }

  /** The last lines of the latest build's log when it failed (the Space page's error box); [] otherwise. */
  async failedBuildTail(p: Principal, space: SpaceRecord, lines: number): Promise<string[]> {
    this.#o.spaces.getForWrite(p, space.id);
    const build = this.#o.store.latestBuild(space.uid);
    if (!build || build.status !== 'failed') return [];
    const out: string[] = [];
    try {
      for await (const line of this.#o.buildLogs.read(build.id, { follow: false, tail: lines })) out.push(line.data.replace(/\n$/, ''));
    } catch {
      return [];
    }
    return out;
  }
}
