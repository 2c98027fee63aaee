import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Pushes in progress, one small file each under `{data}/pushes`, removed when the push ends. A file
 * left over means a process was killed during a push: its refs may have landed without the build
 * that follows a push, so the next start looks at that Space's head again (`pending`).
 */
export class PushJournal {
  readonly #dir: string;
  #seq = 0;

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  /** Record a push of a Space (by uid) starting; call the result when it has ended. */
  start(spaceUid: string): () => void {
    const file = path.join(this.#dir, `${spaceUid}.${process.pid}.${++this.#seq}`);
    writeFileSync(file, '');
    return () => rmSync(file, { force: true });
  }

  /** Uids of Spaces with a push a previous process never finished; forgets them. */
  takeLeftOver(): string[] {
    const uids = new Set<string>();
    for (const name of readdirSync(this.#dir)) {
      uids.add(name.split('.')[0]!);
      rmSync(path.join(this.#dir, name), { force: true });
    }
    return [...uids];
  }
}
