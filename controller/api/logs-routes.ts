import { Router, type Response } from 'express';
import { SecretMask, type LogLine } from '../../core/index.js';
import type { BuildLogs } from '../builds/index.js';
import type { Runtime } from '../runtime/runtime.js';
import type { SpaceService } from '../spaces/index.js';
import type { SpaceStore } from '../store/space-store.js';
import { principalOf, spaceIdOf } from './context.js';

/** Stream log lines as the Hub's SSE: `data: {"data": "...", "timestamp": "..."}`, keep-alive `data:` lines. */
async function streamSse(res: Response, lines: AsyncIterable<LogLine>, abort: AbortController): Promise<void> {
  res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  const keepAlive = setInterval(() => res.write('data: \n\n'), 15_000);
  res.on('close', () => abort.abort());
  try {
    for await (const line of lines) {
      if (abort.signal.aborted) break;
      res.write(`data: ${JSON.stringify({ data: line.data, timestamp: line.timestamp })}\n\n`);
    }
  } finally {
    clearInterval(keepAlive);
    res.end();
  }
}

/** Run logs are the app's own output: secret values it prints are masked as in build logs. */
async function* masked(lines: AsyncIterable<LogLine>, mask: SecretMask): AsyncIterable<LogLine> {
  for await (const line of lines) yield { timestamp: line.timestamp, data: mask.apply(line.data) };
}

function tailOf(q: unknown): number | undefined {
  const n = Number(q);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 100_000) : undefined;
}

/** `GET /api/spaces/{id}/logs/build` and `/logs/run`, with `follow` and `tail`. Owner only. */
export function logsRoutes(spaces: SpaceService, store: SpaceStore, buildLogs: BuildLogs, runtime: Runtime): Router {
  const r = Router();

  r.get('/api/spaces/:owner/:name/logs/build', async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    const build = store.latestBuild(space.uid);
    const abort = new AbortController();
    const follow = req.query.follow === 'true' || req.query.follow === '1';
    const lines = build ? buildLogs.read(build.id, { follow, tail: tailOf(req.query.tail), signal: abort.signal }) : (async function* () {})();
    await streamSse(res, lines, abort);
  });

  r.get('/api/spaces/:owner/:name/logs/run', async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    const fresh = store.getSpaceByUid(space.uid) ?? space;
    const release = fresh.targetRelease ?? fresh.servingRelease;
    const abort = new AbortController();
    const follow = req.query.follow === 'true' || req.query.follow === '1';
    const mask = new SecretMask(store.listSettings(space.uid, 'secret').map((s) => s.value));
    const lines = release
      ? masked(runtime.logs(fresh.id, release, { follow, tail: tailOf(req.query.tail), signal: abort.signal }), mask)
      : (async function* () {})();
    await streamSse(res, lines, abort);
  });

  return r;
}
