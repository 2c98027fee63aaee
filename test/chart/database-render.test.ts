import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { find, helmBinary, renderChart, type Manifest } from '../support/helm.js';

/**
 * The controller's PostgreSQL (issue 18, chart item 4): `controller.database.url` goes into the chart's
 * Secret and reaches the controller as SPACEPORT_DATABASE_URL from it; `existingSecret` names the
 * operator's own Secret instead; unset, no such env and SQLite stays the store.
 */
const REGISTRY = 'registry.push=registry.example.com/spaceport';
const URL = 'postgres://spaceport:s3cret-db-password@db.example.com:5432/spaceport';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spaceport-chart-db-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function render(values: Record<string, unknown>): Promise<{ text: string; manifests: Manifest[] }> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, YAML.stringify(values));
  return renderChart(helmBinary(), { namespace: 'spaceport', valuesFiles: [file], set: [REGISTRY] });
}

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } };

function controllerEnv(manifests: Manifest[]): Env[] {
  const d = find(manifests, 'Deployment', '-controller');
  if (!d) throw new Error('no controller Deployment rendered');
  return (d.spec.template.spec.containers as { name: string; env: Env[] }[]).find((c) => c.name === 'controller')!.env;
}

const checksum = (manifests: Manifest[]): string => find(manifests, 'Deployment', '-controller')!.spec.template.metadata.annotations['checksum/secret'];

describe('chart: the controller on PostgreSQL', () => {
  it('by default sets no database: SQLite on the data volume', async () => {
    const { manifests } = await render({});
    expect(controllerEnv(manifests).map((e) => e.name)).not.toContain('SPACEPORT_DATABASE_URL');
    expect(manifests.some((m) => m.kind === 'Secret' && m.data?.['database-url'])).toBe(false);
  });

  it('puts controller.database.url in the Secret and the env reads it from there, never in clear', async () => {
    const { text, manifests } = await render({ controller: { database: { url: URL, timeoutMs: 3000 } } });
    const env = controllerEnv(manifests);
    const secret = manifests.find((m) => m.kind === 'Secret' && m.data?.['database-url'])!;
    expect(Buffer.from(secret.data['database-url'], 'base64').toString()).toBe(URL);
    expect(env.find((e) => e.name === 'SPACEPORT_DATABASE_URL')).toEqual({
      name: 'SPACEPORT_DATABASE_URL',
      valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'database-url' } },
    });
    expect(env.find((e) => e.name === 'SPACEPORT_DATABASE_TIMEOUT_MS')?.value).toBe('3000');
    expect(text).not.toContain('s3cret-db-password');
    // A new URL restarts the controller (env from a Secret is read at start only).
    const other = await render({ controller: { database: { url: URL.replace('db.example.com', 'db2.example.com') } } });
    expect(checksum(other.manifests)).not.toBe(checksum(manifests));
  });

  it('reads the URL from an existing Secret and its key', async () => {
    const { manifests } = await render({ controller: { database: { existingSecret: 'spaceport-db', existingSecretKey: 'uri' } } });
    expect(controllerEnv(manifests).find((e) => e.name === 'SPACEPORT_DATABASE_URL')?.valueFrom).toEqual({ secretKeyRef: { name: 'spaceport-db', key: 'uri' } });
    expect(manifests.some((m) => m.kind === 'Secret' && m.data?.['database-url'])).toBe(false);
  });

  it('refuses a URL that is not PostgreSQL', async () => {
    await expect(render({ controller: { database: { url: 'mysql://root@db/spaceport' } } })).rejects.toThrow(/database/);
  });
});
