import { describe, expect, it } from 'vitest';
import { causeLine, summarizeRuntimeFailure } from './runtime-error-summary.js';

/** Output of real failing starts (gradio 5 on Python 3.11, streamlit, Node), as the runtimes report it. */
const TRACEBACK = `* Running on local URL:  http://0.0.0.0:7860
Traceback (most recent call last):
  File "/home/user/app/app.py", line 2, in <module>
    import nonexistent_module
ModuleNotFoundError: No module named 'nonexistent_module'`;

const CHAINED = `Traceback (most recent call last):
  File "/home/user/.venv/lib/python3.11/site-packages/pyarrow/__init__.py", line 65, in <module>
    import numpy as np
ModuleNotFoundError: No module named 'numpy'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/home/user/app/app.py", line 1, in <module>
    import streamlit as st
  File "/home/user/.venv/lib/python3.11/site-packages/pyarrow/__init__.py", line 67, in <module>
    raise ImportError("pyarrow requires NumPy 2.0 or newer, found 1.26.4")
ImportError: pyarrow requires NumPy 2.0 or newer, found 1.26.4`;

const NODE = `node:internal/modules/cjs/loader:1228
  throw err;
  ^

Error: Cannot find module 'express'
Require stack:
- /home/user/app/server.js
    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)
    at Module._load (node:internal/modules/cjs/loader:1051:27)

Node.js v20.19.0`;

describe('summarizeRuntimeFailure', () => {
  it.each([
    {
      name: 'Docker: the reason is the last lines, the tail the same lines and more',
      reason: TRACEBACK.split('\n').slice(1).join('\n'),
      tail: TRACEBACK,
      first: "ModuleNotFoundError: No module named 'nonexistent_module'",
      once: 'import nonexistent_module',
    },
    {
      name: 'Kubernetes: a head, then the tail',
      reason: `exited with code 1 (Error)\n${TRACEBACK}`,
      tail: TRACEBACK,
      first: "ModuleNotFoundError: No module named 'nonexistent_module'",
      once: 'exited with code 1 (Error)',
    },
    { name: 'chained exceptions: the last one', reason: CHAINED, tail: CHAINED, first: 'ImportError: pyarrow requires NumPy 2.0 or newer, found 1.26.4', once: 'During handling' },
    { name: 'Node: the thrown error', reason: NODE, tail: NODE, first: "Error: Cannot find module 'express'", once: 'Require stack:' },
    {
      name: 'a 137 kill keeps its head after the cause',
      reason: `Killed (SIGKILL, exit code 137): possibly out of memory (limit 2 GiB).\nloading model`,
      tail: 'loading model',
      first: 'Killed (SIGKILL, exit code 137): possibly out of memory (limit 2 GiB).',
      once: 'loading model',
    },
    { name: 'nothing printed', reason: 'The app exited with code 3 and printed nothing.', tail: '', first: 'The app exited with code 3 and printed nothing.', once: 'printed nothing' },
  ])('$name', ({ reason, tail, first, once }) => {
    const message = summarizeRuntimeFailure(reason, tail);
    expect(message.split('\n')[0]).toBe(first);
    expect(message.split(once).length - 1).toBe(1);
    // Nothing the app printed is lost.
    for (const line of tail.split('\n')) expect(message).toContain(line);
  });

  it('a reason cut mid-line by its character limit is not repeated', () => {
    const message = summarizeRuntimeFailure("nt_module'\nthe end", "ModuleNotFoundError: No module named 'nonexistent_module'\nthe end");
    expect(message).toBe("ModuleNotFoundError: No module named 'nonexistent_module'\nthe end");
  });

  it('an exception line indented in a log is not mistaken for the cause', () => {
    expect(causeLine(['    raise ValueError("x")', 'ok'])).toBeUndefined();
  });
});
