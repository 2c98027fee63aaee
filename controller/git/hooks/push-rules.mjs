// Spaceport's push rules, shared by the pre-receive hook run as a Node program (`pre-receive.mjs`,
// pushes made outside Spaceport's HTTP handler) and by Spaceport's own process (`PushCheckServer`,
// which judges a push over HTTP in-process when the `pre-receive` script hands it over).
// Plain Node, no dependencies: it is copied into each Space's bare repo next to the hook.
// - Only branches (refs/heads/*) and tags (refs/tags/*) may be pushed (only main builds), and `main` may not be deleted.
// - Like the Hub, rejects pushes that add files larger than `limit` bytes (default 10 MiB).
// - With a `verdict` (Spaceport): like the Hub, rejects a push whose README.md on `main` has invalid
//   metadata, and like GitHub, a push with Git LFS pointers whose objects were never uploaded to
//   this Space (git-lfs uploads them before the refs): small new blobs that look like pointers.
import { spawn } from 'node:child_process';

const ZERO = /^0+$/;
const MIB = 1024 * 1024;
export const DEFAULT_LIMIT_BYTES = 10 * MIB;
const README_MAX_BYTES = 1024 * 1024;
/** Git LFS pointers are at most 1 KiB and start with their spec line. */
const POINTER_MAX_BYTES = 1024;
const POINTER_START = 'version https://';

function describe(bytes) {
  return bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`;
}

/** `git rev-list --objects <tip> --not --all | git cat-file --batch-check=…`: blobs new to the repo with their path. */
function newBlobs(tip, git) {
  return new Promise((resolve, reject) => {
    const list = spawn('git', ['rev-list', '--objects', tip, '--not', '--all'], { ...git.options, stdio: ['ignore', 'pipe', git.stderr] });
    const check = spawn('git', ['cat-file', '--batch-check=%(objecttype) %(objectname) %(objectsize) %(rest)'], {
      ...git.options,
      stdio: ['pipe', 'pipe', git.stderr],
    });
    list.stdout.pipe(check.stdin);
    const out = [];
    check.stdout.on('data', (c) => out.push(c));
    let pending = 2;
    let failed;
    const done = (name) => (code) => {
      if (code !== 0) failed ??= new Error(`git ${name} exited with ${code}`);
      if (--pending === 0) {
        if (failed) return reject(failed);
        const blobs = [];
        for (const line of Buffer.concat(out).toString('utf8').split('\n')) {
          const m = /^blob ([0-9a-f]+) (\d+) (.*)$/.exec(line);
          if (m) blobs.push({ oid: m[1], size: Number(m[2]), path: m[3] });
        }
        resolve(blobs);
      }
    };
    list.on('error', reject);
    check.on('error', reject);
    list.on('close', done('rev-list'));
    check.on('close', done('cat-file'));
  });
}

/** README.md at a commit (at most its first MiB, where the front matter is), or undefined. */
function readmeAt(commit, git) {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', 'blob', `${commit}:README.md`], { ...git.options, stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks = [];
    let size = 0;
    child.stdout.on('data', (c) => {
      if (size < README_MAX_BYTES) chunks.push(c);
      size += c.length;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code === 0 ? Buffer.concat(chunks).subarray(0, README_MAX_BYTES).toString('utf8') : undefined));
  });
}

/** Of `blobs`, those small enough to be LFS pointers whose content starts like one: `{ path, text }`. */
function pointerCandidates(blobs, git) {
  const small = blobs.filter((b) => b.size > 0 && b.size <= POINTER_MAX_BYTES);
  if (small.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { ...git.options, stdio: ['pipe', 'pipe', git.stderr] });
    const out = [];
    child.stdout.on('data', (c) => out.push(c));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file --batch exited with ${code}`));
      // Each answer: "<oid> blob <size>\n<content>\n", in the order asked.
      const buf = Buffer.concat(out);
      const found = [];
      let at = 0;
      for (const b of small) {
        const nl = buf.indexOf(10, at);
        if (nl < 0) break;
        const size = Number(buf.subarray(at, nl).toString('utf8').split(' ')[2]);
        const content = buf.subarray(nl + 1, nl + 1 + size);
        at = nl + 1 + size + 1;
        if (content.subarray(0, POINTER_START.length).toString('utf8') === POINTER_START) found.push({ path: b.path, text: content.toString('utf8') });
      }
      resolve(found);
    });
    child.stdin.end(small.map((b) => `${b.oid}\n`).join(''));
  });
}

