import type { ControllerClient } from './controller-client.js';
import type { Waker } from './route.js';
import { WAKE_PATH } from './route-stream-protocol.js';

/**
 * Wakes a Space through the controller (`POST /internal/wake`). The controller answers once the
 * start is under way or done; the proxy learns that the Space runs from the route stream.
 */
export class HttpWaker implements Waker {
  readonly #client: ControllerClient;
  readonly #timeoutMs: number;

  /** `timeoutMs`: how long a wake call may take (the controller starts the app before it answers; default 120 000). */
  constructor(client: ControllerClient, opts: { timeoutMs?: number } = {}) {
    this.#client = client;
    this.#timeoutMs = opts.timeoutMs ?? 120_000;
  }

  wake(space: string): Promise<void> {
    return this.#client.post(WAKE_PATH, { space }, { timeoutMs: this.#timeoutMs });
  }
}
