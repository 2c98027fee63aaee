import { fail, type SpaceportError } from '../../core/index.js';
import { redactCredentials } from './redact.js';

export interface UpstreamUrlOptions {
  /** Also accept `http://` to 127.0.0.0/8, ::1 and localhost (tests, local mirrors). */
  allowLoopbackHttp: boolean;
}

const MAX_URL_LENGTH = 2048;

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  // The URL parser has already normalised IPv4 forms (0x7f.1, 2130706433, …) to dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function invalid(url: string, why: string): SpaceportError {
  return fail('upstreamUrlInvalid', { url: redactCredentials(url.slice(0, 200)), why });
}

/**
 * The upstream URL git may fetch from, normalised, or throw `InvalidUpstream`. Only `https://`
 * (and `http://` on loopback when allowed): no `ext::`/`fd::` helpers, `file:`, `ssh://`, `git://`,
 * scp-like `host:path`, local paths or option-looking values. Credentials in the URL are allowed;
 * they are never put in messages.
 */
export function validateUpstreamUrl(url: string, opts: UpstreamUrlOptions): string {
  if (typeof url !== 'string' || url.length === 0) throw invalid('', 'it is empty');
  if (url.length > MAX_URL_LENGTH) throw invalid(url, `it is longer than ${MAX_URL_LENGTH} characters`);
  if (url.startsWith('-')) throw invalid(url, 'it must not start with "-"');
  if (/[\x00-\x20\x7f\\]/.test(url)) throw invalid(url, 'it must not contain spaces, control characters or "\\"');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'https' && scheme !== 'http') {
    throw invalid(url, opts.allowLoopbackHttp ? 'use an https:// (or loopback http://) URL' : 'use an https:// URL');
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[/?#]/.test(url)) throw invalid(url, 'it has no host');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(url, 'it is not a URL');
  }
  if (parsed.protocol !== `${scheme}:` || parsed.hostname === '') throw invalid(url, 'it has no host');
  if (scheme === 'http' && !(opts.allowLoopbackHttp && isLoopbackHost(parsed.hostname))) {
    throw invalid(url, opts.allowLoopbackHttp ? 'http:// is only allowed to loopback; use https://' : 'use an https:// URL');
  }
  // An empty fragment (`…/repo#`) parses to hash '' but stays in href.
  if (parsed.hash !== '' || parsed.href.includes('#')) throw invalid(url, 'it must not have a #fragment');
  // git gets the parsed form, so what it connects to is what was checked here.
  return parsed.href;
}
