/**
 * Adapter between policy/ and the cluster. Outbound: every committed policy change (a demand
 * approved, lifted or expired; a restriction or account-policy change) is published as soon as
 * its row is written. Inbound: any such message, any poll while Redis is down, and start-up
 * all run one `reconcile()`: compare what PostgreSQL says is in force with what this node
 * holds, and apply the difference here. Reconcile is idempotent, so a message seen twice (or
 * never) changes nothing: PostgreSQL is the record, Redis only makes it fast.
 */
import type { Logger } from 'pino';
import type { RoomManager } from '../meetings/index.js';
import { enforceDemand, type PolicyEngine, type PolicyHooks, type RemotePresence, type Restriction } from '../policy/index.js';
import type { ClusterBus } from './bus.js';
import type { Placement } from './placement.js';

type Ctx = PolicyEngine['ctx'];
type Demand = Parameters<Ctx['active']['set']>[1];

export interface PolicySyncStats {
  /** Approved demands this node learned from another node (or from PostgreSQL) and applied. */
  applied: number;
  reconciles: number;
  /** When the last applied demand finished its local removals (performance.now()). */
  lastAppliedAt: number;
}

/** Policy hooks that announce each committed change on the bus (after the write). */
export function publishingHooks(bus: ClusterBus, ownApprovals: Set<number>): PolicyHooks {
  const announce = (p: Promise<unknown>): void => void p.catch(() => undefined);
  return {
    demandChanging(id, to) {
      // Mark before the write, so this node's own reconcile never races its approval path.
      if (to === 'approved') ownApprovals.add(id);
    },
    demandChanged(id, to, ok) {
      if (!ok) {
        if (to === 'approved') ownApprovals.delete(id); // not approved here: apply it if another node does
        return;
      }
      if (to === 'approved') announce(bus.publish({ type: 'demand.approved', demandId: id }));
      if (to === 'lifted') announce(bus.publish({ type: 'demand.lifted', demandId: id }));
      if (to === 'expired') announce(bus.publish({ type: 'demand.expired', demandId: id }));
    },
    restrictionChanged(scope, subject) {
      announce(bus.publish({ type: 'restrictions.changed', scope, subject }));
    },
    accountPoliciesChanged() {
      announce(bus.publish({ type: 'account-policy.changed' }));
    },
  };
}

export interface PolicySync {
  reconcile(): Promise<void>;
  stats: PolicySyncStats;
  /** Stop publishing this engine's changes. */
  detach(): void;
}

export function createPolicySync(opts: {
  engine: PolicyEngine;
  rooms: () => RoomManager | null;
  bus: ClusterBus;
  logger: Logger;
  placement?: Placement;
}): PolicySync {
  const { engine, bus, logger, placement } = opts;
  const ctx: Ctx = engine.ctx;
  const ownApprovals = new Set<number>();
  const detach = engine.addHooks(publishingHooks(bus, ownApprovals));
  if (placement) {
    // Approvals and previews see meetings hosted on other nodes through the roster mirror.
    engine.attachClusterRoster({
      async elsewhere(meetingIds) {
        const all = await placement.rosters(meetingIds);
        if (!all) return null;
        const out = new Map<string, RemotePresence[]>();
        for (const [meetingId, ps] of all) {
          const others = ps
            .filter((p) => p.node !== bus.nodeId)
            .map((p): RemotePresence => ({ node: p.node, country: p.country, status: p.locationStatus ?? (p.country !== null ? 'known' : 'unknown') }));
          if (others.length > 0) out.set(meetingId, others);
        }
        return out;
      },
    });
  }
  const stats: PolicySyncStats = { applied: 0, reconciles: 0, lastAppliedAt: 0 };

  /** Enforce an approved demand on this node's live meetings (removals only: logged here, write-ahead). */
  async function applyApprovedHere(d: Demand): Promise<void> {
    const handled = new Set<string>();
    const outcomes = await enforceDemand(ctx, d, false, handled);
    // Joins evaluated just before the demand became active here may land after the first pass.
    await new Promise((r) => setImmediate(r));
    outcomes.push(...(await enforceDemand(ctx, d, false, handled)));
    if (outcomes.length > 0) await ctx.store.addOutcomes(d.id, outcomes);
    stats.applied++;
    stats.lastAppliedAt = performance.now();
    logger.info({ demandId: d.id, removed: outcomes.reduce((n, o) => n + o.count, 0) }, 'applied a demand approved on another node');
  }

  async function syncDemands(): Promise<void> {
    const approved = await ctx.store.listDemandsInState('approved');
    const ids = new Set(approved.map((d) => d.id));
    for (const id of [...ctx.active.keys()]) if (!ids.has(id)) ctx.active.delete(id); // lifted or expired elsewhere
    for (const d of approved) {
      if (ctx.active.has(d.id) || ownApprovals.has(d.id)) continue;
      ctx.active.set(d.id, d); // joins are refused from this moment
      await applyApprovedHere(d);
    }
  }

  async function syncRestrictions(): Promise<void> {
    const rows = await ctx.store.listRestrictions();
    const changed: { scope: string; subject: string }[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const key = `${r.scope}:${r.subject}`;
      seen.add(key);
      const next: Restriction = { mode: r.mode, countries: r.countries, unknown: r.unknown };
      if (JSON.stringify(ctx.restrictions.get(key)) === JSON.stringify(next)) continue;
      ctx.restrictions.set(key, next);
      changed.push(r);
    }
    for (const key of [...ctx.restrictions.keys()]) {
      if (seen.has(key)) continue;
      ctx.restrictions.delete(key);
      const [scope = '', subject = ''] = key.split(/:(.*)/s);
      changed.push({ scope, subject });
    }
    const policies = await ctx.store.listAccountPolicies();
    ctx.accountPolicies.clear();
    for (const p of policies) ctx.accountPolicies.set(p.country, p);
    if (changed.length > 0) await recheck(changed);
  }

  /** Re-run admission for live participants of the meetings a restriction change can affect. */
  async function recheck(changed: { scope: string; subject: string }[]): Promise<void> {
    const rooms = opts.rooms();
    if (!rooms) return;
    for (const meetingId of rooms.liveMeetingIds()) {
      const meeting = await ctx.meetings.get(meetingId);
      if (!meeting) continue;
      const hit = changed.some(
        (c) => c.scope === 'instance' || (c.scope === 'meeting' && c.subject === meetingId) || (c.scope === 'account' && c.subject === meeting.hostUserId),
      );
      if (hit) await rooms.recheckAll(meetingId);
    }
  }

  let tail: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;
  /** Coalesced: calls while a run waits to start share it (it reads everything committed before it starts). */
  function reconcile(): Promise<void> {
    if (queued) return queued;
    const run = tail.then(async () => {
      queued = null;
      stats.reconciles++;
      await syncDemands();
      await syncRestrictions();
    });
    queued = run;
    tail = run.catch(() => undefined);
    return run;
  }

  const kick = (): void => void reconcile().catch((err: unknown) => logger.error({ err }, 'policy reconcile failed'));
  bus.subscribe('demand.approved', kick);
  bus.subscribe('demand.lifted', kick);
  bus.subscribe('demand.expired', kick);
  bus.subscribe('restrictions.changed', kick);
  bus.subscribe('account-policy.changed', kick);
  bus.onCatchUp(() => reconcile());
  return { reconcile, stats, detach };
}
