/**
 * The policy engine: the AdmissionPolicy that meetings/ asks before anyone enters, and the
 * commands behind the policy REST routes. It acts on live meetings only through a frozen
 * PolicyPort (survey, remove with a notice, tell hosts) — it cannot end a meeting or touch an
 * account because of a demand. Its state is private: other domains get the PolicyEngine
 * interface below, and the cluster reconciles through reloadFromStore / enforceApproved.
 */
import type { LogEntry } from '../../protocol/transparency.js';
import type { AdmissionDecision, AdmissionPolicy, EnforcementPort, MeetingRecord } from '../meetings/index.js';
import { assertMayHost, signupGuard, type HostingUser, type setAccountPolicies } from './account-policy.js';
import type { SignupGuard } from '../accounts/index.js';
import type { AccountPolicyRow, DemandAction } from '../../protocol/policy.js';
import { commandRunner } from './command-runner.js';
import { reloadFromStore, type Reloaded } from './reload.js';
import type { InstanceRole } from '../accounts/index.js';
import { CommandDesk, RecentKeys, REFUSAL_WINDOW_MS, RoleLedger, type PendingCommand } from './commands.js';
import { OPERATOR_SCOPE, restrictionKey, targetsParticipant, type PolicyAccounts, type PolicyContext, type PolicyPort } from './context.js';
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
  type Requested,
} from './powers.js';
import { applyRestriction, currentRestriction, normalizeRestriction, sameRestriction, type RestrictionActor } from './restriction-commands.js';
import { allowedDemandActions, demandActionRefusal } from './demand-guards.js';
import { approveDemand, attachDocument, expireDue, liftDemand, publishEndedGags, recordDemand, rejectDemand } from './demands.js';
import { enforceDemand, previewImpact, type ImpactPreview } from './enforce.js';
import { enforcementEntry, hostNotice, hostNoticeEntry, legalNotice, recordedIndex } from './entries.js';
import { restrictionDecision } from './restrictions.js';
import { inScope } from './scope.js';
import type { AccountPolicy, ClusterView, Demand, DemandOutcome, PolicyHooks, PolicyLog, PolicyStore, Restriction, RestrictionScope } from './types.js';
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
export function narrowPort(p: EnforcementPort): PolicyPort {
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

/** How long an approval waits for the other nodes to report their outcomes before it answers. */
export const OUTCOME_WAIT_MS = 3000;

type Outcomes = DemandOutcome[];
type Ok<T> = Promise<T>;

/** The policy domain as other domains see it: methods only, no state. */
export interface PolicyEngine extends AdmissionPolicy {
  /** Give the engine its one handle on live meetings (the RoomManager); it keeps a frozen PolicyPort of it. */
  attachPort(p: EnforcementPort): void;
  /** The frozen port the engine holds (null before attachPort): survey, remove with notice, notify hosts. */
  enforcementPort(): PolicyPort | null;
  /** Put every location database swap behind the write-ahead gate, and let the API request swaps. */
  attachLocator(g: GeoHandle): void;
  /** [cluster] Observe committed changes (demand transitions, restrictions, account policy). Returns a detach. */
  addHooks(h: PolicyHooks): () => void;
  /** [cluster] The other nodes: roster mirror for previews, meeting placement, outcome reports. */
  attachCluster(view: ClusterView | null): void;
  /** [cluster] Re-read what is in force from storage; returns what became active or changed here. */
  reloadFromStore(): Ok<Reloaded>;
  /** [cluster] Act on a demand approved on another node, on this node's meetings (once per demand); outcomes are stored and reported. */
  enforceApproved(id: number): Ok<Outcomes>;
  /** [cluster] An admin looked at which node holds a meeting's participants: logged before it is answered. */
  recordRosterView(meetingId: string, by: string): Ok<void>;
  start(): Ok<void>;
  close(): void;
  now(): number;
  activeDemandIds(): number[];
  listDemands(): Ok<Demand[]>;
  getDemand(id: number): Ok<Demand | null>;
  getDocument(id: number): Ok<DemandDocument | null>;
  listOutcomes(id: number): Ok<Outcomes>;
  /** What the server would accept from this user on this demand now (demand-guards.ts; the same checks the actions make). */
  allowedActions(d: Demand, user: { id: string; roles: readonly InstanceRole[] }): Ok<DemandAction[]>;
  recordDemand(input: DemandInput, by: string, doc: DemandDocument | null): Ok<Demand>;
  attachDocument(id: number, doc: DemandDocument): Ok<Demand>;
  approveDemand(id: number, by: string): Ok<{ demand: Demand; outcomes: Outcomes }>;
  rejectDemand(id: number, by: string, reason?: string): Ok<Demand>;
  liftDemand(id: number, by: string, reason?: string): Ok<Demand>;
  expireDue(): Ok<number>;
  publishEndedGags(): Ok<number>;
  previewImpact(id: number, by: string): Ok<ImpactPreview | null>;
  getRestriction(scope: RestrictionScope, subject: string): Restriction;
  setRestriction(scope: RestrictionScope, subject: string, input: Restriction, by: RestrictionActor): Ok<Restriction>;
  requestInstanceRestriction(input: Restriction, by: string): Ok<Requested<Restriction>>;
  requestRoleChange(userId: string, roles: InstanceRole[], by: string): Ok<Requested<readonly InstanceRole[]>>;
  requestVerification(userId: string, verified: boolean, by: string): Ok<Requested<boolean>>;
  requestGeoReload(path: string | undefined, by: string): Ok<Requested<never>>;
  requestAccountStatus(userId: string, status: 'active' | 'suspended', reason: string, by: string): Ok<Requested<'active' | 'suspended'>>;
  requestAccountPolicies(rows: Parameters<typeof setAccountPolicies>[1], by: string): Ok<Requested<AccountPolicyRow[]>>;
  pendingCommands(): Ok<PendingCommand[]>;
  approveCommand(id: string, by: string): Ok<{ command: PendingCommand; result: unknown }>;
  rejectCommand(id: string): Ok<PendingCommand>;
  signupGuard: SignupGuard;
  assertMayHost(user: HostingUser, location?: Evaluation['participant']['location']): Ok<void>;
  listAccountPolicies(): AccountPolicy[];
}

export function createPolicyEngine(deps: PolicyDeps): PolicyEngine {
  let port: PolicyPort | null = null;
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
    cluster: null,
  };
  /** Demands this node is approving now (reloadFromStore leaves them to the approval), and those it has enforced. */
  const approving = new Set<number>();
  const enforced = new Set<number>();

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
      const recorded: unknown = await ctx.log.appendMany(entries); // write-ahead: the deny exists on the record before it is returned
      const hostEntry = recordedIndex(recorded, 1);
      if (live.length > 0) port?.notifyHosts(meeting.id, hostEntry === undefined ? hostNotice(d, 1, at) : { ...hostNotice(d, 1, at), entryIndex: hostEntry });
      ctx.onAction?.(trigger === 'join' ? 'refused' : 'removed', d.jurisdiction);
      const entryIndex = recordedIndex(recorded, 0);
      return {
        effect: 'deny',
        rule: `demand:${d.id}`,
        reason: `legal demand ${d.id} applies to participants located in ${d.jurisdiction}`,
        // The person's receipt: the entry that recorded their refusal or removal.
        notice: entryIndex === undefined ? legalNotice(d, at) : { ...legalNotice(d, at), entryIndex },
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

  const ledger = new RoleLedger(ctx.store, () => ctx.now());
  const desk = new CommandDesk(ctx.store, () => ctx.now(), ledger);
  const powers: PowerDeps = { ctx, desk, ledger, accounts: deps.operatorAccounts ?? null };
  let geo: GeoHandle | null = null;
  desk.setRunner(commandRunner(powers, () => geo));

  async function enforceApproved(id: number): Promise<DemandOutcome[]> {
    if (enforced.has(id) || approving.has(id)) return [];
    const d = await ctx.store.getDemand(id);
    if (d?.state !== 'approved' || enforced.has(id)) return [];
    enforced.add(id);
    if (!ctx.active.has(id)) ctx.active.set(id, d);
    const outcomes = await enforceDemand(ctx, d, { approving: false });
    if (outcomes.length > 0) await ctx.store.addOutcomes(id, outcomes);
    ctx.cluster?.reportOutcomes(id, outcomes); // also when none: the approving node waits for every node
    return outcomes;
  }

  /** Approve here; on a cluster, add the outcomes the hosting nodes report as they arrive. */
  async function approve(id: number, by: string): Promise<{ demand: Demand; outcomes: DemandOutcome[] }> {
    approving.add(id);
    const collector = ctx.cluster?.collectOutcomes(id);
    try {
      const r = await approveDemand(ctx, id, by, (a, b) => ledger.linked(a, b));
      enforced.add(id);
      const remote = collector ? await collector.done(OUTCOME_WAIT_MS) : [];
      return { demand: r.demand, outcomes: [...r.outcomes, ...remote] };
    } catch (err) {
      collector?.cancel();
      // Another node may have approved it meanwhile: then act on it here as on any demand approved elsewhere.
      approving.delete(id);
      void enforceApproved(id).catch(() => undefined);
      throw err;
    } finally {
      approving.delete(id);
    }
  }

  const engine: PolicyEngine = {
    evaluate,
    attachPort(p) {
      port = narrowPort(p);
    },
    enforcementPort: () => port,
    async recordRosterView(meetingId, by) {
      await ctx.log.append({
        v: 1,
        type: 'roster.viewed',
        at: ctx.now(),
        meeting: ctx.log.pseudonym('meeting', meetingId, OPERATOR_SCOPE),
        by: ctx.log.pseudonym('operator', by, OPERATOR_SCOPE),
      });
    },
    attachLocator(g) {
      geo = g;
      g.setSwapGate(geoSwapGate(ctx));
    },
    addHooks(h) {
      ctx.hooks.push(h);
      return () => void ctx.hooks.splice(ctx.hooks.indexOf(h) >>> 0, 1);
    },
    attachCluster(view) {
      ctx.cluster = view;
    },
    reloadFromStore: () => reloadFromStore(ctx, approving),
    enforceApproved,
    async start() {
      ctx.active.clear();
      // Approved before this start: this node had no live meetings then, so there is nothing to act on now.
      for (const d of await ctx.store.listDemandsInState('approved')) {
        ctx.active.set(d.id, d);
        enforced.add(d.id);
      }
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
    close() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    now: () => ctx.now(),
    activeDemandIds: () => [...ctx.active.keys()],
    listDemands: () => ctx.store.listDemands(),
    getDemand: (id) => ctx.store.getDemand(id),
    getDocument: (id) => ctx.store.getDocument(id),
    listOutcomes: (id) => ctx.store.listOutcomes(id),
    allowedActions: (d, user) => allowedDemandActions(d, user, ctx.now(), () => ledger.linked(d.recordedBy, user.id)),
    // demands
    recordDemand: (input, by, doc) => recordDemand(ctx, input, by, doc),
    attachDocument: (id, doc) => attachDocument(ctx, id, doc),
    approveDemand: approve,
    rejectDemand: (id, by, reason) => rejectDemand(ctx, id, by, reason),
    liftDemand: (id, by, reason) => liftDemand(ctx, id, by, reason),
    expireDue: () => expireDue(ctx),
    publishEndedGags: () => publishEndedGags(ctx),
    /** Counts only, for a demand awaiting approval; logged (demand.previewed) before it is computed. */
    async previewImpact(id, by) {
      const d = await ctx.store.getDemand(id);
      if (!d) return null;
      const refused = await demandActionRefusal(d, 'preview', by, ctx.now(), () => ledger.linked(d.recordedBy, by));
      if (refused) throw refused;
      await ctx.log.append({ v: 1, type: 'demand.previewed', at: ctx.now(), demandId: String(id), by: ctx.log.pseudonym('operator', by, OPERATOR_SCOPE) });
      return previewImpact(ctx, d);
    },
    // restrictions
    getRestriction: (scope, subject) => currentRestriction(ctx, scope, subject),
    setRestriction,
    requestInstanceRestriction: (input, by) => requestInstanceRestriction(powers, input, by),
    // second-person commands (docs/powers.md)
    requestRoleChange: (userId, roles, by) => requestRoleChange(powers, userId, roles, by),
    requestVerification: (userId, verified, by) => requestVerification(powers, userId, verified, by),
    requestGeoReload: (path, by) => requestGeoReload(powers, geo, path, by),
    requestAccountStatus: (userId, status, reason, by) => requestAccountStatus(powers, userId, status, reason, by),
    requestAccountPolicies: (rows, by) => requestAccountPolicies(powers, rows, by),
    pendingCommands: () => desk.list(),
    approveCommand: (id, by) => desk.approve(id, by),
    rejectCommand: (id) => desk.reject(id),
    // accounts
    signupGuard: signupGuard(ctx),
    assertMayHost: (user, location) => assertMayHost(ctx, user, location),
    listAccountPolicies: () => [...ctx.accountPolicies.values()].sort((a, b) => a.country.localeCompare(b.country)),
  };
  return Object.freeze(engine);
}
