import net from 'node:net';
import type http from 'node:http';

/** The longest PROXY protocol v1 line (spec: 107 bytes with CRLF). */
const MAX_LINE = 107;
const LINE = /^PROXY (TCP4|TCP6) ([0-9a-fA-F.:]+) ([0-9a-fA-F.:]+) (\d+) (\d+)$|^PROXY UNKNOWN/;

/**
 * A loopback listener for Spaceport behind the native data plane: each connection starts with the
 * PROXY protocol v1 line HAProxy sends (`send-proxy`), so the hub, git and the Node proxy see the
 * client's address as `socket.remoteAddress` (X-Forwarded-For, client limits) exactly as when they
 * take the public port themselves. A connection without a valid line is closed. The rest of the
 * bytes go to `server` as an ordinary connection.
 */
export function proxyProtocolListener(server: http.Server, headerTimeoutMs = 5_000): net.Server {
  return net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.setTimeout(headerTimeoutMs, () => socket.destroy());
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n');
      if (end < 0) {
        if (buffered.length > MAX_LINE) socket.destroy();
        return;
      }
      const m = LINE.exec(buffered.subarray(0, end).toString('latin1'));
      if (!m) {
        socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.pause();
      socket.setTimeout(0);
      if (m[1] !== undefined) {
        Object.defineProperty(socket, 'remoteAddress', { value: m[1] === 'TCP6' ? m[2] : `${m[2]}`, configurable: true });
        Object.defineProperty(socket, 'remotePort', { value: Number(m[4]), configurable: true });
        Object.defineProperty(socket, 'remoteFamily', { value: m[1] === 'TCP6' ? 'IPv6' : 'IPv4', configurable: true });
      }
      const rest = buffered.subarray(end + 2);
      if (rest.length > 0) socket.unshift(rest);
      server.emit('connection', socket);
      socket.resume();
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  });
}
