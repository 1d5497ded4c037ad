/**
 * The transparency report, computed only from log entries so anyone holding the log can
 * recompute it. Pure and browser-safe. Counting rules (also in docs/transparency.md):
 *  - every entry is bucketed by its own `at` (UTC half-year, e.g. 2026-H2) and jurisdiction;
 *    entries that carry no jurisdiction (decided/lifted/expired) use their demand's, or ZZ
 *    when the demand was never recorded;
 *  - asked / asks not performed: demands with at least one ask of that kind (not performed);
 *  - participants refused/removed: distinct (demand, participant) pairs in the bucket;
 *  - meetings affected: distinct (demand, meeting) pairs with a refusal or removal;
 *  - meetings where no action was needed: distinct (demand, meeting) no-action pairs;
 *  - data handed over is always 0: no entry type can record a handover because no path does one;
 *  - accounts suspended because of a demand counts suspensions carrying a demand id: 0 by
 *    construction (the entry schema refuses one).
 */
import { ASK_KINDS, type AskKind, type LogEntry } from '../../protocol/transparency.js';

export type AskCounts = Record<AskKind, number>;

export interface ReportRow {
  period: string;
  jurisdiction: string;
  demandsReceived: number;
  asked: AskCounts;
  asksNotPerformed: AskCounts;
  demandsApproved: number;
  demandsRejected: number;
  demandsLifted: number;
  demandsExpired: number;
  participantsRefused: number;
  participantsRemoved: number;
  meetingsAffected: number;
  meetingsNoAction: number;
  noticesSent: number;
  dataRequestsRefused: number;
  dataHandedOver: 0;
  accountsSuspendedByDemand: number;
}

export interface TransparencyReport {
  /** Number of entries the report was computed from. */
  entries: number;
  rows: ReportRow[];
  totals: Omit<ReportRow, 'period' | 'jurisdiction'>;
}

