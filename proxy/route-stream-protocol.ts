import { z } from 'zod';
import type { Route } from './route.js';

/**
 * The route stream's wire format (docs/route-stream.md): JSON text frames on a websocket at
 * `GET /internal/routes`, server to client only. Shared by the controller (which serves it) and the
 * proxy (which consumes it), so both sides parse and write one definition.
 */
export const ROUTE_STREAM_PATH = '/internal/routes';
export const ACTIVITY_PATH = '/internal/activity';
export const WAKE_PATH = '/internal/wake';
export const ACCESS_PATH = '/internal/access';
/** `GET /internal/trees/{tree hash}`: a static Space's tree as a tar (proxy replicas keep a cache of them). */
export const TREES_PATH = '/internal/trees/';

const endpoint = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) });

const target = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('running'), endpoint }),
  z.object({ kind: z.literal('static'), tree: z.string().regex(/^[0-9a-f]{40,64}$/), index: z.string().min(1).max(1024) }),
  z.object({ kind: z.literal('sleeping') }),
  z.object({ kind: z.literal('waking') }),
  z.object({ kind: z.literal('paused') }),
  z.object({ kind: z.literal('pending'), stage: z.string(), message: z.string().optional() }),
  z.object({ kind: z.literal('failed'), stage: z.string(), message: z.string() }),
]);

export const routeSchema = z.object({
  subdomain: z.string().min(1),
  space: z.string().min(1),
  stage: z.string(),
  target,
  access: z.enum(['public', 'private']).optional(),
  grantScope: z.string().min(1).max(200).optional(),
});

const rev = z.number().int().min(0);

export const streamMessageSchema = z.discriminatedUnion('type', [
  /** Every route at `rev`. Replaces whatever the client held. */
  z.object({ type: z.literal('snapshot'), epoch: z.string().min(1), rev, routes: z.array(routeSchema) }),
  /** The client's `since` is still in the server's buffer: the changes after it follow. */
  z.object({ type: z.literal('resumed'), epoch: z.string().min(1), since: rev, rev }),
  z.object({ type: z.literal('upsert'), rev, route: routeSchema }),
  z.object({ type: z.literal('remove'), rev, subdomain: z.string().min(1) }),
]);

export type StreamMessage = z.output<typeof streamMessageSchema>;

/** Body of `POST /internal/activity`. */
export const activityBatchSchema = z
  .array(z.object({ space: z.string().min(1).max(200), at: z.number().int().min(0) }))
  .max(10_000);

/** Body of `POST /internal/wake`. */
export const wakeBodySchema = z.object({ space: z.string().min(1).max(200) });

/** Body of `POST /internal/access` (answered `{"allowed": bool}`). */
export const accessBodySchema = z.object({ space: z.string().min(1).max(200), token: z.string().min(1).max(4096) });

/** The revision a client resumes from, as it sends it: `?epoch=…&since=…`. */
export interface ResumePoint {
  epoch: string;
  rev: number;
}

/** Parse one text frame; a frame that does not match is an error (never silently skipped). */
export function parseStreamMessage(text: string): StreamMessage {
  return streamMessageSchema.parse(JSON.parse(text));
}

/** The snapshot frame for a set of routes (routes are serialized as they are; they match `routeSchema`). */
export function snapshotMessage(epoch: string, rev: number, routes: Route[]): StreamMessage {
  return { type: 'snapshot', epoch, rev, routes };
}
