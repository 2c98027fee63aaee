import type { Logger, ReleaseId } from '../../core/index.js';
import { probeHttp, type ProbeTarget } from '../runtime/index.js';
import type { Instance } from '../runtime/runtime.js';

/** How a ready app is watched for a hang (defaults in core/config.ts: `SPACEPORT_LIVENESS_*`, as the kubelet's 10 s period and 3 failures). */
export interface LivenessPolicy {
  /** Time between probes of a ready app. */
  periodMs: number;
  /** A probe that gets no HTTP answer within this fails. */
  timeoutMs: number;
  /** This many failed probes in a row, with no answer in between, is a hang. */
  failures: number;
}

export interface LivenessCheckOptions {
  /** Undefined: no liveness check (`look` never watches). */
  policy: LivenessPolicy | undefined;
  /** Whether the app answers HTTP (default: `probeHttp`, the readiness probe's GET `/`). */
  probe?: (target: ProbeTarget, timeoutMs: number) => Promise<boolean>;
  /** A watched app stopped answering: the reconciler takes the hang on its next pass. */
  onHang(uid: string): void;
  logger: Logger;
}

interface Watch {
  release: ReleaseId;
  endpoint: ProbeTarget;
  failed: number;
  timer?: NodeJS.Timeout;
  /** Set once the app is found hung; probing has stopped. */
  hang?: string;
}

/** What a hang is reported as (the Space's RUNTIME_ERROR message once hangs repeat). */
export function hangMessage(policy: LivenessPolicy): string {
  const seconds = Math.round((policy.failures * policy.periodMs) / 1000);
  return (
    `The app stopped answering HTTP while its container kept running: ${policy.failures} liveness probes in a row ` +
    `(GET / every ${Math.round(policy.periodMs / 1000)} s, ${Math.round(policy.timeoutMs / 1000)} s each, about ${seconds} s) got no answer. ` +
    'It was restarted. Look for a blocking call, a deadlock or an endless loop in the request path.'
  );
}

/**
 * Liveness after ready: the readiness probe stops once an app answers, so an app that hangs with
 * its container up would stay RUNNING for good. The reconciler names the ready release of each
 * active Space here (`watch`); each is probed every period, and after `failures` failed probes in a
 * row it is marked hung and the reconciler is kicked. The reconciler then takes the hang
 * (`takeHang`) and treats it as a crash: stop, restart with backoff, RUNTIME_ERROR when it repeats.
 */
export class LivenessCheck {
  readonly #o: LivenessCheckOptions;
  readonly #policy: LivenessPolicy | undefined;
  readonly #probe: (target: ProbeTarget, timeoutMs: number) => Promise<boolean>;
  readonly #bySpace = new Map<string, Watch>();
  #closed = false;

  constructor(opts: LivenessCheckOptions) {
    this.#o = opts;
    this.#policy = opts.policy;
    this.#probe = opts.probe ?? ((target, timeoutMs) => probeHttp(target, { timeoutMs }));
  }

  /** The Space's target release is ready at `endpoint`: probe it (idempotent; a new release or endpoint starts over). */
  watch(uid: string, release: ReleaseId, endpoint: ProbeTarget): void {
    if (this.#closed || !this.#policy) return;
    const w = this.#bySpace.get(uid);
    if (w && w.release === release && w.endpoint.host === endpoint.host && w.endpoint.port === endpoint.port) return;
    this.forget(uid);
    const fresh: Watch = { release, endpoint, failed: 0 };
    this.#bySpace.set(uid, fresh);
    this.#schedule(uid, fresh);
  }

  /**
   * One reconcile pass's look at a Space whose target release is `release` (undefined when it should
   * not run): watch its ready instance, or return the hang found for it (then handled as a crash).
   */
  look(uid: string, release: ReleaseId | undefined, inst: Instance | undefined): string | undefined {
    if (!this.#policy || !release || inst?.state.kind !== 'ready' || !inst.endpoint) {
      this.forget(uid);
      return undefined;
    }
    const hang = this.takeHang(uid, release);
    if (!hang) this.watch(uid, release, inst.endpoint);
    return hang;
  }

  /** The Space has no ready release to watch (asleep, paused, restarting, deleted). */
  forget(uid: string): void {
    const w = this.#bySpace.get(uid);
    if (!w) return;
    clearTimeout(w.timer);
    this.#bySpace.delete(uid);
  }

  /** The hang found for this release (once; the watch ends with it), or undefined. */
  takeHang(uid: string, release: ReleaseId): string | undefined {
    const w = this.#bySpace.get(uid);
    if (!w?.hang || w.release !== release) return undefined;
    this.#bySpace.delete(uid);
    return w.hang;
  }

  /** Watch again after `close()` (a replica that leads again). */
  open(): void {
    this.#closed = false;
  }

  close(): void {
    this.#closed = true;
    for (const uid of [...this.#bySpace.keys()]) this.forget(uid);
  }

  #schedule(uid: string, w: Watch): void {
    w.timer = setTimeout(() => void this.#check(uid, w), this.#policy!.periodMs);
    w.timer.unref();
  }

  async #check(uid: string, w: Watch): Promise<void> {
    const policy = this.#policy!;
    const ok = await this.#probe(w.endpoint, policy.timeoutMs);
    if (this.#closed || this.#bySpace.get(uid) !== w) return;
    w.failed = ok ? 0 : w.failed + 1;
    if (w.failed < policy.failures) {
      this.#schedule(uid, w);
      return;
    }
    w.hang = hangMessage(policy);
    this.#o.logger.warn({ release: w.release, failures: w.failed }, 'app stopped answering (liveness): it will be restarted');
    this.#o.onHang(uid);
  }
}
