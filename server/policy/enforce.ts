/**
 * What an approved demand does to live meetings, and the preview of it. Every participant
 * acted on passes inScope(); every removal is on the log (write-ahead) before it happens.
 */
import type { LiveParticipant } from '../meetings/index.js';
import { targetsMeeting, targetsParticipant, type PolicyContext, type PolicyPort } from './context.js';
import { enforcementEntry, hostNotice, hostNoticeEntry, legalNotice, noActionEntry, recordedIndex } from './entries.js';
import { inScope } from './scope.js';
import type { Demand, DemandOutcome, MeetingHost, RemotePresence } from './types.js';
import type { ImpactPreview, MeetingImpact } from '../../protocol/policy.js';
import type { LogEntry } from '../../protocol/transparency.js';

export type { ImpactPreview, MeetingImpact } from '../../protocol/policy.js';

interface Plan {
  impacts: MeetingImpact[];
  accountSessions: number;
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
  const view = ctx.cluster;
  if (!view) return undefined;
  if (d.targets.titlePattern === null && d.targets.meetings.length === 0) return new Map(); // accounts only: each node acts on its own sessions
  try {
    return await view.elsewhere(d.targets.titlePattern === null ? d.targets.meetings : null);
  } catch {
    return null;
  }
}

/**
 * Who the demand would act on now, for the preview: counts per meeting, on this node and (from
 * the roster mirror, refreshed once a second) on the others. Pure reading: nothing is logged or
 * changed, and nothing here decides an outcome — only the hosting node does (enforceDemand).
 */
