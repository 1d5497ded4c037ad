/**
 * What an approved demand does to live meetings, and the preview of it. Every participant
 * acted on passes inScope(); every removal is on the log (write-ahead) before it happens.
 */
import type { LiveParticipant } from '../meetings/index.js';
import { targetsMeeting, targetsParticipant, type PolicyContext } from './context.js';
import { enforcementEntry, hostNotice, hostNoticeEntry, legalNotice, noActionEntry } from './entries.js';
import { inScope } from './scope.js';
import type { Demand, DemandOutcome, RemotePresence } from './types.js';
import type { ImpactPreview, MeetingImpact } from '../../protocol/policy.js';
import type { LogEntry } from '../../protocol/transparency.js';

export type { ImpactPreview, MeetingImpact } from '../../protocol/policy.js';

interface Plan {
  /** participant → meeting, for every live participant the demand acts on (on this node). */
  removals: LiveParticipant[];
  /** Targeted meetings (live or named) with nobody from the jurisdiction, on any node. */
  noAction: string[];
  impacts: MeetingImpact[];
  accountSessions: number;
  /** [cluster] Participants in the jurisdiction in targeted meetings on other nodes (they remove them). */
  elsewhereInJurisdiction: number;
}

async function titles(ctx: PolicyContext, d: Demand, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  // Titles are only needed to match a title pattern (or for the preview); skip the reads otherwise.
  if (d.targets.titlePattern === null) return out;
  for (const id of ids) {
    const m = await ctx.meetings.get(id);
    if (m) out.set(id, m.title);
  }
  return out;
}

/**
 * [cluster] Targeted meetings' participants on other nodes, from the roster mirror: undefined
 * on a single node, null when the mirror cannot be read now.
 */
async function elsewhere(ctx: PolicyContext, d: Demand): Promise<Map<string, RemotePresence[]> | null | undefined> {
  const view = ctx.clusterRoster;
  if (!view) return undefined;
  if (d.targets.titlePattern === null && d.targets.meetings.length === 0) return new Map(); // accounts only: each node acts on its own sessions
  try {
    return await view.elsewhere(d.targets.titlePattern === null ? d.targets.meetings : null);
  } catch {
    return null;
  }
}

/** Who the demand would act on now. Pure reading: nothing is logged or changed. */
export async function plan(ctx: PolicyContext, d: Demand, skip: ReadonlySet<string> = new Set()): Promise<Plan> {
  const port = ctx.port();
  const remote = await elsewhere(ctx, d);
  const titleOf = await titles(ctx, d, [...new Set([...(port?.liveMeetingIds() ?? []), ...(remote?.keys() ?? [])])]);
  const meetingOf = (id: string) => ({ id, title: titleOf.get(id) ?? '' });
  // Only participants in scope and targeted become objects; everyone else is only counted.
  const live = port ? port.survey((meetingId, p) => inScope(d, p.location) && targetsParticipant(d, meetingOf(meetingId), p.userId)) : [];
  const liveIds = new Set<string>();
  const removals: LiveParticipant[] = [];
  const impacts: MeetingImpact[] = [];
  const noAction: string[] = [];
  let accountSessions = 0;
  let elsewhereInJurisdiction = 0;
  const there = (meetingId: string): { inJ: number; total: number } => {
    const ps = remote?.get(meetingId) ?? [];
    return { inJ: ps.filter((p) => inScope(d, p)).length, total: ps.length };
  };
  for (const { meetingId, size, kept } of live) {
    if (size === 0) continue;
    liveIds.add(meetingId);
    const meetingTargeted = targetsMeeting(d, meetingOf(meetingId));
    for (const p of kept) if (!skip.has(p.participantId)) removals.push(p);
    // Everyone kept is in scope and targeted: by this meeting, or else by their account.
    const inJ = meetingTargeted ? kept.length : 0;
    if (!meetingTargeted) accountSessions += kept.length;
    if (meetingTargeted) {
      // A meeting split across nodes (Redis was down when it started) counts every part.
      const o = there(meetingId);
      elsewhereInJurisdiction += o.inJ;
      const all = inJ + o.inJ;
      impacts.push({
        meetingId,
        live: true,
        inJurisdiction: all,
        outside: size - inJ + o.total - o.inJ,
        action: all > 0 ? 'remove' : 'no action needed',
      });
      if (all === 0) noAction.push(meetingId);
    }
  }
  // [cluster] Targeted meetings live only on other nodes: those nodes remove (and log) their own
  // participants; "no action needed" is recorded here only when nobody there is in the jurisdiction.
  for (const meetingId of remote?.keys() ?? []) {
    if (liveIds.has(meetingId) || !targetsMeeting(d, { id: meetingId, title: titleOf.get(meetingId) ?? '' })) continue;
    const o = there(meetingId);
    if (o.total === 0) continue;
    elsewhereInJurisdiction += o.inJ;
    impacts.push({
      meetingId,
      live: true,
      inJurisdiction: o.inJ,
      outside: o.total - o.inJ,
      action: o.inJ > 0 ? 'remove' : 'no action needed',
    });
    if (o.inJ === 0) noAction.push(meetingId);
  }
  for (const id of d.targets.meetings) {
    if (liveIds.has(id) || (remote?.get(id)?.length ?? 0) > 0) continue;
    impacts.push({ meetingId: id, live: false, inJurisdiction: 0, outside: 0, action: 'no action needed' });
    // With a cluster whose roster mirror cannot be read now, the meeting may be live elsewhere:
    // then nothing is recorded for it here rather than a "no action needed" that may be false.
    if (remote !== null) noAction.push(id);
  }
  return { removals, noAction, impacts, accountSessions, elsewhereInJurisdiction };
}

