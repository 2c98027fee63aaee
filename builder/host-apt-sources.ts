import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The Debian mirrors a host's apt uses: its main archive and its security archive, if it names them. */
export interface AptMirrors {
  mirror?: string;
  securityMirror?: string;
}

interface AptEntry {
  uri: string;
  suites: string[];
}

/** Entries of a deb822 `.sources` file (`Types: deb`, `URIs:`, `Suites:`; `Enabled: no` skipped). */
export function parseDeb822Sources(text: string): AptEntry[] {
  const out: AptEntry[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
    }
    if (!(fields.get('types') ?? '').split(/\s+/).includes('deb')) continue;
    if ((fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    const suites = (fields.get('suites') ?? '').split(/\s+/).filter(Boolean);
    for (const uri of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean)) out.push({ uri, suites });
  }
  return out;
}

/** Entries of a one-line `sources.list` (`deb [options] URI suite components…`). */
export function parseSourcesList(text: string): AptEntry[] {
  const out: AptEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (m) out.push({ uri: m[1]!, suites: [m[2]!] });
  }
  return out;
}

/** The main and security mirrors among apt entries (http(s) only; the first of each wins). */
export function mirrorsFrom(entries: AptEntry[]): AptMirrors {
  const web = entries.filter((e) => /^https?:\/\//.test(e.uri));
  const security = web.find((e) => e.suites.some((s) => s.endsWith('-security') || s.endsWith('/updates')));
  const main = web.find((e) => e !== security && e.suites.some((s) => !s.includes('-') && !s.includes('/')));
  return {
    ...(main ? { mirror: main.uri.replace(/\/+$/, '') } : {}),
    ...(security ? { securityMirror: security.uri.replace(/\/+$/, '') } : {}),
  };
}

/**
 * The mirrors this host's apt is configured with (`/etc/apt/sources.list.d/*.sources`, then
 * `/etc/apt/sources.list` and `*.list`), so base images use a corporate or air-gapped mirror with
 * no setting. Empty when the host has no apt (SPACEPORT_DEBIAN_MIRROR or deb.debian.org then).
 */
export function hostAptMirrors(etcApt = '/etc/apt'): AptMirrors {
  const entries: AptEntry[] = [];
  const dir = path.join(etcApt, 'sources.list.d');
  const files = existsSync(dir) ? readdirSync(dir).sort() : [];
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  for (const f of files.filter((f) => f.endsWith('.sources'))) entries.push(...parseDeb822Sources(read(path.join(dir, f))));
  entries.push(...parseSourcesList(read(path.join(etcApt, 'sources.list'))));
  for (const f of files.filter((f) => f.endsWith('.list'))) entries.push(...parseSourcesList(read(path.join(dir, f))));
  return mirrorsFrom(entries);
}
