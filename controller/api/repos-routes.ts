import { SDKS } from '../../templates/index.js';
import { Router } from 'express';
import { z } from 'zod';
import { SpaceportError, fail, isSpaceportError, toSpaceId } from '../../core/index.js';
import { sendError } from './http-errors.js';
import type { SpaceService } from '../spaces/index.js';
import { principalOf, urlsOf } from './context.js';
import { storageTierSchema } from './storage-tier-schema.js';

const settingList = z.array(z.object({ key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an env var name'), value: z.string(), description: z.string().optional() }));

export const createBody = z.object({
  name: z.string().min(1),
  organization: z.string().nullish(),
  type: z.literal('space', { error: 'only "space" repositories are served here' }),
  sdk: z.enum(SDKS, { error: `must be one of ${SDKS.join(', ')}` }),
  private: z.boolean().optional(),
  visibility: z.enum(['public', 'private', 'protected']).optional(),
  hardware: z.string().optional(),
  sleepTimeSeconds: z.number().int().optional(),
  storageTier: storageTierSchema.nullish(),
  secrets: settingList.optional(),
  variables: settingList.optional(),
  upstream: z.object({ url: z.string(), branch: z.string().default('main') }).optional(),
  template: z.string().optional(),
});

export const deleteBody = z.object({ name: z.string(), organization: z.string().nullish(), type: z.literal('space').optional() });
export const moveBody = z.object({ fromRepo: z.string(), toRepo: z.string(), type: z.literal('space').optional() });

function parseRepoId(text: string) {
  const parts = text.split('/');
  if (parts.length !== 2) throw fail('repoIdNotOwnerName', { text });
  return toSpaceId(parts[0]!, parts[1]!);
}

/** `/api/repos/*`: create, delete and move, in the Hub's shapes. */
export function reposRoutes(spaces: SpaceService): Router {
  const r = Router();

  r.post('/api/repos/create', async (req, res) => {
    const body = createBody.parse(req.body ?? {});
    if (body.template) {
      throw fail('templatesNotOffered', { template: body.template });
    }
    const visibility = body.visibility ?? (body.private ? 'private' : 'public');
    const p = principalOf(res);
    const namespace = body.organization ?? (p.kind === 'user' ? p.user.name : '');
    const url = `${urlsOf(spaces, req).publicUrl}/spaces/${namespace}/${body.name}`;
    let space;
    try {
      space = await spaces.create(p, {
      name: body.name,
      organization: body.organization,
      sdk: body.sdk,
      visibility,
      hardware: body.hardware,
      sleepTimeSeconds: body.sleepTimeSeconds,
      storageTier: body.storageTier ?? undefined,
      secrets: body.secrets,
      variables: body.variables,
      upstream: body.upstream,
      });
    } catch (err) {
      // The Hub answers a conflict with the existing repo's URL (create_repo(exist_ok=True) reads it).
      if (isSpaceportError(err, 'RepoExists')) return sendError(res, err, { url });
      throw err;
    }
    const fresh = space;
    res.json({
      url: `${urlsOf(spaces, req).publicUrl}/spaces/${fresh.id}`,
      name: fresh.id,
      id: fresh.uid,
      ...(fresh.webhookSecret ? { webhookSecret: fresh.webhookSecret } : {}),
    });
  });

  r.delete('/api/repos/delete', async (req, res) => {
    const body = deleteBody.parse(req.body ?? {});
    const p = principalOf(res);
    const owner = body.organization ?? (p.kind === 'user' ? p.user.name : undefined);
    if (!owner) throw new SpaceportError('Unauthorized');
    await spaces.delete(p, toSpaceId(owner, body.name));
    res.type('text/plain').send('OK');
  });

  r.post('/api/repos/move', async (req, res) => {
    const body = moveBody.parse(req.body ?? {});
    const moved = await spaces.move(principalOf(res), parseRepoId(body.fromRepo), parseRepoId(body.toRepo));
    res.json({ url: `${urlsOf(spaces, req).publicUrl}/spaces/${moved.id}` });
  });

  return r;
}
