import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { ImageDirFromLayers } from './image-layers.js';

type Spec = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; body?: string; link?: string };

/** A layer tar of these entries, in this order. */
function layer(entries: Spec[]): Readable {
  const pack = tar.pack();
  for (const e of entries) {
    const type = e.type ?? 'file';
    if (type === 'file') pack.entry({ name: e.name, type, size: Buffer.byteLength(e.body ?? '') }, e.body ?? '');
    else pack.entry({ name: e.name, type, linkname: e.link });
  }
  pack.finalize();
  return pack as unknown as Readable;
}

async function read(stream: Readable): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const extract = tar.extract();
  stream.pipe(extract);
  for await (const e of extract) {
    const chunks: Buffer[] = [];
    for await (const c of e as AsyncIterable<Buffer>) chunks.push(c);
    out[e.header.name] = e.header.type === 'file' ? Buffer.concat(chunks).toString() : e.header.type === 'symlink' ? `-> ${e.header.linkname}` : e.header.type!;
  }
  return out;
}

const dirOf = (maxBytes = 1 << 20) => new ImageDirFromLayers({ image: 'img', dir: '/site', maxBytes });

describe('ImageDirFromLayers: one folder of an image from its layers', () => {
  it('applies layers in order: later files replace, whiteouts remove what lower layers left, an opaque folder keeps only its own layer', async () => {
    const d = dirOf();
    await d.applyLayer(
      layer([
        { name: 'etc/passwd', body: 'root' },
        { name: 'site/', type: 'directory' },
        { name: 'site/index.html', body: 'v1' },
        { name: 'site/gone.txt', body: 'gone' },
        { name: 'site/old/old.txt', body: 'old' },
        { name: 'site/keep/k.txt', body: 'k' },
      ]),
    );
    await d.applyLayer(
      layer([
        { name: './site/index.html', body: 'v2' },
        { name: 'site/old/', type: 'directory' },
        { name: 'site/old/new.txt', body: 'new' },
        // After its own folder's entries, as engines may write it: it still removes only lower layers' files.
        { name: 'site/old/.wh..wh..opq' },
        { name: 'site/.wh.gone.txt' },
        { name: 'site/link', type: 'symlink', link: '../etc/passwd' },
      ]),
    );
    expect(await read(d.pack())).toEqual({
      'site/': 'directory',
      'site/index.html': 'v2',
      'site/keep/k.txt': 'k',
      'site/link': '-> ../etc/passwd',
      'site/old/': 'directory',
      'site/old/new.txt': 'new',
    });
  });

  it('a whiteout of the folder itself removes it; a file over a folder replaces all it held', async () => {
    const d = dirOf();
    await d.applyLayer(layer([{ name: 'site/a/b.txt', body: 'b' }, { name: 'site/', type: 'directory' }]));
    await d.applyLayer(layer([{ name: 'site/a', body: 'now a file' }]));
    expect(await read(d.pack())).toEqual({ 'site/': 'directory', 'site/a': 'now a file' });
    await d.applyLayer(layer([{ name: '.wh.site' }]));
    expect(() => d.pack()).toThrow(expect.objectContaining({ message: expect.stringContaining('has no folder /site') }));
  });

  it('copies a hard link to a file of the folder, and refuses one to a file outside it', async () => {
    const d = dirOf();
    await d.applyLayer(layer([{ name: 'site/', type: 'directory' }, { name: 'site/a.txt', body: 'same' }, { name: 'site/b.txt', type: 'link', link: 'site/a.txt' }]));
    expect(await read(d.pack())).toEqual({ 'site/': 'directory', 'site/a.txt': 'same', 'site/b.txt': 'same' });
    await expect(d.applyLayer(layer([{ name: 'site/c.txt', type: 'link', link: 'etc/shadow' }]))).rejects.toThrow(/hard link to etc\/shadow/);
  });

  it('refuses more bytes than its bound, counting what later layers replaced only once', async () => {
    const d = dirOf(10);
    await d.applyLayer(layer([{ name: 'site/', type: 'directory' }, { name: 'site/a', body: '123456' }]));
    await d.applyLayer(layer([{ name: 'site/a', body: '1234567' }]));
    await expect(d.applyLayer(layer([{ name: 'site/b', body: '12345' }]))).rejects.toThrow(/more than 10 bytes/);
  });
});
