import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * The commit API bounds what one request may hold (issue 15): inline content is capped per file and
 * per request (413 with a code, refused while the body is still coming, the server's memory not
 * growing with the body); a NUL in the summary is a 400; a git failure's answer shows no path of the
 * server; a YAML alias bomb in validate-yaml is a 400, as on push.
 */
const ndjson = (...lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
const b64 = (b: string | Buffer) => Buffer.from(b).toString('base64');
const header = (summary = 'c') => ({ key: 'header', value: { summary } });
const file = (p: string, content: string | Buffer) => ({ key: 'file', value: { path: p, content: b64(content), encoding: 'base64' } });

describe('commit API limits', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_COMMIT_INLINE_MAX: '1m',
      SPACEPORT_COMMIT_INLINE_FILE_MAX: '512k',
    });
    expect((await h.api('POST', '/api/repos/create', { name: 'pub', type: 'space', sdk: 'static' })).status).toBe(200);
    const first = await h.api('POST', '/api/spaces/admin/pub/commit/main', ndjson(header('first'), file('README.md', '---\nsdk: static\n---\n')));
    expect(first.status, first.body).toBe(200);
  });
  afterAll(async () => h?.close());

  it('refuses a 256 MiB inline line with 413 while it is still coming, and memory does not grow with it', async () => {
    let peak = process.memoryUsage().rss;
    const before = peak;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const chunk = Buffer.alloc(1024 * 1024, 'A');
    const total = 256;
    let sent = 0;
    try {
      const answer = await new Promise<{ status: number; code: string | undefined }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: h.port, method: 'POST', path: '/api/spaces/admin/pub/commit/main', agent: false,
            headers: { host: `127.0.0.1:${h.port}`, authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' } },
          (res) => {
            res.resume();
            req.destroy();
            resolve({ status: res.statusCode ?? 0, code: res.headers['x-error-code'] as string | undefined });
          },
        );
        req.on('error', reject);
        req.write(`${JSON.stringify(header())}\n{"key":"file","value":{"path":"big.bin","encoding":"base64","content":"`);
        const more = (): void => {
          while (sent < total) {
            sent++;
            if (!req.write(chunk)) return void req.once('drain', more);
          }
          req.end('"}}\n');
        };
        more();
      });
      expect(answer).toEqual({ status: 413, code: 'PayloadTooLarge' });
      expect(sent).toBeLessThan(total);
      expect(peak - before).toBeLessThan(128 * 1024 * 1024);
    } finally {
      clearInterval(sampler);
    }
  });

  it('refuses a declared Content-Length over the cap before reading anything', async () => {
    const answer = await new Promise<{ status: number; code: unknown }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: h.port, method: 'POST', path: '/api/spaces/admin/pub/commit/main', agent: false,
          headers: { host: `127.0.0.1:${h.port}`, authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/x-ndjson', 'content-length': String(100 * 1024 ** 3) } },
        (res) => {
          res.resume();
          req.destroy();
          resolve({ status: res.statusCode ?? 0, code: res.headers['x-error-code'] });
        },
      );
      req.on('error', reject);
      req.write(`${JSON.stringify(header())}\n`);
    });
    expect(answer).toEqual({ status: 413, code: 'PayloadTooLarge' });
  });

  it('caps inline bytes per file and per request (files under the file cap that add up past the request cap)', async () => {
    const big = await h.api('POST', '/api/spaces/admin/pub/commit/main', ndjson(header(), file('a.bin', Buffer.alloc(600 * 1024, 1))));
    expect(big.status).toBe(413);
    expect(big.headers['x-error-code']).toBe('PayloadTooLarge');
    expect(big.json().error).toMatch(/through Git LFS/);
    const parts = [1, 2, 3].map((i) => file(`part${i}.bin`, Buffer.alloc(400 * 1024, i)));
    const many = await h.api('POST', '/api/spaces/admin/pub/commit/main', ndjson(header(), ...parts));
    expect(many.status).toBe(413);
    expect(many.json().error).toMatch(/inline \(base64\) content of this commit/);
    // Under both caps it lands.
    const fine = await h.api('POST', '/api/spaces/admin/pub/commit/main', ndjson(header(), ...parts.slice(0, 2)));
    expect(fine.status, fine.body).toBe(200);
  });

  it('refuses a NUL in the summary or description with 400 and a code, not 500 GitFailed', async () => {
    for (const value of [{ summary: 'a\u0000b' }, { summary: 'ok', description: 'x\u0000' }]) {
      const r = await h.api('POST', '/api/spaces/admin/pub/commit/main', ndjson({ key: 'header', value }, file('n.txt', 'n')));
      expect(r.status, r.body).toBe(400);
      expect(r.headers['x-error-code']).toBe('BadRequest');
      expect(r.body).not.toContain(h.dataDir);
    }
  });

  it('a git failure answers GitFailed without any path of the server', async () => {
    // The directory for this blob's object is a file: `git hash-object -w` fails naming the path.
    // A content whose object directory does not exist yet (another object may have made its prefix's).
    const objects = path.join(h.dataDir, 'repos', 'admin', 'pub.git', 'objects');
    let content = '';
    let oid = '';
    for (let n = 0; oid === '' || existsSync(path.join(objects, oid.slice(0, 2))); n++) {
      content = `blocked ${Date.now()} ${n}\n`;
      oid = createHash('sha1').update(`blob ${Buffer.byteLength(content)}\0${content}`).digest('hex');
    }
    await fs.writeFile(path.join(objects, oid.slice(0, 2)), 'not a directory');
    try {
      const r = await h.api('POST', '/api/spaces/admin/pub/commit/main', ndjson(header(), file('blocked.txt', content)));
      expect(r.status, r.body).toBe(500);
      expect(r.headers['x-error-code']).toBe('GitFailed');
      for (const text of [r.body, String(r.headers['x-error-message'])]) {
        expect(text).not.toContain(h.dataDir);
        expect(text).not.toMatch(/\/(tmp|var|root|home|data)\//);
      }
    } finally {
      await fs.rm(path.join(objects, oid.slice(0, 2)), { force: true });
    }
  });

  it('validate-yaml answers a YAML alias bomb with 400, as the push path refuses it', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');
    const r = await h.api('POST', '/api/validate-yaml', { content: `---\n${bomb}\n---\n`, repoType: 'space' });
    expect(r.status, r.body).toBe(400);
    expect(r.headers['x-error-code']).toBeDefined();
    expect(r.json().errors[0].message).toMatch(/aliases/);
  });
});
