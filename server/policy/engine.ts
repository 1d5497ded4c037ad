/**
 * The policy engine: the AdmissionPolicy that meetings/ asks before anyone enters, and the
 * commands behind the policy REST routes. It acts on live meetings only through the
 * EnforcementPort (list, remove with a notice, tell hosts) — it cannot end a meeting or touch
 * an account because of a demand.
 */
import type { LogEntry } from '../../protocol/transparency.js';
import type { AdmissionDecision, AdmissionPolicy, EnforcementPort, MeetingRecord } from '../meetings/index.js';
import { assertMayHost, signupGuard, type HostingUser, type setAccountPolicies } from './account-policy.js';
import { AppError } from '../../protocol/errors.js';
import type { InstanceRole } from '../accounts/index.js';
import { CommandDesk, RecentKeys, REFUSAL_WINDOW_MS, RoleLedger } from './commands.js';
import { OPERATOR_SCOPE, restrictionKey, targetsParticipant, type PolicyAccounts, type PolicyContext } from './context.js';
import {
  geoSwapGate,
  requestAccountPolicies,
  requestAccountStatus,
  requestGeoReload,
  requestInstanceRestriction,
  requestRoleChange,
  requestVerification,
  type GeoHandle,
  type OperatorAccounts,
  type PowerDeps,
} from './powers.js';
import { applyRestriction, currentRestriction, normalizeRestriction, sameRestriction, type RestrictionActor } from './restriction-commands.js';
import { approveDemand, attachDocument, expireDue, liftDemand, publishEndedGags, recordDemand, rejectDemand } from './demands.js';
import { previewImpact } from './enforce.js';
import { enforcementEntry, hostNotice, hostNoticeEntry, legalNotice } from './entries.js';
import { restrictionDecision } from './restrictions.js';
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
  /** Role grants and business verification (accounts/); without it those commands are refused. */
  operatorAccounts?: OperatorAccounts;
}

type Evaluation = Parameters<AdmissionPolicy['evaluate']>[0];

/**
 * What policy/ keeps of the handle it is given (the RoomManager, which can also end meetings):
 * a frozen object with exactly the operations a demand or restriction may use — survey, remove
 * with a notice, tell hosts. Nothing else of the room manager is reachable from here.
 */
