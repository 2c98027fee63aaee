import { LineCounter, parseDocument, isMap, isScalar } from 'yaml';
import { z } from 'zod';
import { SDKS, appPortFor, orList, sdkTraits, sdksWhere, type Sdk } from '../templates/index.js';
import { parseDuration } from './duration.js';
import { resolvePackagesAtProblem } from './package-cutoff.js';

/** The Hub's thumbnail colours. */
export const COLORS = ['red', 'yellow', 'green', 'blue', 'indigo', 'purple', 'pink', 'gray'] as const;
export type Color = (typeof COLORS)[number];

export const CUSTOM_HEADERS = {
  'cross-origin-embedder-policy': ['unsafe-none', 'require-corp', 'credentialless'],
  'cross-origin-opener-policy': ['same-origin', 'same-origin-allow-popups', 'unsafe-none'],
  'cross-origin-resource-policy': ['same-site', 'same-origin', 'cross-origin'],
} as const;
export type CustomHeaderName = keyof typeof CUSTOM_HEADERS;

export const DEFAULT_STARTUP_DURATION_TIMEOUT = '30m';

/** A Space's README front matter, with the Hub's field names and defaults applied. */
export interface SpaceConfig {
  sdk: Sdk;
  title?: string;
  emoji?: string;
  colorFrom?: Color;
  colorTo?: Color;
  sdk_version?: string;
  python_version?: string;
  /** Spaceport: resolve Python packages as of `commit` (default: the last commit that changed the dependencies), `latest`, or a date. */
  resolve_packages_at?: string;
  /** Default: the SDK's `defaultAppFile` (`templates/sdk-traits.ts`): `app.py`, `index.html` for static, unused for docker. */
  app_file: string;
  /** The port the app listens on: `app_port` where the SDK reads it (docker, default 7860), the SDK's port otherwise. */
  app_port: number;
  base_path?: string;
  app_build_command?: string;
  fullWidth?: boolean;
  header?: 'mini' | 'default';
  short_description?: string;
  models?: string[];
  datasets?: string[];
  tags?: string[];
  thumbnail?: string;
  pinned?: boolean;
  license?: string;
  hf_oauth?: boolean;
  hf_oauth_scopes?: string[];
  hf_oauth_expiration_minutes?: number;
  hf_oauth_authorized_org?: string | string[];
  disable_embedding?: boolean;
  /** As written (default `30m`). */
  startup_duration_timeout: string;
  /** `startup_duration_timeout` in milliseconds. */
  startupTimeoutMs: number;
  custom_headers?: Partial<Record<CustomHeaderName, string>>;
  preload_from_hub?: string[];
  suggested_hardware?: string;
  suggested_storage?: string;
  duplicated_from?: string;
}

export type SpaceConfigResult =
  | { ok: true; config: SpaceConfig; cardData: Record<string, unknown> }
  | { ok: false; message: string };

export interface ParseSpaceConfigOptions {
  /** Name used in messages (default `README.md`). */
  fileName?: string;
}

const ADD_FRONT_MATTER = `Add this block at the very top of README.md (use ${orList(SDKS)}):\n---\nsdk: static\n---`;

const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;
const str = z.string({ error: 'must be a string' });
const strOrNumber = z.union([z.string(), z.number()], { error: 'must be a string' }).transform(String);
const bool = z.boolean({ error: 'must be true or false' });
const strList = z
  .union([z.string(), z.array(z.string())], { error: 'must be a list of strings' })
  .transform((v) => (Array.isArray(v) ? v : [v]));
const oneLine = (what: string) => str.regex(/^[^\r\n\u0000]*$/, { error: `must be a single line (${what})` });

const EMOJI_RE = /^[\p{Extended_Pictographic}\p{Emoji_Component}\p{Emoji_Presentation}\p{Regional_Indicator}\u200d\ufe0f\u20e3 ]+$/u;
const HAS_PICTOGRAPH_RE = /[\p{Extended_Pictographic}\p{Regional_Indicator}]/u;

const appFile = str.refine((v) => relativePathProblem(v) === undefined, {
  error: 'must be a relative path inside the repo, like app.py or src/app.py (no leading "/", no "..")',
});

const headerValue = (name: CustomHeaderName) =>
  z.enum(CUSTOM_HEADERS[name], { error: oneOf(CUSTOM_HEADERS[name]) }).optional();
