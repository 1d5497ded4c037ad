/**
 * The policy engine: the AdmissionPolicy that meetings/ asks before anyone enters, and the
 * commands behind the policy REST routes. It acts on live meetings only through the
 * EnforcementPort (list, remove with a notice, tell hosts) — it cannot end a meeting or touch
 * an account because of a demand.
 */
import type { LogEntry } from '../../protocol/transparency.js';
import type { AdmissionDecision, AdmissionPolicy, EnforcementPort, MeetingRecord } from '../meetings/index.js';
import { assertMayHost, setAccountPolicies, setAccountStatus, signupGuard, type HostingUser } from './account-policy.js';
import { notify, RESTRICTION_SCOPE, OPERATOR_SCOPE, restrictionKey, targetsParticipant, type PolicyAccounts, type PolicyContext } from './context.js';
import { approveDemand, attachDocument, expireDue, liftDemand, recordDemand, rejectDemand } from './demands.js';
import { previewImpact } from './enforce.js';
import { enforcementEntry, hostNotice, hostNoticeEntry, legalNotice } from './entries.js';
import { OPEN_RESTRICTION, restrictionDecision } from './restrictions.js';
import { country } from './schemas.js';
import { inScope } from './scope.js';
import type { ClusterRosterView, Demand, PolicyHooks, PolicyLog, PolicyStore, Restriction, RestrictionScope } from './types.js';
import type { DemandInput } from './schemas.js';
import type { DemandDocument } from './types.js';

export interface PolicyDeps {
  store: PolicyStore;
  log: PolicyLog;
  /** Meeting records (meetings/ MeetingStore). */
  meetings: { get(id: string): Promise<MeetingRecord | null> };
  accounts?: PolicyAccounts;
  now?: () => number;
  /** How often approved demands are checked for expiry; default 5000 ms, 0 = no timer. */
  expiryCheckMs?: number;
  /** Metrics hook (parley_enforcement_actions_total). */
  onAction?: (action: 'refused' | 'removed', jurisdiction: string) => void;
  /** Observers of committed policy changes (more can be added with engine.addHooks). */
  hooks?: PolicyHooks;
}

type Evaluation = Parameters<AdmissionPolicy['evaluate']>[0];