export async function plan(ctx: PolicyContext, d: Demand): Promise<Plan> {
  const port = ctx.port();
  const remote = await elsewhere(ctx, d);
  const titleOf = await titles(ctx, d, [...new Set([...(port?.liveMeetingIds() ?? []), ...(remote?.keys() ?? [])])]);
  const meetingOf = (id: string) => ({ id, title: titleOf.get(id) ?? '' });
  // Only participants in scope and targeted become objects; everyone else is only counted.
  const live = port ? port.survey((meetingId, p) => inScope(d, p.location) && targetsParticipant(d, meetingOf(meetingId), p.userId)) : [];
  const liveIds = new Set<string>();
  const impacts: MeetingImpact[] = [];
  let accountSessions = 0;
  const there = (meetingId: string): { inJ: number; total: number } => {
    const ps = remote?.get(meetingId) ?? [];
    return { inJ: ps.filter((p) => inScope(d, p)).length, total: ps.length };
  };
  for (const { meetingId, size, kept } of live) {
    if (size === 0) continue;
    liveIds.add(meetingId);
    if (!targetsMeeting(d, meetingOf(meetingId))) {
      accountSessions += kept.length; // everyone kept is in scope and targeted by their account
      continue;
    }
    // A meeting split across nodes (Redis was down when it started) counts every part.
    const o = there(meetingId);
    const all = kept.length + o.inJ;
    impacts.push({
      meetingId,
      live: true,
      inJurisdiction: all,
      outside: size - kept.length + o.total - o.inJ,
      action: all > 0 ? 'remove' : 'no action needed',
    });
  }
  for (const meetingId of remote?.keys() ?? []) {
    if (liveIds.has(meetingId) || !targetsMeeting(d, meetingOf(meetingId))) continue;
    const o = there(meetingId);
    if (o.total === 0) continue;
    impacts.push({ meetingId, live: true, inJurisdiction: o.inJ, outside: o.total - o.inJ, action: o.inJ > 0 ? 'remove' : 'no action needed' });
  }
  for (const id of d.targets.meetings) {
    if (liveIds.has(id) || (remote?.get(id)?.length ?? 0) > 0) continue;
    impacts.push({ meetingId: id, live: false, inJurisdiction: 0, outside: 0, action: 'no action needed' });
  }
  return { impacts, accountSessions };
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

/** One removal pass on this node: log (write-ahead), remove, tell hosts. Returns removals per meeting. */
async function removeHere(ctx: PolicyContext, port: PolicyPort, d: Demand, handled: Set<string>, liveTargeted: Set<string>): Promise<Map<string, number>> {
  const titleOf = await titles(ctx, d, port.liveMeetingIds());
  const meetingOf = (id: string) => ({ id, title: titleOf.get(id) ?? '' });
  const live = port.survey((meetingId, p) => inScope(d, p.location) && targetsParticipant(d, meetingOf(meetingId), p.userId));
  const perMeeting = new Map<string, LiveParticipant[]>();
  for (const { meetingId, size, kept } of live) {
    if (size > 0 && targetsMeeting(d, meetingOf(meetingId))) liveTargeted.add(meetingId);
    const fresh = kept.filter((p) => !handled.has(p.participantId));
    if (fresh.length > 0) perMeeting.set(meetingId, fresh);
  }
  const at = ctx.now();
  const entries: LogEntry[] = [];
  const hosts = new Map<string, number>(); // meeting → position of its host notice entry
  const positions = new Map<string, number>(); // participant → position of their removal entry
  for (const [meetingId, removed] of perMeeting) {
    const mp = ctx.log.pseudonym('meeting', meetingId, String(d.id)); // once per meeting, not per person
    for (const r of removed) {
      positions.set(r.participantId, entries.length);
      entries.push(enforcementEntry(ctx, d, 'enforcement.removed', meetingId, r.participantId, r.location, at, mp));
    }
    const host = port.hostOf(meetingId) ?? (await ctx.meetings.get(meetingId))?.hostUserId;
    if (host) {
      hosts.set(meetingId, entries.length);
      entries.push(hostNoticeEntry(ctx, d, meetingId, host, removed.length, at, mp));
    }
  }
  const recorded: unknown = entries.length > 0 ? await ctx.log.appendMany(entries) : [];
  // Recorded: now act. Each removed person's notice names their own entry (their receipt).
  const removals = [...perMeeting.values()].flat();
  for (const r of removals) handled.add(r.participantId);
  const notice = legalNotice(d, at);
  for (const r of removals) {
    const index = recordedIndex(recorded, positions.get(r.participantId) ?? -1);
    for (const _ of port.removeManyForPolicy([r], index === undefined ? notice : { ...notice, entryIndex: index })) ctx.onAction?.('removed', d.jurisdiction);
  }
  for (const [meetingId, removed] of perMeeting) {
    const position = hosts.get(meetingId);
    if (position === undefined) continue;
    const index = recordedIndex(recorded, position);
    port.notifyHosts(meetingId, index === undefined ? hostNotice(d, removed.length, at) : { ...hostNotice(d, removed.length, at), entryIndex: index });
  }
  return new Map([...perMeeting].map(([m, list]) => [m, list.length]));
}

/** Who hosts a meeting: on one node, this one; on a cluster, whichever holds its placement claim. */
async function hostOf(ctx: PolicyContext, meetingId: string): Promise<MeetingHost> {
  if (!ctx.cluster) return 'here';
  try {
    return await ctx.cluster.claimHost(meetingId);
  } catch {
    return 'unknown';
  }
}

/**
 * Act on an approved demand on this node: remove (logged first) every participant here located
 * in the jurisdiction, in two passes (the second catches joins evaluated before the demand was
 * active), then decide the outcome of each targeted meeting this node hosts, from its own live
 * state: "removed" with the count, or "no action needed" (logged). A meeting hosted on another
 * node is that node's to decide; one whose host cannot be known now (Redis down) gets no "no
 * action needed" here. `approving`: this node approved the demand, so it also decides for the
 * meetings the demand names that are live nowhere (it claims them: a later join comes here and
 * is refused). Each node runs this once per demand, so each (demand, meeting) is decided once.
 */
export async function enforceDemand(ctx: PolicyContext, d: Demand, opts: { approving: boolean }): Promise<DemandOutcome[]> {
  const port = ctx.port();
  if (!port) return [];
  const handled = new Set<string>();
  const liveTargeted = new Set<string>();
  const removed = await removeHere(ctx, port, d, handled, liveTargeted);
  await new Promise((r) => setImmediate(r));
  for (const [m, n] of await removeHere(ctx, port, d, handled, liveTargeted)) removed.set(m, (removed.get(m) ?? 0) + n);
  const at = ctx.now();
  const candidates = new Set([...liveTargeted, ...(opts.approving ? d.targets.meetings : [])]);
  const noAction: string[] = [];
  for (const m of candidates) if (!removed.has(m) && (await hostOf(ctx, m)) === 'here') noAction.push(m);
  if (noAction.length > 0) await ctx.log.appendMany(noAction.map((m) => noActionEntry(ctx, d, m, at)));
  return [
    ...[...removed].map(([meetingId, count]) => ({ meetingId, outcome: 'removed' as const, count, at })),
    ...noAction.map((meetingId) => ({ meetingId, outcome: 'no-action' as const, count: 0, at })),
  ];
}
