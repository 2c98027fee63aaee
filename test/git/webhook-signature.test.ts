// Threat: anyone who can reach the webhook URL triggers upstream fetches and rebuilds.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { branchFromWebhook, verifyWebhookSignature } from '../../controller/git/index.js';

const secret = 'whsec-0123456789';
const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: 'abc' }));
const hmac = (key: string, data: Buffer, algo = 'sha256'): string => createHmac(algo, key).update(data).digest('hex');

describe('verifyWebhookSignature', () => {
  it('accepts a good GitHub X-Hub-Signature-256', () => {
    expect(verifyWebhookSignature({ secret, body, headers: { 'x-hub-signature-256': `sha256=${hmac(secret, body)}` } })).toBe(true);
  });

  it('accepts a good Gitea X-Gitea-Signature (and Forgejo, Gogs)', () => {
    for (const name of ['x-gitea-signature', 'x-forgejo-signature', 'x-gogs-signature']) {
      expect(verifyWebhookSignature({ secret, body, headers: { [name]: hmac(secret, body) } }), name).toBe(true);
    }
  });

  it('reads headers case-insensitively, uppercase hex and array values', () => {
    expect(verifyWebhookSignature({ secret, body, headers: { 'X-Hub-Signature-256': `sha256=${hmac(secret, body).toUpperCase()}` } })).toBe(true);
    expect(verifyWebhookSignature({ secret, body, headers: { 'X-Gitea-Signature': [hmac(secret, body)] } })).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyWebhookSignature({ secret, body, headers: { 'x-hub-signature-256': `sha256=${hmac('other', body)}` } })).toBe(false);
    expect(verifyWebhookSignature({ secret, body, headers: { 'x-gitea-signature': hmac('other', body) } })).toBe(false);
  });

  it('rejects a tampered body', () => {
    const sig = `sha256=${hmac(secret, body)}`;
    const tampered = Buffer.from(JSON.stringify({ ref: 'refs/heads/evil', after: 'abc' }));
    expect(verifyWebhookSignature({ secret, body: tampered, headers: { 'x-hub-signature-256': sig } })).toBe(false);
  });

  it('rejects a missing signature', () => {
    expect(verifyWebhookSignature({ secret, body, headers: {} })).toBe(false);
    expect(verifyWebhookSignature({ secret, body, headers: { 'x-hub-signature-256': undefined } })).toBe(false);
    expect(verifyWebhookSignature({ secret, body, headers: { 'x-hub-signature-256': '' } })).toBe(false);
    expect(verifyWebhookSignature({ secret, body, headers: { 'x-hub-signature-256': 'sha256=' } })).toBe(false);
  });

  it('rejects other algorithms: SHA-1 X-Hub-Signature, a sha1=/sha512= prefix, a bare hex on GitHub', () => {
    expect(verifyWebhookSignature({ secret, body, headers: { 'x-hub-signature': `sha1=${hmac(secret, body, 'sha1')}` } })).toBe(false);
    expect(verifyWebhookSignature({ secret, body, headers: { 'x-hub-signature-256': `sha1=${hmac(secret, body)}` } })).toBe(false);
    expect(verifyWebhookSignature({ secret, body, headers: { 'x-hub-signature-256': `sha512=${hmac(secret, body, 'sha512')}` } })).toBe(false);
    expect(verifyWebhookSignature({ secret, body, headers: { 'x-hub-signature-256': hmac(secret, body) } })).toBe(false);
    expect(verifyWebhookSignature({ secret, body, headers: { 'x-gitea-signature': hmac(secret, body, 'sha512') } })).toBe(false);
  });

  it('rejects malformed or truncated hex', () => {
    const good = hmac(secret, body);
    for (const bad of [good.slice(0, 63), `${good}0`, `${good.slice(0, 63)}z`, good.slice(0, 32)]) {
      expect(verifyWebhookSignature({ secret, body, headers: { 'x-gitea-signature': bad } }), bad).toBe(false);
    }
  });

  it('rejects everything when the secret is empty', () => {
    expect(verifyWebhookSignature({ secret: '', body, headers: { 'x-hub-signature-256': `sha256=${hmac('', body)}` } })).toBe(false);
  });

  it('does not let a bad GitHub header fall back to a good-looking Gitea one', () => {
    expect(
      verifyWebhookSignature({
        secret,
        body,
        headers: { 'x-hub-signature-256': 'sha256=00', 'x-gitea-signature': hmac(secret, body) },
      }),
    ).toBe(false);
  });
});

describe('branchFromWebhook', () => {
  it('reads refs/heads/<branch> from a raw body or a parsed one', () => {
    expect(branchFromWebhook(body)).toBe('main');
    expect(branchFromWebhook('{"ref":"refs/heads/feature/x"}')).toBe('feature/x');
    expect(branchFromWebhook({ ref: 'refs/heads/dev' })).toBe('dev');
  });

  it('is undefined for tags, other shapes and bad JSON', () => {
    expect(branchFromWebhook({ ref: 'refs/tags/v1' })).toBeUndefined();
    expect(branchFromWebhook({ ref: 'refs/heads/' })).toBeUndefined();
    expect(branchFromWebhook({ zen: 'ping' })).toBeUndefined();
    expect(branchFromWebhook(Buffer.from('not json'))).toBeUndefined();
    expect(branchFromWebhook(null)).toBeUndefined();
    expect(branchFromWebhook({ ref: 42 })).toBeUndefined();
  });
});
