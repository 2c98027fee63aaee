import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostAptMirrors, mirrorsFrom, parseDeb822Sources, parseSourcesList } from './host-apt-sources.js';

describe("the host's apt mirrors (issue 10: no hard-coded Debian mirror)", () => {
  it('reads a deb822 debian.sources, as Debian 12 ships it', () => {
    const text = [
      'Types: deb',
      '# http://snapshot.debian.org/archive/debian/20250520T000000Z',
      'URIs: http://mirror.corp.example/debian',
      'Suites: bookworm bookworm-updates',
      'Components: main',
      '',
      'Types: deb',
      'URIs: http://mirror.corp.example/debian-security/',
      'Suites: bookworm-security',
      'Components: main',
      '',
      'Types: deb',
      'Enabled: no',
      'URIs: http://disabled.example/debian',
      'Suites: bookworm',
    ].join('\n');
    expect(mirrorsFrom(parseDeb822Sources(text))).toEqual({ mirror: 'http://mirror.corp.example/debian', securityMirror: 'http://mirror.corp.example/debian-security' });
  });

  it('reads a one-line sources.list with options and comments', () => {
    const text = '# local\ndeb [signed-by=/k.gpg] https://apt.internal/debian bookworm main\ndeb-src http://x/debian bookworm main\ndeb https://apt.internal/security bookworm-security main\n';
    expect(mirrorsFrom(parseSourcesList(text))).toEqual({ mirror: 'https://apt.internal/debian', securityMirror: 'https://apt.internal/security' });
  });

  it('reads an /etc/apt tree; none gives nothing', () => {
    const etc = mkdtempSync(path.join(tmpdir(), 'apt-'));
    mkdirSync(path.join(etc, 'sources.list.d'));
    writeFileSync(path.join(etc, 'sources.list.d', 'debian.sources'), 'Types: deb\nURIs: http://m.example/debian\nSuites: bookworm\nComponents: main\n');
    expect(hostAptMirrors(etc)).toEqual({ mirror: 'http://m.example/debian' });
    expect(hostAptMirrors(path.join(etc, 'missing'))).toEqual({});
  });
});

describe('the Debian source of base images', () => {
  it('takes the mirror given, else the host apt mirror (with its security archive), else deb.debian.org', async () => {
    const { debianSource } = await import('./base-images.js');
    const host = { mirror: 'http://m.corp/debian', securityMirror: 'http://m.corp/debian-security' };
    expect(debianSource({}, host)).toEqual({ suite: 'bookworm', mirror: 'http://m.corp/debian', securityMirror: 'http://m.corp/debian-security' });
    expect(debianSource({ mirror: 'http://other/debian' }, host)).toEqual({ suite: 'bookworm', mirror: 'http://other/debian', securityMirror: null });
    expect(debianSource({}, {})).toEqual({ suite: 'bookworm', mirror: 'http://deb.debian.org/debian', securityMirror: 'http://deb.debian.org/debian-security' });
  });
});
