/**
 * Changing a country restriction, as a command: a no-op writes nothing; otherwise
 * `restriction.changed` is appended, then one `restriction.removed` per participant the new rule
 * removes (pseudonymised, with the location evidence), and only then are they removed.
 * Instance restrictions reach every meeting, so they go through the second-person desk
 * (commands.ts) before this runs; host and meeting restrictions are the host's own choice.
 */
import { BUILD_DATE_PATTERN, type LogEntry } from '../../protocol/transparency.js';
import type { RemovalNotice } from '../../protocol/signaling.js';
import type { LiveParticipant, MeetingRecord } from '../meetings/index.js';
import { notify, OPERATOR_SCOPE, RESTRICTION_SCOPE, restrictionKey, type PolicyContext } from './context.js';
import { OPEN_RESTRICTION, restrictionDecision } from './restrictions.js';
import { country } from './schemas.js';
import type { Restriction, RestrictionScope } from './types.js';

/** Who changes a restriction: the requester, and for instance restrictions the second admin. */
export interface RestrictionActor {
  userId: string;
  asOperator: boolean;
  approvedBy?: string;
}

/** The restriction as stored: countries checked, deduplicated and sorted. */
export function normalizeRestriction(input: Restriction): Restriction {
  const countries = [...new Set(input.countries.map((c, i) => country(c, `countries.${i}`)))].sort();
  return { mode: input.mode, countries, unknown: input.unknown };
}

export function currentRestriction(ctx: PolicyContext, scope: RestrictionScope, subject: string): Restriction {
  return ctx.restrictions.get(restrictionKey(scope, subject)) ?? OPEN_RESTRICTION;
}

export function sameRestriction(a: Restriction, b: Restriction): boolean {
  return a.mode === b.mode && a.unknown === b.unknown && a.countries.length === b.countries.length && a.countries.every((c, i) => c === b.countries[i]);
}

function buildDate(raw: string): string {
  if (BUILD_DATE_PATTERN.test(raw)) return raw;
  const t = Date.parse(raw);
  return Number.isNaN(t) ? '1970-01-01' : new Date(t).toISOString();
}

/** Log first, then store and apply; returns how many participants were removed. */
export async function applyRestriction(ctx: PolicyContext, scope: RestrictionScope, subject: string, r: Restriction, by: RestrictionActor): Promise<number> {
  const at = ctx.now();
  const subjectPseudonym = scope === 'instance' ? null : ctx.log.pseudonym(scope === 'account' ? 'account' : 'meeting', subject, RESTRICTION_SCOPE);
  const changed: LogEntry = {
    v: 1,
    type: 'restriction.changed',
    at,
    scope,
    subject: subjectPseudonym,
    mode: r.mode,
    countries: r.countries,
    unknown: r.unknown,
    by: by.asOperator ? ctx.log.pseudonym('operator', by.userId, OPERATOR_SCOPE) : ctx.log.pseudonym('account', by.userId, RESTRICTION_SCOPE),
  };
  if (by.approvedBy !== undefined) changed.approvedBy = ctx.log.pseudonym('operator', by.approvedBy, OPERATOR_SCOPE);
  await ctx.log.append(changed);
  await ctx.store.putRestriction({ ...r, scope, subject, updatedBy: by.userId, updatedAt: at });
  ctx.restrictions.set(restrictionKey(scope, subject), r);
  notify(ctx, (h) => h.restrictionChanged?.(scope, subject));
  return removeRefused(ctx, scope, (m) => scope === 'instance' || (scope === 'account' ? m.hostUserId === subject : m.id === subject));
}

/**
 * Remove the live participants (of the meetings `which` selects) that the restrictions now in
 * force refuse: one `restriction.removed` each, appended together before anyone is removed.
 */
export async function removeRefused(ctx: PolicyContext, scope: RestrictionScope, which: (m: MeetingRecord) => boolean): Promise<number> {
  const port = ctx.port();
  if (!port) return 0;
  const out: { p: LiveParticipant; notice: RemovalNotice }[] = [];
  for (const meetingId of port.liveMeetingIds()) {
    const meeting = await ctx.meetings.get(meetingId);
    if (!meeting || !which(meeting)) continue;
    for (const p of port.listParticipants(meetingId)) {
      const decision = restrictionDecision(ctx, meeting, p.location);
      if (decision) out.push({ p, notice: decision.notice });
    }
  }
  if (out.length === 0) return 0;
  const at = ctx.now();
  await ctx.log.appendMany(
    out.map(({ p }) => ({
      v: 1 as const,
      type: 'restriction.removed' as const,
      at,
      scope,
      meeting: ctx.log.pseudonym('meeting', p.meetingId, RESTRICTION_SCOPE),
      participant: ctx.log.pseudonym('participant', p.participantId, RESTRICTION_SCOPE),
      evidence: {
        country: p.location.status === 'known' ? p.location.country : null,
        database: p.location.database.name,
        databaseBuildDate: buildDate(p.location.database.buildDate),
      },
    })),
  );
  let removed = 0;
  for (const { p, notice } of out) if (port.removeForPolicy(p.meetingId, p.participantId, notice)) removed++;
  return removed;
}
