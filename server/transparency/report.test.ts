import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASK_KINDS, LogEntry, PERFORMABLE_ASKS, type AskKind } from '../../protocol/transparency.js';
import { buildDemandRecorded, buildEnforcement, buildNoAction, fakePseudonym } from './factories.js';
import { computeReport, halfYear, reportToCsv } from './report.js';

const J = ['CN', 'HK', 'MO', 'TW', 'RU'] as const;
const T0 = Date.UTC(2025, 0, 1);
const SPAN = 3 * 365 * 86_400_000;

const askArb = fc
  .constantFrom(...ASK_KINDS)
  .chain((kind) =>
    PERFORMABLE_ASKS.includes(kind)
      ? fc.boolean().map((performed) => (performed ? { kind, performed } : { kind, performed, reason: 'not applicable' }))
      : fc.constant({ kind, performed: false, reason: 'Parley never does this' }),
  );

/** A random stream: demands first, then actions that refer to them (or to unknown demands). */
const streamArb = fc
  .record({
    demands: fc.array(fc.record({ j: fc.constantFrom(...J), at: fc.nat(SPAN), asked: fc.array(askArb, { minLength: 1, maxLength: 4 }) }), { maxLength: 8 }),
    actions: fc.array(
      fc.record({
        kind: fc.constantFrom('refused', 'removed', 'no-action', 'decided', 'lifted', 'expired', 'data', 'suspended'),
        demand: fc.nat(9),
        meeting: fc.nat(4),
        participant: fc.nat(6),
        at: fc.nat(SPAN),
      }),
      { maxLength: 60 },
    ),
  })
  .map(({ demands, actions }) => {
    const entries: LogEntry[] = demands.map((d, i) => buildDemandRecorded({ demandId: `d-${i}`, jurisdiction: d.j, at: T0 + d.at, asked: d.asked }));
    for (const a of actions) {
      const demandId = `d-${a.demand}`;
      const j = demands[a.demand]?.j ?? 'ZZ';
      const at = T0 + a.at;
      const meeting = fakePseudonym('m', a.meeting);
      const jur = j === 'ZZ' ? 'CN' : j;
      switch (a.kind) {
        case 'refused':
        case 'removed':
          entries.push(
            buildEnforcement(`enforcement.${a.kind}`, {
              demandId,
              at,
              meeting,
              participant: fakePseudonym('p', a.participant),
              jurisdiction: jur,
              evidence: { country: jur, database: 'db', databaseBuildDate: '2026-01-01' },
              // Entries carry the participant's notice; older ones (without) must count too.
              ...(a.participant % 3 === 0 ? {} : { notice: { authorityNamed: a.meeting % 2 === 0 } }),
            }),
          );
          break;
        case 'no-action':
          entries.push(buildNoAction({ demandId, at, meeting, jurisdiction: jur }));
          break;
        case 'decided':
          entries.push({ v: 1, type: 'demand.decided', at, demandId, decision: a.meeting % 2 ? 'approved' : 'rejected', by: fakePseudonym('o', 1) });
          break;
        case 'lifted':
          entries.push({ v: 1, type: 'demand.lifted', at, demandId });
          break;
        case 'expired':
          entries.push({ v: 1, type: 'demand.expired', at, demandId });
          break;
        case 'data':
          entries.push({ v: 1, type: 'data-request.refused', at, demandId, jurisdiction: jur, reason: 'no handover path' });
          break;
        case 'suspended':
          entries.push({ v: 1, type: 'account.suspended', at, account: fakePseudonym('a', a.meeting), reason: 'terms of service' });
          break;
      }
    }
    return entries.map((e) => LogEntry.parse(e));
  });

/** Recount one bucket straight from the raw entries, by filtering. */
function recount(entries: LogEntry[], period: string, j: string) {
  const demandJ = new Map(entries.flatMap((e) => (e.type === 'demand.recorded' ? [[e.demandId, e.jurisdiction] as const] : [])));
  const jOf = (e: LogEntry): string =>
    'jurisdiction' in e && e.jurisdiction !== undefined ? e.jurisdiction : (demandJ.get((e as { demandId: string }).demandId) ?? 'ZZ');
  const inBucket = entries.filter((e) => halfYear(e.at) === period && jOf(e) === j);
  const of = <T extends LogEntry['type']>(t: T) => inBucket.filter((e): e is Extract<LogEntry, { type: T }> => e.type === t);
  const distinct = (xs: string[]): number => new Set(xs).size;
  const demands = of('demand.recorded');
  const byAsk = (pred: (a: { kind: AskKind; performed: boolean }) => boolean) =>
    Object.fromEntries(ASK_KINDS.map((k) => [k, demands.filter((d) => d.asked.some((a) => a.kind === k && pred(a))).length]));
  const enf = [...of('enforcement.refused'), ...of('enforcement.removed')];
  return {
    demandsReceived: demands.length,
    asked: byAsk(() => true),
    asksNotPerformed: byAsk((a) => !a.performed),
    demandsApproved: of('demand.decided').filter((d) => d.decision === 'approved').length,
    demandsRejected: of('demand.decided').filter((d) => d.decision === 'rejected').length,
    demandsLifted: of('demand.lifted').length,
    demandsExpired: of('demand.expired').length,
    participantsRefused: distinct(of('enforcement.refused').map((e) => `${e.demandId}/${e.participant}`)),
    participantsRemoved: distinct(of('enforcement.removed').map((e) => `${e.demandId}/${e.participant}`)),
    meetingsAffected: distinct(enf.map((e) => `${e.demandId}/${e.meeting}`)),
    meetingsNoAction: distinct(of('enforcement.no-action').map((e) => `${e.demandId}/${e.meeting}`)),
    noticesSent: of('notice.sent').length + enf.filter((e) => e.notice !== undefined).length,
    dataRequestsRefused: of('data-request.refused').length,
    dataHandedOver: 0,
    accountsSuspendedByDemand: 0,
  };
}

describe('transparency report', () => {
  it('matches a recount from the raw entries for random entry streams', () => {
    fc.assert(
      fc.property(streamArb, (entries) => {
        const report = computeReport(entries);
        expect(report.entries).toBe(entries.length);
        const buckets = new Set(report.rows.map((r) => `${r.period} ${r.jurisdiction}`));
        expect(buckets.size).toBe(report.rows.length);
        for (const row of report.rows) {
          const { period, jurisdiction, ...counts } = row;
          expect(counts).toEqual(recount(entries, period, jurisdiction));
        }
        // Every demand and action landed in some row.
        expect(report.totals.demandsReceived).toBe(entries.filter((e) => e.type === 'demand.recorded').length);
        expect(report.totals.dataHandedOver).toBe(0);
        expect(report.totals.accountsSuspendedByDemand).toBe(0);
        expect(reportToCsv(report).split('\r\n').length).toBe(report.rows.length + 2);
      }),
      { numRuns: 200 },
    );
  });

  it('buckets by UTC half-year', () => {
    expect(halfYear(Date.UTC(2026, 5, 30, 23, 59))).toBe('2026-H1');
    expect(halfYear(Date.UTC(2026, 6, 1))).toBe('2026-H2');
  });
});
