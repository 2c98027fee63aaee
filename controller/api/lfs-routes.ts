import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { SpaceportError, fail, renderMessage, toSpaceId, type SpaceId } from '../../core/index.js';
import type { LfsAction, LfsSigner, LfsStore } from '../lfs/index.js';
import type { SpaceRecord, SpaceService } from '../spaces/index.js';
import { principalOf, urlsOf } from './context.js';

export const LFS_JSON = 'application/vnd.git-lfs+json';
export const verifyBody = z.object({ oid: z.string(), size: z.number().int() });
/** How long a transfer URL stays valid. */
const GRANT_SECONDS = 3600;
const MAX_OBJECTS = 1000;

export const batchBody = z.object({
  operation: z.enum(['upload', 'download']),
  transfers: z.array(z.string()).optional(),
  objects: z.array(z.object({ oid: z.string(), size: z.number().int().min(0) })).max(MAX_OBJECTS),
  ref: z.object({ name: z.string() }).nullish(),
  hash_algo: z.string().optional(),
});

/** `{owner}/{name}.git` or `{owner}/{name}` from the route. */
function spaceOf(req: Request): SpaceId {
  const name = String(req.params.name);
  return toSpaceId(String(req.params.owner), name.endsWith('.git') ? name.slice(0, -4) : name);
}

async function readJson(req: Request, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) throw fail('lfsRequestTooLarge', { limit });
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    throw fail('lfsRequestNotJson');
  }
}

/**
 * Git LFS on the Spaces git remote (the batch API, basic transfer): `/spaces/{id}.git/info/lfs/…`,
 * the same auth as git (token as Basic password, or Bearer). Transfer URLs are signed for one object
 * and one action, since huggingface_hub PUTs objects without an Authorization header.
 */
