import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataPlaneApi } from '../data-plane-api.js';

/** One suite for every `DataPlaneApi` (hono's shared-contract habit): the fake and HAProxy's runtime API. */
export function runDataPlaneApiContract(name: string, make: () => Promise<{ api: DataPlaneApi; close(): Promise<void> }>): void {
  describe(`DataPlaneApi contract: ${name}`, () => {
    let api: DataPlaneApi;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ api, close } = await make());
    });
    afterEach(async () => close());

    it('adds, changes and removes one route at a time', async () => {
      await api.setRoute('alice-demo.localhost', { host: '10.0.0.1', port: 7860 });
      await api.setRoute('bob-app.localhost', { host: '10.0.0.2', port: 7860 });
      await api.setRoute('alice-demo.localhost', { host: '10.0.0.3', port: 8000 });
      expect(await api.routes()).toEqual(new Map([['alice-demo.localhost', '10.0.0.3:8000'], ['bob-app.localhost', '10.0.0.2:7860']]));
      await api.removeRoute('alice-demo.localhost');
      await api.removeRoute('nobody.localhost');
      expect(await api.routes()).toEqual(new Map([['bob-app.localhost', '10.0.0.2:7860']]));
    });

    it('replaces the whole map at once', async () => {
      await api.setRoute('old.localhost', { host: '10.0.0.9', port: 1 });
      const many = new Map(Array.from({ length: 450 }, (_, i) => [`space-${i}.localhost`, { host: '10.0.1.1', port: 1000 + i }] as const));
      await api.replaceRoutes(many);
      const held = await api.routes();
      expect(held.size).toBe(450);
      expect(held.get('space-449.localhost')).toBe('10.0.1.1:1449');
      expect(held.has('old.localhost')).toBe(false);
      await api.replaceRoutes(new Map());
      expect((await api.routes()).size).toBe(0);
    });

    it('refuses a host or an endpoint that would be read as another command', async () => {
      await expect(api.setRoute('a.localhost; clear map x', { host: '10.0.0.1', port: 1 })).rejects.toThrow();
      await expect(api.setRoute('a.localhost', { host: 'app.internal', port: 1 })).rejects.toThrow();
      await expect(api.setRoute('a.localhost', { host: '10.0.0.1', port: 0 })).rejects.toThrow();
      expect((await api.routes()).size).toBe(0);
    });

    it('reads counters (none before any request)', async () => {
      expect(await api.counters()).toEqual([]);
    });
  });
}
