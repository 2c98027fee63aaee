import { describe, expect, it } from 'vitest';
import { parseProxyConfig } from './proxy-config.js';

const TOKEN = 'proxy-config-token-0123456789';

describe('parseProxyConfig', () => {
  it('reads the controller URL and token, with defaults for the rest', () => {
    const r = parseProxyConfig({ SPACEPORT_CONTROLLER_URL: 'http://controller:8080', SPACEPORT_INTERNAL_TOKEN: TOKEN, SPACEPORT_NO_WAKE_PATHS: '/health, /metrics', HOME: '/x' });
    expect(r.ok && r.config).toMatchObject({
      SPACEPORT_CONTROLLER_URL: 'http://controller:8080',
      SPACEPORT_PORT: 8080,
      SPACEPORT_HOST: '0.0.0.0',
      SPACEPORT_DOMAIN: 'localhost',
      SPACEPORT_NO_WAKE_PATHS: ['/health', '/metrics'],
    });
    expect(r.ok && Object.isFrozen(r.config)).toBe(true);
  });

  it('names every bad variable, and never echoes the token', () => {
    const r = parseProxyConfig({ SPACEPORT_CONTROLLER_URL: 'ftp://controller', SPACEPORT_INTERNAL_TOKEN: 'short-secret', SPACEPORT_PORT: 'eighty' });
    expect(r.ok).toBe(false);
    const text = r.ok ? '' : r.problems.join('\n');
    expect(text).toContain('SPACEPORT_CONTROLLER_URL');
    expect(text).toContain('SPACEPORT_INTERNAL_TOKEN: at least 16 characters');
    expect(text).toContain('SPACEPORT_PORT');
    expect(text).not.toContain('short-secret');
  });

  it('requires the controller URL and the token', () => {
    const r = parseProxyConfig({});
    expect(r.ok ? [] : r.problems.map((p) => p.split(':')[0])).toEqual(['SPACEPORT_CONTROLLER_URL', 'SPACEPORT_INTERNAL_TOKEN']);
  });
});
