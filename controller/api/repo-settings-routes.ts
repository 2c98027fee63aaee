import { Router } from 'express';
import { z } from 'zod';
import { fail, isSpaceportError, toSpaceId } from '../../core/index.js';
import type { SpaceService } from '../spaces/index.js';
import { principalOf, spaceIdOf, urlsOf } from './context.js';
import { sendError } from './http-errors.js';
import { storageTierSchema } from './storage-tier-schema.js';

const visibility = z.enum(['public', 'private', 'protected'], { error: 'must be one of public, private, protected' });

/** `update_repo_settings`: `visibility` (1.x+), `private` (0.x); `gated` exists for models and datasets only. */
export const settingsBody = z.object({
  visibility: visibility.optional(),
  private: z.boolean().optional(),
  gated: z.union([z.literal(false), z.enum(['auto', 'manual'])]).optional(),
});

const settingList = z.array(z.object({ key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an env var name'), value: z.string(), description: z.string().optional() }));

/** `duplicate_space` (≤1.x) and `duplicate_repo(repo_type="space")` (2.x): the same request. */
export const duplicateBody = z.object({
  repository: z.string().min(3),
  private: z.boolean().optional(),
  visibility: visibility.optional(),
  hardware: z.string().optional(),
  storageTier: storageTierSchema.nullish(),
  sleepTimeSeconds: z.number().int().optional(),
  secrets: settingList.optional(),
  variables: settingList.optional(),
  volumes: z.array(z.unknown()).optional(),
});

function repoIdOf(text: string) {
  const parts = text.split('/');
  if (parts.length !== 2) throw fail('repoIdNotOwnerName', { text });
  return toSpaceId(parts[0]!, parts[1]!);
}

/** `PUT /api/spaces/{id}/settings` and `POST /api/spaces/{id}/duplicate`, in the Hub's shapes. */
export function repoSettingsRoutes(spaces: SpaceService): Router {
  const r = Router();

  // `list_space_templates` / `hf spaces templates`: this installation offers no templates.
  r.get('/api/spaces/templates', (_req, res) => {
    res.json({ templates: [] });
  });

  r.put('/api/spaces/:owner/:name/settings', async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    const body = settingsBody.parse(req.body ?? {});
    if (body.visibility !== undefined && body.private !== undefined && (body.visibility === 'private') !== body.private) {
      throw fail('privateVisibilityDisagree');
    }
    if (body.gated !== undefined && body.gated !== false) {
      throw fail('spacesCannotBeGated');
    }
    const wanted = body.visibility ?? (body.private === undefined ? undefined : body.private ? 'private' : 'public');
    if (wanted !== undefined) await spaces.setVisibility(space, wanted);
    const fresh = spaces.get(principalOf(res), space.id);
    res.json({ private: fresh.visibility === 'private', visibility: fresh.visibility, gated: false });
  });

  r.post('/api/spaces/:owner/:name/duplicate', async (req, res) => {
    const p = principalOf(res);
    const body = duplicateBody.parse(req.body ?? {});
    if (body.volumes && body.volumes.length > 0) {
      throw fail('duplicateVolumesNotOffered');
    }
    if (body.visibility !== undefined && body.private !== undefined && (body.visibility === 'private') !== body.private) {
      throw fail('privateVisibilityDisagree');
    }
    const to = repoIdOf(body.repository);
    const url = `${urlsOf(spaces, req).publicUrl}/spaces/${to}`;
    try {
      const copy = await spaces.duplicate(p, spaceIdOf(req), {
        to,
        visibility: body.visibility ?? (body.private === undefined ? undefined : body.private ? 'private' : 'public'),
        hardware: body.hardware,
        sleepTimeSeconds: body.sleepTimeSeconds,
        storageTier: body.storageTier ?? undefined,
        secrets: body.secrets,
        variables: body.variables,
      });
      res.json({ url: `${urlsOf(spaces, req).publicUrl}/spaces/${copy.id}`, name: copy.id, id: copy.uid });
    } catch (err) {
      // The client reads `url` from a 409 too (exist_ok=True).
      if (isSpaceportError(err, 'RepoExists')) return sendError(res, err, { url });
      throw err;
    }
  });

  return r;
}
