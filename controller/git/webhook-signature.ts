import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookHeaders = Record<string, string | string[] | undefined>;

export interface WebhookSignatureInput {
  secret: string;
  /** The raw request body, exactly as received. */
  body: Buffer;
  headers: WebhookHeaders;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** The HMAC-SHA256 (hex) a sender claims, from GitHub's or Gitea's (Forgejo, Gogs) header. */
function claimedSignature(headers: WebhookHeaders): string | undefined {
  const github = header(headers, 'x-hub-signature-256');
  if (github !== undefined) return /^sha256=([0-9a-f]{64})$/i.exec(github.trim())?.[1];
  for (const name of ['x-gitea-signature', 'x-forgejo-signature', 'x-gogs-signature']) {
    const value = header(headers, name);
    if (value !== undefined) return /^([0-9a-f]{64})$/i.exec(value.trim())?.[1];
  }
  return undefined;
}

/**
 * Whether a webhook delivery is signed with `secret`: GitHub's `X-Hub-Signature-256: sha256=<hex>` or
 * Gitea's `X-Gitea-Signature: <hex>`, both HMAC-SHA256 of the raw body, compared in constant time.
 * False for a missing or malformed signature, another algorithm (GitHub's SHA-1 `X-Hub-Signature`
 * is not accepted) or an empty secret.
 */
export function verifyWebhookSignature(input: WebhookSignatureInput): boolean {
  if (input.secret === '') return false;
  const claimed = claimedSignature(input.headers);
  if (claimed === undefined) return false;
  const expected = createHmac('sha256', input.secret).update(input.body).digest();
  const given = Buffer.from(claimed.toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The branch a push webhook is about (`"ref": "refs/heads/<branch>"`), or undefined. */
export function branchFromWebhook(body: Buffer | string | unknown): string | undefined {
  let payload: unknown = body;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    try {
      payload = JSON.parse(body.toString());
    } catch {
      return undefined;
    }
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  const ref = (payload as { ref?: unknown }).ref;
  if (typeof ref !== 'string' || !ref.startsWith('refs/heads/')) return undefined;
  const branch = ref.slice('refs/heads/'.length);
  return branch === '' ? undefined : branch;
}
