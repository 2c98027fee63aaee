import { Router } from 'express';
import express from 'express';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { fail, renderMessage, type Config } from '../../core/index.js';
import { requireUser } from '../auth/index.js';
import { ProcessGate } from '../git/index.js';
import { readCommitPayload, type RepoCommits, type SpaceService } from '../spaces/index.js';
import { principalOf, spaceIdOf, urlsOf } from './context.js';

export const preuploadBody = z.object({
  files: z
    .array(z.object({ path: z.string().min(1), sample: z.string().max(1024), size: z.number().int().min(0) }))
    .max(1000, 'at most 1000 files per call'),
  gitIgnore: z.string().optional(),
});

export const branchBody = z.object({ startingPoint: z.string().min(1).nullish() });
export const tagBody = z.object({ tag: z.string().min(1), message: z.string().max(64 * 1024).regex(/^[^\0]*$/, 'must not contain NUL characters').nullish() });

export const validateYamlBody = z.object({ content: z.string().max(1024 * 1024), repoType: z.string().optional() });

/** Room in a commit body besides the base64 of its inline files: the header, paths, LFS entries. */
const COMMIT_OVERHEAD_BYTES = 64 * 1024 * 1024;
/** Room on one line besides a file's base64: its JSON and path. */
const LINE_OVERHEAD_BYTES = 64 * 1024;
const base64Length = (bytes: number): number => Math.ceil(bytes / 3) * 4;

/** The README's front matter block, or undefined. */
function frontMatter(readme: string): string | undefined {
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(readme.replace(/^\uFEFF/, ''));
  return m ? m[1] : undefined;
}

/**
 * Deploy without git: `preupload` (regular or LFS per file), `commit` (the Hub's ndjson), branches and tags, and
 * `validate-yaml`, which huggingface_hub calls before committing a README.md.
 */