const headers = z.strictObject(
  {
    'cross-origin-embedder-policy': headerValue('cross-origin-embedder-policy'),
    'cross-origin-opener-policy': headerValue('cross-origin-opener-policy'),
    'cross-origin-resource-policy': headerValue('cross-origin-resource-policy'),
  },
  { error: 'must be a mapping of header names to values' },
);

const frontMatterSchema = z.looseObject({
  sdk: z.enum(SDKS, { error: oneOf(SDKS) }),
  title: strOrNumber.optional(),
  emoji: str
    .refine((v) => v.length <= 32 && EMOJI_RE.test(v) && HAS_PICTOGRAPH_RE.test(v), { error: 'must be an emoji, like 🚀' })
    .optional(),
  colorFrom: z.enum(COLORS, { error: oneOf(COLORS) }).optional(),
  colorTo: z.enum(COLORS, { error: oneOf(COLORS) }).optional(),
  sdk_version: str
    .regex(/^\d[0-9A-Za-z.+!-]{0,63}$/, { error: 'must be a version number, like 5.9.1' })
    .optional(),
  python_version: str.regex(/^3\.\d{1,2}(\.\d{1,3})?$/, { error: 'must be a Python version like 3.11 or 3.11.9' }).optional(),
  resolve_packages_at: z
    .string({ error: resolvePackagesAtProblem('') })
    .refine((v) => resolvePackagesAtProblem(v) === undefined, { error: resolvePackagesAtProblem('') })
    .optional(),
  app_file: appFile.optional(),
  app_port: z
    .number({ error: 'must be a port number from 1 to 65535' })
    .int({ error: 'must be a port number from 1 to 65535' })
    .min(1, { error: 'must be a port number from 1 to 65535' })
    .max(65535, { error: 'must be a port number from 1 to 65535' })
    .optional(),
  base_path: str.regex(/^\/[^\s]*$/, { error: 'must start with "/", like /docs' }).optional(),
  app_build_command: oneLine('a shell command like npm run build').min(1, { error: 'must not be empty' }).optional(),
  fullWidth: bool.optional(),
  header: z.enum(['mini', 'default'], { error: oneOf(['mini', 'default']) }).optional(),
  short_description: strOrNumber.optional(),
  models: strList.optional(),
  datasets: strList.optional(),
  tags: strList.optional(),
  thumbnail: str.optional(),
  pinned: bool.optional(),
  license: strOrNumber.optional(),
  hf_oauth: bool.optional(),
  hf_oauth_scopes: strList.optional(),
  hf_oauth_expiration_minutes: z
    .number({ error: 'must be a whole number of minutes from 1 to 43200' })
    .int({ error: 'must be a whole number of minutes from 1 to 43200' })
    .min(1, { error: 'must be a whole number of minutes from 1 to 43200' })
    .max(43200, { error: 'must be a whole number of minutes from 1 to 43200' })
    .optional(),
  hf_oauth_authorized_org: z
    .union([z.string(), z.array(z.string())], { error: 'must be an organization name or a list of them' })
    .optional(),
  disable_embedding: bool.optional(),
  startup_duration_timeout: str
    .refine((v) => parseDuration(v) !== undefined, { error: 'must be a duration like 30m, 1h, 1h30m or 90s' })
    .optional(),
  custom_headers: headers.optional(),
  preload_from_hub: strList.optional(),
  suggested_hardware: str.optional(),
  suggested_storage: str.optional(),
  duplicated_from: str.optional(),
});

/** Why `p` is not a safe repo-relative path, or undefined. */
export function relativePathProblem(p: string): string | undefined {
  if (p.length === 0) return 'is empty';
  if (/[\u0000-\u001f\\]/.test(p)) return 'has a control character or a backslash';
  if (p.startsWith('/')) return 'is absolute';
  if (p.split('/').some((s) => s === '..')) return 'leaves the repo';
  return undefined;
}

