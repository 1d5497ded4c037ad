import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, LogEntry } from '../../protocol/transparency.js';
import { fastAccepts, fastCanonical } from './fast-accept.js';

const b32 = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567'.split('')), minLength: 16, maxLength: 16 });
const pseudo = (prefix: string) => b32.map((s) => `${prefix}_${s}`);
const country = fc.constantFrom('CN', 'HK', 'MO', 'TW', 'US');
const date = fc.constantFrom('2026-01-01', '2026-06-17T10:00Z', '2026-06-17T10:00:00.5Z');

// Each field: mostly values the schema accepts, sometimes ones it refuses (or that are borderline).
const maybe = <T>(good: fc.Arbitrary<T>, ...bad: fc.Arbitrary<unknown>[]) =>
  fc.oneof({ weight: 60, arbitrary: good }, ...bad.map((arbitrary) => ({ weight: 1, arbitrary })));
const anything = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.object());

const evidence = (j: fc.Arbitrary<unknown>) =>
  fc.record(
    {
      country: j,
      database: maybe(fc.string({ minLength: 1, maxLength: 200 }), fc.constant(''), fc.string({ minLength: 201, maxLength: 210 })),
      databaseBuildDate: maybe(date, fc.constant('2026-1-1'), fc.string()),
    },
    { requiredKeys: ['country', 'database', 'databaseBuildDate'] },
  );

const enforcement = fc
  .record(
    {
      v: maybe(fc.constant(1), fc.constant(2), fc.constant('1')),
      type: maybe(fc.constantFrom('enforcement.removed', 'enforcement.refused'), fc.constant('enforcement.other')),
      at: maybe(fc.nat(), fc.constant(-1), fc.constant(1.5), fc.constant(9e15), fc.constant(Number.NaN)),
      demandId: maybe(fc.string({ minLength: 1, maxLength: 128 }), fc.constant(''), fc.string({ minLength: 129, maxLength: 130 }), fc.integer()),
      meeting: maybe(pseudo('m'), pseudo('p'), fc.string()),
      participant: maybe(pseudo('p'), pseudo('a'), fc.string()),
      jurisdiction: maybe(country, fc.constant('cn'), fc.constant('CHN')),
      evidence: maybe(evidence(maybe(country, fc.constant('XXX'))), anything),
      notice: maybe(
        fc.record({ authorityNamed: fc.boolean() }),
        fc.record({ authorityNamed: fc.constant('yes') }),
        fc.record({ authorityNamed: fc.boolean(), extra: fc.nat() }),
      ),
    },
    { requiredKeys: ['v', 'type', 'at', 'demandId', 'meeting', 'participant', 'jurisdiction', 'evidence'] },
  )
  // Keep the jurisdiction and evidence country equal most of the time, so the refine is exercised both ways.
  .map((e) =>
    e.evidence && typeof e.evidence === 'object' && Math.abs(Number(e.at) % 3) !== 1 ? { ...e, evidence: { ...e.evidence, country: e.jurisdiction } } : e,
  );

const notice = fc.record(
  {
    v: maybe(fc.constant(1), fc.constant(0)),
    type: fc.constant('notice.sent'),
    at: maybe(fc.nat(), fc.constant(-5)),
    to: maybe(fc.constantFrom('participant', 'host'), fc.constant('everyone')),
    recipient: maybe(fc.oneof(pseudo('p'), pseudo('a')), pseudo('o'), fc.string()),
    meeting: maybe(pseudo('m'), fc.string()),
    demandId: maybe(fc.oneof(fc.constant(null), fc.string({ minLength: 1, maxLength: 128 })), fc.constant('')),
    jurisdiction: maybe(country, fc.constant('zz')),
    authorityNamed: maybe(fc.boolean(), fc.constant(0)),
    count: maybe(fc.nat(), fc.constant(-1), fc.constant(0.5)),
  },
  { requiredKeys: ['v', 'type', 'at', 'to', 'recipient', 'demandId', 'authorityNamed'] },
);

