import express, { Router } from 'express';
import { z } from 'zod';
import type { SpaceService } from '../spaces/index.js';
import { principalOf, spaceIdOf, urlsOf } from './context.js';

export const upstreamBody = z.object({ url: z.string().min(1), branch: z.string().min(1).default('main') }).nullable();

/** Pull mode: follow an upstream repo; its webhook fetches and builds. */
export function upstreamRoutes(spaces: SpaceService): Router {
  const r = Router();

  r.put('/api/spaces/:owner/:name/upstream', express.json(), async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    const body = upstreamBody.parse(req.body ?? null);
    const { webhookSecret } = await spaces.setUpstream(space, body ?? undefined);
    res.json({
      upstream: body ? { url: body.url.replace(/\/\/[^@/]*@/, '//***@'), branch: body.branch } : null,
      ...(webhookSecret ? { webhookSecret, webhookUrl: `${urlsOf(spaces, req).publicUrl}/api/spaces/${space.id}/webhook` } : {}),
    });
  });

  r.post('/api/spaces/:owner/:name/upstream/sync', async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    await spaces.pullUpstream(space.uid);
    res.json(await spaces.runtimeOf(space));
  });

  // The signature covers the raw body: read it as bytes, before any JSON parsing.
  r.post('/api/spaces/:owner/:name/webhook', express.raw({ type: () => true, limit: '5mb' }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = await spaces.webhook(spaceIdOf(req), body, req.headers);
    res.status(202).json({ ok: true, ...result });
  });

  return r;
}
