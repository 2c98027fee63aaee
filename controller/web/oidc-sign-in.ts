import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { fail, nameProblem, type Logger } from '../../core/index.js';
import type { UserAccounts } from '../auth/index.js';

export interface OidcOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Allow an http:// issuer (tests, loopback providers). */
  allowHttp: boolean;
  /** Finds the user linked to an identity, or creates it. */
  accounts: Pick<UserAccounts, 'userForOidcSubject'>;
  logger: Logger;
  now?: () => number;
}

/** A sign-in under way: kept until the provider sends the browser back (10 minutes at most). */
interface Pending {
  verifier: string;
  nonce: string;
  redirectUri: string;
  next: string;
  expires: number;
}

const PENDING_MS = 10 * 60_000;

/** A user name from the provider's claims that fits the Hub's name rule, or undefined. */
export function userNameFromClaims(claims: Record<string, unknown>): string | undefined {
  const candidates = [claims.preferred_username, typeof claims.email === 'string' ? claims.email.split('@')[0] : undefined, claims.nickname, claims.name];
  for (const c of candidates) {
    if (typeof c !== 'string') continue;
    const name = c.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-._]+|[-._]+$/g, '').slice(0, 40);
    if (name && nameProblem(name) === undefined) return name;
  }
  return undefined;
}

/**
 * OpenID Connect sign-in (authorization code + PKCE, state and nonce checked by openid-client).
 * The provider's metadata is discovered on first use; a user is created on first sign-in, named
 * after `preferred_username` (or the email's local part), and linked to `{issuer} {sub}`.
 */
export class OidcSignIn {
  readonly #o: OidcOptions;
  #config: Promise<oidc.Configuration> | undefined;
  readonly #pending = new Map<string, Pending>();

  constructor(opts: OidcOptions) {
    this.#o = opts;
  }

  #configuration(): Promise<oidc.Configuration> {
    this.#config ??= oidc
      .discovery(new URL(this.#o.issuer), this.#o.clientId, this.#o.clientSecret, undefined, this.#o.allowHttp ? { execute: [oidc.allowInsecureRequests] } : undefined)
      .catch((err: unknown) => {
        this.#config = undefined;
        throw err;
      });
    return this.#config;
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  /** The provider's authorization URL, and the state to bind to this browser (a cookie). */
  async start(redirectUri: string, next: string): Promise<{ url: string; state: string }> {
    const config = await this.#configuration();
    const now = this.#now();
    for (const [k, p] of this.#pending) if (p.expires <= now) this.#pending.delete(k);
    if (this.#pending.size > 10_000) this.#pending.delete(this.#pending.keys().next().value!);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    this.#pending.set(state, { verifier, nonce, redirectUri, next, expires: now + PENDING_MS });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state };
  }

  /** Finish: exchange the code, check state and nonce, find or create the user. Returns the user name and where to go. */
  async finish(currentUrl: URL, cookieState: string | undefined): Promise<{ user: string; next: string }> {
    const state = currentUrl.searchParams.get('state') ?? '';
    const pending = this.#pending.get(state);
    if (!pending || !cookieState || cookieState !== state || pending.expires <= this.#now()) {
      throw fail('oidcStateUnknown');
    }
    this.#pending.delete(state);
    const config = await this.#configuration();
    const callback = new URL(pending.redirectUri);
    callback.search = currentUrl.search;
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: pending.verifier, expectedState: state, expectedNonce: pending.nonce, idTokenExpected: true });
    const claims = tokens.claims();
    if (!claims?.sub) throw fail('oidcNoSubject');
    // Providers put profile claims in the ID token or only behind the userinfo endpoint: read both.
    let profile: Record<string, unknown> = { ...claims };
    if (config.serverMetadata().userinfo_endpoint) {
      try {
        profile = { ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims };
      } catch (err) {
        this.#o.logger.warn({ err: (err as Error).message }, 'OpenID Connect userinfo unavailable; naming the user from the ID token');
      }
    }
    const subject = `${config.serverMetadata().issuer} ${claims.sub}`;
    const base = userNameFromClaims(profile) ?? `user-${randomBytes(4).toString('hex')}`;
    const { user, created } = this.#o.accounts.userForOidcSubject(subject, base);
    if (created) this.#o.logger.info({ user, issuer: config.serverMetadata().issuer }, 'user created on first OpenID Connect sign-in');
    return { user, next: pending.next };
  }
}
