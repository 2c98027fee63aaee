import { Router } from 'express';
import { z } from 'zod';
import { SpaceportError, namePartSchema } from '../../core/index.js';
import { generateToken, isAdmin, requireUser } from '../auth/index.js';
import type { SpaceStore } from '../store/space-store.js';
import { principalOf } from './context.js';

export const userBody = z.object({ name: namePartSchema, role: z.enum(['admin', 'user']).default('user') });
export const tokenBody = z.object({ displayName: z.string().min(1).max(100), role: z.enum(['read', 'write']).default('read') });

/** whoami (Hub shape), and the small user/token admin Spaceport adds. */
export function usersRoutes(store: SpaceStore): Router {
  const r = Router();

  r.get('/api/whoami-v2', (_req, res) => {
    const p = requireUser(principalOf(res));
    res.json({
      type: 'user',
      id: p.user.name,
      name: p.user.name,
      fullname: p.user.name,
      isPro: false,
      canPay: false,
      orgs: [],
      auth: { type: 'access_token', accessToken: { displayName: p.tokenName, role: p.tokenRole, createdAt: p.user.createdAt } },
      isAdmin: p.user.role === 'admin',
    });
  });

  r.post('/api/users', (req, res) => {
    const p = requireUser(principalOf(res));
    if (!isAdmin(p) || p.tokenRole !== 'write') throw new SpaceportError('Forbidden', 'Only an admin with a write token can create users.');
    const body = userBody.parse(req.body ?? {});
    const user = store.createUser(body.name, body.role);
    const token = generateToken();
    store.addToken(user.name, { displayName: 'initial token', role: 'write', plaintext: token });
    res.status(201).json({ name: user.name, role: user.role, token });
  });

  r.post('/api/tokens', (req, res) => {
    const p = requireUser(principalOf(res));
    if (p.tokenRole !== 'write') throw new SpaceportError('ReadOnlyToken');
    const body = tokenBody.parse(req.body ?? {});
    const token = generateToken();
    const rec = store.addToken(p.user.name, { displayName: body.displayName, role: body.role, plaintext: token });
    res.status(201).json({ id: rec.id, displayName: rec.displayName, role: rec.role, token });
  });

  return r;
}
