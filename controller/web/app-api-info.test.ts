import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Route } from '../../proxy/index.js';
import { fetchAppApiInfo, type GradioApiInfo } from './app-api-info.js';
import { curlSnippet, pythonLiteral, pythonSnippet, renderSpaceApi, type SpaceApiView } from './render-space-api.js';

const INFO: GradioApiInfo = {
  named_endpoints: {
    '/greet': {
      parameters: [{ label: 'Your name', parameter_name: 'name', parameter_has_default: false, python_type: { type: 'str' }, component: 'Textbox', example_input: 'Hello!!' }],
      returns: [{ label: 'Greeting', python_type: { type: 'str' }, component: 'Textbox' }],
      show_api: true,
    },
    '/hidden': { parameters: [], returns: [], show_api: false },
  },
};

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A stand-in app on loopback answering `paths` (anything else: 404); `hang` never answers. */
async function app(paths: Record<string, string | 'hang'>): Promise<Route> {
  const server = http.createServer((req, res) => {
    const body = paths[req.url ?? ''];
    if (body === 'hang') return;
    if (body === undefined) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { subdomain: 'alice-demo', space: 'alice/demo', stage: 'RUNNING', target: { kind: 'running', endpoint: { host: '127.0.0.1', port } } };
}

describe('fetchAppApiInfo', () => {
  it('reads Gradio 5 at /gradio_api/info and Gradio 4 at /info', async () => {
    expect(await fetchAppApiInfo(await app({ '/gradio_api/info': JSON.stringify(INFO) }))).toEqual({ kind: 'ready', prefix: '/gradio_api', info: INFO });
    expect(await fetchAppApiInfo(await app({ '/info': JSON.stringify(INFO) }))).toEqual({ kind: 'ready', prefix: '', info: INFO });
  });

  it('gives up at its deadline, past its size cap, and on answers that are not an API description', async () => {
    expect(await fetchAppApiInfo(await app({ '/gradio_api/info': 'hang' }), { timeoutMs: 300 })).toEqual({ kind: 'unavailable', why: 'timeout' });
    expect(await fetchAppApiInfo(await app({ '/gradio_api/info': JSON.stringify(INFO) }), { maxBytes: 100 })).toEqual({ kind: 'unavailable', why: 'too-large' });
    expect(await fetchAppApiInfo(await app({ '/gradio_api/info': '<html>' }))).toEqual({ kind: 'unavailable', why: 'not-gradio' });
    expect(await fetchAppApiInfo(await app({ '/gradio_api/info': '{"named_endpoints": 3}' }))).toEqual({ kind: 'unavailable', why: 'not-gradio' });
    expect(await fetchAppApiInfo(await app({}))).toEqual({ kind: 'unavailable', why: 'not-gradio' });
  });

  it('never asks (nor wakes) a Space that is not running', async () => {
    const r = await app({ '/gradio_api/info': JSON.stringify(INFO) });
    expect(await fetchAppApiInfo({ ...r, stage: 'SLEEPING', target: { kind: 'sleeping' } })).toEqual({ kind: 'asleep' });
    expect(await fetchAppApiInfo({ ...r, stage: 'BUILDING', target: { kind: 'pending', stage: 'BUILDING' } })).toEqual({ kind: 'not-running', stage: 'BUILDING' });
    expect(await fetchAppApiInfo(undefined)).toEqual({ kind: 'not-running', stage: 'NO_APP_FILE' });
  });
});

describe('the snippets', () => {
  const view: SpaceApiView = { id: 'alice/demo', hubUrl: 'http://hub.test:8080/', appOrigin: 'http://alice-demo.hub.test:8080', private: false, api: { kind: 'ready', prefix: '/gradio_api', info: INFO } };

  it('write Python literals as view_api does, files as handle_file', () => {
    expect(pythonLiteral({ a: [1, true, null, 'x"y'] })).toBe('{"a": [1, True, None, "x\\"y"]}');
    expect(pythonLiteral({ path: 'https://x/a.png', meta: { _type: 'gradio.FileData' } })).toBe('handle_file("https://x/a.png")');
  });

  it('name the hub and the Space for gradio_client, the app for curl, and hide endpoints the app hides', () => {
    const py = pythonSnippet(view, '/greet', INFO.named_endpoints['/greet']!);
    expect(py).toContain('os.environ.setdefault("HF_ENDPOINT", "http://hub.test:8080")');
    expect(py).toContain('client = Client("alice/demo")\nresult = client.predict(\n    name="Hello!!",\n    api_name="/greet",\n)');
    expect(curlSnippet(view, '/greet', INFO.named_endpoints['/greet']!, '/gradio_api')).toContain(`curl -s -X POST 'http://alice-demo.hub.test:8080/gradio_api/call/greet' -H "Content-Type: application/json" \\\n  -d '{"data":["Hello!!"]}'`);
    const page = renderSpaceApi(view).value;
    expect(page).toContain('api_name=&quot;/greet&quot;');
    expect(page).not.toContain('/hidden');
  });

  it('say that a sleeping Space must be awake, and wait for it (app-tab.js reloads the page once it runs)', () => {
    const asleep = renderSpaceApi({ ...view, api: { kind: 'asleep' } }).value;
    expect(asleep).toContain('data-api-waiting');
    expect(asleep).toContain('The Space is asleep');
    expect(asleep).toContain('href="/spaces/alice/demo"');
  });

  it('an app cannot break out of the shell command or the page with an endpoint or a value it names', () => {
    const evil = { parameters: [{ parameter_name: 'x); import os', example_input: "'; rm -rf ~; '</textarea><script>" }], returns: [] };
    const curl = curlSnippet(view, "/a';touch /tmp/p;'", evil, '/gradio_api');
    expect(curl).toContain(`'http://alice-demo.hub.test:8080/gradio_api/call/a'\\'';touch /tmp/p;'\\'''`);
    expect(pythonSnippet(view, '/a")\nimport os', evil)).toContain('    param_0="\'; rm -rf ~; \'</textarea><script>",\n    api_name="/a\\")\\nimport os",');
    const page = renderSpaceApi({ ...view, api: { kind: 'ready', prefix: '', info: { named_endpoints: { '/e': evil } } } }).value;
    expect(page).not.toContain('</textarea><script>');
  });
});
