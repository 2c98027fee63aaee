import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A PostgreSQL server of its own, reached over TCP with a password, as an operator's managed
 * database is (the store tests' server, scripts/ensure-postgres.sh, listens on a Unix socket only).
 * It listens on `host` only (never a wildcard), accepts password logins (scram-sha-256) from
 * `allowCidr` only, for one role and one database. Debian's `postgresql` package is installed when
 * missing (scripts/ensure-postgres.sh install); as root the server runs as its `postgres` user.
 */
export interface PostgresServer {
  /** postgres://spaceport:<password>@host:port/spaceport */
  url: string;
  stop(): void;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The newest installed PostgreSQL's bin directory; Debian's package is installed first when missing. */
function pgBin(): string {
  const newest = () => {
    try {
      return readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)).pop();
    } catch {
      return undefined;
    }
  };
  let v = newest();
  if (!v) {
    execFileSync('bash', [path.join(ROOT, 'scripts/ensure-postgres.sh'), 'install'], { stdio: ['ignore', 'ignore', 'inherit'] });
    v = newest();
  }
  if (!v) throw new Error('PostgreSQL is not installed: bash scripts/ensure-postgres.sh install (or apt-get install postgresql)');
  return path.join('/usr/lib/postgresql', v, 'bin');
}

export function startPostgresServer(opts: { host: string; port: number; allowCidr: string }): PostgresServer {
  const bin = pgBin();
  const root = process.getuid?.() === 0;
  const asOwner = (cmd: string, args: string[]) =>
    execFileSync(root ? 'runuser' : cmd, root ? ['-u', 'postgres', '--', cmd, ...args] : args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-pg-tcp-'));
  const data = path.join(dir, 'data');
  const password = randomBytes(18).toString('base64url');
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  chmodSync(dir, 0o700);
  const stop = () => {
    try {
      asOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // not running
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    // The superuser is `spaceport` (the test's database only); local socket logins are trusted only
    // inside the 0700 directory.
    asOwner(path.join(bin, 'initdb'), ['-D', data, '-U', 'spaceport', '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8']);
    rmSync(pwfile);
    appendFileSync(
      path.join(data, 'postgresql.conf'),
      `listen_addresses = '${opts.host}'\nport = ${opts.port}\nunix_socket_directories = '${dir}'\nfsync = off\nmax_connections = 50\n`,
    );
    writeFileSync(path.join(data, 'pg_hba.conf'), `local all all trust\nhost spaceport spaceport ${opts.allowCidr} scram-sha-256\n`);
    asOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
    asOwner(path.join(bin, 'createdb'), ['-h', dir, '-p', String(opts.port), '-U', 'spaceport', 'spaceport']);
  } catch (err) {
    const log = (() => {
      try {
        return readFileSync(path.join(dir, 'log'), 'utf8').slice(-2000);
      } catch {
        return '';
      }
    })();
    stop();
    throw new Error(`PostgreSQL on ${opts.host}:${opts.port} did not start: ${(err as Error).message}\n${log}`, { cause: err });
  }
  return { url: `postgres://spaceport:${password}@${opts.host}:${opts.port}/spaceport`, stop };
}
