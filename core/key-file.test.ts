import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readOrCreateKeyFile } from './key-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it('makes a key once (mode 0600) and reads the same one after', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-key-'));
  dirs.push(dir);
  const file = path.join(dir, 'sub', 'a.key');
  const first = readOrCreateKeyFile(file, () => 'one');
  const again = readOrCreateKeyFile(file, () => 'two');
  expect([first.toString(), again.toString()]).toEqual(['one', 'one']);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readdirSync(path.dirname(file))).toEqual(['a.key']);
});

it('two makers at once (replicas starting together on a shared volume): the second reads the first one\'s key, no error, no leftover', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-key-race-'));
  dirs.push(dir);
  const file = path.join(dir, 'secret.key');
  let other: Buffer | undefined;
  // The other process makes and places its key while this one is still making its own.
  const mine = readOrCreateKeyFile(file, () => {
    other = readOrCreateKeyFile(file, () => 'theirs');
    return 'mine';
  });
  expect([mine.toString(), other?.toString()]).toEqual(['theirs', 'theirs']);
  expect(readdirSync(dir)).toEqual(['secret.key']);
});
