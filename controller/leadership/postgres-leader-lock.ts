import { hostname } from 'node:os';
import pg from 'pg';
import { fail, type Logger } from '../../core/index.js';
import { LockEvents, type Kick, type Leadership, type LeaderLock } from './leader-lock.js';

/** The advisory lock's key (the store holds 7263000 for migrations and 7263001 for names). */
const LEADER_LOCK_KEY = 7263002;
const KICK_CHANNEL = 'spaceport_kicks';
/** Kicks read per statement when the leader drains `pending_kicks`. */
const DRAIN_BATCH = 100;

/**
 * How the server drops a leader that went silent (seconds for keepalive, as PostgreSQL takes them): after
 * more than half the lease (by then the leader has given up on its own: its heartbeat deadline) and
 * within it, so the lock is free for another replica only once the old leader has stopped.
 */
export function serverKeepalive(leaseMs: number): { idleS: number; intervalS: number; count: number; userTimeoutMs: number } {
  const count = 2;
  const intervalS = Math.max(1, Math.floor(leaseMs / 10_000));
  const idleS = Math.max(1, Math.floor(leaseMs / 1000) - count * intervalS - 1);
  return { idleS, intervalS, count, userTimeoutMs: leaseMs };
}

export interface PostgresLeaderLockOptions {
  url: string;
  /**
   * The most a dead leader keeps the lock (ms): PostgreSQL drops its connection (TCP keepalive,
   * `tcp_user_timeout`) within it, and a leader that cannot reach PostgreSQL gives up within half of it.
   */
  leaseMs: number;
  /** How often a follower tries to take the lock, and a lost connection is opened again (ms). */
  retryMs: number;
  logger: Logger;
  /** Who holds the lock, as written in `leader_term` (default: host name and pid). */
  holder?: string;
  clock?: { now(): number };
}

/** One connection's life: the client, and a promise that rejects when the connection ends. */
interface Session {
  client: pg.Client;
  ended: Promise<never>;
  destroy(): void;
}

/**
 * Leadership through `pg_try_advisory_lock` on a connection of its own (never the store's: a store
 * call's deadline may drop that one). PostgreSQL holds a session-level lock as long as the connection
 * lives, so a killed leader's lock goes when the server drops its socket: the session sets the
 * server's TCP keepalive and `tcp_user_timeout` to fit in `leaseMs`. On our side a heartbeat every
 * quarter lease that has no answer within another quarter ends the session: the leader stops before
 * the server can hand the lock to another replica. Each takeover bumps `leader_term` (fencing).
 *
 * The same connection LISTENs on `spaceport_kicks`: a follower's `sendKick` inserts into `pending_kicks`
 * and NOTIFYs; the leader drains the table on each notification, at takeover and with each heartbeat.
 */
export class PostgresLeaderLock extends LockEvents implements LeaderLock {
  readonly name = 'postgres';
  readonly #o: PostgresLeaderLockOptions;
  readonly #holder: string;
  #state: Leadership = { kind: 'follower' };
  #session?: Session;
  #loop?: Promise<void>;
  #closed = false;
  #wakeUp?: () => void;
  #draining?: Promise<void>;
  /** A notification came during a drain: drain again after it (its row may be past that drain's read). */
  #drainAgain = false;

  constructor(opts: PostgresLeaderLockOptions) {
    super((err) => opts.logger.error({ err }, 'a leadership listener failed'));
    this.#o = opts;
    this.#holder = opts.holder ?? `${hostname()}:${process.pid}`;
  }

  get state(): Leadership {
    return this.#state;
  }

  start(): void {
    this.#loop ??= this.#run();
  }


