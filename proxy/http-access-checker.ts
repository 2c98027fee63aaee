import type { ControllerClient } from './controller-client.js';
import type { AccessChecker } from './route.js';
import { ACCESS_PATH } from './route-stream-protocol.js';

/**
 * Asks the controller whether a bearer token may use a private Space's app (`POST /internal/access`,
 * answered `{"allowed": bool}`). A proxy replica's `AccessChecker`; the proxy caches answers briefly.
 */
export class HttpAccessChecker implements AccessChecker {
  readonly #client: ControllerClient;

  constructor(client: ControllerClient) {
    this.#client = client;
  }

  async canUseApp(space: string, token: string): Promise<boolean> {
    const answer = await this.#client.postForJson(ACCESS_PATH, { space, token });
    return typeof answer === 'object' && answer !== null && (answer as { allowed?: unknown }).allowed === true;
  }
}
