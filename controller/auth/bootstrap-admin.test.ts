import { describe, expect, it } from 'vitest';
import type { Logger } from '../../core/index.js';
import { reportNameProblems } from './bootstrap-admin.js';

describe('reportNameProblems', () => {
  const capture = () => {
    const lines: { obj: unknown; msg: string }[] = [];
    const logger = { warn: (obj: unknown, msg: string) => lines.push({ obj, msg }) } as unknown as Logger;
    return { lines, logger };
  };

  it('warns once for names equal ignoring case and once for orphan namespaces, naming them', () => {
    const { lines, logger } = capture();
    reportNameProblems({ nameProblems: () => ({ caseCollisions: [['Alice', 'alice']], orphanNamespaces: ['ghostns'] }) }, logger);
    expect(lines).toEqual([
      { obj: { caseCollisions: [['Alice', 'alice']] }, msg: expect.stringMatching(/ignoring case/) },
      { obj: { orphanNamespaces: ['ghostns'] }, msg: expect.stringMatching(/no user or organization/) },
    ]);
  });

  it('says nothing when the data obeys the rules', () => {
    const { lines, logger } = capture();
    reportNameProblems({ nameProblems: () => ({ caseCollisions: [], orphanNamespaces: [] }) }, logger);
    expect(lines).toEqual([]);
  });
});
