import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Credentials of an upstream URL (`https://user:token@host/…`) moved out of it: git gets the bare
 * URL in its argv (world-readable in `/proc/{pid}/cmdline`) and answers its credential prompts
 * through `GIT_ASKPASS`, a fixed script that prints two variables of git's own environment
 * (readable only by our user). As with the URL form, git sends them only when the server asks (401).
 */
export interface SplitUpstream {
  /** The URL without `user:password@`. */
  url: string;
  /** Environment for git: empty when the URL has no credentials. */
  env: Record<string, string>;
}

const USER_VAR = 'SPACEPORT_UPSTREAM_USERNAME';
const PASSWORD_VAR = 'SPACEPORT_UPSTREAM_PASSWORD';

/** The askpass script: fixed text, no user data in it. */
const ASKPASS = `#!/bin/sh
case "$1" in
  Username*) printf '%s\\n' "$${USER_VAR}" ;;
  *) printf '%s\\n' "$${PASSWORD_VAR}" ;;
esac
`;

/** Write the askpass script into `dir` (once per process is enough; it never changes) and return its path. */
export async function ensureAskpass(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'askpass.sh');
  await writeFile(file, ASKPASS, { mode: 0o700 });
  await chmod(file, 0o700);
  return file;
}

export function splitUpstreamCredentials(url: string, askpass: string): SplitUpstream {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url: parsed.href, env: {} };
  const user = safeDecode(parsed.username);
  const password = safeDecode(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, env: { GIT_ASKPASS: askpass, [USER_VAR]: user, [PASSWORD_VAR]: password } };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
