/** Test-data factories for log entries (used by this domain's tests; others may import them). */
import type { EntryOf } from '../../protocol/transparency.js';

const P = (prefix: string, n: number): string =>
  `${prefix}_${n
    .toString(32)
    .padStart(16, 'a')
    .replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!)}`;

/** A syntactically valid pseudonym derived from a number (not keyed; tests only). */
export const fakePseudonym = (kind: 'p' | 'm' | 'a' | 'o', n: number): string => P(kind, n);

export function buildDemandRecorded(over: Partial<EntryOf<'demand.recorded'>> = {}): EntryOf<'demand.recorded'> {
  return {
    v: 1,
    type: 'demand.recorded',
    at: Date.UTC(2026, 6, 1),
    demandId: 'd-1',
    authority: 'Example Authority',
    jurisdiction: 'CN',
    legalBasis: 'Example Law art. 1',
    reference: 'REF-1',
    receivedAt: Date.UTC(2026, 6, 1),
    asked: [
      { kind: 'block-participants', performed: true },
      { kind: 'end-meeting', performed: false, reason: 'A demand never ends a meeting.' },
    ],
    targets: [fakePseudonym('m', 1)],
    gag: { active: false, until: null },
    expiresAt: null,
    ...over,
  };
}

export function buildEnforcement(
  type: 'enforcement.refused' | 'enforcement.removed' = 'enforcement.removed',
  over: Partial<Omit<EntryOf<'enforcement.removed'>, 'type'>> = {},
): EntryOf<'enforcement.refused'> | EntryOf<'enforcement.removed'> {
  return {
    v: 1,
    type,
    at: Date.UTC(2026, 6, 2),
    demandId: 'd-1',
    meeting: fakePseudonym('m', 1),
    participant: fakePseudonym('p', 1),
    jurisdiction: 'CN',
    evidence: { country: 'CN', database: 'geo-whois-asn-country', databaseBuildDate: '2026-06-17' },
    ...over,
  };
}

export function buildNoAction(over: Partial<EntryOf<'enforcement.no-action'>> = {}): EntryOf<'enforcement.no-action'> {
  return {
    v: 1,
    type: 'enforcement.no-action',
    at: Date.UTC(2026, 6, 2),
    demandId: 'd-1',
    meeting: fakePseudonym('m', 2),
    jurisdiction: 'CN',
    reason: 'no participants located in CN',
    ...over,
  };
}

/** A small, valid entry that differs per `n` (bulk tests and benchmarks). */
export function buildEntry(n: number): EntryOf<'enforcement.no-action'> {
  return buildNoAction({ at: Date.UTC(2026, 0, 1) + n, demandId: `d-${n % 97}`, meeting: fakePseudonym('m', n) });
}
