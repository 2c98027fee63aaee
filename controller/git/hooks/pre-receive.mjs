#!/usr/bin/env node
// Spaceport pre-receive hook (installed into each Space's bare repo; plain Node, no dependencies).
// - Only branches (refs/heads/*) and tags (refs/tags/*) may be pushed (only main builds), and `main` may not be deleted.
// - Like the Hub, rejects pushes that add files larger than SPACEPORT_GIT_MAX_FILE_BYTES (default 10 MiB).
// - Like the Hub, rejects a push whose README.md on `main` has invalid metadata: README.md is read
//   here (the new objects are only visible to this process) and checked by Spaceport at
//   SPACEPORT_PUSH_CHECK_URL, with the same code as builds.
// - Like GitHub, rejects a push with Git LFS pointers whose objects were never uploaded to this
//   Space (git-lfs uploads them before the refs): small new blobs that look like pointers are sent
//   to the same endpoint, which parses them and answers the missing ones.
import { spawn } from 'node:child_process';

const ZERO = /^0+$/;
const MIB = 1024 * 1024;

function limitBytes() {
  const raw = process.env.SPACEPORT_GIT_MAX_FILE_BYTES;
  const n = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : 10 * MIB;
}

function describe(bytes) {
  return bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`;
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

/** `git rev-list --objects <tip> --not --all | git cat-file --batch-check=…`: blobs new to the repo with their path. */
function newBlobs(tip) {
  return new Promise((resolve, reject) => {
    const opts = { stdio: ['ignore', 'pipe', 'inherit'] };
    const list = spawn('git', ['rev-list', '--objects', tip, '--not', '--all'], opts);
    const check = spawn('git', ['cat-file', '--batch-check=%(objecttype) %(objectname) %(objectsize) %(rest)'], {
      stdio: ['pipe', 'pipe', 'inherit'],
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
function readmeAt(commit) {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', 'blob', `${commit}:README.md`], { stdio: ['ignore', 'pipe', 'ignore'] });
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

const README_MAX_BYTES = 1024 * 1024;
/** Git LFS pointers are at most 1 KiB and start with their spec line. */
const POINTER_MAX_BYTES = 1024;
const POINTER_START = 'version https://';

/** Of `blobs`, those small enough to be LFS pointers whose content starts like one: `{ path, text }`. */
function pointerCandidates(blobs) {
  const small = blobs.filter((b) => b.size > 0 && b.size <= POINTER_MAX_BYTES);
  if (small.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'inherit'] });
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

/**
 * Spaceport's verdict: lines about README.md that refuse the push, and the LFS pointers whose
 * objects it lacks. A check that cannot run lets the push through (the build still reports it).
 */
async function pushVerdict(mainCommit, pointers) {
  const url = process.env.SPACEPORT_PUSH_CHECK_URL;
  const token = process.env.SPACEPORT_PUSH_CHECK_TOKEN;
  const none = { refusals: [], missingLfs: [] };
  if (!url || !token || (mainCommit === undefined && pointers.length === 0)) return none;
  const body = { lfs: pointers };
  if (mainCommit !== undefined) body.readme = (await readmeAt(mainCommit)) ?? null;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    if (!res.ok) throw new Error(`status ${res.status}`);
    const answer = await res.json();
    return {
      refusals: Array.isArray(answer.refusals) ? answer.refusals.map(String) : [],
      missingLfs: Array.isArray(answer.missingLfs) ? answer.missingLfs : [],
    };
  } catch (err) {
    process.stderr.write(`Note: the push could not be checked (${err && err.message ? err.message : String(err)}); the build will check it.\n`);
    return none;
  }
}

async function main() {
  const limit = limitBytes();
  const updates = (await readStdin())
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [oldSha, newSha, ref] = l.trim().split(' ');
      return { oldSha, newSha, ref };
    });

  const refusals = [];
  const offending = [];
  const pointers = [];
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
    const blobs = await newBlobs(newSha);
    for (const blob of blobs) {
      if (blob.size > limit && !offending.some((o) => o.path === blob.path && o.ref === ref)) {
        offending.push({ path: blob.path, ref });
      }
    }
    for (const p of await pointerCandidates(blobs)) {
      if (!pointers.some((q) => q.path === p.path && q.text === p.text)) pointers.push(p);
    }
  }
  const verdict = await pushVerdict(mainCommit, pointers);
  const metadata = verdict.refusals;
  const missing = verdict.missingLfs;

  if (refusals.length === 0 && offending.length === 0 && metadata.length === 0 && missing.length === 0) return 0;
  const lines = [...refusals];
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
  process.stderr.write(`${lines.join('\n')}\n`);
  return 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`pre-receive hook failed: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
