import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLD_BUILD_MS, DockerSpace, gradioPredict } from '../support/docker-space.js';
import { commitFiles, gitOk } from '../support/git-client.js';

/**
 * What a user sees when a push breaks a gradio Space that ran: a requirement pip cannot find
 * (BUILD_ERROR), an app that raises at start (RUNTIME_ERROR), a README naming a missing app file
 * (NO_APP_FILE). Each time the error names the cause and the last good version keeps answering at
 * the subdomain. One Space throughout: gradio's layer is installed once (a cache hit when the
 * gradio suite ran before), each broken version costs only its own small layers.
 */
const RUN_ID = randomBytes(4).toString('hex');
const readme = (appFile = 'app.py') => `---\ntitle: Failures\nsdk: gradio\nsdk_version: 5.50.0\napp_file: ${appFile}\n---\n`;
const app = (greeting: string, extra: string[] = []) =>
  [
    `# run ${RUN_ID}`,
    'import gradio as gr',
    ...extra,
    '',
    'def greet(name):',
    `    return f"${greeting} {name}!"`,
    '',
    'gr.Interface(fn=greet, inputs="text", outputs="text", api_name="greet").launch()',
    '',
  ].join('\n');

describe('broken pushes to a running gradio Space', () => {
  const s = new DockerSpace('fail');

  /** The last good version still answers through the proxy. */
  async function stillServesV1(): Promise<void> {
    expect(await gradioPredict(s.h, s.sub, 'greet', ['there'])).toContain('["Good there!"]');
  }

  beforeAll(async () => {
    await s.start('gradio', { 'README.md': readme(), 'app.py': app('Good') });
    const rt = await s.pushAndSettle();
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    await stillServesV1();
  }, COLD_BUILD_MS + 60_000);

  afterAll(async () => {
    await s.close();
  });

  it('a requirement pip cannot find is a BUILD_ERROR with pip\'s message', async () => {
    await commitFiles(s.work, { 'requirements.txt': 'this-package-does-not-exist-spaceport==9.9.9\n', 'app.py': app('Never') }, 'bad requirement');
    const rt = await s.pushAndSettle(600_000);
    expect(rt.stage).toBe('BUILD_ERROR');
    expect(rt.errorMessage).toContain('this-package-does-not-exist-spaceport==9.9.9');
    expect(rt.errorMessage).toMatch(/No matching distribution found for this-package-does-not-exist-spaceport==9\.9\.9/);
    expect(rt.errorMessage).toMatch(/pip install (--uploaded-prior-to \S+ )?-r /);
    expect(await s.buildLog()).toContain('No matching distribution found');
    await stillServesV1();
  }, 660_000);

  it('an app that raises at start is a RUNTIME_ERROR with its traceback', async () => {
    await gitOk(['rm', '-q', 'requirements.txt'], s.work);
    await commitFiles(s.work, { 'app.py': app('Never', ['raise RuntimeError("boom at start")']) }, 'raises at start');
    const rt = await s.pushAndSettle(600_000);
    expect(rt.stage).toBe('RUNTIME_ERROR');
    expect(rt.errorMessage).toContain('Traceback (most recent call last)');
    expect(rt.errorMessage).toContain('RuntimeError: boom at start');
    await stillServesV1();
    expect((await s.h.stage(s.space)).stage).toBe('RUNTIME_ERROR');
  }, 660_000);

  it('a README whose app_file is missing is NO_APP_FILE naming the file', async () => {
    await commitFiles(s.work, { 'README.md': readme('missing_app.py'), 'app.py': app('Never') }, 'missing app file');
    const rt = await s.pushAndSettle(120_000);
    expect(rt.stage).toBe('NO_APP_FILE');
    expect(rt.errorMessage).toContain('missing_app.py');
    await stillServesV1();
  }, 180_000);

  it('a fixed push serves the new version again', async () => {
    await commitFiles(s.work, { 'README.md': readme(), 'app.py': app('Fixed') }, 'fixed');
    const rt = await s.pushAndSettle(600_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    expect(rt.errorMessage).toBeUndefined();
    expect(await gradioPredict(s.h, s.sub, 'greet', ['again'])).toContain('["Fixed again!"]');
  }, 660_000);
});
