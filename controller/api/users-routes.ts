import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { SpaceportError, namePartSchema } from '../../core/index.js';
import { generateToken, isAdmin, requireUser } from '../auth/index.js';
import type { TokenRecord } from '../store/records.js';
import type { SpaceStore } from '../store/space-store.js';
import { principalOf } from './context.js';

export const userBody = z.object({ name: namePartSchema, role: z.enum(['admin', 'user']).default('user') });
export const tokenBody = z.object({ displayName: z.string().min(1).max(100), role: z.enum(['read', 'write']).default('read') });

const tokenJson = (t: TokenRecord, current?: string) => ({
  id: t.id,
  displayName: t.displayName,
  role: t.role,
  createdAt: t.createdAt,
  ...(current !== undefined ? { current: t.id === current } : {}),
});

/** whoami (Hub shape), and the user and token admin Spaceport adds. */
export function usersRoutes(store: SpaceStore): Router {
  const r = Router();

  r.get('/api/whoami-v2', (_req, res) => {
    const p = requireUser(principalOf(res));
    const orgs = store.membershipsOf(p.user.name).map((m) => {
      const org = store.getOrg(m.org);
      return { type: 'org', id: m.org, name: m.org, fullname: org?.fullname ?? m.org, isEnterprise: false, canPay: false, roleInOrg: m.role };
    });
    res.json({
      type: 'user',
      id: p.user.name,
      name: p.user.name,
      fullname: p.user.name,
      isPro: false,
      canPay: false,
      orgs,
      // The token of this request: its own name, role and creation time.
      auth: {
        type: 'access_token',
        accessToken: { displayName: p.tokenName, role: p.tokenRole, createdAt: p.token?.createdAt ?? p.user.createdAt },
      },
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

  /** A new token for the caller; its value is shown here once and never again. */
  const createToken: RequestHandler = (req, res) => {
    const p = requireUser(principalOf(res));
    if (p.tokenRole !== 'write') throw new SpaceportError('ReadOnlyToken');
    const body = tokenBody.parse(req.body ?? {});
    const token = generateToken();
    const rec = store.addToken(p.user.name, { displayName: body.displayName, role: body.role, plaintext: token });
    res.status(201).json({ ...tokenJson(rec), token });
  };
  r.post('/api/settings/tokens', createToken);
  r.post('/api/tokens', createToken);

  r.get('/api/settings/tokens', (_req, res) => {
    const p = requireUser(principalOf(res));
    res.json(store.listTokens(p.user.name).map((t) => tokenJson(t, p.token?.id)));
  });

  r.delete('/api/settings/tokens/:id', (req, res) => {
    const p = requireUser(principalOf(res));
    if (p.tokenRole !== 'write') throw new SpaceportError('ReadOnlyToken');
    if (!store.deleteToken(p.user.name, String(req.params.id))) throw new SpaceportError('TokenNotFound', 'You have no token with this id.');
    res.json({});
  });

  return r;
}
