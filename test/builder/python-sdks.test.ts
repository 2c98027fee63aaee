import Docker from 'dockerode';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogSink, silentLogger, type SpaceId } from '../../core/index.js';
import { DEFAULT_BASE_IMAGES, DockerImageBuilder, ensureBaseImages } from '../../builder/index.js';
import { HOST_CA, TEST_LABEL, TEST_LABEL_VALUE, TestResources, planFor, waitForHttp } from './docker-helpers.js';

// Real gradio and streamlit images: pip installs from PyPI inside the build, trusting the host CA
// bundle the builder copies into the context. A first run takes a few minutes per SDK; BuildKit's
// cache makes later runs fast.
const docker = new Docker();
const SPACE = 'tester/python-sdk' as SpaceId;
const builder = new DockerImageBuilder({ docker, logger: silentLogger(), caBundle: HOST_CA });
const BUILD_TIMEOUT = 20 * 60_000;

describe('gradio and streamlit images built with a real Docker engine', () => {
  const res = new TestResources(docker);

  beforeAll(async () => {
    await docker.ping();
    await ensureBaseImages(docker, { python: DEFAULT_BASE_IMAGES.python }, silentLogger());
  });

  afterEach(async () => {
    await res.cleanup();
  });

  it(
    'builds a gradio 5 app (sdk_version wins over a pin in requirements.txt) that answers on 7860',
    async () => {
      const readme = '---\ntitle: Greeter\nsdk: gradio\nsdk_version: 5.50.0\napp_file: app.py\n---\n';
      const dir = await res.repo({
        'README.md': readme,
        'requirements.txt': 'gradio==4.44.1\n',
        'app.py': [
          'import gradio as gr',
          '',
          'def greet(name):',
          '    return f"Hello {name}!"',
          '',
          'demo = gr.Interface(fn=greet, inputs="text", outputs="text", api_name="greet")',
          'demo.launch()',
          '',
        ].join('\n'),
      });
      const plan = await planFor(dir, readme);
      expect(plan.port).toBe(7860);
      const image = res.imageName('gradio');
      res.images.push(image);
      const log = new MemoryLogSink();
      await builder.build(
        { space: SPACE, image, contextDir: dir, dockerfile: plan.dockerfile, extraFiles: plan.extraFiles, buildArgs: plan.buildArgs, labels: { [TEST_LABEL]: TEST_LABEL_VALUE } },
        log,
        AbortSignal.timeout(BUILD_TIMEOUT),
      );

      const { url } = await res.start(image, plan.port);
      const config = await waitForHttp(`${url}/config`, 120_000);
      expect(config.status).toBe(200);
      expect(((await config.json()) as { version: string }).version).toBe('5.50.0');

      // Call the app through gradio's HTTP API: POST starts an event, GET streams its result.
      const start = await fetch(`${url}/gradio_api/call/greet`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: ['Spaceport'] }),
      });
      expect(start.status).toBe(200);
      const { event_id } = (await start.json()) as { event_id: string };
      const result = await (await fetch(`${url}/gradio_api/call/greet/${event_id}`)).text();
      expect(result).toContain('event: complete');
      expect(result).toContain('["Hello Spaceport!"]');
    },
    BUILD_TIMEOUT,
  );

  it(
    'builds a streamlit app that answers on 8501',
    async () => {
      const readme = '---\nsdk: streamlit\nsdk_version: 1.59.2\n---\n';
      const dir = await res.repo({ 'README.md': readme, 'app.py': 'import streamlit as st\n\nst.title("Spaceport streamlit")\n' });
      const plan = await planFor(dir, readme);
      expect(plan.port).toBe(8501);
      const image = res.imageName('streamlit');
      res.images.push(image);
      await builder.build(
        { space: SPACE, image, contextDir: dir, dockerfile: plan.dockerfile, extraFiles: plan.extraFiles, buildArgs: plan.buildArgs },
        new MemoryLogSink(),
        AbortSignal.timeout(BUILD_TIMEOUT),
      );
      const { url, id } = await res.start(image, plan.port);
      const health = await waitForHttp(`${url}/_stcore/health`, 120_000);
      expect(health.status).toBe(200);
      expect(await health.text()).toBe('ok');
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Streamlit</title>');
      const exec = await docker.getContainer(id).exec({ Cmd: ['python', '-c', 'import streamlit; print(streamlit.__version__)'], AttachStdout: true });
      const out = await exec.start({ hijack: true, stdin: false });
      const chunks: Buffer[] = [];
      await new Promise<void>((resolve) => {
        out.on('data', (c: Buffer) => chunks.push(c));
        out.on('end', () => resolve());
      });
      expect(Buffer.concat(chunks).toString('utf8')).toContain('1.59.2');
    },
    BUILD_TIMEOUT,
  );
});
