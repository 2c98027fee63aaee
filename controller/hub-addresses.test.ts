import { describe, expect, it } from 'vitest';
import { testConfig } from '../core/index.js';
import { embedOrigins, hubOriginsOf, publicPortOf } from './hub-addresses.js';

describe('publicPortOf', () => {
  it('is the public URL’s port when set (none for the default), else the port listened on', () => {
    expect(publicPortOf(testConfig(), 41234)).toBe(41234);
    expect(publicPortOf(testConfig({ SPACEPORT_PUBLIC_URL: 'https://spaces.example.com' }), 41234)).toBeUndefined();
    expect(publicPortOf(testConfig({ SPACEPORT_PUBLIC_URL: 'http://spaces.example.com:8443' }), 41234)).toBe(8443);
  });
});

describe('embedOrigins', () => {
  it('lets anyone frame apps when unset; else the hub and the operator’s origins', () => {
    expect(embedOrigins(testConfig())).toBeUndefined();
    expect(embedOrigins(testConfig({ SPACEPORT_PUBLIC_URL: 'https://spaces.example.com', SPACEPORT_EMBED_ORIGINS: 'https://blog.example.com' }))).toEqual([
      'https://spaces.example.com',
      'https://blog.example.com',
    ]);
  });
});

describe('hubOriginsOf', () => {
  it('names the public URL, loopback and the allowed hosts, on any port', () => {
    const origins = hubOriginsOf(testConfig({ SPACEPORT_PUBLIC_URL: 'https://spaces.example.com', SPACEPORT_ALLOWED_HOSTS: 'hub.internal' }));
    expect(origins[0]).toBe('https://spaces.example.com');
    expect(origins).toContain('http://localhost:*');
    expect(origins).toContain('https://hub.internal:*');
  });
});
