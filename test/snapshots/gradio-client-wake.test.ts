import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { gradioClientPython } from '../support/hub-client-venvs.js';
import { SnapshotEngine, snapshotWakes } from '../support/snapshot-engine.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';
import { putToSleep, type WakeTarget } from '../support/wake-cases.js';

/**
 * Issue 19, "Waking and clients": `gradio_client.Client(url)` reads `/config` with a 5 s timeout, so a
 * wake longer than that fails its first call (a quiet cold Gradio wake took 5.4 s, median). With
 * snapshots on, a sleeping Gradio Space is restored: the real gradio_client 2.7.2 (the venv the
 * hub-client suites use), with its own timeouts and nothing added, connects to the sleeping Space
 * and its first call succeeds. The Space is a Gradio Space built by Spaceport on the shared engine
 * (its SDK image), run as a docker Space `FROM` that image on an engine with the restoring runtime.
 */
const RUN = randomBytes(3).toString('hex');
const INSTANCE = `snapgradio-${RUN}`;
const NAME = `gradio-${RUN}`;
const GRADIO_APP = {
  'README.md': '---\nsdk: gradio\nsdk_version: 5.50.0\napp_file: app.py\n---\n',
  'app.py': 'import gradio as gr\n\n\ndef greet(name):\n    return f"Hello {name} from a restored Gradio"\n\n\ngr.Interface(fn=greet, inputs="text", outputs="text").launch()\n',
};
// gradio_client's first call, as a user writes it: Client(url) (GET /config, its own 5 s timeout), then predict.
const CLIENT = `
import json, sys, time
t0 = time.monotonic()
from gradio_client import Client
client = Client(sys.argv[1], verbose=False)
connected = time.monotonic()
out = client.predict("snapshot", api_name="/predict")
print(json.dumps({"connect_s": connected - t0, "first_call_s": time.monotonic() - t0, "out": out}))
`;

let snap: SnapshotEngine;
let h: Harness;
let t: WakeTarget;
let python: string;
let scratch: string;

function runClient(url: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-c', CLIENT, url], {
      env: {
        PATH: process.env.PATH,
        HOME: scratch,
        HF_HOME: path.join(scratch, 'hf'),
        // `*.localhost` resolves to loopback in browsers, not in Python's resolver here (as in test/web/use-via-api-browser.test.ts).
        PYTHONPATH: path.join(scratch, 'site'),
        GRADIO_ANALYTICS_ENABLED: 'False',
        HF_HUB_DISABLE_TELEMETRY: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out, err });
    });
  });
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'snapgradio-'));
  mkdirSync(path.join(scratch, 'site'));
  writeFileSync(
    path.join(scratch, 'site', 'sitecustomize.py'),
    'import socket\n_gai = socket.getaddrinfo\ndef _local(host, *a, **k):\n    if isinstance(host, str) and host.endswith(".localhost"):\n        host = "127.0.0.1"\n    return _gai(host, *a, **k)\nsocket.getaddrinfo = _local\n',
  );
  python = await gradioClientPython();
  snap = await SnapshotEngine.start('snapgradio');
  const image = await snap.copySpaceImage(`gradiosrc-${RUN}`, 'gradio', GRADIO_APP);
  h = await startHarness(snap.adapters(), { ...snap.env(), SPACEPORT_INSTANCE_NAME: INSTANCE });
  expect((await h.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'docker' })).status).toBe(200);
  const work = await makeWorkTree({
    'README.md': '---\nsdk: docker\napp_port: 7860\n---\n',
    // What the Gradio SDK's runtime sets (templates/sdk-traits.ts), as a docker Space states it.
    Dockerfile: `FROM ${image}\nENV GRADIO_SERVER_NAME=0.0.0.0 GRADIO_SERVER_PORT=7860\n`,
  });
  const push = await git(['push', '--force', pushUrl(h.port, `admin/${NAME}`, ADMIN_TOKEN), 'main'], work);
  rmSync(work, { recursive: true, force: true });
  expect(push.code, push.stderr).toBe(0);
  t = { h, docker: snap.docker, space: `admin/${NAME}`, subdomain: `admin-${NAME}`, marker: 'Hello' };
  const rt = await h.waitStage(t.space, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR'], 600_000);
  expect(rt.stage, rt.errorMessage).toBe('RUNNING');
}, 30 * 60_000);

afterAll(async () => {
  await h?.close();
  await snap?.destroy();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 180_000);

describe('gradio_client against a sleeping Gradio Space with snapshots on', () => {
  it("Client(url) on the sleeping Space: the held /config is answered by the restored app within gradio_client's own timeout, and the first predict works", async () => {
    await putToSleep(t);
    await snap.snapshotOf(t.space);
    const before = await snapshotWakes(h.port);
    const r = await runClient(`http://${t.subdomain}.localhost:${h.port}/`);
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out.trim().split('\n').at(-1)!) as { connect_s: number; first_call_s: number; out: string };
    expect(result.out).toBe('Hello snapshot from a restored Gradio');
    const after = await snapshotWakes(h.port);
    expect({ restored: after.restored - before.restored, cold: after.cold }).toEqual({ restored: 1, cold: before.cold });
  }, 300_000);
});
