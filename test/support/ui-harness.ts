import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { launchChromium } from './chromium.js';
import { FakeImageBuilder } from './fake-image-builder.js';
import { startHarness, type Harness } from './spaceport-harness.js';

/** alice's password in the browser suites. */
export const ALICE_PASSWORD = 'alice-password-1';

export interface UiHarness {
  h: Harness;
  browser: Browser;
  /** alice's write token (alice also has the password {@link ALICE_PASSWORD}). */
  aliceToken: string;
}

/**
 * The browser suites' start: Spaceport on the fake runtime (apps answer HTTP) with the real template
 * planner, headless Chromium, and a user alice with a password and a token. `staticSpacesAsImages`
 * builds static Spaces through the image builder, for suites that watch a build run.
 */
export async function startUiHarness(o: { builder?: FakeImageBuilder; staticSpacesAsImages?: boolean } = {}): Promise<UiHarness> {
  const builder = o.builder ?? new FakeImageBuilder();
  const h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder, plan: planFromBuilder(config), ...(o.staticSpacesAsImages ? { staticSpacesAsImages: true } : {}) }));
  const aliceToken = (await h.api('POST', '/api/users', { name: 'alice' })).json().token as string;
  expect((await h.api('PUT', '/api/users/alice/password', { password: ALICE_PASSWORD })).status).toBe(200);
  const browser = await launchChromium();
  return { h, browser, aliceToken };
}
