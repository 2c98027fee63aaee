import { describe, expect, it } from 'vitest';
import {
  baseImageSpec,
  chrootAptArgs,
  chrootPipArgs,
  debianSourceProblem,
  debootstrapArgs,
  importChanges,
  isDebianPackageName,
  rootfsCacheKey,
  sourcesList,
} from './base-image-specs.js';
import { splitImage } from './base-images.js';
import { UV_VERSION } from '../templates/index.js';

const SRC = { suite: 'bookworm', mirror: 'http://deb.debian.org/debian', securityMirror: 'http://deb.debian.org/debian-security' };

describe('base image recipes', () => {
  it('python: debootstrap minbase with python3, venv, pip and the CA certificates', () => {
    const spec = baseImageSpec('python', 'spaceport/python:3.11');
    expect(debootstrapArgs(spec, SRC, '/tmp/r')).toEqual([
      '--variant=minbase',
      '--include=python3,python3-venv,python3-pip,python-is-python3,ca-certificates',
      'bookworm',
      '/tmp/r',
      'http://deb.debian.org/debian',
    ]);
    expect(chrootAptArgs(spec, '/tmp/r')).toEqual([]);
    // uv in /usr/local (issue 16): Docker Spaces FROM spaceport/python get it; the templates then skip their own install.
    expect(chrootPipArgs(spec, '/tmp/r')).toEqual(['/tmp/r', 'python3', '-m', 'pip', 'install', '--no-cache-dir', '--disable-pip-version-check', '--', `uv==${UV_VERSION}`]);
    expect(chrootPipArgs(baseImageSpec('node', 'n'), '/r')).toBeUndefined();
    expect(spec.files['etc/pip.conf']).toContain('cert = /etc/ssl/certs/ca-certificates.crt');
    expect(importChanges(spec)).toContain('CMD ["python3"]');
    expect(importChanges(spec)).toContain('ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt');
  });

  it('node: nodejs and npm through apt-get in a chroot (debootstrap cannot resolve npm)', () => {
    const spec = baseImageSpec('node', 'spaceport/node:bookworm', ['git']);
    expect(debootstrapArgs(spec, SRC, '/r')[1]).toBe('--include=ca-certificates');
    expect(chrootAptArgs(spec, '/r')).toEqual([
      ['/r', 'apt-get', 'update'],
      ['/r', 'apt-get', 'install', '-y', '--no-install-recommends', '--', 'nodejs', 'npm', 'git'],
    ]);
    expect(importChanges(spec)).toEqual(expect.arrayContaining(['ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt', 'CMD ["node"]']));
  });

  it('writes sources.list for the configured mirror, with security only when given', () => {
    expect(sourcesList(SRC)).toBe(
      'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n',
    );
    expect(sourcesList({ suite: 'bookworm', mirror: 'http://mirror.local/debian', securityMirror: null })).toBe(
      'deb http://mirror.local/debian bookworm main\ndeb http://mirror.local/debian bookworm-updates main\n',
    );
  });

  it('validates what reaches debootstrap argv', () => {
    expect(debianSourceProblem(SRC)).toBeUndefined();
    expect(debianSourceProblem({ ...SRC, mirror: '--foreign' })).toMatch(/mirror "--foreign" must be an http/);
    expect(debianSourceProblem({ ...SRC, suite: '-x' })).toMatch(/suite/);
    expect(isDebianPackageName('python3-venv')).toBe(true);
    expect(isDebianPackageName('--force')).toBe(false);
    expect(isDebianPackageName('a b')).toBe(false);
  });

  it('keys the rootfs cache on the recipe, the source and the CA bundle', () => {
    const spec = baseImageSpec('python', 'spaceport/python:3.11');
    const k = rootfsCacheKey(spec, SRC, 'CA1');
    expect(k).toMatch(/^[0-9a-f]{16}$/);
    expect(rootfsCacheKey(spec, SRC, 'CA1')).toBe(k);
    expect(rootfsCacheKey(spec, SRC, 'CA2')).not.toBe(k);
    expect(rootfsCacheKey(spec, { ...SRC, mirror: 'http://m/debian' }, 'CA1')).not.toBe(k);
    expect(rootfsCacheKey(baseImageSpec('python', 'x', ['git']), SRC, 'CA1')).not.toBe(k);
  });

  it('splits image references into repo and tag', () => {
    expect(splitImage('spaceport/python:3.11')).toEqual({ repo: 'spaceport/python', tag: '3.11' });
    expect(splitImage('host:5000/a/b')).toEqual({ repo: 'host:5000/a/b', tag: 'latest' });
    expect(splitImage('host:5000/a/b:t')).toEqual({ repo: 'host:5000/a/b', tag: 't' });
  });
});

describe('withoutCacheMounts (the classic builder)', () => {
  it('drops cache mounts from RUN and leaves other mounts and lines alone', async () => {
    const { withoutCacheMounts } = await import('./docker-image-builder.js');
    const d = [
      'RUN --mount=type=cache,id=a,target=/c,uid=1000 pip install x',
      'RUN --mount=type=secret,id=HF_TOKEN cat /run/secrets/HF_TOKEN',
      'RUN echo --mount=type=cache,x',
    ].join('\n');
    expect(withoutCacheMounts(d)).toBe(['RUN pip install x', 'RUN --mount=type=secret,id=HF_TOKEN cat /run/secrets/HF_TOKEN', 'RUN echo --mount=type=cache,x'].join('\n'));
  });
});