  /**
   * On the leader, handled here. Elsewhere, recorded in `pending_kicks` and NOTIFYd; while the lock's
   * connection is being opened again the call waits for it, up to the lease (then 503, nothing recorded).
   */
  async sendKick(kick: Kick): Promise<void> {
    const deadline = this.#now() + this.#o.leaseMs;
    for (;;) {
      if (this.#state.kind === 'leader') {
        this.kicks.emit(kick);
        return;
      }
      const session = this.#session;
      try {
        if (!session) throw new Error('no connection yet');
        const { kind, space, ...options } = kick;
        await this.#query(session, {
          text: `WITH k AS (INSERT INTO pending_kicks (space_uid, kind, options, at) VALUES ($1, $2, $3, $4) RETURNING seq)
                 SELECT pg_notify('${KICK_CHANNEL}', '') FROM k`,
          values: [space, kind, JSON.stringify(options), this.#now()],
        });
        return;
      } catch (err) {
        if (this.#closed || this.#now() >= deadline) throw fail('databaseUnreachable', { problem: 'the leader lock has no connection' }, { cause: err });
        await new Promise((r) => setTimeout(r, Math.min(100, this.#o.retryMs)));
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wakeUp?.();
    this.#session?.destroy();
    await this.#loop;
    this.#lost('closed');
  }

  /** The heartbeat's period and deadline: a quarter of the lease. */
  #quarter(): number {
    return Math.max(250, Math.floor(this.#o.leaseMs / 4));
  }

  #now(): number {
    return (this.#o.clock ?? Date).now();
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      try {
        await this.#lead();
      } catch (err) {
        if (!this.#closed) this.#o.logger.warn({ err: (err as Error).message }, 'leader lock: connection to PostgreSQL lost');
      } finally {
        this.#session?.destroy();
        this.#session = undefined;
        this.#lost(this.#closed ? 'closed' : 'connection lost');
      }
      await this.#sleep(this.#o.retryMs);
    }
  }

  /** One connection: try the lock every `retryMs` until it is ours, then heartbeat until the connection ends. */
  async #lead(): Promise<void> {
    const session = await this.#connect();
    this.#session = session;
    const quarter = this.#quarter();
    while (!this.#closed) {
      if (this.#state.kind === 'follower') {
        const got = await this.#query(session, { text: 'SELECT pg_try_advisory_lock($1) AS got', values: [LEADER_LOCK_KEY] }, quarter);
        if (got.rows[0]?.got === true) {
          const r = await this.#query(session, {
            text: `INSERT INTO leader_term (id, term, holder, since) VALUES (1, 1, $1, $2)
                   ON CONFLICT (id) DO UPDATE SET term = leader_term.term + 1, holder = EXCLUDED.holder, since = EXCLUDED.since
                   RETURNING term`,
            values: [this.#holder, this.#now()],
          }, quarter);
          const term = Number(r.rows[0]!.term);
          this.#state = { kind: 'leader', term };
          this.#o.logger.info({ term, holder: this.#holder }, 'leader lock taken: this replica leads');
          this.gains.emit(term);
        }
      } else {
        await this.#query(session, 'SELECT 1', quarter);
      }
      if (this.#state.kind === 'leader') await this.#drain(session);
      await this.#sleep(this.#state.kind === 'leader' ? quarter : this.#o.retryMs, session);
    }
  }

  async #connect(): Promise<Session> {
    const lease = this.#o.leaseMs;
    const client = new pg.Client({
      connectionString: this.#o.url,
      connectionTimeoutMillis: lease,
      keepAlive: true,
      keepAliveInitialDelayMillis: Math.max(1000, Math.floor(lease / 4)),
      application_name: 'spaceport-leader',
    });
    let rejectEnded!: (err: Error) => void;
    const ended = new Promise<never>((_, reject) => (rejectEnded = reject));
    ended.catch(() => undefined);
    client.on('error', (err) => rejectEnded(err));
    client.on('end', () => rejectEnded(new Error('connection ended')));
    client.on('notification', () => {
      if (this.#state.kind === 'leader') void this.#drain(session).catch((err: unknown) => this.#o.logger.warn({ err: (err as Error).message }, 'leader lock: cannot read pending kicks'));
    });
    const destroy = (): void => {
      rejectEnded(new Error('connection closed'));
      // The socket at once: `end()` waits for the server, which may be the thing that is gone.
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      void client.end().catch(() => undefined);
    };
    const session: Session = { client, ended, destroy };
    await Promise.race([client.connect(), ended]);
    const k = serverKeepalive(lease);
    await this.#query(session, `SET tcp_keepalives_idle = ${k.idleS}; SET tcp_keepalives_interval = ${k.intervalS}; SET tcp_keepalives_count = ${k.count}; SET tcp_user_timeout = ${k.userTimeoutMs}`);
    await this.#query(session, `LISTEN ${KICK_CHANNEL}`);
    return session;
  }

  /** A statement on the session; past `deadlineMs` (or when the connection ends) the session is destroyed and it throws. */
  async #query(session: Session, q: string | pg.QueryConfig, deadlineMs = this.#o.leaseMs): Promise<pg.QueryResult> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        session.destroy();
        reject(new Error(`PostgreSQL did not answer within ${deadlineMs} ms`));
      }, deadlineMs);
    });
    try {
      return await Promise.race([session.client.query(q as pg.QueryConfig), session.ended, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Hand the pending kicks (oldest first) to the listeners, then delete them: at least once (a leader
   * lost between the two leaves them to the next, and a pass or a build of a built tree is harmless
   * twice). One drain at a time.
   */
  #drain(session: Session): Promise<void> {
    if (this.#draining) {
      this.#drainAgain = true;
      return this.#draining;
    }
    // Within the heartbeat's deadline: a leader whose PostgreSQL stalls here gives up as soon.
    const deadline = this.#quarter();
    this.#draining = (async () => {
      for (;;) {
        this.#drainAgain = false;
        const r = await this.#query(session, `SELECT seq, space_uid, kind, options FROM pending_kicks ORDER BY seq LIMIT ${DRAIN_BATCH}`, deadline);
        if (this.#state.kind !== 'leader') return;
        if (r.rows.length === 0) {
          if (this.#drainAgain) continue;
          return;
        }
        for (const row of r.rows) {
          const options = JSON.parse(String(row.options)) as { noCache?: boolean; force?: boolean };
          this.kicks.emit(row.kind === 'build' ? { kind: 'build', space: String(row.space_uid), ...options } : { kind: 'pass', space: String(row.space_uid) });
        }
        await this.#query(session, { text: 'DELETE FROM pending_kicks WHERE seq <= $1', values: [r.rows[r.rows.length - 1]!.seq] }, deadline);
        if (r.rows.length < DRAIN_BATCH && !this.#drainAgain) return;
      }
    })().finally(() => (this.#draining = undefined));
    return this.#draining;
  }

  #lost(reason: string): void {
    if (this.#state.kind !== 'leader') return;
    const { term } = this.#state;
    this.#state = { kind: 'follower' };
    this.#o.logger.warn({ term, reason }, 'leader lock lost: leader-only work stops');
    this.losses.emit(reason);
  }

  /** Wait `ms`, or less when the session ends or `close()` is called. */
  async #sleep(ms: number, session?: Session): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        this.#wakeUp = resolve;
        timer = setTimeout(resolve, ms);
      }),
      session?.ended ?? new Promise<never>(() => undefined),
    ]).finally(() => clearTimeout(timer));
  }
}
