import { describe, expect, it } from 'vitest';
import { MemoryLogSink } from '../core/index.js';
import { BuildLog } from './build-log.js';
import { summarizeBuildFailure } from './build-error-summary.js';

const PIP_STEP = "[6/7] RUN pip install -r /tmp/spaceport/requirements.txt && pip install 'gradio==5.50.0'";
const PIP_ERROR = `process "/bin/sh -c pip install -r /tmp/spaceport/requirements.txt && pip install 'gradio==5.50.0'" did not complete successfully: exit code: 1`;
const NPM_STEP = '[build 5/7] RUN npm install --no-audit --no-fund';
const NPM_ERROR = 'process "/bin/sh -c npm install --no-audit --no-fund" did not complete successfully: exit code: 1';

/** Output captured from real runs (pip 23, npm 11, Vite 7 on Node 18), as BuildKit streams a step's log. */
const CASES: { name: string; step?: string; error: string; output: string; first: string; contains: string[] }[] = [
  {
    name: 'pip: a requirement that does not exist',
    step: PIP_STEP,
    error: PIP_ERROR,
    output: `Looking in links: /opt/wheels
Collecting numpy (from -r /tmp/spaceport/requirements.txt (line 1))
  Downloading numpy-2.3.5-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl (16.9 MB)
     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 16.9/16.9 MB 41.2 MB/s eta 0:00:00
ERROR: Could not find a version that satisfies the requirement nonexistent-package-xyz==1.0 (from versions: none)
ERROR: No matching distribution found for nonexistent-package-xyz==1.0
`,
    first: 'ERROR: No matching distribution found for nonexistent-package-xyz==1.0',
    contains: [`Failed step: ${PIP_STEP}`, '(from versions: none)', PIP_ERROR],
  },
  {
    name: 'pip: ResolutionImpossible',
    step: PIP_STEP,
    error: PIP_ERROR,
    output: `Collecting httpx>=0.24.1 (from gradio==4.25.0)
  Downloading httpx-0.28.1-py3-none-any.whl (73 kB)
INFO: pip is looking at multiple versions of gradio to determine which version is compatible with other requirements. This could take a while.
ERROR: Cannot install gradio==4.25.0 and huggingface-hub==0.10.0 because these package versions have conflicting dependencies.

The conflict is caused by:
    The user requested huggingface-hub==0.10.0
    gradio 4.25.0 depends on huggingface-hub>=0.19.3

To fix this you could try to:
1. loosen the range of package versions you've specified
2. remove package versions to allow pip attempt to solve the dependency conflict

ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts
`,
    first: 'ERROR: Cannot install gradio==4.25.0 and huggingface-hub==0.10.0 because these package versions have conflicting dependencies.',
    contains: ['    The user requested huggingface-hub==0.10.0', '    gradio 4.25.0 depends on huggingface-hub>=0.19.3', 'ERROR: ResolutionImpossible'],
  },
  {
    name: 'pip: a wheel that does not build',
    step: PIP_STEP,
    error: PIP_ERROR,
    output: `Building wheels for collected packages: fasttext
  error: subprocess-exited-with-error

  × Building wheel for fasttext (pyproject.toml) did not run successfully.
  │ exit code: 1
  ╰─> [3 lines of output]
      error: command 'gcc' failed: No such file or directory
      [end of output]

  note: This error originates from a subprocess, and is likely not a problem with pip.
  ERROR: Failed building wheel for fasttext
Failed to build fasttext
ERROR: Could not build wheels for fasttext, which is required to install pyproject.toml-based projects
`,
    first: 'ERROR: Failed building wheel for fasttext',
    contains: ['ERROR: Could not build wheels for fasttext', "error: command 'gcc' failed: No such file or directory"],
  },
  {
    name: 'npm: a package that is not in the registry (E404)',
    step: NPM_STEP,
    error: NPM_ERROR,
    output: `npm error code E404
npm error 404 Not Found - GET https://registry.npmjs.org/nonexistent-package-xyz-spaceport - Not found
npm error 404
npm error 404  The requested resource 'nonexistent-package-xyz-spaceport@1.0.0' could not be found or you do not have permission to access it.
npm error 404
npm error 404 Note that you can also install from a
npm error 404 tarball, folder, http url, or git url.
npm error A complete log of this run can be found in: /home/user/.npm/_logs/2026-11-26T00_17_43_703Z-debug-0.log
`,
    first: 'npm error 404 Not Found - GET https://registry.npmjs.org/nonexistent-package-xyz-spaceport - Not found',
    contains: ["'nonexistent-package-xyz-spaceport@1.0.0' could not be found", 'npm code E404'],
  },
  {
    name: 'npm: a version that does not exist (ETARGET, npm 9 spelling)',
    step: NPM_STEP,
    error: NPM_ERROR,
    output: `npm ERR! code ETARGET
npm ERR! notarget No matching version found for vite@^99.0.0.
npm ERR! notarget In most cases you or one of your dependencies are requesting
npm ERR! notarget a package version that doesn't exist.

npm ERR! A complete log of this run can be found in:
npm ERR!     /home/user/.npm/_logs/2026-11-26T00_17_44_273Z-debug-0.log
`,
    first: 'npm ERR! notarget No matching version found for vite@^99.0.0.',
    contains: ['npm code ETARGET'],
  },
  {
    name: 'a build script that throws (Vite on Node 18)',
    step: '[build 7/7] RUN ["/bin/sh", "-c", "npm run build"]',
    error: 'process "/bin/sh -c npm run build" did not complete successfully: exit code: 1',
    output: `
> vite-space@0.0.0 build
> vite build

You are using Node.js 18.19.0. Vite requires Node.js version 20.19+ or 22.12+. Please upgrade your Node.js version.
error during build:
ReferenceError: CustomEvent is not defined
    at file:///home/user/app/node_modules/vite/dist/node/chunks/dep-BuBo8Kg5.js:2345:20
    at ModuleJob.run (node:internal/modules/esm/module_job:195:25)
`,
    first: 'ReferenceError: CustomEvent is not defined',
    contains: ['error during build:', 'Failed step: [build 7/7] RUN'],
  },
  {
    name: 'apt: packages.txt names a package Debian does not have',
    step: '[3/9] RUN apt-get update && sed -e \'s/#.*//\' /tmp/spaceport/packages.txt | xargs -r apt-get install -y --no-install-recommends',
    error: 'process "/bin/sh -c apt-get update ..." did not complete successfully: exit code: 123',
    output: `Reading package lists...
Building dependency tree...
E: Unable to locate package libnonexistent-dev
`,
    first: 'E: Unable to locate package libnonexistent-dev',
    contains: ['Failed step: [3/9] RUN apt-get update'],
  },
  {
    name: 'a Python traceback in a RUN step',
    step: '[4/5] RUN python download.py',
    error: 'process "/bin/sh -c python download.py" did not complete successfully: exit code: 1',
    output: `Traceback (most recent call last):
  File "/home/user/app/download.py", line 1, in <module>
    import torch
ModuleNotFoundError: No module named 'torch'
`,
    first: "ModuleNotFoundError: No module named 'torch'",
    contains: ['Failed step: [4/5] RUN python download.py'],
  },
  {
    name: 'a command that only prints',
    step: '[3/4] RUN echo "it went wrong here" && exit 3',
    error: 'process "/bin/sh -c echo \\"it went wrong here\\" && exit 3" did not complete successfully: exit code: 3',
    output: 'it went wrong here\n',
    first: 'it went wrong here',
    contains: ['Failed step: [3/4] RUN echo', 'exit code: 3'],
  },
  {
    name: 'no step output at all',
    error: 'failed to solve: spaceport/python:3.11: pull access denied',
    output: '',
    first: 'failed to solve: spaceport/python:3.11: pull access denied',
    contains: [],
  },
];

