import { describe, expect, it } from 'vitest';
import { redactQuery, requestIdFrom } from './request-context.js';

describe('requestIdFrom', () => {
  it('keeps a sane inbound id and replaces anything else', () => {
    expect(requestIdFrom('abc-123_X.y:z')).toBe('abc-123_X.y:z');
    expect(requestIdFrom(['first', 'second'])).toBe('first');
    for (const bad of [undefined, '', ' x', 'a b', 'a\nInjected: 1', '<script>', 'x'.repeat(129), 'é']) {
      const id = requestIdFrom(bad);
      expect(id, String(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('redactQuery', () => {
  it('hides the values of credential-like parameters, keeps the rest', () => {
    expect(redactQuery('/api/x?token=s3cret&x=1')).toBe('/api/x?token=[redacted]&x=1');
    expect(redactQuery('/a?access_token=s&service=git-upload-pack')).toBe('/a?access_token=[redacted]&service=git-upload-pack');
    expect(redactQuery('/a?api_key=s&API-KEY=s&sig=s&X-Amz-Signature=s&session=s')).toBe(
      '/a?api_key=[redacted]&API-KEY=[redacted]&sig=[redacted]&X-Amz-Signature=[redacted]&session=[redacted]',
    );
    expect(redactQuery('/a?%74oken=s')).toBe('/a?%74oken=[redacted]');
    expect(redactQuery('/plain/path')).toBe('/plain/path');
    expect(redactQuery(undefined)).toBeUndefined();
  });
});