/** `YYYY-H1` (January–June, UTC) or `YYYY-H2`. */
export function halfYear(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-H${d.getUTCMonth() < 6 ? 1 : 2}`;
}

const zeroAsks = (): AskCounts => Object.fromEntries(ASK_KINDS.map((k) => [k, 0])) as AskCounts;

function emptyCounts(): Omit<ReportRow, 'period' | 'jurisdiction'> {
  return {
    demandsReceived: 0,
    asked: zeroAsks(),
    asksNotPerformed: zeroAsks(),
    demandsApproved: 0,
    demandsRejected: 0,
    demandsLifted: 0,
    demandsExpired: 0,
    participantsRefused: 0,
    participantsRemoved: 0,
    meetingsAffected: 0,
    meetingsNoAction: 0,
    noticesSent: 0,
    dataRequestsRefused: 0,
    dataHandedOver: 0,
    accountsSuspendedByDemand: 0,
  };
}

/** Distinct (demand, x) pairs, nested to avoid building a composite string per entry. */
class PairSet {
  readonly #byDemand = new Map<string, Set<string>>();

  /** True when the pair is new. */
  add(demandId: string, x: string): boolean {
    let set = this.#byDemand.get(demandId);
    if (!set) this.#byDemand.set(demandId, (set = new Set()));
    if (set.has(x)) return false;
    set.add(x);
    return true;
  }
}

interface Bucket {
  row: ReportRow;
  refused: PairSet;
  removed: PairSet;
  affected: PairSet;
  noAction: PairSet;
}

/** Incremental report: `add` entries in log order, `build` at any time. */
export class ReportBuilder {
  readonly #buckets = new Map<string, Bucket>();
  readonly #demandJurisdiction = new Map<string, string>();
  #entries = 0;
  #suspendedByDemand = 0;

  add(e: LogEntry): void {
    this.#entries++;
    switch (e.type) {
      case 'demand.recorded': {
        this.#demandJurisdiction.set(e.demandId, e.jurisdiction);
        const row = this.#bucket(e.at, e.jurisdiction).row;
        row.demandsReceived++;
        const kinds = new Set(e.asked.map((a) => a.kind));
        for (const k of kinds) row.asked[k]++;
        const refused = new Set(e.asked.filter((a) => !a.performed).map((a) => a.kind));
        for (const k of refused) row.asksNotPerformed[k]++;
        return;
      }
      case 'demand.decided': {
        const row = this.#bucket(e.at, this.#jurisdictionOf(e.demandId)).row;
        if (e.decision === 'approved') row.demandsApproved++;
        else row.demandsRejected++;
        return;
      }
      case 'demand.lifted':
        this.#bucket(e.at, this.#jurisdictionOf(e.demandId)).row.demandsLifted++;
        return;
      case 'demand.expired':
        this.#bucket(e.at, this.#jurisdictionOf(e.demandId)).row.demandsExpired++;
        return;
      case 'enforcement.refused':
      case 'enforcement.removed': {
        const b = this.#bucket(e.at, e.jurisdiction);
        if (e.type === 'enforcement.refused') {
          if (b.refused.add(e.demandId, e.participant)) b.row.participantsRefused++;
        } else if (b.removed.add(e.demandId, e.participant)) {
          b.row.participantsRemoved++;
        }
        if (b.affected.add(e.demandId, e.meeting)) b.row.meetingsAffected++;
        if (e.notice) b.row.noticesSent++; // the participant's notice, recorded with the action
        return;
      }
      case 'enforcement.no-action': {
        const b = this.#bucket(e.at, e.jurisdiction);
        if (b.noAction.add(e.demandId, e.meeting)) b.row.meetingsNoAction++;
        return;
      }
      case 'notice.sent': {
        const j = e.jurisdiction ?? (e.demandId === null ? 'ZZ' : this.#jurisdictionOf(e.demandId));
        this.#bucket(e.at, j).row.noticesSent++;
        return;
      }
      case 'data-request.refused':
        this.#bucket(e.at, e.jurisdiction).row.dataRequestsRefused++;
        return;
      case 'account.suspended': {
        const demandId = (e as { demandId?: unknown }).demandId;
        if (typeof demandId === 'string') {
          this.#suspendedByDemand++;
          this.#bucket(e.at, this.#jurisdictionOf(demandId)).row.accountsSuspendedByDemand++;
        }
        return;
      }
      // Recorded for the public, not counted in a report column (they are in `entries`).
      case 'account.reactivated':
      case 'restriction.changed':
      case 'account-policy.changed':
      case 'account.verification-changed':
      case 'demand.gag-ended':
      case 'demand.previewed':
      case 'geo.database-changed':
      case 'restriction.removed':
      case 'role.changed':
      case 'roster.viewed':
        return;
      default: {
        // Entries of a newer version than this code are counted in `entries` only.
        const _exhaustive: never = e;
      }
    }
  }

  build(): TransparencyReport {
    const rows = [...this.#buckets.values()]
      .map((b) => structuredClone(b.row))
      .sort((a, b) => a.period.localeCompare(b.period) || a.jurisdiction.localeCompare(b.jurisdiction));
    const totals = emptyCounts();
    for (const r of rows) {
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) {
        if (key === 'asked' || key === 'asksNotPerformed') {
          for (const k of ASK_KINDS) totals[key][k] += r[key][k];
        } else if (key !== 'dataHandedOver') {
          totals[key] += r[key];
        }
      }
    }
    totals.accountsSuspendedByDemand = this.#suspendedByDemand;
    return { entries: this.#entries, rows, totals };
  }

  // Half-year boundaries of the last entry: consecutive entries almost always share one.
  #periodStart = 0;
  #periodEnd = -1;
  #periodName = '';
  #period(at: number): string {
    if (at >= this.#periodStart && at < this.#periodEnd) return this.#periodName;
    const d = new Date(at);
    const y = d.getUTCFullYear();
    const h2 = d.getUTCMonth() >= 6;
    this.#periodStart = Date.UTC(y, h2 ? 6 : 0, 1);
    this.#periodEnd = h2 ? Date.UTC(y + 1, 0, 1) : Date.UTC(y, 6, 1);
    this.#periodName = `${y}-H${h2 ? 2 : 1}`;
    return this.#periodName;
  }

  #jurisdictionOf(demandId: string): string {
    return this.#demandJurisdiction.get(demandId) ?? 'ZZ';
  }

  #bucket(at: number, jurisdiction: string): Bucket {
    const period = this.#period(at);
    const key = `${period} ${jurisdiction}`;
    let b = this.#buckets.get(key);
    if (!b) {
      b = {
        row: { period, jurisdiction, ...emptyCounts() },
        refused: new PairSet(),
        removed: new PairSet(),
        affected: new PairSet(),
        noAction: new PairSet(),
      };
      this.#buckets.set(key, b);
    }
    return b;
  }
}

/** The report for a sequence of entries (in log order). */
export function computeReport(entries: Iterable<LogEntry>): TransparencyReport {
  const builder = new ReportBuilder();
  for (const e of entries) builder.add(e);
  return builder.build();
}

const SCALAR_COLUMNS = [
  'demandsReceived',
  'demandsApproved',
  'demandsRejected',
  'demandsLifted',
  'demandsExpired',
  'participantsRefused',
  'participantsRemoved',
  'meetingsAffected',
  'meetingsNoAction',
  'noticesSent',
  'dataRequestsRefused',
  'dataHandedOver',
  'accountsSuspendedByDemand',
] as const;

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/-/g, '_');

/** One CSV line per (period, jurisdiction), RFC 4180 quoting, CRLF line ends. */
export function reportToCsv(report: TransparencyReport): string {
  const header = [
    'period',
    'jurisdiction',
    ...SCALAR_COLUMNS.map(snake),
    ...ASK_KINDS.map((k) => `asked_${snake(k)}`),
    ...ASK_KINDS.map((k) => `not_performed_${snake(k)}`),
  ];
  const quote = (v: string | number): string => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [header.join(',')];
  for (const r of report.rows) {
    lines.push(
      [r.period, r.jurisdiction, ...SCALAR_COLUMNS.map((c) => r[c]), ...ASK_KINDS.map((k) => r.asked[k]), ...ASK_KINDS.map((k) => r.asksNotPerformed[k])]
        .map(quote)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
