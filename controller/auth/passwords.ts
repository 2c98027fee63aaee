import { hash, verify } from '@node-rs/argon2';

/** Argon2id with the library's defaults (OWASP's minimum: 19 MiB, 2 passes). The password is never stored or logged. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** Whether `password` matches `stored`; a malformed hash is a mismatch, never a throw. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A password the UI and the API accept: 8 to 1,024 characters. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 8) return 'A password needs at least 8 characters.';
  if (password.length > 1024) return 'A password can have at most 1,024 characters.';
  return undefined;
}
