/**
 * Transparency-report generation over 1,000,000 entries (pure computeReport, plus CSV).
 * Run: npx tsx bench/report.ts [entries]
 */
import { ASK_KINDS, canonicalJson, type LogEntry } from '../protocol/transparency.js';
import { buildDemandRecorded, buildEnforcement, buildNoAction, fakePseudonym } from '../server/transparency/factories.js';
import { computeReport, reportToCsv } from '../server/transparency/report.js';

const N = Number(process.argv[2] ?? 1_000_000);
const J = ['CN', 'HK', 'MO', 'TW', 'RU', 'IR', 'TR', 'VN'] as const;
const T0 = Date.UTC(2024, 0, 1);

function entry(i: number): LogEntry {
  const demand = Math.floor(i / 50);
  const j = J[demand % J.length]!;
  const at = T0 + i * 60_000;
  const demandId = `d-${demand}`;
  if (i % 50 === 0) {
    const kind = ASK_KINDS[demand % ASK_KINDS.length]!;
    const performable = kind === 'block-participants' || kind === 'restrict-signup';
    return buildDemandRecorded({
      demandId,
      jurisdiction: j,
      at,
      asked: [performable ? { kind, performed: true } : { kind, performed: false, reason: 'never performed' }],
    });
  }
  if (i % 7 === 0) return buildNoAction({ demandId, jurisdiction: j, at, meeting: fakePseudonym('m', i % 300) });
  return buildEnforcement(i % 3 === 0 ? 'enforcement.refused' : 'enforcement.removed', {
    demandId,
    jurisdiction: j,
    at,
    meeting: fakePseudonym('m', i % 300),
    participant: fakePseudonym('p', i % 5000),
    evidence: { country: j, database: 'geo', databaseBuildDate: '2026-06-17' },
  });
}

let t0 = performance.now();
const texts = Array.from({ length: N }, (_, i) => canonicalJson(entry(i)));
console.log(`generated ${N} canonical entries in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
t0 = performance.now();
const parsed = texts.map((t) => JSON.parse(t) as LogEntry);
const parseMs = performance.now() - t0;
t0 = performance.now();
const report = computeReport(parsed);
const computeMs = performance.now() - t0;
t0 = performance.now();
const csv = reportToCsv(report);
const csvMs = performance.now() - t0;
console.log(`report at ${N} entries: parse ${(parseMs / 1000).toFixed(2)} s + computeReport ${(computeMs / 1000).toFixed(2)} s + CSV ${csvMs.toFixed(1)} ms`);
console.log(
  `  ${report.rows.length} (half-year, jurisdiction) rows, ${csv.length} CSV bytes; demands ${report.totals.demandsReceived}, removed ${report.totals.participantsRemoved}, refused ${report.totals.participantsRefused}`,
);
