import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AREAS } from './errors/catalog.js';
import { ERRORS, MESSAGES } from './errors.js';

type AnyEntry = { code: string; message: (p: unknown) => string };
const entries = Object.entries(MESSAGES as unknown as Record<string, AnyEntry>);

/**
 * Each param as a one-element array `['{name}']`: it prints as `{name}`, and survives what the
 * templates do with params (`.slice`, `.join`, `?.`, `??`, truthiness).
 */
const placeholders = new Proxy({}, { get: (_, k) => (typeof k === 'string' ? [`{${k}}`] : undefined) });
const template = (e: AnyEntry): string => e.message(placeholders);

describe('the message catalog', () => {
  it('binds every message to a code of the registry', () => {
    for (const [key, e] of entries) expect(Object.keys(ERRORS), key).toContain(e.code);
  });

  it('has each key in one area only', () => {
    const total = Object.values(AREAS).reduce((n, area) => n + Object.keys(area).length, 0);
    expect(entries.length).toBe(total);
  });

  it('declares each text once: entries that read the same share one template (raised with two codes)', () => {
    const byText = new Map<string, AnyEntry['message'][]>();
    for (const [, e] of entries) byText.set(template(e), [...(byText.get(template(e)) ?? []), e.message]);
    const dupes = [...byText].filter(([, fns]) => new Set(fns).size > 1).map(([text]) => text);
    expect(dupes).toEqual([]);
  });

  it('repeats no default message of the registry (raise the code alone for those)', () => {
    const defaults = new Set<string>(Object.values(ERRORS).map((e) => e.message));
    expect(entries.filter(([, e]) => defaults.has(template(e))).map(([k]) => k)).toEqual([]);
  });

  it('renders every param it declares (no `undefined` in a template)', () => {
    for (const [key, e] of entries) expect(template(e), key).not.toMatch(/undefined|\[object /);
  });

  it('has no entry that no source raises', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const sources = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('node_modules') && !f.startsWith(`core${path.sep}errors`))
      .map((f) => readFileSync(path.join(root, f), 'utf8'))
      .join('\n');
    const unused = entries.map(([k]) => k).filter((k) => !sources.includes(`'${k}'`));
    expect(unused).toEqual([]);
  });
});
