import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { RequestCensus } from '../support/request-census.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * schemathesis (PyPI, cached by version: scripts/ensure-schemathesis.sh) against a running Spaceport
 * (fake runtime and builder, real git) from its own `/openapi.json`: as the admin and anonymously.
 * Every request is counted server side; none may be a 5xx, every 4xx must carry `X-Error-Code`.
 * With the property suites (test/api/fuzz-*.test.ts) this is over 10,000 generated requests.
 */
const ROOT = path.join(import.meta.dirname, '../..');
/** With the HTTP property suites' 7,500 (test/api/fuzz-http.test.ts): 12,500 in all (about 6,300 are sent here). */
const MIN_REQUESTS = 5000;
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_headers_conformance', 'response_schema_conformance'];

interface StRun {
  code: number;
  output: string;
  report: { test_cases: { generated: number; with_failures: number }; failures: unknown[]; errors: unknown[] };
}

function runSchemathesis(st: string, port: number, opts: { token?: string; examples: number; seed: number; phases: string; workers?: number }): Promise<StRun> {
  const work = mkdtempSync(path.join(tmpdir(), 'spaceport-schemathesis-'));
  const args = [
    '--config-file', path.join(ROOT, 'test/schemathesis/schemathesis.toml'),
    'run', `http://127.0.0.1:${port}/openapi.json`,
    '--checks', CHECKS.join(','),
    '--max-examples', String(opts.examples),
    '--phases', opts.phases,
    '--seed', String(opts.seed),
    '--workers', String(opts.workers ?? 2),
    '--no-shrink',
    '--request-timeout', '20',
    '--generation-database', 'none',
    '--suppress-health-check', 'all',
    '--report', 'json', '--report-dir', work,
    ...(opts.token ? ['--header', `Authorization: Bearer ${opts.token}`] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(st, args, {
      cwd: work,
      env: { ...process.env, SCHEMATHESIS_HOOKS: path.join(ROOT, 'test/schemathesis/hooks.py'), NO_COLOR: '1', COLUMNS: '120' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (process.env.SPACEPORT_SCHEMATHESIS_LOG) writeFileSync(`${process.env.SPACEPORT_SCHEMATHESIS_LOG}-${opts.seed}-${opts.phases.replace(/,/g, '+')}.log`, output);
      try {
        const file = readdirSync(work).find((f) => f.endsWith('.json'));
        if (!file) throw new Error(`schemathesis wrote no report (exit ${code}):\n${output.slice(-4000)}`);
        resolve({ code: code ?? -1, output, report: JSON.parse(readFileSync(path.join(work, file), 'utf8')) });
      } catch (err) {
        reject(err);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  });
}

describe('schemathesis against /openapi.json', () => {
  let h: Harness;
  let census: RequestCensus;
  let st: string;
  let work: string | undefined;

  beforeAll(async () => {
    const install = spawnSync('bash', [path.join(ROOT, 'scripts/ensure-schemathesis.sh')], { encoding: 'utf8', timeout: 600_000 });
    if (install.status !== 0) throw new Error(`installing schemathesis failed:\n${install.stderr}`);
    st = install.stdout.trim().split('\n').pop()!;
    // Loopback upstreams off: a generated upstream URL pointing back at this server must not fetch it.
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS: 'false',
    });
    // What the dictionaries in schemathesis.toml name: Spaces of the admin and of another user.
    const alice = await h.api('POST', '/api/users', { name: 'alice' });
    expect(alice.status).toBe(201);
    for (const [name, sdk] of [['demo', 'static'], ['app', 'gradio']]) {
      expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk })).status).toBe(200);
    }
    expect((await h.api('POST', '/api/repos/create', { name: 'private', type: 'space', sdk: 'docker', private: true }, alice.json().token)).status).toBe(200);
    // Files (README.md, index.html, docs/guide.md) so the file, tree and commit routes find something,
    // and an organization with a member for the organization routes.
    work = await makeWorkTree({ 'README.md': '---\nsdk: static\n---\n# Demo\n', 'index.html': '<h1>hi</h1>', 'docs/guide.md': 'guide\n' });
    const push = await git(['push', '--force', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    expect((await h.api('POST', '/api/organizations/new', { name: 'acme' })).status).toBe(201);
    expect((await h.api('PUT', '/api/organizations/acme/members/alice', { role: 'write' })).status).toBe(200);
    census = new RequestCensus(h.sp.server);
  });

  afterAll(async () => {
    census?.close();
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(`finds no 5xx and no 4xx without an error code (at least ${MIN_REQUESTS} requests)`, { timeout: 900_000 }, async () => {
    const runs = [
      // The examples phase in one worker: hypothesis parses source files to describe strategies, and two
      // threads doing so at once trip a CPython 3.11 bug ("AST constructor recursion depth mismatch").
      { who: 'admin (examples)', ...(await runSchemathesis(st, h.port, { token: ADMIN_TOKEN, examples: 15, seed: 1, phases: 'examples', workers: 1 })) },
      { who: 'admin', ...(await runSchemathesis(st, h.port, { token: ADMIN_TOKEN, examples: 15, seed: 1, phases: 'coverage,fuzzing,stateful' })) },
      { who: 'anonymous', ...(await runSchemathesis(st, h.port, { examples: 5, seed: 2, phases: 'coverage,fuzzing' })) },
    ];
    for (const r of runs) {
      process.stdout.write(`schemathesis (${r.who}): ${r.report.test_cases.generated} test cases, exit ${r.code}\n`);
    }
    process.stdout.write(`schemathesis: ${census.total} requests answered, by status ${JSON.stringify(census.summary())}\n`);
    for (const r of runs) expect(r.code, `schemathesis as ${r.who} failed:\n${r.output.slice(-12_000)}`).toBe(0);
    expect(census.serverErrors).toEqual([]);
    expect(census.uncodedClientErrors).toEqual([]);
    expect(census.total).toBeGreaterThanOrEqual(MIN_REQUESTS);
  });
});
