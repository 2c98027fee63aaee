import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import Dockerode from 'dockerode';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerImageBuilder, RegistryImageBuilder, parseRegistry, type ImageBuilder } from '../../builder/index.js';
import { extractTar } from '../../controller/git/index.js';
import { silentLogger } from '../../core/index.js';
import { waitFor } from '../support/http.js';
import { ensureTestImage, TEST_IMAGE } from '../support/test-image.js';
import { HOST_CA, TestResources } from './docker-helpers.js';

/**
 * The builder contract for `ImageBuilder.imageFiles` (a static build's output read back from its
 * image), run against both builders that have it: the Docker engine's (a created, never started
 * container) and the registry builder's (a cluster's: the pushed image's manifest and layer blobs over
 * the registry's HTTP API, pulled by another name than it was pushed by). The image has two layers:
 * the second removes a file and a folder (whiteouts, an opaque folder made again in the same layer),
 * adds a symlink out of the folder (hard links: builder/image-layers.test.ts; the engine's archive
 * gives them as links, which extractTar copies: test/git/path-traversal.test.ts). Both builders must give the same files and the
 * same id; the symlink out is then refused by `extractTar`, as when a tree is put in place.
 */
const docker = new Dockerode();
const RUN = randomBytes(3).toString('hex');
const bb = '/bin/busybox';
const DOCKERFILE = [
  `FROM ${TEST_IMAGE}`,
  'COPY site /site',
  `RUN ${bb} rm /site/gone.txt && ${bb} rm -r /site/old && ${bb} mkdir /site/old && echo new > /site/old/new.txt && echo late > /site/late.txt && ${bb} ln -s ../../etc/passwd /site/out-link`,
  '',
].join('\n');
const SITE = { 'site/index.html': '<p>index</p>\n', 'site/sub/a.txt': 'a\n', 'site/gone.txt': 'gone\n', 'site/old/old.txt': 'old\n' };

type Entry = { type: string; body?: string; link?: string };

async function entriesOf(stream: Readable): Promise<Record<string, Entry>> {
  const out: Record<string, Entry> = {};
  const extract = tar.extract();
  stream.pipe(extract);
  for await (const e of extract) {
    const chunks: Buffer[] = [];
    for await (const c of e as AsyncIterable<Buffer>) chunks.push(c);
    const name = e.header.name.replace(/\/+$/, '');
    out[name] = e.header.type === 'file' ? { type: 'file', body: Buffer.concat(chunks).toString() } : e.header.type === 'symlink' ? { type: 'symlink', link: e.header.linkname ?? '' } : { type: e.header.type ?? '?' };
  }
  return out;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('builder contract: imageFiles', () => {
  const res = new TestResources(docker);
  const inner = new DockerImageBuilder({ docker, logger: silentLogger(), caBundle: HOST_CA });
  let registryDir = '';
  let registry: ChildProcess | undefined;
  let host = '';
  const built: Record<string, string> = {};
  let localId = '';

  beforeAll(async () => {
    await ensureTestImage(docker);
    registryDir = await mkdtemp(path.join(tmpdir(), 'spaceport-image-files-registry-'));
    host = `127.0.0.1:${await freePort()}`;
    await writeFile(
      path.join(registryDir, 'config.yml'),
      `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${registryDir}/data\nhttp:\n  addr: ${host}\n`,
    );
    registry = spawn('docker-registry', ['serve', path.join(registryDir, 'config.yml')], { stdio: 'ignore' });
    await waitFor('the registry', async () => (await fetch(`http://${host}/v2/`).then((r) => r.ok).catch(() => false)) || undefined, 30_000);
  }, 120_000);

  afterAll(async () => {
    for (const ref of [`spaceport/imgfiles-${RUN}:1`, `${host}/it-${RUN}/imgfiles-${RUN}:1`]) await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
    await res.cleanup();
    registry?.kill('SIGTERM');
    if (registryDir) await rm(registryDir, { recursive: true, force: true });
  });

  const builders: [string, () => ImageBuilder][] = [
    ['docker engine', () => inner],
    [
      'registry (pulled by another name)',
      () =>
        new RegistryImageBuilder({
          inner,
          docker,
          registry: parseRegistry(`${host}/it-${RUN}`),
          pullRegistry: parseRegistry(`localhost:${host.split(':')[1]}/it-${RUN}`),
          logger: silentLogger(),
        }),
    ],
  ];

  describe.each(builders)('%s', (name, make) => {
    it('gives the files under the folder as the layers leave them, with the image id', async () => {
      const builder = make();
      // The repo's own Dockerfile (as a docker Space's): the repo's files are the context's root.
      const contextDir = await res.repo({ ...SITE, Dockerfile: DOCKERFILE });
      const never = new AbortController().signal;
      const sink = { write: () => undefined };
      built[name] = await builder.build({ space: 'admin/imgfiles' as never, image: `spaceport/imgfiles-${RUN}:1`, contextDir }, sink, never);
      localId ||= (await docker.getImage(`spaceport/imgfiles-${RUN}:1`).inspect()).Id.replace(/^sha256:/, '');
      const files = await builder.imageFiles!(built[name]!, '/site');
      expect(files.id).toBe(localId);
      const entries = await entriesOf(files.tar);
      expect(Object.keys(entries).sort()).toEqual(['site', 'site/index.html', 'site/late.txt', 'site/old', 'site/old/new.txt', 'site/out-link', 'site/sub', 'site/sub/a.txt']);
      expect(entries['site/index.html']).toEqual({ type: 'file', body: '<p>index</p>\n' });
      expect(entries['site/old/new.txt']).toEqual({ type: 'file', body: 'new\n' });
      expect(entries['site/out-link']).toEqual({ type: 'symlink', link: '../../etc/passwd' });
    }, 300_000);

    it('the symlink out is refused when the files are put in place; a folder the image lacks is an error', async () => {
      const builder = make();
      const files = await builder.imageFiles!(built[name]!, '/site');
      const dir = await mkdtemp(path.join(tmpdir(), 'spaceport-image-files-'));
      res.dirs.push(dir);
      await expect(extractTar(files.tar, dir)).rejects.toMatchObject({ message: expect.stringMatching(/site\/out-link/) });
      await expect(builder.imageFiles!(built[name]!, '/no-such-folder')).rejects.toThrow();
    }, 120_000);
  });
});
