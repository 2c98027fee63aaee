/**
 * Helpers of bench/builds.ts: where a build's time goes (from its BuildKit log), the bare
 * `pip install gradio` it is compared with, and how long `import gradio` takes in a fresh container.
 */
import { Writable } from 'node:stream';
import type Dockerode from 'dockerode';

export type BuildStep = 'context upload' | 'base layers' | 'uv and venv' | 'sdk layer' | 'install' | 'code copy' | 'export' | 'other';

/** Which part of a build a BuildKit step (`[3/9] RUN …`, `[internal] load build context`) belongs to. */
function stepOf(name: string): BuildStep {
  if (/load build context|transferring context/.test(name)) return 'context upload';
  if (/exporting to image|naming to|writing image|exporting layers/.test(name)) return 'export';
  if (/\{ uv pip install --python/.test(name)) return 'sdk layer';
  if (/uv pip install --python|pip install (--uploaded-prior-to|-r)/.test(name)) return 'install';
  if (/uv --version|python3 -m venv|mkdir -p \/home\/user\/\.cache/.test(name)) return 'uv and venv';
  if (/COPY --chown=1000:1000 app\/ /.test(name)) return 'code copy';
  if (/\] FROM |useradd|COPY \.spaceport\/ca-bundle|load metadata|load \.dockerignore|load build definition|resolve image config/.test(name)) return 'base layers';
  return 'other';
}

/** Seconds per part of a build, from the `#N name` and `#N DONE 1.2s` lines of its log (cached steps count 0). */
export function buildSteps(log: string): Record<BuildStep, number> {
  const names = new Map<string, string>();
  const out: Record<BuildStep, number> = { 'context upload': 0, 'base layers': 0, 'uv and venv': 0, 'sdk layer': 0, install: 0, 'code copy': 0, export: 0, other: 0 };
  for (const line of log.split('\n')) {
    const named = /^#(\d+) (\[.*|exporting.*|naming.*|writing.*)$/.exec(line);
    if (named && !names.has(named[1]!)) names.set(named[1]!, named[2]!);
    const done = /^#(\d+) DONE (\d+(?:\.\d+)?)s/.exec(line);
    if (done) out[stepOf(names.get(done[1]!) ?? '')] += Number(done[2]);
  }
  return out;
}

/** uv's own timings in a build log (`Resolved 57 packages in 1.2s`, `Prepared …`, `Installed …`): what of an install step is uv's. */
export function uvTimings(log: string): string[] {
  return [...log.matchAll(/^#\d+ ((?:Resolved|Prepared|Uninstalled|Installed|Audited) \d+ packages? in [\d.]+m?s)$/gm)].map((m) => m[1]!);
}

/** Run `argv` in a new container of `image` (removed after), its output as one string (TTY: stdout and stderr together). */
export async function runIn(docker: Dockerode, image: string, argv: string[], opts: { label: string; user?: string; env?: string[] }): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString('utf8');
      cb();
    },
  });
  const [res] = (await docker.run(image, argv, sink, {
    Tty: true,
    ...(opts.user ? { User: opts.user } : {}),
    ...(opts.env ? { Env: opts.env } : {}),
    HostConfig: { AutoRemove: true },
    Labels: { 'spaceport.bench': opts.label },
  })) as [{ StatusCode: number }];
  return { code: res.StatusCode, out: out.replace(/\r/g, '') };
}

/** The alternative a cold Space is compared with: `pip install gradio==X` into a fresh venv, in a container of the same base image, no cache. */
export async function barePipInstallMs(docker: Dockerode, image: string, gradio: string): Promise<number> {
  const t0 = performance.now();
  const r = await runIn(docker, image, ['sh', '-c', `cd /tmp && python3 -m venv v && v/bin/pip install --no-cache-dir --disable-pip-version-check -q 'gradio==${gradio}'`], { label: 'bare-pip', user: '1000' });
  if (r.code !== 0) throw new Error(`bare pip install gradio==${gradio} failed: ${r.out.slice(-2000)}`);
  return performance.now() - t0;
}

/**
 * Seconds `import gradio` takes in a fresh container of an image (what every start of the app pays);
 * `withoutPyc`: as if the image had no .pyc files (PYTHONPYCACHEPREFIX points Python at an empty tree).
 */
export async function importGradioSeconds(docker: Dockerode, image: string, withoutPyc = false): Promise<number> {
  const py = 'import time; t = time.perf_counter(); import gradio; print("@@", time.perf_counter() - t)';
  const argv = withoutPyc ? ['env', 'PYTHONPYCACHEPREFIX=/tmp/no-pyc', 'python', '-c', py] : ['python', '-c', py];
  const r = await runIn(docker, image, argv, { label: 'import-gradio', user: '1000' });
  const m = /@@ (\d+(?:\.\d+)?)/.exec(r.out);
  if (r.code !== 0 || !m) throw new Error(`import gradio failed in ${image}: ${r.out.slice(-2000)}`);
  return Number(m[1]);
}
