import { z } from 'zod';
import type { RouteDoc, RouterDocs } from './openapi.js';
import { sseEventShape } from './openapi-shapes.js';

const logs = (what: string): RouteDoc => ({
  summary: `The ${what} log, as server-sent events`,
  description: 'Each event is `data: {"data": "…", "timestamp": "…"}`; secret values are masked.',
  auth: 'required',
  query: {
    follow: { schema: z.enum(['true', 'false', '1', '0']), description: 'Keep the stream open for new lines.' },
    tail: { schema: z.string(), description: 'Only the last N lines (a positive whole number).' },
  },
  ok: { contentType: 'text/event-stream', schema: sseEventShape },
  errors: ['InvalidName', 'RepoNotFound', 'Forbidden', 'ReadOnlyToken'],
});

/** `logs-routes.ts`. */
export const logsRoutesDocs: RouterDocs = {
  tag: 'logs',
  description: 'Build and run logs (owner only).',
  routes: {
    'GET /api/spaces/:owner/:name/logs/build': logs('build'),
    'GET /api/spaces/:owner/:name/logs/run': logs('run'),
  },
};
