import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSpace } from '../support/docker-space.js';
import { commitFiles } from '../support/git-client.js';
import { waitFor } from '../support/http.js';

/**
 * Secrets of a docker Space: the app sees them as env vars and the build as BuildKit secret mounts;
 * the value is nowhere else: not in the image (history, config, layers), not in the build or run
 * log, not in any API answer. Changing it restarts the app with the new value.
 */
const RUN_ID = randomBytes(4).toString('hex');
const SECRET_V1 = `s1-${randomBytes(16).toString('hex')}`;
const SECRET_V2 = `s2-${randomBytes(16).toString('hex')}`;
const GREETING = `greeting-${randomBytes(4).toString('hex')}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const README = '---\ntitle: Secrets\nsdk: docker\napp_port: 7860\n---\n';
const DOCKERFILE = [
  'FROM spaceport/python:3.11',
  // Unique per run, so BuildKit runs the secret step again (a secret is not part of the cache key).
  `ENV RUN_ID=${RUN_ID}`,
  'ARG GREETING',
  'RUN echo "greeting at build: $GREETING"',
  // A careless Dockerfile that prints the secret: the build log must mask it.
  'RUN --mount=type=secret,id=MY_SECRET,mode=0444,required=true echo "secret at build: $(cat /run/secrets/MY_SECRET)" \\',
  '    && python3 -c "import hashlib; print(\'build sha256\', hashlib.sha256(open(\'/run/secrets/MY_SECRET\', \'rb\').read()).hexdigest())"',
  'RUN useradd -m -u 1000 user',
  'USER user',
  'WORKDIR /home/user/app',
  'COPY --chown=user app.py .',
  'CMD ["python3", "app.py"]',
  '',
].join('\n');
const APP = `
import hashlib, json, os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/check":
            body = json.dumps({
                "secret_sha256": hashlib.sha256(os.environ.get("MY_SECRET", "").encode()).hexdigest(),
                "greeting": os.environ.get("GREETING"),
                "pid": os.getpid(),
            }).encode()
        else:
            body = b"ok"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

