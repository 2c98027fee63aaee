/**
 * The Hub's flavors as the chart's placeholders need them (helm/spaceport/files/flavors.json):
 * generated from core/hardware.ts, so a placeholder asks for what a Space of its flavor asks for.
 *   npx tsx scripts/k8s/flavor-table.ts          write it
 *   npx tsx scripts/k8s/flavor-table.ts --check  exit 1 if the file differs (test/chart/scheduling-render.test.ts)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HUB_FLAVORS } from '../../core/index.js';

export const FLAVOR_TABLE = path.resolve(import.meta.dirname, '../../helm/spaceport/files/flavors.json');

/** name → limits (millicores, MiB: the Space pod's quantities) and GPU. */
export function flavorTable(): string {
  const table: Record<string, unknown> = {};
  for (const f of HUB_FLAVORS) {
    table[f.name] = {
      cpuMillis: Math.max(1, Math.round(f.cpus * 1000)),
      memoryMi: Math.max(1, Math.round(f.memoryBytes / 1024 ** 2)),
      ...(f.gpu && f.gpu.count > 0 ? { gpu: { count: f.gpu.count, product: f.gpu.product } } : {}),
    };
  }
  return `${JSON.stringify(table, null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const next = flavorTable();
  if (process.argv.includes('--check')) {
    if (readFileSync(FLAVOR_TABLE, 'utf8') !== next) {
      process.stderr.write(`${FLAVOR_TABLE} is out of date: npx tsx scripts/k8s/flavor-table.ts\n`);
      process.exit(1);
    }
  } else writeFileSync(FLAVOR_TABLE, next);
}
