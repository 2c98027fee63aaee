/**
 * Which scripts a page loads follows from what its HTML holds, so no page can forget one and none
 * loads what it does not use: `app.js` (forms, copy buttons, filters) always, then each feature's
 * script when its marker is in the body. The order is the bundle's (a script may use what an
 * earlier one put on `window.spaceportPage`).
 */
export const PAGE_SCRIPTS = ['app', 'commit', 'stages', 'app-tab', 'logs', 'history', 'tokens', 'new-space', 'files'] as const;
export type PageScript = (typeof PAGE_SCRIPTS)[number];

// Each marker ends in `"` or `>`, which escaped user text never holds: a README or a file shown on the
// page cannot pull a script in. `uses`: scripts it needs loaded before it.
const NEEDS: Readonly<Record<Exclude<PageScript, 'app'>, { markers: readonly string[]; uses?: readonly PageScript[] }>> = {
  // Commits through the Hub's commit API: loaded for the scripts that make them.
  commit: { markers: [] },
  stages: { markers: ['data-live-stages>'] },
  'app-tab': { markers: ['data-space="'] },
  logs: { markers: ['data-logs-of="'] },
  history: { markers: ['data-commits-of="'] },
  tokens: { markers: ['data-token-list>'] },
  'new-space': { markers: ['data-then="new-space"'], uses: ['commit'] },
  files: { markers: ['data-files-of="'], uses: ['commit'] },
};

/** The scripts for a page whose body is `body`, in bundle order. */
export function scriptsFor(body: string): PageScript[] {
  const wanted = new Set<PageScript>(['app']);
  for (const [name, need] of Object.entries(NEEDS) as [PageScript, (typeof NEEDS)[keyof typeof NEEDS]][]) {
    if (need.markers.some((marker) => body.includes(marker))) for (const s of [name, ...(need.uses ?? [])]) wanted.add(s);
  }
  return PAGE_SCRIPTS.filter((name) => wanted.has(name));
}

/** The bundle's path under /assets (`js/app+stages.js`), and back: undefined unless it names scripts in bundle order, `app` first. */
export function bundlePath(scripts: readonly PageScript[]): string {
  return `js/${scripts.join('+')}.js`;
}
export function scriptsOfBundle(p: string): PageScript[] | undefined {
  const m = /^js\/([a-z+-]+)\.js$/.exec(p);
  if (!m) return undefined;
  const names = m[1]!.split('+');
  const order = names.map((n) => PAGE_SCRIPTS.indexOf(n as PageScript));
  if (names[0] !== 'app' || order.some((i, k) => i < 0 || (k > 0 && i <= order[k - 1]!))) return undefined;
  return names as PageScript[];
}
