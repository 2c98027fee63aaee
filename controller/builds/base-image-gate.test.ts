import { expect, it } from 'vitest';
import { MemoryLogSink } from '../../core/index.js';
import { BaseImageGate, baseImagesOf } from './base-image-gate.js';

it('finds the images a Dockerfile builds from, not its stages', () => {
  const df = 'FROM spaceport/node:bookworm AS build\nRUN npm run build\nFROM spaceport/python:3.11\nCOPY --from=build /x /y\nFROM build\n';
  expect(baseImagesOf(df)).toEqual(['spaceport/node:bookworm', 'spaceport/python:3.11']);
  expect(baseImagesOf('FROM spaceport/node:bookworm AS build\nFROM scratch\nCOPY --from=build /app/dist/ /site/\n')).toEqual(['spaceport/node:bookworm']);
});

it("passes the inner builder's imageFiles through, and has none when the inner builder has none", async () => {
  const files = { id: 'x', tar: undefined as never };
  const inner = { build: async () => 'i', exists: async () => true, remove: async () => {}, imageFiles: async (image: string, dir: string) => ({ ...files, id: `${image}:${dir}` }) };
  const gate = new BaseImageGate(inner, async () => {});
  expect((await gate.imageFiles!('img', '/site')).id).toBe('img:/site');
  expect(new BaseImageGate({ build: inner.build, exists: inner.exists, remove: inner.remove }, async () => {}).imageFiles).toBeUndefined();
});

it('finds the images a Dockerfile copies from (a chosen Node.js), not its stages or stage numbers', () => {
  const df = 'FROM spaceport/python:3.11 AS build\nCOPY --from=spaceport/node:22.12.0-npm10.9.2 /usr/local/ /usr/local/\nFROM spaceport/python:3.11\nCOPY --from=build --chown=1000:1000 /a /b\nCOPY --from=0 /c /d\n';
  expect(baseImagesOf(df)).toEqual(['spaceport/python:3.11', 'spaceport/node:22.12.0-npm10.9.2']);
});

it('ensures each needed base image once, and again after a failure', async () => {
  const asked: string[][] = [];
  let fail = true;
  const inner = { build: async (r: { image: string }) => r.image, exists: async () => false, remove: async () => {} };
  const gate = new BaseImageGate(inner as never, async (images) => {
    asked.push(images);
    if (fail) {
      fail = false;
      throw new Error('mirror down');
    }
  });
  const req = { image: 'i', dockerfile: 'FROM spaceport/python:3.11\n' } as never;
  const signal = new AbortController().signal;
  await expect(gate.build(req, new MemoryLogSink(), signal)).rejects.toThrow('mirror down');
  await gate.build(req, new MemoryLogSink(), signal);
  await gate.build(req, new MemoryLogSink(), signal);
  expect(asked).toEqual([['spaceport/python:3.11'], ['spaceport/python:3.11']]);
});
