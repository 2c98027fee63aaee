import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHART_README, VALUES_FILE, describeSchema, renderReadme, valueComments } from '../../scripts/k8s/chart-docs.js';
import { VALUES_SCHEMA } from '../../scripts/k8s/hardware-schema.js';

/**
 * The chart's values are documented (issue 18, chart item 10): every value has its values.yaml
 * description in values.schema.json, and helm/spaceport/README.md is generated from them
 * (scripts/k8s/chart-docs.ts; regenerate with `npx tsx scripts/k8s/chart-docs.ts`).
 */
describe('chart docs', () => {
  const schema = readFileSync(VALUES_SCHEMA, 'utf8');
  const values = readFileSync(VALUES_FILE, 'utf8');

  it('describes every value in values.schema.json, from the values.yaml comments', () => {
    const { text, missing } = describeSchema(schema, values);
    expect(missing).toEqual([]);
    expect(schema).toBe(text);
  });

  it('has a README generated from the schema, one row per value', () => {
    const readme = readFileSync(CHART_README, 'utf8');
    expect(readme).toBe(renderReadme(schema, values));
    expect(readme).toContain('| `controller.persistence.keep` | boolean | `true` |');
    expect(readme).toContain('| `builder.dind.resources` | object |');
  });

  it('names a value that has no description', () => {
    const s = JSON.stringify({ type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' }, c: { type: 'string' } } } } });
    const { missing, text } = describeSchema(s, 'a:\n  # -- What b does,\n  # on two lines.\n  b: x\n  c: y\n');
    expect(missing).toEqual(['a.c']);
    expect(JSON.parse(text).properties.a.properties.b.description).toBe('What b does, on two lines.');
    expect(valueComments('x:\n  # -- nested\n  y: 1\nz: 2\n')).toEqual(new Map([['x.y', 'nested']]));
  });
});
