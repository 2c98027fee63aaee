/**
 * A herd at a sleeping Space: N concurrent requests (N=1000 by default, each its own connection,
 * not a browser so the proxy holds it) to a Space that sleeps, against the same herd to the same
 * Space while it runs. Expect one wake (one container start), N answers from the app, no error.
 *
 *   npx tsx bench/wake-herd.ts            (N=1000, RUNS=3)
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import Dockerode from 'dockerode';
import { silentLogger } from '../core/index.js';
import { dockerAdapters } from '../controller/docker-adapters.js';
import { git, makeWorkTree, pushUrl } from '../test/support/git-client.js';
import { ADMIN_TOKEN, startHarness } from '../test/support/spaceport-harness.js';
import { TEST_IMAGE, TEST_IMAGE_PORT, ensureTestImage } from '../test/support/test-image.js';
import { requestHerd, type HerdResult } from '../test/support/wake-herd.js';
import { writeResult } from './space-bench.js';
import { median, printTable } from './stats.js';

const N = Number(process.env.N ?? 1000);
const RUNS = Number(process.env.RUNS ?? 3);
const INSTANCE = `bench-herd-${randomBytes(3).toString('hex')}`;
const NAME = `herd-${randomBytes(3).toString('hex')}`;
const SPACE = `admin/${NAME}`;
const SUB = `admin-${NAME}`;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<void> {
  const docker = new Dockerode();
  await ensureTestImage(docker);
  const h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: INSTANCE, SPACEPORT_WAKE_QUEUE_MAX: String(Math.max(1000, N)) });
  const work = await makeWorkTree({ 'README.md': `---\nsdk: docker\napp_port: ${TEST_IMAGE_PORT}\n---\n`, Dockerfile: `FROM ${TEST_IMAGE}\nCMD ["/app/start.sh"]\n` });
  const asleep: HerdResult[] = [];
  const awake: HerdResult[] = [];
  try {
    await h.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'docker' });
    const push = await git(['push', '--force', pushUrl(h.port, SPACE, ADMIN_TOKEN), 'main'], work);
    if (push.code !== 0) throw new Error(push.stderr);
    const rt = await h.waitStage(SPACE, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR'], 600_000);
    if (rt.stage !== 'RUNNING') throw new Error(`${rt.stage}: ${rt.errorMessage}`);
    const herd = () => requestHerd({ docker, port: h.port, subdomain: SUB, space: SPACE, n: N, expect: (b) => b.includes('spaceport test app') });
    for (let run = 1; run <= RUNS; run++) {
      const a = await herd();
      awake.push(a);
      await h.api('POST', `/api/spaces/${SPACE}/sleeptime`, { seconds: 1 });
      await h.waitStage(SPACE, ['SLEEPING'], 120_000);
      await h.api('POST', `/api/spaces/${SPACE}/sleeptime`, { seconds: 600 });
      const s = await herd();
      asleep.push(s);
      log(`run ${run}: running ${a.ok}/${N} in ${a.ms.toFixed(0)} ms; sleeping ${s.ok}/${N} in ${s.ms.toFixed(0)} ms, ${s.starts} start(s), other ${JSON.stringify(s.other)}`);
    }
  } finally {
    await h.close();
    for (const c of await docker.listContainers({ all: true, filters: { name: [INSTANCE] } })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/${SUB}*`] } })) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
  const row = (what: string, rs: HerdResult[]): string[] => [
    what,
    String(N),
    rs.map((r) => r.ok).join(' / '),
    rs.map((r) => Object.values(r.other).reduce((a, b) => a + b, 0)).join(' / '),
    rs.map((r) => r.starts).join(' / '),
    median(rs.map((r) => r.ms)).toFixed(0),
  ];
  process.stdout.write(`\n${N} concurrent requests (own connection each, non-browser), ${RUNS} runs; per-run figures separated by /.\n\n`);
  printTable(['Space', 'requests', 'answered 200 by the app', 'errors', 'container starts', 'all answered, median ms'], [row('running (alternative)', awake), row('sleeping', asleep)]);
  log(`wrote ${writeResult('wake-herd', { n: N, runs: RUNS, awake, asleep })}`);
  const bad = asleep.some((r) => r.ok !== N || r.starts !== 1);
  if (bad) process.exitCode = 1;
}

await main();
