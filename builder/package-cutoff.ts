/**
 * Time-consistent builds: pip resolves a Space's packages as they were on the day its dependencies
 * last changed (`pip install --uploaded-prior-to`), so an old Space builds today as it did then and a
 * rebuild next year gets the same packages. `resolve_packages_at` in README.md changes that.
 */

/** The files whose change moves the cutoff: the README (sdk_version, python_version) and the dependency lists. */
export const DEPENDENCY_FILES: readonly string[] = Object.freeze(['README.md', 'requirements.txt', 'pre-requirements.txt', 'packages.txt']);

/** `resolve_packages_at` values besides a date. */
export const RESOLVE_AT_COMMIT = 'commit';
export const RESOLVE_AT_LATEST = 'latest';

/** A date (`2024-06-01`) or a date and time with a zone (`2024-06-01T12:00:00Z`, `…+02:00`). */
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** Why a `resolve_packages_at` value is unusable, or undefined. */
export function resolvePackagesAtProblem(value: string): string | undefined {
  if (value === RESOLVE_AT_COMMIT || value === RESOLVE_AT_LATEST) return undefined;
  // Date.parse takes 2024-02-30 as March 1st: the day must read back the same.
  const day = value.slice(0, 10);
  const real = !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;
  if (DATE_RE.test(value) && real && !Number.isNaN(Date.parse(value))) return undefined;
  return 'must be "commit" (the default: packages as of the last commit that changed README.md or a requirements file), "latest" (the newest packages), or a date like 2024-06-01 or 2024-06-01T12:00:00Z';
}

export interface PackageCutoff {
  /** The value for `pip install --uploaded-prior-to` (`2024-06-01T12:00:00+00:00`), or undefined: newest packages. */
  cutoff?: string;
  /** Says where the cutoff came from, for the build log. */
  describe: string;
  /** When `cutoff` is the pinned SDK release's date plus the window: the commit's cutoff, tried once more when the install fails at `cutoff`. */
  fallback?: string;
}

/** `+00:00`, not `Z`: Python before 3.11 cannot parse a `Z` zone. Seconds precision. */
export function pipTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

/**
 * The cutoff for a build. `setting`: the README's `resolve_packages_at` (default `commit`);
 * `changedAt`: committer date of the newest commit that changed one of {@link DEPENDENCY_FILES}
 * (undefined when the caller has no history: newest packages); a date after `now` is taken as now.
 */
export function packageCutoff(setting: string | undefined, changedAt: Date | undefined, now: Date): PackageCutoff {
  const clamp = (d: Date) => (d.getTime() > now.getTime() ? now : d);
  if (setting === RESOLVE_AT_LATEST) {
    return { describe: 'the newest versions (resolve_packages_at: latest in README.md)' };
  }
  if (setting !== undefined && setting !== RESOLVE_AT_COMMIT) {
    const at = pipTimestamp(clamp(new Date(Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(setting) ? `${setting}T00:00:00Z` : setting))));
    return { cutoff: at, describe: `as of ${at} (resolve_packages_at in README.md)` };
  }
  if (changedAt === undefined || Number.isNaN(changedAt.getTime())) {
    return { describe: 'the newest versions (no commit date known)' };
  }
  const at = pipTimestamp(clamp(changedAt));
  return {
    cutoff: at,
    describe: `as of ${at}, the date of the last commit that changed ${DEPENDENCY_FILES.join(', ')} (set resolve_packages_at: latest in README.md for the newest)`,
  };
}

/** How long after an SDK release its dependencies are taken from, when sdk_version is much older than the commit. */
export const SDK_DATE_WINDOW_DAYS = 30;

/** What the build knows of the pinned SDK release's date: its upload time, or why it could not be looked up. */
export type SdkRelease = { name: string; version: string } & ({ uploadedAt: Date } | { problem: string });

/**
 * Old SDK pins resolve at the SDK's date: a Space created today with `sdk_version: 4.44.1` would get
 * today's dependencies (huggingface_hub without `HfFolder`, which that Gradio imports). With the
 * default setting (no `resolve_packages_at`), when the commit's cutoff is more than
 * {@link SDK_DATE_WINDOW_DAYS} after the pinned release was uploaded, packages are resolved as of
 * the release plus that window, with the commit's cutoff as `fallback` (an install that fails at
 * the release's date is tried once more at it); when its date cannot be looked up, as of the commit
 * (`byCommit`). The description says which, for the build log.
 */
export function sdkDateCutoff(setting: string | undefined, byCommit: PackageCutoff, sdk: SdkRelease | undefined): PackageCutoff {
  if (setting !== undefined || sdk === undefined || byCommit.cutoff === undefined) return byCommit;
  if ('problem' in sdk) {
    return { ...byCommit, describe: `${byCommit.describe}; the release date of ${sdk.name} ${sdk.version} could not be looked up (${sdk.problem}), so not as of that date` };
  }
  const windowEnd = new Date(sdk.uploadedAt.getTime() + SDK_DATE_WINDOW_DAYS * 86_400_000);
  if (windowEnd.getTime() >= Date.parse(byCommit.cutoff)) return byCommit;
  const at = pipTimestamp(windowEnd);
  return {
    cutoff: at,
    fallback: byCommit.cutoff,
    describe:
      `as of ${at}: ${sdk.name} ${sdk.version} (sdk_version) was released on ${pipTimestamp(sdk.uploadedAt)}, much earlier than the last commit that changed ` +
      `${DEPENDENCY_FILES.join(', ')} (${byCommit.cutoff}), so packages are those of its release plus ${SDK_DATE_WINDOW_DAYS} days; ` +
      `if they cannot be installed as of then, as of ${byCommit.cutoff} (set resolve_packages_at: commit in README.md for the commit date, latest for the newest)`,
  };
}