export function lfsRoutes(spaces: SpaceService, lfs: LfsStore, signer: LfsSigner): Router {
  const r = Router();
  const base = '/spaces/:owner/:name/info/lfs/objects';

  /** 401 answers ask git-lfs for credentials (it then retries with them). */
  const authenticate = (res: Response, err: unknown): never => {
    if (err instanceof SpaceportError && err.status === 401) res.setHeader('LFS-Authenticate', 'Basic realm="Spaceport"').setHeader('WWW-Authenticate', 'Basic realm="Spaceport"');
    throw err;
  };
  const readable = (req: Request, res: Response): SpaceRecord => {
    try {
      const space = spaces.getForCode(principalOf(res), spaceOf(req));
      return space;
    } catch (err) {
      if (principalOf(res).kind === 'anonymous' && err instanceof SpaceportError && err.code === 'RepoNotFound') return authenticate(res, fail('lfsReadNeedsToken'));
      return authenticate(res, err);
    }
  };
  const writable = (req: Request, res: Response): SpaceRecord => {
    try {
      return spaces.getForWrite(principalOf(res), spaceOf(req));
    } catch (err) {
      return authenticate(res, err);
    }
  };

  const link = (req: Request, space: SpaceRecord, action: LfsAction, obj: { oid: string; size: number }) => {
    const expires = Math.floor(Date.now() / 1000) + GRANT_SECONDS;
    const sig = signer.sign({ action, spaceUid: space.uid, oid: obj.oid, size: obj.size, expires });
    const path = `${urlsOf(spaces, req).publicUrl}/spaces/${space.id}.git/info/lfs/objects/${obj.oid}${action === 'verify' ? '/verify' : ''}`;
    return { href: `${path}?size=${obj.size}&expires=${expires}&sig=${sig}`, expires_in: GRANT_SECONDS };
  };

  r.post(`${base}/batch`, async (req, res) => {
    const body = batchBody.parse(await readJson(req, 1024 * 1024));
    if (body.hash_algo !== undefined && body.hash_algo !== 'sha256') throw fail('lfsHashAlgoUnsupported', { algo: body.hash_algo });
    if (body.transfers && body.transfers.length > 0 && !body.transfers.includes('basic')) throw fail('lfsTransferUnsupported');
    const space = body.operation === 'upload' ? writable(req, res) : readable(req, res);
    const objects = [];
    for (const o of body.objects) {
      if (!/^[0-9a-f]{64}$/.test(o.oid)) {
        objects.push({ oid: o.oid, size: o.size, error: { code: 422, message: renderMessage('lfsObjectIdInvalid').message } });
        continue;
      }
      const have = await lfs.has(o, space.uid);
      if (body.operation === 'upload') {
        objects.push(have ? { oid: o.oid, size: o.size, authenticated: true } : { oid: o.oid, size: o.size, authenticated: true, actions: { upload: link(req, space, 'upload', o), verify: link(req, space, 'verify', o) } });
      } else {
        objects.push(have ? { oid: o.oid, size: o.size, authenticated: true, actions: { download: link(req, space, 'download', o) } } : { oid: o.oid, size: o.size, error: { code: 404, message: renderMessage('lfsBatchObjectMissing').message } });
      }
    }
    res.type(LFS_JSON).json({ transfer: 'basic', objects, hash_algo: 'sha256' });
  });

  /** The object and the grant its URL carries; without a valid signature, the caller's own access decides. */
  const granted = (req: Request, res: Response, action: LfsAction): { space: SpaceRecord; oid: string; size: number } => {
    const oid = String(req.params.oid);
    if (!/^[0-9a-f]{64}$/.test(oid)) throw fail('lfsObjectIdInvalid');
    const q = req.query;
    const size = typeof q.size === 'string' && /^\d{1,15}$/.test(q.size) ? Number(q.size) : undefined;
    const expires = typeof q.expires === 'string' && /^\d{1,12}$/.test(q.expires) ? Number(q.expires) : undefined;
    if (typeof q.sig === 'string' && size !== undefined && expires !== undefined) {
      // The signature is the grant (handed out by the batch API after its permission check).
      const space = spaces.forSignedTransfer(spaceOf(req));
      if (!space || !signer.verify({ action, spaceUid: space.uid, oid, size, expires }, q.sig)) throw fail('lfsTransferUrlInvalid');
      return { space, oid, size };
    }
    const space = action === 'download' ? readable(req, res) : writable(req, res);
    if (size === undefined && action !== 'download') throw fail('lfsSizeMissing');
    return { space, oid, size: size ?? -1 };
  };

  r.put(`${base}/:oid`, async (req, res) => {
    const g = granted(req, res, 'upload');
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) !== g.size) throw fail('lfsContentLengthMismatch', { declared, size: g.size });
    try {
      await lfs.put(g.space.uid, { oid: g.oid, size: g.size }, req);
    } catch (err) {
      res.setHeader('Connection', 'close');
      req.resume();
      throw err;
    }
    res.status(200).end();
  });

  r.post(`${base}/:oid/verify`, async (req, res) => {
    const g = granted(req, res, 'verify');
    const body = verifyBody.parse(await readJson(req, 64 * 1024));
    if (body.oid !== g.oid || body.size !== g.size) throw fail('lfsVerifyOtherObject');
    if (!(await lfs.has({ oid: g.oid, size: g.size }, g.space.uid))) throw fail('lfsObjectNotUploaded', { oid: g.oid, size: g.size });
    res.type(LFS_JSON).json({ message: 'ok' });
  });

  r.get(`${base}/:oid`, async (req, res) => {
    const g = granted(req, res, 'download');
    const size = await lfs.sizeOf(g.oid);
    if (size === undefined || (g.size >= 0 && size !== g.size) || !(await lfs.has({ oid: g.oid, size }, g.space.uid))) {
      throw fail('lfsObjectNotInSpace', { oid: g.oid, space: g.space.id });
    }
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(size));
    const body = lfs.read(g.oid);
    body.on('error', (err) => res.destroy(err));
    res.on('close', () => body.destroy());
    body.pipe(res);
  });

  return r;
}
