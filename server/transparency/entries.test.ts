import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalEntry, canonicalJson, LogEntry } from '../../protocol/transparency.js';
import { buildDemandRecorded, buildEnforcement } from './factories.js';

function shuffleKeys(value: unknown, rnd: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, rnd));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort(() => rnd() - 0.5);
  return Object.fromEntries(keys.map((k) => [k, shuffleKeys((value as Record<string, unknown>)[k], rnd)]));
}

describe('canonical JSON', () => {
  it('is stable under key order, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        let s = seed;
        const rnd = (): number => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        const a = canonicalJson(value);
        expect(canonicalJson(shuffleKeys(value, rnd))).toBe(a);
        expect(canonicalJson(JSON.parse(a))).toBe(a); // a fixed point: parse → canonical is the identity
        expect(a).not.toMatch(/^\s|\s$/);
      }),
      { numRuns: 300 },
    );
  });

  it('matches a direct reading of the definition, for any JSON value', () => {
    // Integer-like keys ("0") come first in any JS object, so the reference cannot rebuild objects.
    const reference = (v: unknown): string =>
      Array.isArray(v)
        ? `[${v.map(reference).join(',')}]`
        : v !== null && typeof v === 'object'
          ? `{${Object.keys(v)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${reference((v as Record<string, unknown>)[k])}`)
              .join(',')}}`
          : JSON.stringify(v);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it('sorts keys, drops whitespace and keeps non-ASCII text as UTF-8', () => {
    expect(canonicalJson({ b: 1, a: [{ d: '六四', c: null }] })).toBe('{"a":[{"c":null,"d":"六四"}],"b":1}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
  });

  it('gives the same bytes for an entry whatever order its fields were written in', () => {
    const e = buildDemandRecorded();
    expect(canonicalEntry(shuffleKeys(e, Math.random)).json).toBe(canonicalEntry(e).json);
  });
});

describe('entry schema', () => {
  it('accepts every factory entry and refuses enforcement outside the jurisdiction', () => {
    expect(LogEntry.safeParse(buildDemandRecorded()).success).toBe(true);
    expect(LogEntry.safeParse(buildEnforcement()).success).toBe(true);
    const outside = { ...buildEnforcement(), evidence: { country: 'TW', database: 'x', databaseBuildDate: '2026-01-01' } };
    expect(LogEntry.safeParse(outside).success).toBe(false);
  });

  it('refuses recording that a demand ended a meeting, closed an account or handed over data', () => {
    for (const kind of ['end-meeting', 'close-account', 'suspend-account', 'delete-content', 'hand-over-data', 'other'] as const) {
      expect(LogEntry.safeParse(buildDemandRecorded({ asked: [{ kind, performed: true }] })).success).toBe(false);
    }
    expect(LogEntry.safeParse(buildDemandRecorded({ asked: [{ kind: 'end-meeting', performed: false }] })).success).toBe(false); // reason required
  });
});
