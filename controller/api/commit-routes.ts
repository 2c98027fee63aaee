import { Router } from 'express';
import express from 'express';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { fail, renderMessage, type Config } from '../../core/index.js';
import { requireUser } from '../auth/index.js';
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

/** Largest commit body: regular files travel base64 inside it (huggingface_hub 2.x batches ~100 MiB of content). */
const MAX_COMMIT_BYTES = 2 * 1024 * 1024 * 1024;

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

  r.post('/api/validate-yaml', express.json({ limit: '2mb' }), (req, res) => {
    const body = validateYamlBody.parse(req.body ?? {});
    const block = frontMatter(body.content);
    const errors: { message: string }[] = [];
    if (block !== undefined) {
      const doc = parseDocument(block, { prettyErrors: false, uniqueKeys: true });
      for (const e of doc.errors) errors.push({ message: `Invalid YAML in the README.md front matter: ${e.message.split('\n')[0]}` });
      if (errors.length === 0 && doc.contents !== null && typeof doc.toJS() !== 'object') errors.push({ message: 'The README.md front matter must be a YAML mapping of keys to values.' });
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
    let payload;
    try {
      payload = await readCommitPayload(req, { maxBytes: MAX_COMMIT_BYTES, maxOps: 25_000 });
    } catch (err) {
      // Answer at once; the rest of the body is read and dropped, and the connection not reused.
      res.setHeader('Connection', 'close');
      req.resume();
      throw err;
    }
    const rev = String(req.params.rev);
    const { commit } = await commits.commit(space, rev, payload, { name: user.name, email: `${user.name}@users.noreply.${config.SPACEPORT_DOMAIN}` });
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
