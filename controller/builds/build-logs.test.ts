import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BuildLogs } from './build-logs.js';

describe('BuildLogs when the log cannot be written (a full disk)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-buildlogs-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('does not throw into the build: the build goes on without its stored log', () => {
    const logs = new BuildLogs(dir);
    // A directory where the log file should be: every append fails, as with ENOSPC.
    mkdirSync(path.join(dir, 'logs', 'builds', 'b1.jsonl'));
    const sink = logs.open('b1');
    expect(() => sink.write('Step 1/2\nStep 2/2\n')).not.toThrow();
    expect(() => sink.end()).not.toThrow();
    expect(logs.isOpen('b1')).toBe(false);
  });
});
