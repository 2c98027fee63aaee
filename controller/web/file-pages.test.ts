import { describe, expect, it } from 'vitest';
import { attachment, isText, rawHeaders } from './file-pages.js';

describe('raw file answers (rawHeaders)', () => {
  it('serves text as text/plain, HTML and SVG included: a Space\'s files never render as pages on the hub', () => {
    for (const name of ['app.py', 'index.html', 'logo.svg', 'x/page.htm', 'README']) {
      const h = rawHeaders(name, Buffer.from('<script>alert(1)</script>'));
      expect(h['Content-Type'], name).toBe('text/plain; charset=utf-8');
      expect(h['X-Content-Type-Options']).toBe('nosniff');
      expect(h['Content-Security-Policy']).toContain('sandbox');
    }
  });

  it('serves known media as themselves, anything else binary as a download', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect(rawHeaders('img/logo.png', png)['Content-Type']).toBe('image/png');
    expect(rawHeaders('img/logo.png', png)['Content-Disposition']).toBeUndefined();
    const bin = rawHeaders('weights.bin', Buffer.from([0, 1, 2, 255]));
    expect(bin['Content-Type']).toBe('application/octet-stream');
    expect(bin['Content-Disposition']).toBe(`attachment; filename="weights.bin"; filename*=UTF-8''weights.bin`);
    // Binary content with a text-like or HTML name is still a download, never HTML.
    expect(rawHeaders('page.html', Buffer.from([0, 60, 104, 49, 62]))['Content-Disposition']).toMatch(/^attachment/);
  });

  it('tells text from binary (NUL bytes, invalid UTF-8) and names downloads safely', () => {
    expect(isText(Buffer.from('héllo ✓\n'))).toBe(true);
    expect(isText(Buffer.from([0x68, 0x00]))).toBe(false);
    expect(isText(Buffer.from([0xff, 0xfe, 0x41]))).toBe(false);
    expect(attachment('a"b\\c é.txt')).toBe(`attachment; filename="a_b_c _.txt"; filename*=UTF-8''a%22b%5Cc%20%C3%A9.txt`);
  });
});
