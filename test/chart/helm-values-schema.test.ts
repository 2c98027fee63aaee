import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { VALUES_SCHEMA, withHardwareSchema } from '../../scripts/k8s/hardware-schema.js';

it("the chart's hardware value schema is the controller's hardware file schema (regenerate with scripts/k8s/hardware-schema.ts)", () => {
  const text = readFileSync(VALUES_SCHEMA, 'utf8');
  expect(text).toBe(withHardwareSchema(text));
  const hardware = (JSON.parse(text) as { properties: { hardware: { additionalProperties: boolean; properties: Record<string, unknown> } } }).properties.hardware;
  expect(hardware.additionalProperties).toBe(false);
  expect(Object.keys(hardware.properties)).toEqual(['offer', 'flavors', 'gpu', 'nodeSelector', 'tolerations', 'requestRatio']);
});