export function narrowPort(p: EnforcementPort): EnforcementPort {
  return Object.freeze({
    listParticipants: (meetingId?: string) => p.listParticipants(meetingId),
    survey: (keep: Parameters<EnforcementPort['survey']>[0]) => p.survey(keep),
    removeForPolicy: (meetingId: string, participantId: string, notice: Parameters<EnforcementPort['removeForPolicy']>[2]) =>
      p.removeForPolicy(meetingId, participantId, notice),
    removeManyForPolicy: (removals: Parameters<EnforcementPort['removeManyForPolicy']>[0], notice: Parameters<EnforcementPort['removeManyForPolicy']>[1]) =>
      p.removeManyForPolicy(removals, notice),
    notifyHosts: (meetingId: string, notice: Parameters<EnforcementPort['notifyHosts']>[1]) => p.notifyHosts(meetingId, notice),
    liveMeetingIds: () => p.liveMeetingIds(),
    hostOf: (meetingId: string) => p.hostOf(meetingId),
  });
}

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
  function onTick(): void {
    expireSoon();
    publishEndedGags(ctx).catch(() => undefined); // retried on the next tick
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

  const refusals = new RecentKeys(REFUSAL_WINDOW_MS);

  async function evaluate(input: Evaluation): Promise<AdmissionDecision> {
    const { meeting, participant, trigger } = input;
    const d = ctx.active.size > 0 ? matchingDemand(meeting, participant.userId, participant.location) : null;
    if (d) {
      const at = ctx.now();
      const type = trigger === 'join' ? 'enforcement.refused' : 'enforcement.removed';
      // A refused join retried from the same account or address within the window is refused
      // again without a new entry or host notice: one person retrying cannot spam hosts or
      // inflate the report (it counts people, not attempts). The first refusal is on the record.
      if (trigger === 'join' && refusals.seen(`${d.id}\n${meeting.id}\n${participant.userId ?? participant.location.address}`, at)) {
        return {
          effect: 'deny',
          rule: `demand:${d.id}`,
          reason: `legal demand ${d.id} applies to participants located in ${d.jurisdiction}`,
          notice: legalNotice(d, at),
        };
      }
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

  /**
   * Change a restriction (the command itself: for the instance it runs after the second admin's
   * approval). A no-op changes and logs nothing; otherwise logged, then applied, then each
   * participant it removes is logged (restriction.removed) and removed.
   */
  async function setRestriction(scope: RestrictionScope, subject: string, input: Restriction, by: RestrictionActor): Promise<Restriction> {
    const r = normalizeRestriction(input);
    if (sameRestriction(r, currentRestriction(ctx, scope, subject))) return r;
    await applyRestriction(ctx, scope, subject, r, by);
    return r;
  }

  const ledger = new RoleLedger();
  const desk = new CommandDesk(() => ctx.now(), ledger);
  const powers: PowerDeps = { ctx, desk, ledger, accounts: deps.operatorAccounts ?? null };
  let geo: GeoHandle | null = null;

  return {
    evaluate,
    ctx,
    /** Give the engine its one handle on live meetings (the RoomManager). */
    attachPort(p: EnforcementPort): void {
      port = narrowPort(p);
    },
    /** [cluster] An admin looked at which node holds a meeting's participants: logged before it is answered. */
    async recordRosterView(meetingId: string, by: string): Promise<void> {
      await ctx.log.append({
        v: 1,
        type: 'roster.viewed',
        at: ctx.now(),
        meeting: ctx.log.pseudonym('meeting', meetingId, OPERATOR_SCOPE),
        by: ctx.log.pseudonym('operator', by, OPERATOR_SCOPE),
      });
    },
    /** Put every location database swap behind the write-ahead gate, and let the API request swaps. */
    attachLocator(g: GeoHandle): void {
      geo = g;
      g.setSwapGate(geoSwapGate(ctx));
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
        timer = setInterval(onTick, every);
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
    approveDemand: (id: number, by: string) => approveDemand(ctx, id, by, (a, b) => ledger.linked(a, b)),
    rejectDemand: (id: number, by: string, reason?: string) => rejectDemand(ctx, id, by, reason),
    liftDemand: (id: number, by: string, reason?: string) => liftDemand(ctx, id, by, reason),
    expireDue: () => expireDue(ctx),
    /** Publish demand.gag-ended for every gag whose end date has passed (the timer calls it). */
    publishEndedGags: () => publishEndedGags(ctx),
    /** Counts only, for a demand awaiting approval; logged (demand.previewed) before it is computed. */
    async previewImpact(id: number, by: string) {
      const d = await ctx.store.getDemand(id);
      if (!d) return null;
      if (d.state !== 'recorded')
        throw new AppError('DEMAND_STATE', 'Only a demand awaiting approval can be previewed.', { state: d.state, allowed: ['recorded'] });
      if (d.recordedBy === by) throw new AppError('SELF_APPROVAL', 'The preview is for the second person, who decides on the demand.');
      await ctx.log.append({ v: 1, type: 'demand.previewed', at: ctx.now(), demandId: String(id), by: ctx.log.pseudonym('operator', by, OPERATOR_SCOPE) });
      return previewImpact(ctx, d);
    },
    // restrictions
    getRestriction: (scope: RestrictionScope, subject: string): Restriction => currentRestriction(ctx, scope, subject),
    setRestriction,
    requestInstanceRestriction: (input: Restriction, by: string) => requestInstanceRestriction(powers, input, by),
    // second-person commands (docs/powers.md)
    requestRoleChange: (userId: string, roles: InstanceRole[], by: string) => requestRoleChange(powers, userId, roles, by),
    requestVerification: (userId: string, verified: boolean, by: string) => requestVerification(powers, userId, verified, by),
    requestGeoReload: (path: string | undefined, by: string) => requestGeoReload(powers, geo, path, by),
    requestAccountStatus: (userId: string, status: 'active' | 'suspended', reason: string, by: string) =>
      requestAccountStatus(powers, userId, status, reason, by),
    requestAccountPolicies: (rows: Parameters<typeof setAccountPolicies>[1], by: string) => requestAccountPolicies(powers, rows, by),
    pendingCommands: () => desk.list(),
    approveCommand: (id: string, by: string) => desk.approve(id, by),
    rejectCommand: (id: string) => desk.reject(id),
    // accounts
    signupGuard: signupGuard(ctx),
    assertMayHost: (user: HostingUser, location?: Evaluation['participant']['location']) => assertMayHost(ctx, user, location),
    listAccountPolicies: () => [...ctx.accountPolicies.values()].sort((a, b) => a.country.localeCompare(b.country)),
  };
}

export type PolicyEngine = ReturnType<typeof createPolicyEngine>;