/** The ref updates git gives a pre-receive hook on stdin: `<old> <new> <ref>` lines. */
export function parseUpdates(text) {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [oldSha, newSha, ref] = l.trim().split(' ');
      return { oldSha, newSha, ref };
    });
}

/**
 * Spaceport's verdict: lines about README.md that refuse the push, and the LFS pointers whose
 * objects it lacks. A check that cannot run lets the push through (the build still reports it).
 */
async function askVerdict(verdict, mainCommit, pointers, git, notes) {
  const none = { refusals: [], missingLfs: [] };
  if (!verdict || (mainCommit === undefined && pointers.length === 0)) return none;
  try {
    const readme = mainCommit === undefined ? undefined : await readmeAt(mainCommit, git);
    const answer = await verdict({ readme, pointers });
    return {
      refusals: Array.isArray(answer?.refusals) ? answer.refusals.map(String) : [],
      missingLfs: Array.isArray(answer?.missingLfs) ? answer.missingLfs : [],
    };
  } catch (err) {
    notes.push(`Note: the push could not be checked (${err && err.message ? err.message : String(err)}); the build will check it.`);
    return none;
  }
}

/**
 * Judge a push from its ref updates (the hook's stdin). `options`: `limit` (bytes per file),
 * `git` (`{ options, stderr }`: spawn options for git, whose environment must see the push's
 * quarantined objects, and where git's stderr goes) and `verdict` (optional, async:
 * `({ readme, pointers }) → { refusals, missingLfs }`). Resolves to `{ ok, lines }`: whether the
 * push may land, and the lines to show the client (refusals, or notes).
 */
export async function judgePush(input, { limit = DEFAULT_LIMIT_BYTES, git = { options: {}, stderr: 'inherit' }, verdict } = {}) {
  const updates = parseUpdates(input);
  const refusals = [];
  const offending = [];
  const pointers = [];
  const notes = [];
  let mainCommit;
  for (const { newSha, ref } of updates) {
    if (!ref || !(ref.startsWith('refs/heads/') || ref.startsWith('refs/tags/'))) {
      refusals.push(`Only branches and tags can be pushed; "${ref}" is not under refs/heads/ or refs/tags/.`);
      continue;
    }
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(newSha ?? '')) {
      refusals.push(`Unexpected object name "${newSha}" for ${ref}.`);
      continue;
    }
    if (ZERO.test(newSha)) {
      if (ref === 'refs/heads/main') refusals.push('The main branch cannot be deleted.');
      continue;
    }
    if (ref === 'refs/heads/main') mainCommit = newSha;
    const blobs = await newBlobs(newSha, git);
    for (const blob of blobs) {
      if (blob.size > limit && !offending.some((o) => o.path === blob.path && o.ref === ref)) {
        offending.push({ path: blob.path, ref });
      }
    }
    if (verdict) {
      for (const p of await pointerCandidates(blobs, git)) {
        if (!pointers.some((q) => q.path === p.path && q.text === p.text)) pointers.push(p);
      }
    }
  }
  const answer = await askVerdict(verdict, mainCommit, pointers, git, notes);
  const metadata = answer.refusals;
  const missing = answer.missingLfs;

  if (refusals.length === 0 && offending.length === 0 && metadata.length === 0 && missing.length === 0) return { ok: true, lines: notes };
  const lines = [...notes, ...refusals];
  if (metadata.length > 0) {
    lines.push(
      'Your push was rejected because README.md has invalid metadata:',
      ...metadata.map((m) => `  - ${m}`),
      'Fix these fields in the YAML block at the top of README.md, commit, and push again.',
      'Reference: https://huggingface.co/docs/hub/spaces-config-reference',
    );
  }
  if (offending.length > 0) {
    lines.push(
      `Your push was rejected because it contains files larger than ${describe(limit)}.`,
      'Please use https://git-lfs.github.com/ to store large files.',
      'Offending files:',
      ...offending.map((o) => `  - ${o.path} (ref: ${o.ref})`),
    );
  }
  if (missing.length > 0) {
    lines.push(
      `Your push was rejected because it references ${missing.length} Git LFS object(s) that were never uploaded to this Space:`,
      ...missing.slice(0, 50).map((m) => `  - ${m.path} (sha256:${m.oid})`),
      ...(missing.length > 50 ? [`  … and ${missing.length - 50} more`] : []),
      'Upload them first (with git-lfs installed: git lfs push --all <remote> main), then push again.',
    );
  }
  return { ok: false, lines };
}
