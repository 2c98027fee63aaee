/**
 * The web UI with 1,000 and 10,000 Spaces in the store (likes on some): time to answer `/spaces`,
 * its sorts, a search, a filtered page and a Space page (loopback HTTP, so an upper bound of the
 * server's time), and the JavaScript and CSS a page loads, gzipped. `make bench-gallery`
 * (`SPACES=1000,10000` by default); writes bench/results/gallery.json (1,000) and gallery-{N}.json (other sizes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { toSpaceId } from '../core/index.js';
import { SDKS } from '../templates/index.js';
import { planFromBuilder } from '../controller/builds/index.js';
import { FakeRuntime } from '../controller/runtime/testing/index.js';
import { loadAssets, type PageScript } from '../controller/web/index.js';
import { FakeImageBuilder } from '../test/support/fake-image-builder.js';
import { request } from '../test/support/http.js';
import { startHarness } from '../test/support/spaceport-harness.js';
import { median, percentile, printTable } from './stats.js';

const SIZES = (process.env.SPACES ?? '1000,10000').split(',').map(Number);
const RUNS = Number(process.env.RUNS ?? 50);
const COLORS = ['red', 'yellow', 'green', 'blue', 'indigo', 'purple', 'pink', 'gray'];

async function main(): Promise<void> {
  for (const n of SIZES) await benchOne(n);
}

async function benchOne(SPACES: number): Promise<void> {
  const h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
  try {
    const store = h.sp.store;
    for (let u = 0; u < 20; u++) store.createUser(`user${u}`, 'user');
    const t0 = performance.now();
    for (let i = 0; i < SPACES; i++) {
      const space = store.createSpace({ id: toSpaceId(`user${i % 20}`, `demo-app-${i}`), sdk: SDKS[i % 4]!, visibility: i % 10 === 0 ? 'private' : 'public', hardware: 'cpu-basic' });
      store.updateStatus(space.uid, space.version, {
        cardData: { title: `Demo app number ${i}`, emoji: '🚀', colorFrom: COLORS[i % 8], colorTo: COLORS[(i + 3) % 8], short_description: `A small demo, the ${i}th of its kind` },
      });
    }
    // Likes: every user likes every 7th Space of theirs and a few of others', so the counts differ.
    const spaces = store.listSpaces();
    for (const [i, sp] of spaces.entries()) {
      for (let u = 0; u < 20; u++) if ((i + u) % 7 === 0 && (i * 31 + u) % 3 !== 0) store.setLike(sp.uid, `user${u}`, true);
    }
    // Stages as the reconciler computes them (one pass each), as after a start.
    const all = store.listSpaces();
    for (let i = 0; i < all.length; i += 50) await Promise.all(all.slice(i, i + 50).map((s) => h.sp.reconciler.kick(s.uid)));
    process.stderr.write(`${SPACES} Spaces in the store in ${Math.round(performance.now() - t0)} ms; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

    const host = `127.0.0.1:${h.port}`;
    const targets: [string, string][] = [
      ['/spaces (first page, 24 cards)', '/spaces'],
      ['/spaces?sort=likes (most likes)', '/spaces?sort=likes'],
      ['/spaces?sort=created (recently created)', '/spaces?sort=created'],
      ['/spaces?sort=name (by name)', '/spaces?sort=name'],
      ['/spaces?sort=likes&p=20 (most likes, page 20)', '/spaces?sort=likes&p=20'],
      ['/spaces?q=app-5 (search)', '/spaces?q=app-5'],
      ['/spaces?sdk=gradio&p=5 (filter, page 5)', '/spaces?sdk=gradio&p=5'],
      ['/user7 (an owner\'s Spaces)', '/user7'],
      ['/spaces/user3/demo-app-3 (Space page)', '/spaces/user3/demo-app-3'],
    ];
    const rows: string[][] = [];
    const results: Record<string, unknown>[] = [];
    for (const [label, p] of targets) {
      for (let i = 0; i < 5; i++) await request({ port: h.port, path: p, host }); // warm-up
      const times: number[] = [];
      const server: number[] = [];
      let bytes = 0;
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        const r = await request({ port: h.port, path: p, host });
        times.push(performance.now() - start);
        if (r.status !== 200) throw new Error(`${p}: ${r.status}`);
        server.push(Number(/dur=([\d.]+)/.exec(String(r.headers['server-timing']))?.[1]));
        bytes = r.body.length;
      }
      rows.push([label, median(server).toFixed(1), percentile(server, 95).toFixed(1), median(times).toFixed(1), (bytes / 1024).toFixed(1)]);
      results.push({ label, path: p, serverMedianMs: median(server), serverP95Ms: percentile(server, 95), wallMedianMs: median(times), wallP95Ms: percentile(times, 95), htmlBytes: bytes });
    }
    printTable([`request (${SPACES.toLocaleString('en')} Spaces)`, 'server median ms', 'server p95 ms', 'loopback round trip median ms', 'HTML KiB'], rows);

    // Each page loads one script, the bundle of what it uses (controller/web/page-scripts.ts).
    const assets = loadAssets();
    const css = assets.files['app.css']!;
    const bundles: [string, PageScript[]][] = [
      ['gallery', ['app', 'stages']],
      ["a Space's App tab", ['app', 'stages', 'app-tab']],
      ['Files tab (reader)', ['app', 'stages', 'app-tab', 'history']],
      ['Logs tab', ['app', 'stages', 'app-tab', 'logs']],
      ['Files tab (writer: the editor)', ['app', 'commit', 'stages', 'app-tab', 'history', 'files']],
    ];
    const jsRows = bundles.map(([page, scripts]) => {
      const js = assets.bundle(scripts);
      return { page, scripts: scripts.join('+'), bytes: js.length, gzipBytes: gzipSync(js, { level: 9 }).length };
    });
    printTable(['page', 'script bundle', 'bytes (minified)', 'gzipped bytes'], [
      ...jsRows.map((r) => [r.page, r.scripts, String(r.bytes), String(r.gzipBytes)]),
      ['every page', 'app.css', String(css.length), String(gzipSync(css).length)],
    ]);
    const js = { length: jsRows[0]!.bytes, gzipBytes: jsRows[0]!.gzipBytes };
    mkdirSync(path.join('bench', 'results'), { recursive: true });
    writeFileSync(
      path.join('bench', 'results', SPACES === 1000 ? 'gallery.json' : `gallery-${SPACES}.json`),
      `${JSON.stringify({ spaces: SPACES, loadAverage: loadavg(), runs: RUNS, requests: results, jsBytes: js.length, jsGzipBytes: js.gzipBytes, scripts: jsRows, cssGzipBytes: gzipSync(css).length, at: new Date().toISOString() }, null, 2)}\n`,
    );
  } finally {
    await h.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