print("app starting", flush=True)
ThreadingHTTPServer(("0.0.0.0", 7860), Handler).serve_forever()
`;

describe('secrets and variables of a docker Space', () => {
  const s = new DockerSpace('sec');

  const check = async () => {
    const r = await s.h.app(s.sub, '/check');
    expect(r.status, r.body).toBe(200);
    return r.json<{ secret_sha256: string; greeting: string | null }>();
  };

  /** Every API answer about the Space, and both logs: none may hold a secret value. */
  async function apiAnswers(): Promise<Record<string, string>> {
    const get = async (p: string) => (await s.h.api('GET', p)).body;
    return {
      info: await get(`/api/spaces/${s.space}`),
      runtime: await get(`/api/spaces/${s.space}/runtime`),
      list: await get('/api/spaces?author=admin'),
      secrets: await get(`/api/spaces/${s.space}/secrets`),
      variables: await get(`/api/spaces/${s.space}/variables`),
      buildLog: await s.buildLog(),
      runLog: await s.runLog(),
    };
  }

  /** The image the Space runs. */
  async function servingImage() {
    const running = (await s.containers()).filter((c) => c.State === 'running');
    expect(running).toHaveLength(1);
    return s.docker.getImage(running[0]!.ImageID);
  }

  beforeAll(async () => {
    await s.start('docker', { 'README.md': README, Dockerfile: DOCKERFILE, 'app.py': APP });
    const set = await s.h.api('POST', `/api/spaces/${s.space}/secrets`, { key: 'MY_SECRET', value: SECRET_V1, description: 'test secret' });
    expect(set.status, set.body).toBe(200);
    expect(set.body).not.toContain(SECRET_V1);
    expect((await s.h.api('POST', `/api/spaces/${s.space}/variables`, { key: 'GREETING', value: GREETING })).status).toBe(200);
    const rt = await s.pushAndSettle(600_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
  }, 660_000);

  afterAll(async () => {
    await s.close();
  });

  it('the app sees the secret and the variable in its environment', async () => {
    expect(await check()).toMatchObject({ secret_sha256: sha256(SECRET_V1), greeting: GREETING });
  });

  it('the build saw the secret as a BuildKit mount and the variable as a build arg; the log masks the secret', async () => {
    const log = await s.buildLog();
    expect(log).toContain(`build sha256 ${sha256(SECRET_V1)}`);
    expect(log).toContain('secret at build: ***');
    expect(log).toContain(`greeting at build: ${GREETING}`);
    expect(log).not.toContain(SECRET_V1);
  });

  it('the image holds no trace of the secret: history, config, layers', async () => {
    const image = await servingImage();
    const history = (await image.history()) as { CreatedBy?: string }[];
    expect(history.length).toBeGreaterThan(3);
    // The step that read the secret is there (this is the right image); a variable, unlike a secret, is a build arg.
    expect(history.some((h) => String(h.CreatedBy).includes('cat /run/secrets/MY_SECRET'))).toBe(true);
    expect(history.some((h) => String(h.CreatedBy).includes(`GREETING=${GREETING}`))).toBe(true);
    expect(JSON.stringify(history)).not.toContain(SECRET_V1);
    const inspect = await image.inspect();
    expect(inspect.Config.Env ?? []).not.toContainEqual(expect.stringContaining('MY_SECRET'));
    expect(JSON.stringify(inspect)).not.toContain(SECRET_V1);
    // Every byte of `docker save`: layers, config and manifest.
    const tar = (await image.get()) as NodeJS.ReadableStream;
    const needle = Buffer.from(SECRET_V1);
    let carry = Buffer.alloc(0);
    let found = false;
    let bytes = 0;
    for await (const chunk of tar) {
      const buf = Buffer.concat([carry, chunk as Buffer]);
      bytes += (chunk as Buffer).length;
      if (buf.includes(needle)) found = true;
      carry = buf.subarray(Math.max(0, buf.length - needle.length + 1));
    }
    expect(bytes).toBeGreaterThan(1024 * 1024);
    expect(found).toBe(false);
  }, 120_000);

  it('no API answer and neither log holds the secret value', async () => {
    const answers = await apiAnswers();
    for (const [what, body] of Object.entries(answers)) expect(body, what).not.toContain(SECRET_V1);
    const secrets = JSON.parse(answers.secrets!) as Record<string, Record<string, unknown>>;
    expect(Object.keys(secrets)).toEqual(['MY_SECRET']);
    expect(secrets.MY_SECRET).not.toHaveProperty('value');
    expect(secrets.MY_SECRET).toMatchObject({ description: 'test secret' });
    expect(JSON.parse(answers.variables!)).toMatchObject({ GREETING: { value: GREETING } });
    expect(answers.runLog).toContain('app starting');
  });

  it('changing the secret redeploys the app with the new value, without a build', async () => {
    const buildLogBefore = await s.buildLog();
    const set = await s.h.api('POST', `/api/spaces/${s.space}/secrets`, { key: 'MY_SECRET', value: SECRET_V2 });
    expect(set.status, set.body).toBe(200);
    expect(set.body).not.toContain(SECRET_V2);
    const seen = await waitFor('the app with the new secret', async () => {
      const c = await check().catch(() => undefined);
      return c?.secret_sha256 === sha256(SECRET_V2) ? c : undefined;
    }, 120_000);
    expect(seen.greeting).toBe(GREETING);
    expect((await s.h.waitStage(s.space, ['RUNNING'], 60_000)).stage).toBe('RUNNING');
    expect(await s.buildLog()).toBe(buildLogBefore);
    const answers = await apiAnswers();
    for (const [what, body] of Object.entries(answers)) {
      expect(body, what).not.toContain(SECRET_V1);
      expect(body, what).not.toContain(SECRET_V2);
    }
    // The change is a new release next to the old one: wait for the old one to drain and go.
    await waitFor('the old release retired', async () => ((await s.containers()).filter((c) => c.State === 'running').length === 1 ? true : undefined), 60_000);
    const history = JSON.stringify(await (await servingImage()).history());
    expect(history).not.toContain(SECRET_V2);
  }, 180_000);

  it('a failed build that printed the secret: neither the error message nor the log holds it', async () => {
    const failing = DOCKERFILE.replace('RUN useradd', 'RUN --mount=type=secret,id=MY_SECRET,required=true cat /run/secrets/MY_SECRET && exit 3\nRUN useradd');
    await commitFiles(s.work, { Dockerfile: failing }, 'prints the secret, then fails');
    const rt = await s.pushAndSettle(300_000);
    expect(rt.stage).toBe('BUILD_ERROR');
    expect(rt.errorMessage).toContain('exit 3');
    const answers = await apiAnswers();
    for (const [what, body] of Object.entries(answers)) expect(body, what).not.toContain(SECRET_V2);
    expect(answers.buildLog).toContain('***');
    expect((await check()).secret_sha256).toBe(sha256(SECRET_V2));
  }, 360_000);

  it('an app that prints the secret and crashes at start: neither the public error message nor the run log holds it', async () => {
    const crashing = 'import os, sys\nprint("secret at start:", os.environ["MY_SECRET"], flush=True)\nsys.exit("crashed on purpose")\n';
    await commitFiles(s.work, { Dockerfile: DOCKERFILE, 'app.py': crashing }, 'prints the secret, then exits');
    const rt = await s.pushAndSettle(300_000);
    expect(rt.stage).toBe('RUNTIME_ERROR');
    expect(rt.errorMessage).toContain('crashed on purpose');
    expect(rt.errorMessage).toContain('secret at start: ***');
    const anonymous = await s.h.api('GET', `/api/spaces/${s.space}/runtime`, undefined, null);
    expect(anonymous.status).toBe(200);
    expect(anonymous.json().stage).toBe('RUNTIME_ERROR');
    expect(anonymous.body).not.toContain(SECRET_V2);
    const answers = await apiAnswers();
    // The run log (the app's own output, owner only) masks it too.
    for (const [what, body] of Object.entries(answers)) expect(body, what).not.toContain(SECRET_V2);
    expect(answers.runLog).toContain('secret at start: ***');
    expect((await check()).secret_sha256).toBe(sha256(SECRET_V2));
  }, 360_000);
});
