import path from 'node:path';
import { nameProblem, parseConfig } from '../core/index.js';
import { hashPassword, passwordProblem } from '../controller/auth/index.js';
import { SecretBox, SqliteStore } from '../controller/store/index.js';
import { flagsToEnv } from './flags.js';

export const PASSWD_USAGE = `  spaceport passwd NAME [--data-dir .data] [--role admin|user]
                             set the web sign-in password of NAME (read from standard input; the user is created if missing)`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/**
 * `spaceport passwd NAME`: the operator's way to give people a password, on the same data dir as
 * `spaceport up` (SQLite allows it while Spaceport runs). The password comes from standard input,
 * never from argv (other users of the machine can read argv).
 */
export async function runPasswd(args: string[], fail: (text: string) => never): Promise<void> {
  const [name, ...rest] = args;
  if (!name || name.startsWith('--')) fail(`Which user?\n\n${PASSWD_USAGE}`);
  const problem = nameProblem(name);
  if (problem) fail(`"${name}" is not a valid user name: ${problem}`);
  let role: 'admin' | 'user' = 'user';
  const i = rest.findIndex((a) => a === '--role' || a.startsWith('--role='));
  if (i >= 0) {
    const value = rest[i]!.includes('=') ? rest[i]!.split('=')[1] : rest[i + 1];
    if (value !== 'admin' && value !== 'user') fail('--role is "admin" or "user".');
    role = value;
    rest.splice(i, rest[i]!.includes('=') ? 1 : 2);
  }
  const flags = flagsToEnv(rest);
  if (!flags.ok) fail(`${flags.problem}\n\n${PASSWD_USAGE}`);
  const parsed = parseConfig({ ...process.env, ...flags.env });
  if (!parsed.ok) fail(`spaceport: invalid settings:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}`);
  if (process.stdin.isTTY) process.stderr.write(`New password for ${name} (then Enter, Ctrl-D): `);
  const password = await readStdin();
  const weak = passwordProblem(password);
  if (weak) fail(weak);
  const { dataDir } = parsed.config;
  const store = new SqliteStore({ file: path.join(dataDir, 'spaceport.db'), secrets: SecretBox.fromDataDir(dataDir) });
  try {
    const created = !store.getUser(name);
    if (created) store.createUser(name, role);
    store.setPasswordHash(name, await hashPassword(password));
    process.stdout.write(`${created ? `Created ${role} "${name}" with` : `Set`} a password${created ? '' : ` for "${name}"`}: sign in at ${parsed.config.publicUrl}/login\n`);
  } finally {
    store.close();
  }
}