/** Parse and validate the YAML front matter of a Space's README.md. */
export function parseSpaceConfig(readme: string | undefined, opts: ParseSpaceConfigOptions = {}): SpaceConfigResult {
  const file = opts.fileName ?? 'README.md';
  if (readme === undefined) return { ok: false, message: `${file} is missing. ${ADD_FRONT_MATTER}` };
  const block = extractFrontMatter(readme);
  if (block === undefined) return { ok: false, message: `${file} has no YAML front matter. ${ADD_FRONT_MATTER}` };

  const lineCounter = new LineCounter();
  const doc = parseDocument(block.text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = lineCounter.linePos(err.pos[0]);
    const where = ` (line ${pos.line + block.lineOffset}, column ${pos.col})`;
    const text = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { ok: false, message: `${file} front matter is not valid YAML${where}: ${text}` };
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    return { ok: false, message: `${file} front matter must be a YAML mapping of keys to values, like "sdk: static".` };
  }
  let raw: Record<string, unknown>;
  try {
    // Aliases are expanded here: too many (a "billion laughs") throw.
    raw = (doc.toJS({ maxAliasCount: 1000 }) ?? {}) as Record<string, unknown>;
  } catch (err) {
    return { ok: false, message: `${file} front matter could not be read: ${String((err as Error)?.message ?? err).split('\n')[0]} (use fewer YAML aliases).` };
  }
  if (isRecursive(raw)) {
    return { ok: false, message: `${file} front matter must not contain a value that contains itself (a YAML alias "*a" inside its own anchor "&a").` };
  }
  // Version numbers are read as written: YAML turns `3.10` into the number 3.1.
  for (const key of ['sdk_version', 'python_version']) {
    const node = doc.get(key, true);
    if (isScalar(node) && typeof node.value === 'number' && typeof node.source === 'string') raw[key] = node.source;
  }

  const parsed = frontMatterSchema.safeParse(raw);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(describeIssue(file, issue, raw));
  } else if (parsed.data.app_build_command !== undefined && !sdkTraits(parsed.data.sdk).appBuildCommand) {
    const building = orList(sdksWhere((t) => t.appBuildCommand));
    problems.push(
      `${file} front matter: "app_build_command" is only for sdk: ${building} (got sdk ${JSON.stringify(parsed.data.sdk)}); remove it or build in your Dockerfile.`,
    );
  }
  if (!parsed.success || problems.length > 0) return { ok: false, message: problems.join('\n') };

  const fm = parsed.data;
  const timeout = fm.startup_duration_timeout ?? DEFAULT_STARTUP_DURATION_TIMEOUT;
  const config: SpaceConfig = {
    ...pickKnown(fm),
    sdk: fm.sdk,
    app_file: normalizeRelative(fm.app_file ?? sdkTraits(fm.sdk).defaultAppFile),
    app_port: appPortFor(fm.sdk, fm.app_port),
    startup_duration_timeout: timeout,
    startupTimeoutMs: parseDuration(timeout)!,
  };
  return { ok: true, config, cardData: raw };
}

/** Whether a value read from YAML contains itself (`&a [*a]`): it could never be stored as JSON. */
function isRecursive(value: unknown, ancestors: Set<object> = new Set()): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  const children = value instanceof Map ? [...value.values()] : Object.values(value);
  const found = children.some((child) => isRecursive(child, ancestors));
  ancestors.delete(value);
  return found;
}

type FrontMatter = z.output<typeof frontMatterSchema>;
const KNOWN_KEYS = Object.keys(frontMatterSchema.shape) as (keyof FrontMatter)[];

function pickKnown(fm: FrontMatter): Partial<SpaceConfig> {
  const out: Record<string, unknown> = {};
  for (const key of KNOWN_KEYS) if (fm[key] !== undefined) out[key] = fm[key];
  return out as Partial<SpaceConfig>;
}

function normalizeRelative(p: string): string {
  return p.replace(/^(\.\/)+/, '').replace(/\/{2,}/g, '/');
}

function describeIssue(file: string, issue: z.core.$ZodIssue, raw: Record<string, unknown>): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const allowed = Object.keys(CUSTOM_HEADERS).join(', ');
    return `${file} front matter: "${path}" may only set ${allowed} (got ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}).`;
  }
  const value = valueAt(raw, issue.path);
  if (path === 'sdk' && value === undefined) {
    return `${file} front matter: "sdk" is required: add a line ${orList(SDKS.map((sdk) => `"sdk: ${sdk}"`))}.`;
  }
  return `${file} front matter: "${path}" ${issue.message} (got ${show(value)}).`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The text between the opening and closing `---` lines, and the README line number of its first line minus one. */
function extractFrontMatter(readme: string): { text: string; lineOffset: number } | undefined {
  const m = /^\uFEFF?---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?---[ \t]*(?:\r?\n|$)/.exec(readme);
  if (!m) return undefined;
  return { text: m[1] ?? '', lineOffset: 1 };
}
