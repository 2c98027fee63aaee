// oidc-provider ships no type declarations and @types/oidc-provider is not a dependency: these are the
// parts test/web/oidc.test.ts uses, as the package documents them (docs/README.md of oidc-provider 9).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    redirect_uris: string[];
    grant_types?: string[];
    response_types?: string[];
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>>;
  }

  export interface Configuration {
    clients?: ClientMetadata[];
    claims?: Record<string, string[]>;
    /** `ctx` is the provider's Koa context, which the suite does not use. */
    findAccount?(ctx: unknown, sub: string, token?: unknown): Promise<Account | undefined>;
    cookies?: { keys?: string[] };
    features?: { devInteractions?: { enabled: boolean } };
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    /** A Node request listener serving the provider's endpoints. */
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
