/** Builders for the log entries and notices policy/ writes; one place for their shapes. */
import type { RemovalNotice } from '../../protocol/signaling.js';
import { BUILD_DATE_PATTERN, type LogEntry } from '../../protocol/transparency.js';
import type { HostNotice, ParticipantLocation } from '../meetings/index.js';
import { gagInForce, type PolicyContext } from './context.js';
import type { Demand } from './types.js';

/** The database build date in the form the log accepts (the entry is refused otherwise). */
function buildDate(raw: string): string {
  if (BUILD_DATE_PATTERN.test(raw)) return raw;
  const t = Date.parse(raw);
  return Number.isNaN(t) ? raw : new Date(t).toISOString();
}

/**
 * The notice a refused or removed participant gets: the authority and the demand's id only when
 * no gag is in force (with the id, the public log's demand.recorded could be looked up).
 */
export function legalNotice(d: Demand, now: number): RemovalNotice {
  const n: RemovalNotice = { kind: 'legal', jurisdiction: d.jurisdiction };
  if (!gagInForce(d, now)) {
    n.demandId = d.id;
    n.authority = d.authority;
  }
  return n;
}

export function hostNotice(d: Demand, count: number, now: number): HostNotice {
  const n: HostNotice = { kind: 'enforcement', count, jurisdiction: d.jurisdiction, demandId: d.id, at: now };
  if (!gagInForce(d, now)) n.authority = d.authority;
  return n;
}

/** enforcement.refused / .removed, with the notice the participant was given in the same entry. */
export function enforcementEntry(
  ctx: PolicyContext,
  d: Demand,
  type: 'enforcement.refused' | 'enforcement.removed',
  meetingId: string,
  participantId: string,
  location: ParticipantLocation,
  at: number,
  /** The meeting's pseudonym in this demand's scope, when the caller already has it. */
  meetingPseudonym?: string,
): LogEntry {
  const scope = String(d.id);
  return {
    v: 1,
    type,
    at,
    demandId: scope,
    meeting: meetingPseudonym ?? ctx.log.pseudonym('meeting', meetingId, scope),
    participant: ctx.log.pseudonym('participant', participantId, scope),
    jurisdiction: d.jurisdiction,
    evidence: { country: location.country ?? '', database: location.database.name, databaseBuildDate: buildDate(location.database.buildDate) },
    notice: { authorityNamed: !gagInForce(d, at) },
  };
}

export function hostNoticeEntry(
  ctx: PolicyContext,
  d: Demand,
  meetingId: string,
  hostUserId: string,
  count: number,
  at: number,
  meetingPseudonym?: string,
): LogEntry {
  const scope = String(d.id);
  return {
    v: 1,
    type: 'notice.sent',
    at,
    to: 'host',
    recipient: ctx.log.pseudonym('account', hostUserId, scope),
    meeting: meetingPseudonym ?? ctx.log.pseudonym('meeting', meetingId, scope),
    demandId: scope,
    jurisdiction: d.jurisdiction,
    authorityNamed: !gagInForce(d, at),
    count,
  };
}

export function noActionEntry(ctx: PolicyContext, d: Demand, meetingId: string, at: number): LogEntry {
  return {
    v: 1,
    type: 'enforcement.no-action',
    at,
    demandId: String(d.id),
    meeting: ctx.log.pseudonym('meeting', meetingId, String(d.id)),
    jurisdiction: d.jurisdiction,
    reason: `no participants located in ${d.jurisdiction}; the meeting was left alone`,
  };
}

/** The log index of the `i`-th entry of an appendMany result (the transparency log returns `{ index }` per entry); undefined otherwise. */
export function recordedIndex(recorded: unknown, i: number): number | undefined {
  if (!Array.isArray(recorded)) return undefined;
  const r: unknown = recorded[i];
  if (typeof r !== 'object' || r === null || !('index' in r)) return undefined;
  return typeof r.index === 'number' ? r.index : undefined;
}
