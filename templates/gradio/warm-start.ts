/**
 * What the build runs once after installing Gradio (uv installs write no .pyc files): the start of a
 * Gradio app, not only `import gradio`. `launch()` imports modules `import gradio` does not (uvicorn's
 * server, protocols and loops, websockets, anyio's asyncio backend, `gradio.http_server`: 44 modules
 * with Gradio 5.50), and the first `/config` a few more; without their .pyc files every wake compiled
 * them again before the app answered (bench/wake-config.ts). A tiny Blocks app is launched on
 * loopback with the environment the app gets at run time (analytics off, `SYSTEM=spaces`), asked for
 * `/config` (past any proxy the build's env names), and closed. Gradio 3.x to 5.x all take these arguments; a Gradio that does not only
 * loses the launch's warmth (the build never fails for it, see `warmImport`). One line (a Dockerfile
 * `RUN` is one): the program is a string literal handed to `exec`, which always ends the process
 * (`os._exit`: no thread of the app keeps it waiting for `warmImport`'s timeout).
 */
export function gradioWarmStart(runEnv: Readonly<Record<string, string>>): string {
  const env = Object.entries(runEnv)
    .filter(([k]) => k !== 'GRADIO_SERVER_NAME' && k !== 'GRADIO_SERVER_PORT')
    .map(([k, v]) => `os.environ[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  const program = [
    'import os, urllib.request',
    ...env,
    'import gradio as gr',
    'with gr.Blocks() as demo:',
    '    gr.Markdown("Spaceport warm start")',
    'demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)',
    'try:',
    '    urllib.request.build_opener(urllib.request.ProxyHandler({})).open(demo.local_url.rstrip("/") + "/config", timeout=60).read()',
    'finally:',
    '    demo.close()',
    '    os._exit(0)',
  ].join('\n');
  // A JSON string of ASCII text is a Python string literal too.
  return `exec(${JSON.stringify(program)})`;
}