export function commitRoutes(spaces: SpaceService, commits: RepoCommits, config: Readonly<Config>): Router {
  const r = Router();
  const inlineMax = config.SPACEPORT_COMMIT_INLINE_MAX;
  const fileMax = Math.min(config.SPACEPORT_COMMIT_INLINE_FILE_MAX, inlineMax);
  const maxBytes = base64Length(inlineMax) + COMMIT_OVERHEAD_BYTES;
  // Decoded inline files are held until the commit is written: at most this many commits at once.
  const reading = new ProcessGate(
    { max: config.SPACEPORT_COMMIT_CONCURRENCY, perClient: config.SPACEPORT_COMMIT_CONCURRENCY, queueMs: 30_000 },
    (retryAfter) => fail('commitBusy', { retryAfter }, { details: { retryAfter } }),
  );

  r.post('/api/validate-yaml', express.json({ limit: '2mb' }), (req, res) => {
    const body = validateYamlBody.parse(req.body ?? {});
    const block = frontMatter(body.content);
    const errors: { message: string }[] = [];
    if (block !== undefined) {
      const doc = parseDocument(block, { prettyErrors: false, uniqueKeys: true });
      for (const e of doc.errors) errors.push({ message: `Invalid YAML in the README.md front matter: ${e.message.split('\n')[0]}` });
      if (errors.length === 0) {
        let value: unknown;
        try {
          // The push path's limit (builder/space-config.ts): too many aliases (a "billion laughs") throw.
          value = doc.toJS({ maxAliasCount: 1000 });
        } catch (err) {
          errors.push({ message: `The README.md front matter could not be read: ${String((err as Error)?.message ?? err).split('\n')[0]} (use fewer YAML aliases).` });
        }
        if (errors.length === 0 && doc.contents !== null && typeof value !== 'object') errors.push({ message: 'The README.md front matter must be a YAML mapping of keys to values.' });
      }
    }
    if (errors.length > 0) {
      const m = renderMessage('readmeMetadataInvalid');
      res.status(m.status).set('X-Error-Code', m.code).set('X-Error-Message', m.message).json({ error: m.message, errors, warnings: [] });
      return;
    }
    res.json({ errors: [], warnings: [] });
  });

  // huggingface_hub with hf_xet asks for a Xet token only for files preupload sent to LFS (over the inline limit).
  r.get(['/api/spaces/:owner/:name/xet-write-token/:rev', '/api/spaces/:owner/:name/xet-read-token/:rev'], (req, res) => {
    spaces.get(principalOf(res), spaceIdOf(req));
    throw fail('xetNotOffered');
  });

  r.post('/api/spaces/:owner/:name/preupload/:rev', express.json({ limit: '4mb' }), async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    const body = preuploadBody.parse(req.body ?? {});
    res.json(await commits.preupload(space, String(req.params.rev), body.files, { userAgent: req.headers['user-agent'], ...(body.gitIgnore !== undefined ? { gitIgnore: body.gitIgnore } : {}) }));
  });

  r.post('/api/spaces/:owner/:name/commit/:rev', async (req, res) => {
    const p = principalOf(res);
    const space = spaces.getForWrite(p, spaceIdOf(req));
    const user = requireUser(p).user;
    if (req.query.create_pr === '1' || req.query.create_pr === 'true') {
      throw fail('pullRequestsNotOffered');
    }
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/(x-ndjson|json)\b/.test(type)) throw fail('commitContentTypeInvalid');
    const refuse = (err: unknown): never => {
      // Answer at once; the rest of the body is read and dropped, and the connection not reused.
      res.setHeader('Connection', 'close');
      req.resume();
      throw err;
    };
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) refuse(fail('commitPayloadTooLarge', { maxBytes }));
    const release = await reading.acquire('').catch(refuse);
    let commit: string;
    try {
      let payload;
      try {
        payload = await readCommitPayload(req, { maxBytes, maxOps: 25_000, maxInlineBytes: inlineMax, maxFileBytes: fileMax, maxLineBytes: base64Length(fileMax) + LINE_OVERHEAD_BYTES });
      } catch (err) {
        refuse(err);
      }
      const rev = String(req.params.rev);
      ({ commit } = await commits.commit(space, rev, payload!, { name: user.name, email: `${user.name}@users.noreply.${config.SPACEPORT_DOMAIN}` }));
    } finally {
      release();
    }
    const base = urlsOf(spaces, req).publicUrl;
    res.json({ success: true, commitOid: commit, commitUrl: `${base}/spaces/${space.id}/commit/${commit}`, hookOutput: '', pullRequestUrl: null });
  });

  // Branches and tags (create_branch, delete_branch, create_tag, delete_tag): write access, as commits.
  const author = (p: ReturnType<typeof principalOf>) => {
    const user = requireUser(p).user;
    return { name: user.name, email: `${user.name}@users.noreply.${config.SPACEPORT_DOMAIN}` };
  };
  r.post('/api/spaces/:owner/:name/branch/:branch', express.json({ limit: '64kb' }), async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    const body = branchBody.parse(req.body ?? {});
    await commits.createBranch(space, String(req.params.branch), body.startingPoint ?? undefined);
    res.json({});
  });
  r.delete('/api/spaces/:owner/:name/branch/:branch', async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    await commits.deleteBranch(space, String(req.params.branch));
    res.json({});
  });
  r.post('/api/spaces/:owner/:name/tag/:rev', express.json({ limit: '64kb' }), async (req, res) => {
    const p = principalOf(res);
    const space = spaces.getForWrite(p, spaceIdOf(req));
    const body = tagBody.parse(req.body ?? {});
    await commits.createTag(space, String(req.params.rev), body.tag, { tagger: author(p), ...(body.message ? { message: body.message } : {}) });
    res.json({});
  });
  r.delete('/api/spaces/:owner/:name/tag/:tag', async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    await commits.deleteTag(space, String(req.params.tag));
    res.json({});
  });

  return r;
}
