import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { fail } from './errors.js';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** `owner/name`, validated. */
export type SpaceId = Brand<string, 'SpaceId'>;
export type BuildId = Brand<string, 'BuildId'>;
export type ReleaseId = Brand<string, 'ReleaseId'>;

const NAME_RE = /^[A-Za-z0-9._-]+$/;
export const NAME_MAX = 96;

/**
 * Why a repo name part is invalid, or undefined when it is valid. Same rules as the Hub
 * (huggingface_hub `utils/_validators.py`): `[A-Za-z0-9._-]`, no `--` or `..`, no leading or
 * trailing `-` or `.`, at most 96 characters.
 */
export function nameProblem(part: string): string | undefined {
  if (part.length === 0) return 'must not be empty';
  if (part.length > NAME_MAX) return `must be at most ${NAME_MAX} characters`;
  if (!NAME_RE.test(part)) return 'may contain only letters, digits, "-", "_" and "."';
  if (part.includes('--') || part.includes('..')) return 'must not contain "--" or ".."';
  if (/^[-.]|[-.]$/.test(part)) return 'must not start or end with "-" or "."';
  return undefined;
}

/**
 * Names no user or organization may take (compared ignoring case): the first path segments the hub
 * serves on its own host (`/api`, `/login`, `/spaces`, `/settings`, `/new-space`, `/assets`,
 * `/metrics`, `/internal`…), those the Hub keeps for itself, and words clients mistake for "none".
 * Existing accounts with these names keep working; only new ones are refused.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'api',
  'assets',
  'datasets',
  'docs',
  'healthz',
  'internal',
  'login',
  'logout',
  'metrics',
  'models',
  'new',
  'new-space',
  'null',
  'organizations',
  'settings',
  'spaces',
  'static',
  'undefined',
]);

/** Whether `name` is reserved for the hub's own pages and routes (ignoring case). */
export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name.toLowerCase());
}

export const namePartSchema = z.string().superRefine((v, ctx) => {
  const problem = nameProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: `name ${problem}` });
});

/** Parse `owner` and `name` into a SpaceId, or throw `InvalidName` naming the part and the rule. */
export function toSpaceId(owner: string, name: string): SpaceId {
  for (const [label, part] of [['owner', owner], ['name', name]] as const) {
    const problem = nameProblem(part);
    if (problem) throw fail('namePartInvalid', { label, part, problem });
  }
  return `${owner}/${name}` as SpaceId;
}

export function splitSpaceId(id: SpaceId): { owner: string; name: string } {
  const i = id.indexOf('/');
  return { owner: id.slice(0, i), name: id.slice(i + 1) };
}

const DNS_LABEL_MAX = 63;

function shortHash(text: string, len = 6): string {
  return createHash('sha256').update(text).digest('hex').slice(0, len);
}

/**
 * The Hub's subdomain rule: `owner-name` lowercased, with `/`, `_` and `.` mapped to `-` (and no `-` at either end).
 * A result over 63 characters (one DNS label) is cut to 56 and given `-` plus a 6-hex hash of the id.
 */
export function baseSubdomain(id: SpaceId): string {
  // A DNS label neither starts nor ends with "-" (names may start or end with "_").
  const plain = id.toLowerCase().replace(/[/_.]/g, '-').replace(/^-+|-+$/g, '');
  if (plain.length === 0) return `space-${shortHash(id)}`;
  if (plain.length <= DNS_LABEL_MAX) return plain;
  return `${plain.slice(0, 56).replace(/-+$/, '')}-${shortHash(id)}`;
}

/** The subdomain for a Space whose base subdomain is already taken by another Space. */
export function collisionSubdomain(id: SpaceId): string {
  const base = baseSubdomain(id);
  const head = base.length > 56 ? base.slice(0, 56).replace(/-+$/, '') : base;
  return `${head}-${shortHash(`collision:${id}`)}`;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

export function newBuildId(): BuildId {
  return newId('b') as BuildId;
}

export function newReleaseId(): ReleaseId {
  return newId('r') as ReleaseId;
}
