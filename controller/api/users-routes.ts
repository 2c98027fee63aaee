import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { namePartSchema } from '../../core/index.js';
import { requireUser, type TokenRecord, type UserAccounts } from '../auth/index.js';
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
export function usersRoutes(accounts: UserAccounts): Router {
  const r = Router();

  r.get('/api/whoami-v2', (_req, res) => {
    const p = requireUser(principalOf(res));
    const orgs = accounts.orgsOf(p).map((o) => ({ type: 'org', id: o.name, name: o.name, fullname: o.fullname, isEnterprise: false, canPay: false, roleInOrg: o.role }));
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
    const { user, token } = accounts.createUser(principalOf(res), () => userBody.parse(req.body ?? {}));
    res.status(201).json({ name: user.name, role: user.role, token });
  });

  /** A new token for the caller; its value is shown here once and never again. */
  const createToken: RequestHandler = (req, res) => {
    const { record, token } = accounts.createToken(principalOf(res), () => tokenBody.parse(req.body ?? {}));
    res.status(201).json({ ...tokenJson(record), token });
  };
  r.post('/api/settings/tokens', createToken);
  r.post('/api/tokens', createToken);

  r.get('/api/settings/tokens', (_req, res) => {
    const p = requireUser(principalOf(res));
    res.json(accounts.listTokens(p).map((t) => tokenJson(t, p.token?.id)));
  });

  r.delete('/api/settings/tokens/:id', (req, res) => {
    accounts.deleteToken(principalOf(res), String(req.params.id));
    res.json({});
  });

  return r;
}
