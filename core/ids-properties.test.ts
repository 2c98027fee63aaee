import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSpaceportError } from './errors.js';
import { baseSubdomain, collisionSubdomain, nameProblem, NAME_MAX, toSpaceId } from './ids.js';

/** Property suite (issue 10): Space names and the subdomains made from them. */

/** One DNS label, as the proxy matches it (proxy/parse-host.ts). */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Names the Hub accepts: `[A-Za-z0-9._-]`, no `--`/`..`, no leading or trailing `-`/`.`. */
const validPart = fc
  .stringMatching(/^[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?$/)
  .filter((s) => nameProblem(s) === undefined);

describe('Space names and subdomains', () => {
  it('toSpaceId accepts a name or throws InvalidName, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.string({ maxLength: 120 }), (owner, name) => {
        try {
          expect(toSpaceId(owner, name)).toBe(`${owner}/${name}`);
          expect(nameProblem(owner)).toBeUndefined();
          expect(nameProblem(name)).toBeUndefined();
        } catch (err) {
          if (!isSpaceportError(err, 'InvalidName')) throw err;
          expect(err.message.length).toBeLessThan(400);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a valid part never holds a path separator, "..", or more than 96 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120, unit: fc.constantFrom('a', 'Z', '0', '.', '-', '_', '/', '\\', '%', ' ', 'é') }), (s) => {
        if (nameProblem(s) !== undefined) return;
        expect(s).not.toMatch(/[/\\%\s]|\.\./);
        expect(s.length).toBeLessThanOrEqual(NAME_MAX);
      }),
      { numRuns: 2000 },
    );
  });

  it('every valid id gets a subdomain that is one DNS label, stable, with a distinct collision form', () => {
    fc.assert(
      fc.property(validPart, validPart, (owner, name) => {
        const id = toSpaceId(owner, name);
        const sub = baseSubdomain(id);
        expect(sub, id).toMatch(DNS_LABEL);
        expect(baseSubdomain(id)).toBe(sub);
        const alt = collisionSubdomain(id);
        expect(alt, id).toMatch(DNS_LABEL);
        expect(alt).not.toBe(sub);
      }),
      { numRuns: 2000 },
    );
  });

  it('names starting or ending with "_" still give a DNS label (regression: "-" at either end made the Space unreachable)', () => {
    for (const [owner, name] of [['_a', 'b'], ['a', 'b_'], ['_', '_'], ['__x__', 'y'], ['a', '_.a']] as const) {
      expect(baseSubdomain(toSpaceId(owner, name)), `${owner}/${name}`).toMatch(DNS_LABEL);
    }
  });
});
