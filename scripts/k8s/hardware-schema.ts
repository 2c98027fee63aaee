/**
 * The chart's `hardware` value is the controller's hardware file: its JSON schema in
 * helm/spaceport/values.schema.json is generated from `hardwareFileSchema` (core/hardware.ts).
 *   npx tsx scripts/k8s/hardware-schema.ts          write it
 *   npx tsx scripts/k8s/hardware-schema.ts --check  exit 1 if the file differs (test/chart/helm-values-schema.test.ts)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { hardwareFileSchema } from '../../core/index.js';

export const VALUES_SCHEMA = path.resolve(import.meta.dirname, '../../helm/spaceport/values.schema.json');

/** The `hardware` property's schema: draft-07, as helm reads it, with a description. */
export function hardwareValueSchema(): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(hardwareFileSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  return { description: 'The hardware table (SPACEPORT_HARDWARE_FILE): generated from core/hardware.ts by scripts/k8s/hardware-schema.ts.', ...schema };
}

/** values.schema.json with its `hardware` property replaced by the generated one. */
export function withHardwareSchema(text: string): string {
  const doc = JSON.parse(text) as { properties: Record<string, unknown> };
  doc.properties.hardware = hardwareValueSchema();
  return `${JSON.stringify(doc, null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const current = readFileSync(VALUES_SCHEMA, 'utf8');
  const next = withHardwareSchema(current);
  if (process.argv.includes('--check')) {
    if (current !== next) {
      process.stderr.write('helm/spaceport/values.schema.json is out of date: run `npx tsx scripts/k8s/hardware-schema.ts`\n');
      process.exit(1);
    }
  } else {
    writeFileSync(VALUES_SCHEMA, next);
  }
}
