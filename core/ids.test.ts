import { describe, expect, it } from 'vitest';
import { baseSubdomain, collisionSubdomain, toSpaceId } from './ids.js';

describe('subdomains', () => {
  it.each([
    ['NimaBoscarino', 'hotdog-gradio', 'nimaboscarino-hotdog-gradio'],
    ['user', 'tmp_test_space', 'user-tmp-test-space'],
    ['stabilityai', 'stable-diffusion-3.5-large', 'stabilityai-stable-diffusion-3-5-large'],
    ['Qwen', 'Qwen2.5-Max-Demo', 'qwen-qwen2-5-max-demo'],
    ['black-forest-labs', 'FLUX.1-schnell', 'black-forest-labs-flux-1-schnell'],
  ])('%s/%s → %s (the Hub examples)', (owner, name, sub) => {
    expect(baseSubdomain(toSpaceId(owner, name))).toBe(sub);
  });

  it('keeps long names within one DNS label, distinct by a hash', () => {
    const a = baseSubdomain(toSpaceId('o'.repeat(40), 'n'.repeat(40)));
    const b = baseSubdomain(toSpaceId('o'.repeat(40), `${'n'.repeat(39)}x`));
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^[a-z0-9-]+-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
  });

  it('gives colliding ids different subdomains', () => {
    const x = toSpaceId('a_b', 'c');
    const y = toSpaceId('a', 'b-c');
    expect(baseSubdomain(x)).toBe(baseSubdomain(y));
    expect(collisionSubdomain(y)).not.toBe(baseSubdomain(x));
    expect(collisionSubdomain(y).length).toBeLessThanOrEqual(63);
  });
});
