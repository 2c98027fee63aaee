#!/usr/bin/env node
// Spaceport's pre-receive rules as a Node program, for pushes made outside Spaceport's HTTP handler
// (a local push into a bare repo): `pre-receive` runs it when Spaceport did not hand it a push-check
// port. Ref rules and file sizes (push-rules.mjs); README metadata and LFS pointers need Spaceport
// and are checked by the build. A push over HTTP is judged in Spaceport's own process instead.
import { DEFAULT_LIMIT_BYTES, judgePush } from './push-rules.mjs';

function limitBytes() {
  const raw = process.env.SPACEPORT_GIT_MAX_FILE_BYTES;
  const n = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_LIMIT_BYTES;
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

async function main() {
  const { ok, lines } = await judgePush(await readStdin(), { limit: limitBytes() });
  if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
  return ok ? 0 : 1;
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
