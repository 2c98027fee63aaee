import { describe, expect, it } from 'vitest';
import { testConfig } from '../core/index.js';
import { knownBaseImages, preparedAtStart } from './docker-adapters.js';

describe('base images from Debian', () => {
  it('makes Python 3.9, 3.11 and 3.13 from bullseye, bookworm and trixie; an operator image is never made here', () => {
    const config = testConfig({ SPACEPORT_PYTHON_IMAGES: '{"3.10":"registry.example.com/python:3.10"}' });
    expect(knownBaseImages(config)).toEqual([
      { kind: 'python', image: 'spaceport/python:3.9', suite: 'bullseye' },
      { kind: 'python', image: 'spaceport/python:3.11', suite: 'bookworm' },
      { kind: 'python', image: 'spaceport/python:3.13', suite: 'trixie' },
      { kind: 'node', image: 'spaceport/node:bookworm' },
    ]);
  });

  it('prepares at start only the Python a Space without python_version gets (3.10 → 3.11) and Node', () => {
    expect(preparedAtStart(testConfig())).toEqual(['spaceport/python:3.11', 'spaceport/node:bookworm']);
    expect(preparedAtStart(testConfig({ SPACEPORT_DEFAULT_PYTHON: '3.8' }))).toEqual(['spaceport/python:3.9', 'spaceport/node:bookworm']);
  });

  it('refuses a python image map that is not version → image', () => {
    expect(() => testConfig({ SPACEPORT_PYTHON_IMAGES: '{"latest":"x"}' })).toThrow(/SPACEPORT_PYTHON_IMAGES/);
  });
});
