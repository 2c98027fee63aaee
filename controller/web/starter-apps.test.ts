import { describe, expect, it } from 'vitest';
import { DEFAULT_BASE_IMAGES } from '../../builder/index.js';
import { STARTER_APPS, startersJson } from './starter-apps.js';

describe('starter apps of /new-space', () => {
  it('the Docker starter builds FROM the base image every install makes, never a registry image', () => {
    const froms = STARTER_APPS.docker.Dockerfile!.split('\n').filter((l) => /^\s*FROM\s/i.test(l)).map((l) => l.trim().split(/\s+/)[1]);
    expect(froms).toEqual([DEFAULT_BASE_IMAGES.python]);
    expect(STARTER_APPS.docker.Dockerfile).not.toMatch(/COPY\s+--from=/i);
  });

  it('the Docker starter serves on the Docker SDK default port (7860), which its Dockerfile exposes', () => {
    expect(STARTER_APPS.docker.Dockerfile).toContain('EXPOSE 7860');
    expect(STARTER_APPS.docker['app.py']).toContain('7860');
  });

  it('the JSON data block cannot close its <script> tag', () => {
    expect(startersJson()).not.toContain('<');
    expect(JSON.parse(startersJson())).toEqual(STARTER_APPS);
  });
});
