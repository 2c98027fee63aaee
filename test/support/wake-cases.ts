import type Dockerode from 'dockerode';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { request } from './http.js';
import type { Harness } from './spaceport-harness.js';
import { requestHerd, type HerdResult } from './wake-herd.js';

/**
 * The cases of the wake suites, shared by the suites that run them on the shared engine
 * (test/e2e/sleep-wake.test.ts) and with snapshots on (test/snapshots/wake-suites.test.ts), so the
 * same assertions hold for a cold wake and a restore. Each takes the Space it acts on.
 */
export interface WakeTarget {
  h: Harness;
  /** The engine the Space runs on (its start events are counted). */
  docker: Dockerode;
  space: string;
  subdomain: string;
  /** Text the app's `GET /` answers with. */
  marker: string;
  /** Who acts on the Space (its owner); the harness's admin when absent. */
  token?: string;
}

/** Sleep time 1 s, wait for SLEEPING, then a long sleep time so the wake that follows stays up. */
export async function putToSleep(t: WakeTarget): Promise<void> {
  const api = (seconds: number) => t.h.api('POST', `/api/spaces/${t.space}/sleeptime`, { seconds }, t.token);
  expect((await api(1)).status).toBe(200);
  await waitForStage(t, ['SLEEPING'], 60_000);
  expect((await api(3600)).status).toBe(200);
}

/** `n` concurrent non-browser requests to the sleeping Space: one start, every one answered by the app, then RUNNING. */
export async function herdWakesOnce(t: WakeTarget, n = 100): Promise<HerdResult> {
  expect(await stageOf(t)).toBe('SLEEPING');
  const herd = await requestHerd({ docker: t.docker, port: t.h.port, subdomain: t.subdomain, space: t.space, n, expect: (body) => body.includes(t.marker), timeoutMs: 120_000 });
  expect({ ok: herd.ok, other: herd.other }).toEqual({ ok: n, other: {} });
  expect(herd.starts).toBe(1);
  expect(await stageOf(t)).toBe('RUNNING');
  return herd;
}

/** A websocket to the app's echo (`/ws`) through the proxy: opens (held while the Space wakes, if it sleeps) and echoes. */
export async function websocketEchoes(t: WakeTarget, text: string): Promise<void> {
  const headers: Record<string, string> = { host: `${t.subdomain}.localhost:${t.h.port}`, ...(t.token ? { authorization: `Bearer ${t.token}` } : {}) };
  const ws = new WebSocket(`ws://127.0.0.1:${t.h.port}/ws`, { headers, handshakeTimeout: 120_000 });
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const echo = new Promise<string>((resolve, reject) => {
      ws.once('message', (d: Buffer) => resolve(d.toString('utf8')));
      ws.once('error', reject);
    });
    ws.send(text);
    expect(await echo).toBe(text);
  } finally {
    ws.terminate();
  }
}

/**
 * Strangers (anonymous, or with a token that may not read the Space) get the 404 of an unknown
 * host from a sleeping private Space — no app, no waking page — and it stays asleep.
 */
export async function strangersCannotWake(t: WakeTarget, strangerTokens: (string | undefined)[]): Promise<void> {
  expect(await stageOf(t)).toBe('SLEEPING');
  for (const token of strangerTokens) {
    for (const accept of ['*/*', 'text/html']) {
      const r = await request({ port: t.h.port, path: '/', host: `${t.subdomain}.localhost:${t.h.port}`, headers: { accept }, ...(token ? { token } : {}) });
      expect(r.status).toBe(404);
      expect(r.body).toContain('Space not found');
      expect(r.body).not.toContain(t.marker);
      expect(r.body).not.toMatch(/waking/i);
    }
  }
  // Nothing was woken behind the 404.
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await stageOf(t)).toBe('SLEEPING');
  expect(await t.docker.listContainers({ filters: { label: [`spaceport.space=${t.space}`] } })).toEqual([]);
}

/** The owner's request (bearer token, not a browser) is held while the Space wakes and answered by the app. */
export async function ownerWakes(t: WakeTarget): Promise<void> {
  const r = await request({ port: t.h.port, path: '/', host: `${t.subdomain}.localhost:${t.h.port}`, token: t.token, timeoutMs: 120_000 });
  expect(r.status).toBe(200);
  expect(r.body).toContain(t.marker);
}

async function stageOf(t: WakeTarget): Promise<string> {
  return (await t.h.api('GET', `/api/spaces/${t.space}/runtime`, undefined, t.token)).json().stage;
}

/** Wait (as the Space's owner) for one of `stages`; answers the runtime JSON. */
export async function waitForStage(t: WakeTarget, stages: string[], timeoutMs: number): Promise<{ stage: string; errorMessage?: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rt = (await t.h.api('GET', `/api/spaces/${t.space}/runtime`, undefined, t.token)).json() as { stage: string; errorMessage?: string };
    if (stages.includes(rt.stage)) return rt;
    if (Date.now() > deadline) throw new Error(`${t.space} not ${stages.join('|')} within ${timeoutMs} ms (now ${rt.stage})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
