import { Router } from 'express';
import { z } from 'zod';
import type { SettingKind, SpaceService } from '../spaces/index.js';
import { principalOf, spaceIdOf } from './context.js';

const key = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)').max(256);
export const upsertBody = z.object({ key, value: z.string().max(64 * 1024), description: z.string().max(1000).optional() });
export const deleteBody = z.object({ key });

/** Secrets and variables in the Hub's shapes. Secret values are never returned. */
export function settingsRoutes(spaces: SpaceService): Router {
  const r = Router();

  const view = (kind: SettingKind, list: ReturnType<SpaceService['settings']>) =>
    Object.fromEntries(
      list.map((s) => [
        s.key,
        kind === 'secret'
          ? { ...(s.description ? { description: s.description } : {}), updatedAt: s.updatedAt }
          : { value: s.value, ...(s.description ? { description: s.description } : {}), updatedAt: s.updatedAt },
      ]),
    );

  for (const [path, kind] of [['secrets', 'secret'], ['variables', 'variable']] as const) {
    r.get(`/api/spaces/:owner/:name/${path}`, (req, res) => {
      const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
      res.json(view(kind, spaces.settings(space, kind)));
    });
    r.post(`/api/spaces/:owner/:name/${path}`, async (req, res) => {
      const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
      await spaces.upsertSetting(space, kind, upsertBody.parse(req.body ?? {}));
      res.json(kind === 'secret' ? {} : view(kind, spaces.settings(space, kind)));
    });
    r.delete(`/api/spaces/:owner/:name/${path}`, async (req, res) => {
      const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
      await spaces.deleteSetting(space, kind, deleteBody.parse(req.body ?? {}).key);
      res.json(kind === 'secret' ? {} : view(kind, spaces.settings(space, kind)));
    });
  }
  return r;
}
