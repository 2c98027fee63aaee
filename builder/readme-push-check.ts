import { parseSpaceConfig } from './space-config.js';

/** A README.md that opens a YAML front matter block (`---` on the first line). */
const OPENS_FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n/;

/**
 * Why a pushed README.md's metadata is invalid, one line per field (empty: accept the push). The
 * same `parseSpaceConfig` as builds, so a push that passes here does not end in CONFIG_ERROR for
 * its metadata. A README without front matter or without `sdk`, or no README, is left to the
 * build (the Hub accepts such a push too and shows the Space's configuration error).
 */
export function readmePushProblems(readme: string | undefined): string[] {
  if (readme === undefined || !OPENS_FRONT_MATTER.test(readme)) return [];
  const parsed = parseSpaceConfig(readme);
  if (parsed.ok) return [];
  // A missing `sdk` is a configuration the Space still lacks (the Hub shows it on the Space), not a bad value.
  return parsed.message.split('\n').filter((l) => l.trim() !== '' && !/"sdk" is required/.test(l));
}