export function createPolicyEngine(deps: PolicyDeps) {
  let port: EnforcementPort | null = null;
  let timer: NodeJS.Timeout | null = null;
  const ctx: PolicyContext = {
    store: deps.store,
    log: deps.log,
    meetings: deps.meetings,
    accounts: deps.accounts ?? null,
    now: deps.now ?? Date.now,
    port: () => port,
    active: new Map(),
    restrictions: new Map(),
    accountPolicies: new Map(),
    onAction: deps.onAction,
    hooks: deps.hooks ? [deps.hooks] : [],
    clusterRoster: null,
  };

  function expireSoon(): void {
    expireDue(ctx).catch(() => undefined); // retried by the timer; an expired demand is already ignored
  }

  /** The demand (if any) that refuses this participant here. Goes through inScope(), always. */
  function matchingDemand(meeting: MeetingRecord, userId: string | null, location: Evaluation['participant']['location']): Demand | null {
    const now = ctx.now();
    for (const d of ctx.active.values()) {
      if (d.expiresAt !== null && d.expiresAt <= now) {
        expireSoon();
        continue;
      }
      if (inScope(d, location) && targetsParticipant(d, meeting, userId)) return d;
    }
    return null;
  }

  async function evaluate(input: Evaluation): Promise<AdmissionDecision> {
    const { meeting, participant, trigger } = input;
    const d = ctx.active.size > 0 ? matchingDemand(meeting, participant.userId, participant.location) : null;
    if (d) {
      const at = ctx.now();
      const type = trigger === 'join' ? 'enforcement.refused' : 'enforcement.removed';
      const entries: LogEntry[] = [enforcementEntry(ctx, d, type, meeting.id, participant.participantId, participant.location, at)];
      const live = port?.listParticipants(meeting.id) ?? [];
      if (live.length > 0) entries.push(hostNoticeEntry(ctx, d, meeting.id, meeting.hostUserId, 1, at));
      await ctx.log.appendMany(entries); // write-ahead: the deny exists on the record before it is returned
      if (live.length > 0) port?.notifyHosts(meeting.id, hostNotice(d, 1, at));
      ctx.onAction?.(trigger === 'join' ? 'refused' : 'removed', d.jurisdiction);
      return {
        effect: 'deny',
        rule: `demand:${d.id}`,
        reason: `legal demand ${d.id} applies to participants located in ${d.jurisdiction}`,
        notice: legalNotice(d, at),
      };
    }
    const r = restrictionDecision(ctx, meeting, participant.location);
    if (r) return { effect: 'deny', ...r };
    return { effect: 'allow' };
  }

  /** Re-run admission for live participants of the meetings `which` selects; remove on deny. */
  async function recheck(which: (m: MeetingRecord) => boolean): Promise<number> {
    if (!port) return 0;
    let removed = 0;
    for (const meetingId of port.liveMeetingIds()) {
      const meeting = await ctx.meetings.get(meetingId);
      if (!meeting || !which(meeting)) continue;
      for (const p of port.listParticipants(meetingId)) {
        const decision = await evaluate({ meeting, participant: p, trigger: 'rule-change' });
        if (decision.effect === 'deny' && port.removeForPolicy(meetingId, p.participantId, decision.notice)) removed++;
      }
    }
    return removed;
  }

  async function setRestriction(
    scope: RestrictionScope,
    subject: string,
    input: Restriction,
    by: { userId: string; asOperator: boolean },
  ): Promise<Restriction> {
    const countries = [...new Set(input.countries.map((c, i) => country(c, `countries.${i}`)))].sort();
    const r: Restriction = { mode: input.mode, countries, unknown: input.unknown };
    const subjectPseudonym = scope === 'instance' ? null : ctx.log.pseudonym(scope === 'account' ? 'account' : 'meeting', subject, RESTRICTION_SCOPE);
    await ctx.log.append({
      v: 1,
      type: 'restriction.changed',
      at: ctx.now(),
      scope,
      subject: subjectPseudonym,
      mode: r.mode,
      countries: r.countries,
      unknown: r.unknown,
      by: by.asOperator ? ctx.log.pseudonym('operator', by.userId, OPERATOR_SCOPE) : ctx.log.pseudonym('account', by.userId, RESTRICTION_SCOPE),
    });
    await ctx.store.putRestriction({ ...r, scope, subject, updatedBy: by.userId, updatedAt: ctx.now() });
    ctx.restrictions.set(restrictionKey(scope, subject), r);
    notify(ctx, (h) => h.restrictionChanged?.(scope, subject));
    await recheck((m) => scope === 'instance' || (scope === 'account' ? m.hostUserId === subject : m.id === subject));
    return r;
  }

  return {
    evaluate,
    ctx,
    /** Give the engine its one handle on live meetings (the RoomManager). */
    attachPort(p: EnforcementPort): void {
      port = p;
    },
    /** [cluster] Observe committed changes (demand transitions, restrictions, account policy). Returns a detach. */
    addHooks(h: PolicyHooks): () => void {
      ctx.hooks.push(h);
      return () => void ctx.hooks.splice(ctx.hooks.indexOf(h) >>> 0, 1);
    },
    /** [cluster] Let approvals and previews see meetings live on other nodes (the roster mirror). */
    attachClusterRoster(view: ClusterRosterView | null): void {
      ctx.clusterRoster = view;
    },
    /** Load what is in force from storage and start the expiry timer. */
    async start(): Promise<void> {
      ctx.active.clear();
      for (const d of await ctx.store.listDemandsInState('approved')) ctx.active.set(d.id, d);
      ctx.restrictions.clear();
      for (const r of await ctx.store.listRestrictions()) ctx.restrictions.set(restrictionKey(r.scope, r.subject), r);
      ctx.accountPolicies.clear();
      for (const p of await ctx.store.listAccountPolicies()) ctx.accountPolicies.set(p.country, p);
      const every = deps.expiryCheckMs ?? 5000;
      if (every > 0 && !timer) {
        timer = setInterval(expireSoon, every);
        timer.unref();
      }
    },
    close(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
    // demands
    recordDemand: (input: DemandInput, by: string, doc: DemandDocument | null) => recordDemand(ctx, input, by, doc),
    attachDocument: (id: number, doc: DemandDocument) => attachDocument(ctx, id, doc),
    approveDemand: (id: number, by: string) => approveDemand(ctx, id, by),
    rejectDemand: (id: number, by: string, reason?: string) => rejectDemand(ctx, id, by, reason),
    liftDemand: (id: number, by: string, reason?: string) => liftDemand(ctx, id, by, reason),
    expireDue: () => expireDue(ctx),
    async previewImpact(id: number) {
      const d = await ctx.store.getDemand(id);
      return d ? previewImpact(ctx, d) : null;
    },
    // restrictions
    getRestriction: (scope: RestrictionScope, subject: string): Restriction => ctx.restrictions.get(restrictionKey(scope, subject)) ?? OPEN_RESTRICTION,
    setRestriction,
    // accounts
    signupGuard: signupGuard(ctx),
    assertMayHost: (user: HostingUser, location?: Evaluation['participant']['location']) => assertMayHost(ctx, user, location),
    listAccountPolicies: () => [...ctx.accountPolicies.values()].sort((a, b) => a.country.localeCompare(b.country)),
    setAccountPolicies: (rows: Parameters<typeof setAccountPolicies>[1], by: string) => setAccountPolicies(ctx, rows, by),
    setAccountStatus: (userId: string, status: 'active' | 'suspended', reason: string, by: string) => setAccountStatus(ctx, userId, status, reason, by),
  };
}

export type PolicyEngine = ReturnType<typeof createPolicyEngine>;
