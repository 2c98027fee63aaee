import { randomBytes } from 'node:crypto';
import type { ResumePoint, RouteChange, StreamMessage } from '../../proxy/index.js';
import type { InProcessRouteTable } from '../lifecycle/index.js';

/** A frame, serialized once and sent to every stream client as is. */
export type Frame = string;

/**
 * The route table with revisions, for the route stream: every change gets the next revision and is
 * kept, serialized, in a ring buffer of the last `capacity` changes, so a client that reconnects
 * with `epoch` + `since` gets only what it missed. The epoch is new with each log (each controller
 * start): revisions of another epoch mean nothing here, and such a client gets a snapshot.
 */
export class RouteLog {
  readonly epoch = randomBytes(6).toString('hex');
  readonly #table: InProcessRouteTable;
  readonly #ring: (Frame | undefined)[];
  readonly #subscribers = new Set<(frame: Frame) => void>();
  readonly #unsubscribe: () => void;
  #rev = 0;

  constructor(table: InProcessRouteTable, opts: { capacity?: number } = {}) {
    this.#table = table;
    this.#ring = new Array<Frame | undefined>(Math.max(1, opts.capacity ?? 4096));
    this.#unsubscribe = table.subscribe((change) => this.#append(change));
  }

  get rev(): number {
    return this.#rev;
  }

  get capacity(): number {
    return this.#ring.length;
  }

  snapshotFrame(): Frame {
    const msg: StreamMessage = { type: 'snapshot', epoch: this.epoch, rev: this.#rev, routes: this.#table.snapshot() };
    return JSON.stringify(msg);
  }

  /**
   * The frames that bring a client at `from` up to date: `resumed` and the changes after `from.rev`
   * when the buffer still holds them all, else undefined (send a snapshot).
   */
  framesSince(from: ResumePoint): Frame[] | undefined {
    if (from.epoch !== this.epoch || from.rev > this.#rev || this.#rev - from.rev > this.#ring.length) return undefined;
    const resumed: StreamMessage = { type: 'resumed', epoch: this.epoch, since: from.rev, rev: this.#rev };
    const frames = [JSON.stringify(resumed)];
    for (let r = from.rev + 1; r <= this.#rev; r++) frames.push(this.#ring[r % this.#ring.length]!);
    return frames;
  }

  /** Hear each change's frame after it is logged. Snapshot or `framesSince`, then subscribe, in the same tick. */
  subscribe(onFrame: (frame: Frame) => void): () => void {
    this.#subscribers.add(onFrame);
    return () => this.#subscribers.delete(onFrame);
  }

  close(): void {
    this.#unsubscribe();
    this.#subscribers.clear();
  }

  #append(change: RouteChange): void {
    const rev = ++this.#rev;
    const msg: StreamMessage =
      change.kind === 'upsert' ? { type: 'upsert', rev, route: change.route } : { type: 'remove', rev, subdomain: change.subdomain };
    const frame = JSON.stringify(msg);
    this.#ring[rev % this.#ring.length] = frame;
    for (const s of this.#subscribers) s(frame);
  }
}
