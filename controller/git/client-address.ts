import { BlockList, isIP } from 'node:net';

/** The networks of reverse proxies whose `X-Forwarded-For` is believed (`SPACEPORT_TRUSTED_PROXIES`). */
export function trustedProxies(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split('/');
    const family = isIP(net ?? '') === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(net!, family);
    else list.addSubnet(net!, Number(bits), family);
  }
  return list;
}

function plain(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

function isTrusted(ip: string, trusted: BlockList): boolean {
  const family = isIP(ip);
  return family !== 0 && trusted.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The address a request came from, for per-client limits: the socket's peer, unless that is a
 * trusted proxy; then `X-Forwarded-For` is read from the right, past every trusted proxy, to the
 * first address that is not one (what a client writes itself, further left, is never believed).
 */
export function clientAddress(req: { socket: { remoteAddress?: string | undefined }; headers: Record<string, string | string[] | undefined> }, trusted?: BlockList): string {
  let addr = plain(req.socket.remoteAddress ?? '');
  if (!trusted || !isTrusted(addr, trusted)) return addr;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((h) => plain(h.trim())).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return addr;
    addr = hop;
    if (!isTrusted(hop, trusted)) return addr;
  }
  return addr;
}
