import net from 'node:net';
import { fail } from '../../core/errors.js';
import type { Endpoint } from '../route.js';
import type { DataPlaneApi, HostCounters } from './data-plane-api.js';
import { ACTIVITY_TABLE } from './render-haproxy-config.js';

export interface HaproxyRuntimeApiOptions {
  /** The admin-level stats socket (`stats socket … level admin`). */
  socket: string;
  /** The map file's path as haproxy.cfg names it (the runtime API addresses maps by it). */
  map: string;
  /** Per command (default 5 s): an answer that does not come in time fails the call. */
  timeoutMs?: number;
}

const HOST = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;
/** `add map` lines per connection when a whole map is pushed. */
const BATCH = 200;

/** Our values only: a host name and an IPv4 literal with a port; anything else would be read as another command. */
export function checkEntry(host: string, endpoint: Endpoint): void {
  if (!HOST.test(host)) throw fail('dataPlaneValueUnusable', { what: 'a host', value: host });
  if (net.isIP(endpoint.host) !== 4 || !Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535) {
    throw fail('dataPlaneValueUnusable', { what: 'an endpoint', value: `${endpoint.host}:${endpoint.port}` });
  }
}

function entry(host: string, endpoint: Endpoint): string {
  checkEntry(host, endpoint);
  return `${host} ${endpoint.host}:${endpoint.port}`;
}

/**
 * HAProxy 2.6's runtime API over its unix socket, one connection per call (several commands
 * separated by `;`). A whole map is replaced atomically: `prepare map`, `add map @version` for each
 * entry, `commit map @version` (requests see the old map or the new one, never a half).
 */
export class HaproxyRuntimeApi implements DataPlaneApi {
  readonly #o: HaproxyRuntimeApiOptions;

  constructor(opts: HaproxyRuntimeApiOptions) {
    this.#o = opts;
  }

  async setRoute(host: string, endpoint: Endpoint): Promise<void> {
    const line = entry(host, endpoint);
    const answer = await this.command(`set map ${this.#o.map} ${line}`);
    if (answer.trim() === '') return;
    if (!/not found/i.test(answer)) throw fail('dataPlaneCommandFailed', { command: 'set map', answer });
    await this.#expectEmpty(`add map ${this.#o.map} ${line}`);
  }

  async removeRoute(host: string): Promise<void> {
    if (!HOST.test(host)) throw fail('dataPlaneValueUnusable', { what: 'a host', value: host });
    const answer = await this.command(`del map ${this.#o.map} ${host}`);
    if (answer.trim() !== '' && !/not found/i.test(answer)) throw fail('dataPlaneCommandFailed', { command: 'del map', answer });
  }

  async replaceRoutes(routes: ReadonlyMap<string, Endpoint>): Promise<void> {
    const lines = [...routes].map(([host, endpoint]) => entry(host, endpoint));
    const prepared = (await this.command(`prepare map ${this.#o.map}`)).match(/version created: (\d+)/i);
    if (!prepared) throw fail('dataPlaneCommandFailed', { command: 'prepare map', answer: 'no version' });
    const version = prepared[1]!;
    for (let i = 0; i < lines.length; i += BATCH) {
      const batch = lines.slice(i, i + BATCH).map((l) => `add map @${version} ${this.#o.map} ${l}`);
      const answer = await this.command(batch.join('; '));
      if (answer.trim() !== '') throw fail('dataPlaneCommandFailed', { command: 'add map', answer });
    }
    await this.#expectEmpty(`commit map @${version} ${this.#o.map}`);
  }

  async routes(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const line of (await this.command(`show map ${this.#o.map}`)).split('\n')) {
      const [, host, value] = line.trim().split(/\s+/);
      if (host !== undefined && value !== undefined) out.set(host, value);
    }
    return out;
  }

  async counters(): Promise<HostCounters[]> {
    const out: HostCounters[] = [];
    for (const line of (await this.command(`show table ${ACTIVITY_TABLE}`)).split('\n')) {
      const key = /\bkey=(\S+)/.exec(line);
      if (!key) continue;
      const use = /\buse=(\d+)/.exec(line);
      const gpc0 = /\bgpc0=(\d+)/.exec(line);
      out.push({ host: key[1]!, open: use ? Number(use[1]) : 0, responses: gpc0 ? Number(gpc0[1]) : 0 });
    }
    return out;
  }

  /** Whether HAProxy answers on its socket now. */
  async answers(): Promise<boolean> {
    try {
      return (await this.command('show info')).includes('Name:');
    } catch {
      return false;
    }
  }

  async #expectEmpty(command: string): Promise<void> {
    const answer = await this.command(command);
    if (answer.trim() !== '') throw fail('dataPlaneCommandFailed', { command: command.split(' ').slice(0, 2).join(' '), answer });
  }

  /** One connection: send the line, read until HAProxy closes. */
  command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.#o.socket);
      const chunks: Buffer[] = [];
      socket.setTimeout(this.#o.timeoutMs ?? 5_000, () => socket.destroy(fail('dataPlaneCommandFailed', { command: line.split(' ').slice(0, 2).join(' '), answer: 'no answer in time' })));
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', reject);
      socket.on('close', (hadError) => {
        if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
      });
      socket.end(`${line}\n`);
    });
  }
}