// Sometimes drop one key, or add a stray one: the schema is strict about both.
const mutated = (arb: fc.Arbitrary<Record<string, unknown>>) =>
  fc.tuple(arb, fc.nat(20)).map(([e, k]) => {
    const keys = Object.keys(e);
    if (k < keys.length && k % 4 === 0) {
      const { [keys[k]!]: _, ...rest } = e;
      return rest;
    }
    return k === 19 ? { ...e, stray: 1 } : e;
  });

const noAction = fc.record(
  {
    v: fc.constant(1),
    type: maybe(fc.constant('enforcement.no-action'), fc.constant('demand.decided'), fc.constant('nope')),
    at: maybe(fc.nat(), fc.constant(-1)),
    demandId: maybe(fc.string({ minLength: 1, maxLength: 128 }), fc.constant('')),
    meeting: maybe(pseudo('m'), pseudo('a')),
    jurisdiction: maybe(country, fc.constant('C')),
    reason: maybe(fc.string({ minLength: 1, maxLength: 2000 }), fc.constant('')),
  },
  { requiredKeys: ['v', 'type', 'at', 'demandId', 'meeting', 'jurisdiction', 'reason'] },
);

describe('fast acceptance of bulk log entries', () => {
  it('never accepts what the schema refuses, and accepted entries are exactly what the schema would return', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.oneof(mutated(enforcement as fc.Arbitrary<Record<string, unknown>>), mutated(notice), mutated(noAction), anything), (e) => {
        if (!fastAccepts(e)) {
          refused++;
          return;
        }
        accepted++;
        const parsed = LogEntry.safeParse(e);
        expect(parsed.success, JSON.stringify(e)).toBe(true);
        expect(parsed.data).toEqual(e);
        expect(fastCanonical(e)).toBe(canonicalJson(parsed.data));
      }),
      { numRuns: 20_000 },
    );
    // Not vacuous: both outcomes happen often.
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });

  it('accepts every well-formed enforcement and notice entry (the fast path is actually taken)', () => {
    const good = fc.oneof(
      fc
        .record({
          v: fc.constant(1 as const),
          type: fc.constantFrom('enforcement.removed' as const, 'enforcement.refused' as const),
          at: fc.nat(),
          demandId: fc.string({ minLength: 1, maxLength: 128 }),
          meeting: pseudo('m'),
          participant: pseudo('p'),
          jurisdiction: country,
          database: fc.string({ minLength: 1, maxLength: 200 }),
          date,
          named: fc.option(fc.boolean(), { nil: undefined }),
        })
        .map(({ database, date: d, named, ...e }) => ({
          ...e,
          evidence: { country: e.jurisdiction, database, databaseBuildDate: d },
          ...(named === undefined ? {} : { notice: { authorityNamed: named } }),
        })),
      fc.record(
        {
          v: fc.constant(1 as const),
          type: fc.constant('notice.sent' as const),
          at: fc.nat(),
          to: fc.constantFrom('participant', 'host'),
          recipient: pseudo('a'),
          meeting: pseudo('m'),
          demandId: fc.string({ minLength: 1, maxLength: 128 }),
          jurisdiction: country,
          authorityNamed: fc.boolean(),
          count: fc.nat(),
        },
        { requiredKeys: ['v', 'type', 'at', 'to', 'recipient', 'demandId', 'authorityNamed'] },
      ),
      fc.record({
        v: fc.constant(1 as const),
        type: fc.constant('enforcement.no-action' as const),
        at: fc.nat(),
        demandId: fc.string({ minLength: 1, maxLength: 128 }),
        meeting: pseudo('m'),
        jurisdiction: country,
        reason: fc.string({ minLength: 1, maxLength: 2000 }),
      }),
    );
    fc.assert(
      fc.property(good, (e) => {
        expect(LogEntry.safeParse(e).success).toBe(true);
        expect(fastAccepts(e)).toBe(true);
        expect(fastCanonical(e)).toBe(canonicalJson(e));
      }),
      { numRuns: 2000 },
    );
  });
});
