import { fail } from '../../core/index.js';

const MAX_BRANCH_BYTES = 255;

/**
 * Why `name` is not a valid branch name, or undefined when it is. The rules of
 * `git check-ref-format --branch` (applied to `refs/heads/<name>`), plus: no leading `-`
 * (it would read as an option) and not `HEAD`.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (Buffer.byteLength(name) > MAX_BRANCH_BYTES) return `must be at most ${MAX_BRANCH_BYTES} bytes`;
  if (name.startsWith('-')) return 'must not start with "-"';
  if (name === 'HEAD' || name === '@') return `must not be "${name}"`;
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'must not contain spaces, control characters or any of ~ ^ : ? * [ \\';
  if (name.includes('..')) return 'must not contain ".."';
  if (name.includes('@{')) return 'must not contain "@{"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'must not start or end with "/" or contain "//"';
  if (name.endsWith('.')) return 'must not end with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return 'no "/"-separated part may start with "."';
    if (part.endsWith('.lock')) return 'no "/"-separated part may end with ".lock"';
  }
  return undefined;
}

/** The branch name, or throw `InvalidUpstream` naming the rule it breaks. */
export function validateBranchName(name: string): string {
  const problem = branchNameProblem(name);
  if (problem) throw fail('upstreamBranchInvalid', { branch: name, problem });
  return name;
}