/**
 * What the second person sees before deciding: counts per meeting the demand names by id, and
 * only counts for meetings matched by its title pattern (never their ids or titles); nothing
 * per account or email, and targeted accounts' sessions elsewhere are not counted at all (a
 * count for a demand naming one email would say whether that person is online there now).
 */
export async function previewImpact(ctx: PolicyContext, d: Demand): Promise<ImpactPreview> {
  const p = await plan(ctx, d);
  const named = new Set(d.targets.meetings);
  const inJurisdiction = p.impacts.reduce((n, m) => n + m.inJurisdiction, 0);
  const patternMatched = { meetings: 0, inJurisdiction: 0, outside: 0 };
  for (const m of p.impacts) {
    if (named.has(m.meetingId)) continue;
    patternMatched.meetings++;
    patternMatched.inJurisdiction += m.inJurisdiction;
    patternMatched.outside += m.outside;
  }
  return {
    demandId: d.id,
    jurisdiction: d.jurisdiction,
    meetings: p.impacts.filter((m) => named.has(m.meetingId)),
    patternMatched,
    totals: { inJurisdiction, outsideAffected: 0 },
    summary: `${inJurisdiction} participant(s) located in ${d.jurisdiction} would be removed; 0 participants outside ${d.jurisdiction} affected.`,
  };
}

/**
 * Act on an approved demand: log every removal (with the participant's notice) and host notice
 * in one atomic append, then remove, then tell hosts; then log the "no action needed"
 * outcomes. Returns the outcomes per meeting. A second pass catches anyone whose join was
 * evaluated before the demand became active.
 */
export async function enforceDemand(ctx: PolicyContext, d: Demand, withNoAction = true, skip = new Set<string>()): Promise<DemandOutcome[]> {
  const port = ctx.port();
  if (!port) return [];
  const p = await plan(ctx, d, skip);
  const at = ctx.now();
  const perMeeting = new Map<string, LiveParticipant[]>();
  for (const r of p.removals) {
    const list = perMeeting.get(r.meetingId);
    if (list) list.push(r);
    else perMeeting.set(r.meetingId, [r]);
  }
  const entries: LogEntry[] = [];
  const hosts = new Map<string, string>();
  for (const [meetingId, removed] of perMeeting) {
    const mp = ctx.log.pseudonym('meeting', meetingId, String(d.id)); // once per meeting, not per person
    for (const r of removed) entries.push(enforcementEntry(ctx, d, 'enforcement.removed', meetingId, r.participantId, r.location, at, mp));
    const host = port.hostOf(meetingId) ?? (await ctx.meetings.get(meetingId))?.hostUserId;
    if (host) {
      hosts.set(meetingId, host);
      entries.push(hostNoticeEntry(ctx, d, meetingId, host, removed.length, at, mp));
    }
  }
  if (entries.length > 0) await ctx.log.appendMany(entries);
  // Recorded: now act.
  const notice = legalNotice(d, at);
  for (const r of p.removals) skip.add(r.participantId);
  for (const _ of port.removeManyForPolicy(p.removals, notice)) ctx.onAction?.('removed', d.jurisdiction);
  for (const [meetingId, removed] of perMeeting) if (hosts.has(meetingId)) port.notifyHosts(meetingId, hostNotice(d, removed.length, at));
  // "No action needed" precedes no action, so it need not hold up the removals above: it is
  // built and appended after the notices have been written (they go out on the next tick).
  const noAction = withNoAction ? p.noAction : [];
  if (noAction.length > 0) {
    if (p.removals.length > 0) await new Promise((r) => setImmediate(r));
    await ctx.log.appendMany(noAction.map((m) => noActionEntry(ctx, d, m, at)));
  }
  const outcomes: DemandOutcome[] = [
    ...[...perMeeting].map(([meetingId, removed]) => ({ meetingId, outcome: 'removed' as const, count: removed.length, at })),
    ...noAction.map((meetingId) => ({ meetingId, outcome: 'no-action' as const, count: 0, at })),
  ];
  return outcomes;
}
