import type { Readable } from 'node:stream';
import { fail, type SpaceportError } from '../../core/index.js';

/** One operation of the Hub's commit payload (ndjson), decoded. */
export type PayloadOp =
  | { key: 'file'; path: string; content: Buffer }
  | { key: 'lfsFile'; path: string; oid: string; size?: number }
  | { key: 'deletedFile'; path: string }
  | { key: 'deletedFolder'; path: string };

export interface CommitPayload {
  summary: string;
  description: string;
  parentCommit?: string;
  ops: PayloadOp[];
}

export interface PayloadLimits {
  /** Largest request body. */
  maxBytes: number;
  /** Largest line (one inline file's base64); default 384 MiB, under the longest JavaScript string. */
  maxLineBytes?: number;
  /** Most operations in one commit. */
  maxOps: number;
  /** Most decoded inline (`file`) bytes in one commit; the ops are held in memory until it is written. */
  maxInlineBytes?: number;
  /** Most decoded bytes of one inline file. */
  maxFileBytes?: number;
}

const B64_TAIL_RE = /^[A-Za-z0-9+/]{2}(?:==|[A-Za-z0-9+/]=)$/;

function bad(line: number, why: string): SpaceportError {
  return fail('commitPayloadInvalid', { line, why });
}

function str(v: Record<string, unknown>, key: string, line: number, opts: { optional?: boolean } = {}): string | undefined {
  const x = v[key];
  if (x === undefined && opts.optional) return undefined;
  if (typeof x !== 'string') throw bad(line, `"value.${key}" must be a string`);
  return x;
}

/** Parse one ndjson line (already JSON-decoded) into a header or an operation. */
export function parsePayloadLine(obj: unknown, line: number): { header: Omit<CommitPayload, 'ops'> } | { op: PayloadOp } {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw bad(line, 'each line must be a JSON object {"key", "value"}');
  const { key, value } = obj as { key?: unknown; value?: unknown };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(line, '"value" must be an object');
  const v = value as Record<string, unknown>;
  switch (key) {
    case 'header': {
      const summary = str(v, 'summary', line)!;
      if (summary.trim() === '') throw bad(line, '"summary" (the commit message) must not be empty');
      const description = str(v, 'description', line, { optional: true }) ?? '';
      // git refuses a NUL in a commit message.
      if (summary.includes('\0') || description.includes('\0')) throw bad(line, '"summary" and "description" must not contain NUL characters');
      const parentCommit = str(v, 'parentCommit', line, { optional: true });
      return { header: { summary, description, ...(parentCommit !== undefined ? { parentCommit } : {}) } };
    }
    case 'file': {
      const path = str(v, 'path', line)!;
      const encoding = v.encoding ?? 'base64';
      if (encoding !== 'base64') throw bad(line, `"encoding" must be "base64", not ${JSON.stringify(encoding).slice(0, 40)}`);
      const content = str(v, 'content', line)!;
      // Node's decoder skips characters outside the alphabet: a decoded length short of what the text
      // length promises means the text was not base64 (no regex over a 100 MB string).
      const pad = content.endsWith('==') ? 2 : content.endsWith('=') ? 1 : 0;
      const decoded = Buffer.from(content, 'base64');
      if (content.length % 4 !== 0 || decoded.length !== (content.length / 4) * 3 - pad || (pad > 0 && !B64_TAIL_RE.test(content.slice(-4)))) {
        throw bad(line, `"content" of "${path.slice(0, 200)}" is not valid base64`);
      }
      return { op: { key: 'file', path, content: decoded } };
    }
    case 'lfsFile': {
      const path = str(v, 'path', line)!;
      const algo = v.algo ?? 'sha256';
      if (algo !== 'sha256') throw bad(line, '"algo" must be "sha256"');
      const oid = str(v, 'oid', line)!;
      if (!/^[0-9a-f]{64}$/.test(oid)) throw bad(line, `"oid" of "${path.slice(0, 200)}" must be a sha256 (64 lowercase hex digits)`);
      const size = v.size;
      if (size !== undefined && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)) throw bad(line, '"size" must be a whole number of bytes');
      return { op: { key: 'lfsFile', path, oid, ...(size !== undefined ? { size } : {}) } };
    }
    case 'deletedFile':
    case 'deletedFolder':
      return { op: { key, path: str(v, 'path', line)! } };
    default:
      throw bad(line, `unknown "key" ${JSON.stringify(key)?.slice(0, 40)} (header, file, lfsFile, deletedFile or deletedFolder)`);
  }
}

/**
 * Read the Hub's commit payload: one JSON object per line, the header first. Lines are handled as
 * they arrive, so memory holds one line (one file's base64) at a time, not the whole body.
 */
export async function readCommitPayload(body: Readable | Iterable<Buffer | string>, limits: PayloadLimits): Promise<CommitPayload> {
  let header: Omit<CommitPayload, 'ops'> | undefined;
  const ops: PayloadOp[] = [];
  let line = 0;
  let total = 0;
  let inline = 0;
  const handle = (text: string): void => {
    line++;
    if (text.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      throw bad(line, 'not valid JSON');
    }
    const parsed = parsePayloadLine(obj, line);
    if ('header' in parsed) {
      if (header || ops.length > 0) throw bad(line, 'the header must come once, first');
      header = parsed.header;
      return;
    }
    if (!header) throw bad(line, 'the first line must be the header {"key": "header", "value": {"summary": …}}');
    if (ops.length >= limits.maxOps) throw bad(line, `more than ${limits.maxOps} operations in one commit`);
    if (parsed.op.key === 'file') {
      const size = parsed.op.content.length;
      if (limits.maxFileBytes !== undefined && size > limits.maxFileBytes) throw fail('commitInlineFileTooLarge', { path: parsed.op.path, maxBytes: limits.maxFileBytes });
      inline += size;
      if (limits.maxInlineBytes !== undefined && inline > limits.maxInlineBytes) throw fail('commitInlineTooLarge', { maxBytes: limits.maxInlineBytes });
    }
    ops.push(parsed.op);
  };
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const maxLine = limits.maxLineBytes ?? 384 * 1024 * 1024;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > limits.maxBytes) throw fail('commitPayloadTooLarge', { maxBytes: limits.maxBytes });
    let nl: number;
    while ((nl = buf.indexOf(0x0a)) >= 0) {
      pending.push(buf.subarray(0, nl));
      if (pendingBytes + nl > maxLine) throw fail('commitPayloadLineTooLarge', { line: line + 1, maxLine });
      handle(Buffer.concat(pending).toString('utf8'));
      pending = [];
      pendingBytes = 0;
      buf = buf.subarray(nl + 1);
    }
    if (buf.length > 0) {
      pending.push(buf);
      pendingBytes += buf.length;
      if (pendingBytes > maxLine) throw fail('commitPayloadLineTooLong', { line: line + 1, maxLine });
    }
  }
  if (pending.length > 0) handle(Buffer.concat(pending).toString('utf8'));
  if (!header) throw fail('commitPayloadEmpty');
  return { ...header, ops };
}
