import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * Finding of issue 10: Ctrl-C on `make up` stopped the Docker engine that `make up` had started, because
 * dockerd ran in the same process group. `scripts/ensure-docker.sh` starts it in its own session. A
 * stand-in `dockerd` on PATH (answers `/_ping` on the socket it is given, writes its pid) plays the
 * engine, so the shared engine of this host is never touched.
 */
const SCRIPT = path.join(import.meta.dirname, '..', '..', 'scripts', 'ensure-docker.sh');

const FAKE_DOCKERD = `#!/usr/bin/env python3
import http.server, os, socketserver, sys
sock = sys.argv[sys.argv.index("-H") + 1].removeprefix("unix://")
open(os.environ["FAKE_DOCKERD_PID"], "w").write(str(os.getpid()))
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"OK")
    def log_message(self, *a): pass
class S(socketserver.UnixStreamServer):
    def get_request(self):
        conn, _ = self.socket.accept()
        return conn, ("local", 0)
S(sock, H).serve_forever()
`;

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

describe('scripts/ensure-docker.sh', () => {
  let dir: string | undefined;
  let enginePid: number | undefined;

  afterEach(() => {
    if (enginePid) {
      try {
        process.kill(enginePid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts the engine in its own session: killing the process group that ran it (Ctrl-C, timeout) leaves it running', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spaceport-ensure-docker-'));
    const bin = path.join(dir, 'bin');
    const socket = path.join(dir, 'docker.sock');
    const pidFile = path.join(dir, 'dockerd.pid');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'dockerd'), FAKE_DOCKERD);
    chmodSync(path.join(bin, 'dockerd'), 0o755);
    writeFileSync(path.join(bin, 'debootstrap'), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(bin, 'debootstrap'), 0o755);

    // Like `make up`: the script runs in a process group of its own making (a terminal's foreground group).
    const child = spawn('bash', [SCRIPT], {
      detached: true,
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: process.env.HOME,
        SPACEPORT_DOCKER_SOCKET: socket,
        SPACEPORT_DOCKERD_LOG: path.join(dir, 'dockerd.log'),
        FAKE_DOCKERD_PID: pidFile,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, err).toBe(0);
    expect(err).toContain('starting dockerd');
    enginePid = Number(readFileSync(pidFile, 'utf8'));
    expect(await ping(socket)).toBe(true);

    // What Ctrl-C on `make up`, or `timeout` around it, does: signal the whole group.
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch (e) {
      // ESRCH: nothing is left in the group, which is the point (the engine is not in it).
      expect((e as NodeJS.ErrnoException).code).toBe('ESRCH');
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await ping(socket)).toBe(true);
  });
});
