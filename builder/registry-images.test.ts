import { describe, expect, it } from 'vitest';
import { mirroredRef, parseImageRef, registryImagesOf, registryPullProblem } from './registry-images.js';

const BUILDKIT_NO_HOST =
  'failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request: Head "https://registry-1.docker.io/v2/library/python/manifests/3.11": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host';
const LOCAL = ['spaceport/python:3.11', 'spaceport/python:3.13', 'spaceport/node:bookworm'];

describe('registry images', () => {
  it('reads references as the Docker engine does', () => {
    expect(parseImageRef('python:3.11')).toMatchObject({ registry: 'docker.io', repository: 'library/python', suffix: ':3.11' });
    expect(parseImageRef('nvidia/cuda')).toMatchObject({ registry: 'docker.io', repository: 'nvidia/cuda', suffix: ':latest' });
    expect(parseImageRef('ghcr.io/astral-sh/uv:0.5')).toMatchObject({ registry: 'ghcr.io', repository: 'astral-sh/uv', suffix: ':0.5' });
    expect(parseImageRef('localhost:5000/a/b@sha256:ab')).toMatchObject({ registry: 'localhost:5000', repository: 'a/b', suffix: '@sha256:ab' });
    expect(mirroredRef('https://mirror.example:5000/', parseImageRef('python:3.11'))).toBe('mirror.example:5000/library/python:3.11');
  });

  it('finds the registry images of a Dockerfile: not stages, scratch, ARG references or local images', () => {
    const df = 'ARG BASE=x\nFROM python:3.11 AS build\nFROM build\nFROM scratch\nFROM $BASE\nFROM spaceport/python:3.11\nCOPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/\nCOPY --from=build /a /b\n';
    expect(registryImagesOf(df, (i) => i.startsWith('spaceport/'))).toEqual(['python:3.11', 'ghcr.io/astral-sh/uv:0.5']);
  });

  it("turns BuildKit's raw no-such-host into: this install cannot pull it, the local images, and the mirror setting", () => {
    const msg = registryPullProblem(BUILDKIT_NO_HOST, ['python:3.11'], LOCAL, [])!;
    expect(msg.split('\n')).toEqual([
      'This Spaceport cannot pull python:3.11 from Docker Hub (docker.io): the build has no access to that registry.',
      'Use an image this install has in your Dockerfile: spaceport/python:3.11, spaceport/python:3.13, spaceport/node:bookworm (for example FROM spaceport/python:3.11).',
      'An operator can set SPACEPORT_REGISTRY_MIRRORS to a registry mirror this install can reach (see README.md, "Registry images").',
    ]);
    expect(registryPullProblem(BUILDKIT_NO_HOST, ['python:3.11'], LOCAL, ['127.0.0.1:5000'])).toContain('(127.0.0.1:5000) did not have it either');
  });

  it('leaves other failures alone', () => {
    expect(registryPullProblem('process "/bin/sh -c pip install x" did not complete successfully: exit code: 1', ['python:3.11'], LOCAL, [])).toBeUndefined();
    expect(registryPullProblem(BUILDKIT_NO_HOST, ['node:20'], LOCAL, [])).toBeUndefined();
  });
});
