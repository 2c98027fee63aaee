import { Router, type Response } from 'express';
import type { LogLine } from '../../core/index.js';
import type { SpaceLogs } from '../spaces/index.js';
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

function tailOf(q: unknown): number | undefined {
  const n = Number(q);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 100_000) : undefined;
}

/** `GET /api/spaces/{id}/logs/build` and `/logs/run`, with `follow` and `tail`. Owner only. */
export function logsRoutes(logs: SpaceLogs): Router {
  const r = Router();

  for (const kind of ['build', 'run'] as const) {
    r.get(`/api/spaces/:owner/:name/logs/${kind}`, async (req, res) => {
      const abort = new AbortController();
      const follow = req.query.follow === 'true' || req.query.follow === '1';
      const lines = logs[kind](principalOf(res), spaceIdOf(req), { follow, tail: tailOf(req.query.tail), signal: abort.signal });
      await streamSse(res, lines, abort);
    });
  }

  return r;
}
