import { describe, expect, it } from 'vitest';
import { detectSnapshotSupport, type CommandResult, type RunCommand } from './snapshot-support.js';

/** Answers per program + first argument; records what ran. */
function fakeRun(answers: Record<string, CommandResult>): RunCommand & { calls: string[] } {
  const calls: string[] = [];
  const run: RunCommand = async (cmd, args) => {
    const key = `${cmd} ${args[0] ?? ''}`;
    calls.push(key);
    return answers[key] ?? { code: null, output: '', startError: 'ENOENT' };
  };
  return Object.assign(run, { calls });
}

const good = {
  'criu --version': { code: 0, output: 'Version: 4.1.1\n' },
  'criu check': { code: 0, output: 'Looks good.\n' },
  'runc --version': { code: 0, output: 'runc version 1.1.5\n' },
};

describe('detectSnapshotSupport', () => {
  it('is on when CRIU says its version, criu check passes and runc is there', async () => {
    expect(await detectSnapshotSupport({ setting: 'auto', runtime: 'docker', run: fakeRun(good) })).toEqual({ kind: 'on', criu: 'criu', version: '4.1.1' });
  });

  it('SPACEPORT_SNAPSHOTS=off runs nothing', async () => {
    const run = fakeRun(good);
    expect(await detectSnapshotSupport({ setting: 'off', runtime: 'docker', run })).toEqual({ kind: 'off', reason: 'SPACEPORT_SNAPSHOTS=off' });
    expect(run.calls).toEqual([]);
  });

  it('is off on the Kubernetes runtime, saying so', async () => {
    const r = await detectSnapshotSupport({ setting: 'auto', runtime: 'kubernetes', run: fakeRun(good) });
    expect(r).toMatchObject({ kind: 'off', reason: expect.stringContaining('kubernetes') });
  });

  it('names a missing binary and how to get one', async () => {
    const r = await detectSnapshotSupport({ setting: 'auto', runtime: 'docker', criu: '/nowhere/criu', run: fakeRun({}) });
    expect(r).toMatchObject({ kind: 'off', reason: expect.stringMatching(/SPACEPORT_CRIU: ENOENT.*ensure-criu\.sh/) });
  });

  it("gives CRIU's own error line when criu check fails (Debian 12's 3.17 on a 6.x kernel)", async () => {
    const run = fakeRun({
      ...good,
      'criu --version': { code: 0, output: 'Version: 3.17.1\n' },
      'criu check': { code: 1, output: 'Warn (criu/kerndat.c:1285): Can\'t keep kdat cache\nError (criu/vdso.c:613): vdso: Failed to fill self vdso symtable\nError (criu/kerndat.c:1906): kerndat_vdso_fill_symtable failed when initializing kerndat.\n' },
    });
    const r = await detectSnapshotSupport({ setting: 'auto', runtime: 'docker', run });
    expect(r).toEqual({ kind: 'off', reason: 'criu check failed (CRIU 3.17.1): Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable' });
  });

  it('is off without runc', async () => {
    const r = await detectSnapshotSupport({ setting: 'auto', runtime: 'docker', run: fakeRun({ 'criu --version': good['criu --version'], 'criu check': good['criu check'] }) });
    expect(r).toMatchObject({ kind: 'off', reason: expect.stringContaining('runc is missing') });
  });
});