describe('summarizeBuildFailure', () => {
  it.each(CASES)('$name', (c) => {
    const message = summarizeBuildFailure({ step: c.step, error: c.error, stepOutput: c.output.split('\n') });
    const lines = message.split('\n');
    expect(lines[0]).toBe(c.first);
    for (const s of c.contains) expect(message).toContain(s);
    // The builder's generic error comes last, never first.
    if (c.output.trim() !== '') expect(lines.at(-1)).toBe(c.error);
    expect(lines.length).toBeLessThan(20);
  });
});

describe('BuildLog keeps the failed step\'s output', () => {
  it('BuildKit: the output of the vertex that failed, not of the others', () => {
    const log = new BuildLog(new MemoryLogSink(), { mask: ['s3cret'] });
    const v = (digest: string, name: string, extra: object = {}) => ({ digest, name, cached: false, started: 1, ...extra });
    log.handle({ kind: 'trace', trace: { vertexes: [v('a', '[1/3] FROM base'), v('b', '[2/3] RUN pip install x')], logs: [] } });
    log.handle({ kind: 'trace', trace: { vertexes: [], logs: [{ vertex: 'a', text: 'unrelated\n' }, { vertex: 'b', text: 'Collecting x\nERROR: No matching distribution found for x (token s3cret)\n' }] } });
    log.handle({ kind: 'trace', trace: { vertexes: [v('b', '[2/3] RUN pip install x', { completed: 2, error: 'exit code: 1' })], logs: [] } });
    log.handle({ kind: 'error', message: 'process "/bin/sh -c pip install x" did not complete successfully: exit code: 1' });
    log.end();
    expect(log.step).toBe('[2/3] RUN pip install x');
    expect(log.failedOutput).toEqual(['Collecting x', 'ERROR: No matching distribution found for x (token ***)']);
  });

  it('the classic builder: its own error echoed in the output is not the cause', () => {
    const error = "The command '/bin/sh -c make' returned a non-zero code: 2";
    const message = summarizeBuildFailure({ step: 'Step 2/2 : RUN make', error, stepOutput: [' ---> Running in 123', 'make: *** No rule to make target \'all\'.  Stop.', `ERROR: ${error}`] });
    expect(message.split('\n')).toEqual(["make: *** No rule to make target 'all'.  Stop.", 'Failed step: Step 2/2 : RUN make', error]);
  });

  it('the classic builder: the output since the last step', () => {
    const log = new BuildLog(new MemoryLogSink());
    log.handle({ kind: 'stream', text: 'Step 1/2 : FROM base\n ---> abc\nStep 2/2 : RUN make\n ---> Running in 123\nmake: *** No rule to make target\n' });
    log.handle({ kind: 'error', message: "The command '/bin/sh -c make' returned a non-zero code: 2" });
    expect(log.failedOutput).toEqual([' ---> Running in 123', 'make: *** No rule to make target', "ERROR: The command '/bin/sh -c make' returned a non-zero code: 2"]);
  });
});
