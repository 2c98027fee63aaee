import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSpace } from '../support/docker-space.js';
import { commitFiles } from '../support/git-client.js';

/**
 * A static Space with `app_build_command`: `npm run build` runs in a Node build stage (no
 * engines.node: the current LTS, Node.js 22 from the npm registry) and only the build output
 * (`dirname(app_file)`) is served: read back from the build's files-only image into a tree the proxy
 * serves, with no container for the Space.
 */
const RUN_ID = randomBytes(4).toString('hex');
const README = '---\ntitle: Built site\nsdk: static\napp_build_command: npm run build\napp_file: dist/index.html\n---\n';
const PACKAGE_JSON = JSON.stringify({ name: 'built-site', version: '1.0.0', private: true, scripts: { build: 'node build.js' } }, null, 2);
// Writes dist/ from src/: the page names the Node version that built it, so only a real build produces it.
const BUILD_JS = `
const fs = require('node:fs');
const message = fs.readFileSync('src/message.txt', 'utf8').trim();
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/index.html', '<!doctype html><title>built</title><h1>' + message + '</h1><p>built by node ' + process.version + '</p><script src="app.js"></script>');
fs.writeFileSync('dist/app.js', 'document.title = ' + JSON.stringify(message) + ';');
`;

describe('static Space with app_build_command on Docker', () => {
  const s = new DockerSpace('sb');

  beforeAll(async () => {
    await s.start('static', {
      'README.md': README,
      'package.json': PACKAGE_JSON,
      'build.js': BUILD_JS,
      'src/message.txt': `Built page ${RUN_ID} v1\n`,
    });
    // A cold Node base image is debootstrapped (~4 min) before the first build.
    const rt = await s.pushAndSettle(900_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
  }, 960_000);

  afterAll(async () => {
    await s.close();
  });

  /** Containers made to read this Space's images' files. */
  const readerContainers = async () =>
    (await s.docker.listContainers({ all: true, filters: { label: ['spaceport.image-files'] } })).filter((c) => c.Image.startsWith(`spaceport/${s.sub}`));

  it('serves the build output at the subdomain, and only it', async () => {
    const page = await s.h.app(s.sub, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<h1>Built page ${RUN_ID} v1</h1>`);
    expect(page.body).toMatch(/built by node v\d+\.\d+\.\d+/);
    const js = await s.h.app(s.sub, '/app.js');
    expect(js.status).toBe(200);
    expect(js.body).toContain(`Built page ${RUN_ID} v1`);
    // Sources stay in the build stage.
    expect((await s.h.app(s.sub, '/build.js')).status).toBe(404);
    expect((await s.h.app(s.sub, '/package.json')).status).toBe(404);
    const log = await s.buildLog();
    expect(log).toMatch(/\[build \d+\/\d+\] RUN .*npm run build/);
    expect(log).toContain('node build.js');
    expect(log).toMatch(/Build output in place \([0-9a-f]{12}\): served by the proxy, no container\./);
    // No container serves it, and the one made to read the image's files (never started) is gone.
    expect(await s.containers()).toEqual([]);
    expect(await readerContainers()).toEqual([]);
  });

  it('a source change is built again and served', async () => {
    await commitFiles(s.work, { 'src/message.txt': `Built page ${RUN_ID} v2\n` }, 'v2');
    const rt = await s.pushAndSettle(300_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    expect((await s.h.app(s.sub, '/')).body).toContain(`<h1>Built page ${RUN_ID} v2</h1>`);
    expect(await s.containers()).toEqual([]);
  }, 360_000);
});
