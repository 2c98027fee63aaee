import type { Route, RouteChange } from './route.js';
import type { ResumePoint, StreamMessage } from './route-stream-protocol.js';

/** What applying one frame did. `resync`: the stream is inconsistent; reconnect without a resume point. */
export type ApplyResult =
  | { kind: 'changes'; changes: RouteChange[]; via: 'snapshot' | 'resumed' | 'change' }
  | { kind: 'resync'; reason: string };

/**
 * The client half of the route stream, without sockets: the routes it holds, and the epoch and
 * revision to resume from. A snapshot is applied as a diff against what is held, so subscribers
 * hear only real changes and routes missing from it are removed. A change whose revision is not the
 * next one means a frame was lost: the caller reconnects for a fresh snapshot.
 */
export class RouteStreamState {
  readonly #routes = new Map<string, Route>();
  #epoch: string | undefined;
  #rev = 0;
  /** Set between `resumed` (or a snapshot) and the next reconnect: changes are accepted only then. */
  #synced = false;

  get routes(): ReadonlyMap<string, Route> {
    return this.#routes;
  }

  /** Where to resume after a reconnect, once a snapshot was ever applied. */
  resumePoint(): ResumePoint | undefined {
    return this.#epoch === undefined ? undefined : { epoch: this.#epoch, rev: this.#rev };
  }

  /** The connection dropped: keep the routes, accept no change until the next snapshot or `resumed`. */
  disconnected(): void {
    this.#synced = false;
  }

  /** Forget the resume point (after an inconsistency), keeping the routes until the next snapshot. */
  forgetResumePoint(): void {
    this.#epoch = undefined;
    this.#rev = 0;
    this.#synced = false;
  }

  apply(msg: StreamMessage): ApplyResult {
    switch (msg.type) {
      case 'snapshot': {
        const changes: RouteChange[] = [];
        const next = new Map(msg.routes.map((r) => [r.subdomain, r] as const));
        for (const sub of this.#routes.keys()) if (!next.has(sub)) changes.push({ kind: 'remove', subdomain: sub });
        for (const [sub, route] of next) {
          const prev = this.#routes.get(sub);
          if (!prev || JSON.stringify(prev) !== JSON.stringify(route)) changes.push({ kind: 'upsert', route });
        }
        this.#routes.clear();
        for (const [sub, route] of next) this.#routes.set(sub, route);
        this.#epoch = msg.epoch;
        this.#rev = msg.rev;
        this.#synced = true;
        return { kind: 'changes', changes, via: 'snapshot' };
      }
      case 'resumed':
        if (msg.epoch !== this.#epoch || msg.since !== this.#rev) {
          return { kind: 'resync', reason: `resumed at ${msg.epoch}/${msg.since}, held ${this.#epoch}/${this.#rev}` };
        }
        this.#synced = true;
        return { kind: 'changes', changes: [], via: 'resumed' };
      case 'upsert':
      case 'remove': {
        if (!this.#synced) return { kind: 'resync', reason: `change ${msg.rev} before a snapshot` };
        if (msg.rev !== this.#rev + 1) return { kind: 'resync', reason: `change ${msg.rev} after ${this.#rev}` };
        this.#rev = msg.rev;
        if (msg.type === 'upsert') {
          this.#routes.set(msg.route.subdomain, msg.route);
          return { kind: 'changes', changes: [{ kind: 'upsert', route: msg.route }], via: 'change' };
        }
        if (!this.#routes.delete(msg.subdomain)) return { kind: 'changes', changes: [], via: 'change' };
        return { kind: 'changes', changes: [{ kind: 'remove', subdomain: msg.subdomain }], via: 'change' };
      }
    }
  }
}
