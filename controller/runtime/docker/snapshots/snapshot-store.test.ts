import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnapshotStore, settingsHash, type SnapshotKey } from './snapshot-store.js';

const id = (n: number) => n.toString(16).padStart(64, '0');
const settings = settingsHash({ env: { A: '1' }, secrets: { TOKEN: 'x' }, hardware: 'cpu-basic' });
const keyOf = (n: number, over: Partial<SnapshotKey> = {}): SnapshotKey => ({ space: 'space-a', container: id(n), release: 'r1', settings, ...over });

let base: string;
let clock: number;
const store = (over: { budgetBytes?: number; maxAgeMs?: number } = {}) =>
  new SnapshotStore({ root: path.join(base, 'snapshots'), maxAgeMs: over.maxAgeMs ?? 3_600_000, budgetBytes: over.budgetBytes ?? 1e9, now: () => clock });

/** A "dump" of `bytes` bytes, committed. */
function snapshot(s: SnapshotStore, key: SnapshotKey, bytes = 100) {
  const { images } = s.begin(key);
  writeFileSync(path.join(images, 'pages-1.img'), Buffer.alloc(bytes), { mode: 0o644 });
  return s.commit(key);
}

beforeEach(() => {
  base = mkdtempSync(path.join(tmpdir(), 'snapshot-store-'));
  clock = 1_000_000;
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('SnapshotStore', () => {
  it('keeps snapshots owner-only: root and directories 0700, image files and meta 0600', () => {
    const s = store();
    snapshot(s, keyOf(1));
    const mode = (p: string) => statSync(path.join(s.root, p)).mode & 0o777;
    expect(mode('.')).toBe(0o700);
    expect(mode(id(1))).toBe(0o700);
    expect(mode(`${id(1)}/images`)).toBe(0o700);
    expect(mode(`${id(1)}/images/pages-1.img`)).toBe(0o600);
    expect(mode(`${id(1)}/meta.json`)).toBe(0o600);
    expect(existsSync(path.join(s.root, id(1), 'ready'))).toBe(true);
  });

  it('restores only for the same release and settings, and deletes a snapshot that no longer fits', () => {
    const s = store();
    snapshot(s, keyOf(1));
    expect(s.lookup(keyOf(1))).toMatchObject({ kind: 'ready', meta: { bytes: 100, takenAt: 1_000_000 } });
    expect(s.lookup(keyOf(1, { release: 'r2' }))).toEqual({ kind: 'none', reason: 'release-changed' });
    expect(existsSync(path.join(s.root, id(1)))).toBe(false);

    snapshot(s, keyOf(2));
    const changed = settingsHash({ env: { A: '1' }, secrets: { TOKEN: 'y' }, hardware: 'cpu-basic' });
    expect(s.lookup(keyOf(2, { settings: changed }))).toEqual({ kind: 'none', reason: 'settings-changed' });
    expect(s.lookup(keyOf(2))).toEqual({ kind: 'none', reason: 'missing' });
  });

  it('never hands one Space the snapshot written for another', () => {
    const s = store();
    snapshot(s, keyOf(1, { space: 'space-a' }));
    expect(s.lookup(keyOf(1, { space: 'space-b' }))).toEqual({ kind: 'none', reason: 'corrupt' });
  });

  it('treats a snapshot without meta or ready marker as corrupt, and an old one as expired', () => {
    const s = store({ maxAgeMs: 1000 });
    s.begin(keyOf(1)); // a dump that never committed
    expect(s.lookup(keyOf(1))).toEqual({ kind: 'none', reason: 'corrupt' });
    snapshot(s, keyOf(2));
    clock += 1001;
    expect(s.lookup(keyOf(2))).toEqual({ kind: 'none', reason: 'expired' });
  });

  it('evicts the oldest first past the disk budget', () => {
    const s = store({ budgetBytes: 250 });
    snapshot(s, keyOf(1));
    clock += 1;
    snapshot(s, keyOf(2));
    clock += 1;
    expect(snapshot(s, keyOf(3)).evicted).toEqual([id(1)]);
    expect(s.list().map((m) => m.container)).toEqual([id(2), id(3)]);
  });

  it('deletes every snapshot of a Space with it', () => {
    const s = store();
    snapshot(s, keyOf(1));
    snapshot(s, keyOf(2, { space: 'space-b' }));
    expect(s.removeSpace('space-a')).toBe(1);
    expect(s.list().map((m) => m.space)).toEqual(['space-b']);
  });

  it('refuses a container id that is not one (no path outside the root)', () => {
    const s = store();
    expect(() => s.begin(keyOf(1, { container: '../../etc' }))).toThrow(/64 hex digits/);
    expect(() => s.lookup(keyOf(1, { container: `${id(1)}/..` }))).toThrow(/64 hex digits/);
  });
});

describe('settingsHash', () => {
  it('does not depend on the order of variables, and changes with any value', () => {
    const a = settingsHash({ env: { A: '1', B: '2' }, secrets: {}, hardware: 'cpu-basic' });
    expect(settingsHash({ env: { B: '2', A: '1' }, secrets: {}, hardware: 'cpu-basic' })).toBe(a);
    expect(settingsHash({ env: { A: '1', B: '3' }, secrets: {}, hardware: 'cpu-basic' })).not.toBe(a);
    expect(settingsHash({ env: { A: '1', B: '2' }, secrets: {}, hardware: 'cpu-upgrade' })).not.toBe(a);
  });
});
