// Where a CPU profile (`node --cpu-prof`) of the proxy under load spends its busy time, by what a
// request pays for: the figures docs/benchmarks.md quotes before and after (issue 22, item 4).

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export const CATEGORIES = [
  'async_hooks (AsyncLocalStorage)',
  'setHeader and writeHead merging headers',
  'closures named per request (__name)',
  'proxy/ code (self)',
  'socket write syscalls (writev, write)',
  'garbage collector',
  'node:http, undici, V8 (the rest)',
] as const;
export type Category = (typeof CATEGORIES)[number];

function categoryOf(f: CallFrame): Category {
  const fn = f.functionName;
  if (f.url.includes('async_hooks') || fn === 'executionAsyncResource') return 'async_hooks (AsyncLocalStorage)';
  if (f.url.includes('_http_outgoing') && (fn === 'setHeader' || fn === 'removeHeader' || fn === 'appendHeader')) return 'setHeader and writeHead merging headers';
  if (fn === '__name') return 'closures named per request (__name)';
  if (/\/proxy\/[^/]+\.ts$|request-context\.ts$/.test(f.url)) return 'proxy/ code (self)';
  if (f.url === '' && (fn === 'writev' || fn === 'writeLatin1String' || fn === 'writeBuffer' || fn === 'writeUtf8String')) return 'socket write syscalls (writev, write)';
  if (fn === '(garbage collector)') return 'garbage collector';
  return 'node:http, undici, V8 (the rest)';
}

/** Module loading and compilation at start: not the steady state under load. */
function isStartup(f: CallFrame): boolean {
  return /internal\/modules\/|internal\/bootstrap|tsx\/dist/.test(f.url);
}

export interface ProfileSummary {
  /** Busy sampled time (idle and start-up left out), µs. */
  busyMicros: number;
  byCategory: Map<Category, number>;
  /** Self time by function (`name url:line`), µs, largest first. */
  topSelf: [string, number][];
}

export function summarizeProfile(p: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const startup = new Map<number, boolean>();
  const inStartup = (id: number): boolean => {
    const known = startup.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id)!;
    const up = parent.get(id);
    const v = isStartup(n.callFrame) || (up !== undefined && inStartup(up));
    startup.set(id, v);
    return v;
  };
  const byCategory = new Map<Category, number>(CATEGORIES.map((c) => [c, 0]));
  const self = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]!)!;
    const d = p.timeDeltas[i] ?? 0;
    if (n.callFrame.functionName === '(idle)' || n.callFrame.functionName === '(program)' || inStartup(n.id)) continue;
    busy += d;
    const c = categoryOf(n.callFrame);
    byCategory.set(c, byCategory.get(c)! + d);
    const url = n.callFrame.url.replace(/^.*\/(node_modules\/[^/]+|proxy|core)\//, '$1/');
    const key = `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + d);
  }
  return { busyMicros: busy, byCategory, topSelf: [...self].sort((a, b) => b[1] - a[1]).slice(0, top) };
}

export function renderSummary(s: ProfileSummary): string {
  const pct = (v: number): string => `${((100 * v) / Math.max(1, s.busyMicros)).toFixed(1)}%`;
  const lines = ['| what a request pays for | share of busy CPU |', '|---|---|'];
  for (const [c, v] of s.byCategory) lines.push(`| ${c} | ${pct(v)} |`);
  lines.push('', '| top self time | share |', '|---|---|');
  for (const [k, v] of s.topSelf) lines.push(`| \`${k}\` | ${pct(v)} |`);
  return `${lines.join('\n')}\n`;
}
