import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTemplate, type TemplateInput } from '../index.js';

// Issue 19 ("Waking and clients"): a uv build ran only `import gradio`, so every wake compiled the
// modules `launch()` imports (uvicorn, websockets, anyio's backend: 44 with Gradio 5.50) before the
// app answered. The build now starts a Gradio app once. Here its program runs under the real
// python3 against a stand-in `gradio` (no PyPI in the quick tier): it must be one valid line, launch,
// fetch /config, and exit even while a thread of the app still runs.

function dockerfile(over: Partial<TemplateInput> = {}): string {
  const input: TemplateInput = {
    sdk: 'gradio',
    pythonImage: 'spaceport/python:3.11',
    nodeImage: 'spaceport/node:bookworm',
    appFile: 'app.py',
    files: { packagesTxt: false, preRequirements: false, requirements: false, packageJson: false, packageLock: false },
    sdkVersion: '5.50.0',
    pythonInstaller: 'uv',
    ...over,
  };
  return renderTemplate(input).dockerfile!;
}

/** The Python the build runs after installing the SDK (the text inside `timeout 300 python -c '…'`). */
function warmProgram(d: string): string {
  const m = /timeout 300 python -c '([^']*)' >\/dev\/null 2>&1 \|\| true; \}$/m.exec(d);
  if (!m) throw new Error('no warm step');
  return m[1]!;
}

// A stand-in for gradio: records what the program did, serves /config, and leaves a non-daemon
// thread running (as Gradio's queue does), so only an explicit exit ends the process.
const STUB = `
import http.server, json, os, threading, time
LOG = os.environ["WARM_LOG"]
def note(**kw):
    with open(LOG, "a") as f: f.write(json.dumps(kw) + "\\n")
note(event="import", analytics=os.environ.get("GRADIO_ANALYTICS_ENABLED"), system=os.environ.get("SYSTEM"))
class Markdown:
    def __init__(self, text): note(event="markdown")
class _H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        note(event="get", path=self.path)
        self.send_response(200); self.end_headers(); self.wfile.write(b"{}")
    def log_message(self, *a): pass
class Blocks:
    def __enter__(self): return self
    def __exit__(self, *a): return False
    def launch(self, **kw):
        note(event="launch", kw={k: v for k, v in kw.items()})
        self.srv = http.server.HTTPServer(("127.0.0.1", 0), _H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        threading.Thread(target=lambda: time.sleep(3600)).start()
        self.local_url = "http://127.0.0.1:%d/" % self.srv.server_address[1]
    def close(self): note(event="close")
`;

describe('the build starts a Gradio app once (warm start)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-warm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('launches a Blocks app on loopback, with analytics off as at run time, fetches /config, and exits', () => {
    const program = warmProgram(dockerfile());
    expect(program).not.toContain('\n'); // a Dockerfile RUN is one line
    mkdirSync(path.join(dir, 'gradio'), { recursive: true });
    writeFileSync(path.join(dir, 'gradio', '__init__.py'), STUB);
    const log = path.join(dir, 'warm.log');
    const run = spawnSync('python3', ['-c', program], {
      env: { PATH: process.env.PATH, PYTHONPATH: dir, WARM_LOG: log, http_proxy: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9' },
      timeout: 20_000,
      encoding: 'utf8',
    });
    expect(run.error, run.stderr).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    const events = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; [k: string]: unknown });
    expect(events.map((e) => e.event)).toEqual(['import', 'markdown', 'launch', 'get', 'close']);
    expect(events[0]).toMatchObject({ analytics: 'False', system: 'spaces' });
    expect(events[2]).toMatchObject({ kw: { server_name: '127.0.0.1', prevent_thread_lock: true, quiet: true } });
    expect(events[3]).toMatchObject({ path: '/config' });
  });

  it('is gradio-only: streamlit still imports its SDK, and pip builds (which compile every file) run nothing', () => {
    expect(warmProgram(dockerfile({ sdk: 'streamlit', sdkVersion: '1.40.0' }))).toBe('import streamlit');
    expect(dockerfile({ pythonInstaller: 'pip' })).not.toContain('timeout 300 python -c');
  });
});
