import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { titleMatches } from './context.js';

/** The old definition: the glob as an anchored, case-insensitive regex (exponential, but right). */
function regexMatches(pattern: string, title: string): boolean {
  const body = pattern
    .split('*')
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'is').test(title);
}

describe('titleMatches', () => {
  it('matches anchored, case-insensitive globs', () => {
    expect(titleMatches('Memorial*', 'memorial for june 4th')).toBe(true);
    expect(titleMatches('*June*4*', 'Memorial for JUNE 4th')).toBe(true);
    expect(titleMatches('*june', 'june 4th')).toBe(false);
    expect(titleMatches('a*a', 'a')).toBe(false);
    expect(titleMatches('a*a', 'aa')).toBe(true);
    expect(titleMatches('exact', 'Exact')).toBe(true);
    expect(titleMatches('exact', 'exactly')).toBe(false);
    expect(titleMatches('*', '')).toBe(true);
    expect(titleMatches('a.b*', 'axb')).toBe(false);
  });

  it('agrees with the regex definition on short inputs', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '.', '*'), maxLength: 8 });
    fc.assert(
      fc.property(text, text, (p, t) => {
        const title = t.replaceAll('*', 'b');
        expect(titleMatches(p, title)).toBe(regexMatches(p, title));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes linear time on the backtracking shape (16 stars, a 200-character title)', () => {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) titleMatches(`*${'a*'.repeat(15)}b`, 'a'.repeat(200));
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
