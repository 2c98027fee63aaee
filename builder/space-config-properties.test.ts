import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { COLORS, parseSpaceConfig } from './space-config.js';

/** Property suite (issue 10): the front matter parser never throws, whatever the README; good configs round-trip. */

function mustNotThrow(readme: string): void {
  let result;
  try {
    result = parseSpaceConfig(readme);
  } catch (err) {
    throw new Error(`parseSpaceConfig threw ${String(err)} for ${JSON.stringify(readme.slice(0, 300))}`);
  }
  if (!result.ok) {
    expect(typeof result.message).toBe('string');
    expect(result.message.length).toBeGreaterThan(0);
  } else {
    // cardData is stored as JSON and returned by the API.
    expect(() => JSON.stringify(result.cardData)).not.toThrow();
  }
}

/** YAML-ish text: the tokens that make YAML interesting, in any order. */
const yamlToken = fc.constantFrom(
  'sdk', 'static', 'gradio', 'docker', ':', ': ', '\n', '  ', '- ', '[', ']', '{', '}', ',', '"', "'", '&a ', '*a', '!!str ', '!!binary ',
  '!!int ', '<<: ', '? ', '#', '|', '>', '---', '...', '%YAML 1.2', 'tags', 'app_port', 'custom_headers', '0x1F', '1e309', '.nan', '~',
  'null', 'true', '\t', '\r', '\u0000', '\ufeff', '🚀', 'emoji', 'title', 'app_file', '../', '%', '\\',
);
const yamlish = fc.array(fc.oneof(yamlToken, fc.string({ maxLength: 8 })), { maxLength: 40 }).map((t) => t.join(''));

describe('parseSpaceConfig properties', () => {
  it('never throws on any text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => mustNotThrow(s)), { numRuns: 500 });
  });

  it('never throws on any front matter block', () => {
    fc.assert(fc.property(yamlish, (body) => mustNotThrow(`---\n${body}\n---\n# x\n`)), { numRuns: 1500 });
  });

  it('never throws on front matter made of any YAML value under any key', () => {
    const key = fc.constantFrom('sdk', 'title', 'emoji', 'colorFrom', 'app_port', 'app_file', 'tags', 'models', 'custom_headers', 'startup_duration_timeout', 'hf_oauth_scopes', 'sdk_version', 'python_version', 'x');
    fc.assert(
      fc.property(fc.dictionary(key, fc.jsonValue({ maxDepth: 3 })), (obj) => mustNotThrow(`---\n${stringify(obj)}---\n`)),
      { numRuns: 500 },
    );
  });

  it('aliases and recursive anchors are refused or read, never a crash', () => {
    for (const body of [
      'sdk: static\ntags: &a [*a]',
      'sdk: static\ncustom_headers: &h {x: *h}',
      'sdk: static\nmodels: &m [*m, *m]\ndatasets: *m',
      `sdk: static\na: &a [x, x]\n${Array.from({ length: 8 }, (_, i) => `b${i}: &b${i} [${'*' + (i ? `b${i - 1}` : 'a')}, ${'*' + (i ? `b${i - 1}` : 'a')}]`).join('\n')}\ntags: *b7`,
    ]) {
      mustNotThrow(`---\n${body}\n---\n`);
    }
    const r = parseSpaceConfig('---\nsdk: static\ntags: &a [*a]\n---\n');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/contains itself/);
  });

  it('good configs round-trip', () => {
    const good = fc.record(
      {
        sdk: fc.constantFrom('gradio', 'streamlit', 'docker', 'static'),
        title: fc.string({ maxLength: 40 }),
        colorFrom: fc.constantFrom(...COLORS),
        colorTo: fc.constantFrom(...COLORS),
        pinned: fc.boolean(),
        tags: fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }),
        app_file: fc.array(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,15}$/), { minLength: 1, maxLength: 3 }).map((p) => p.join('/')),
        python_version: fc.constantFrom('3.10', '3.11', '3.12.4'),
        short_description: fc.string({ maxLength: 60 }),
      },
      { requiredKeys: ['sdk'] },
    );
    fc.assert(
      fc.property(good, (fm) => {
        const r = parseSpaceConfig(`---\n${stringify(fm)}---\n# Demo\n`);
        if (!r.ok) throw new Error(`${r.message}\n${stringify(fm)}`);
        for (const [k, v] of Object.entries(fm)) expect((r.config as unknown as Record<string, unknown>)[k], k).toEqual(v);
        expect(r.cardData).toEqual(fm);
      }),
      { numRuns: 500 },
    );
  });
});
