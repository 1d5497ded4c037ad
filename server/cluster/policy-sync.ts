/**
 * Adapter between policy/ and the cluster. Outbound: every committed policy change (a demand
 * approved, lifted or expired; a restriction or account-policy change) is published as soon as
 * its row is written, and so are the outcomes this node decided for the meetings it hosts.
 * Inbound: any such change, any poll while Redis is down, and start-up all run one
 * `reconcile()`: the engine re-reads what PostgreSQL says is in force (engine.reloadFromStore)
 * and acts on demands approved elsewhere (engine.enforceApproved). Reconcile is idempotent, so a
 * message seen twice (or never) changes nothing: PostgreSQL is the record, Redis only makes it
 * fast. Nothing here touches the engine's state: it has none to touch.
 */
import type { Logger } from 'pino';
import type { RoomManager } from '../meetings/index.js';
import type { ClusterView, DemandOutcome, MeetingHost, PolicyEngine, PolicyHooks, Reloaded, RemotePresence } from '../policy/index.js';
import type { ClusterBus } from './bus.js';
import type { Placement } from './placement.js';

export interface PolicySyncStats {
  /** Approved demands this node learned from another node (or from PostgreSQL) and applied. */
  applied: number;
  reconciles: number;
  /** When the last applied demand finished its local removals (performance.now()). */
  lastAppliedAt: number;
}

/** Policy hooks that announce each committed change on the bus (after the write). */
export function publishingHooks(bus: ClusterBus): PolicyHooks {
  const announce = (p: Promise<unknown>): void => void p.catch(() => undefined);
  return {
    demandChanged(id, to, ok) {
      if (!ok) return;
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

/** How long a claim made to decide an outcome lasts when no one is in the meeting. */
export const OUTCOME_CLAIM_MS = 3000;

/** The engine's view of the other nodes: placement decides who hosts a meeting; outcomes travel on the bus. */
export function clusterView(bus: ClusterBus, placement: Placement): ClusterView {
  return {
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
    async claimHost(meetingId): Promise<MeetingHost> {
      // Held briefly: long enough for every node to learn the demand (then joins anywhere are
      // refused), not so long that a meeting nobody is in stays tied to this node. A live
      // meeting's heartbeat renews its claim every second whatever this sets.
      const claim = await placement.claim(meetingId, OUTCOME_CLAIM_MS);
      if (!claim.here) return 'elsewhere';
      return claim.degraded ? 'unknown' : 'here';
    },
    reportOutcomes(demandId, outcomes) {
      void bus.publish({ type: 'demand.outcomes', demandId, outcomes }).catch(() => undefined);
    },
    collectOutcomes(demandId) {
      const got: DemandOutcome[] = [];
      const reported = new Set<string>();
      let wake: (() => void) | null = null;
      const off = bus.subscribe('demand.outcomes', (msg, meta) => {
        if (msg.demandId !== demandId || reported.has(meta.from)) return;
        reported.add(meta.from);
        got.push(...msg.outcomes);
        wake?.();
      });
      return {
        async done(waitMs) {
          const deadline = Date.now() + waitMs;
          try {
            for (;;) {
              // Every other live node reports once it has acted (with or without outcomes).
              const others = (await placement.nodes().catch(() => [])).filter((n) => n.nodeId !== bus.nodeId);
              const left = deadline - Date.now();
              if (others.every((n) => reported.has(n.nodeId)) || left <= 0) break;
              await new Promise<void>((r) => {
                wake = r;
                setTimeout(r, Math.min(left, 200)).unref();
              });
            }
          } finally {
            off();
          }
          return got;
        },
        cancel: off,
      };
    },
  };
}

export function createPolicySync(opts: {
  engine: PolicyEngine;
  rooms: () => RoomManager | null;
  bus: ClusterBus;
  logger: Logger;
  placement?: Placement;
}): PolicySync {
  const { engine, bus, logger, placement } = opts;
  const detach = engine.addHooks(publishingHooks(bus));
  if (placement) engine.attachCluster(clusterView(bus, placement));
  const stats: PolicySyncStats = { applied: 0, reconciles: 0, lastAppliedAt: 0 };

  /** Re-run admission for live participants of the meetings a restriction change can affect. */
  async function recheck(changed: Reloaded['restrictions']): Promise<void> {
    const rooms = opts.rooms();
    if (!rooms) return;
    for (const meetingId of rooms.liveMeetingIds()) {
      const host = rooms.hostOf(meetingId);
      const hit = changed.some(
        (c) => c.scope === 'instance' || (c.scope === 'meeting' && c.subject === meetingId) || (c.scope === 'account' && c.subject === host),
      );
      if (hit) await rooms.recheckAll(meetingId);
    }
  }

  async function run(): Promise<void> {
    stats.reconciles++;
    const { approved, restrictions } = await engine.reloadFromStore();
    for (const id of approved) {
      const outcomes = await engine.enforceApproved(id);
      stats.applied++;
      stats.lastAppliedAt = performance.now();
      logger.info({ demandId: id, removed: outcomes.reduce((n, o) => n + o.count, 0) }, 'applied a demand approved on another node');
    }
    if (restrictions.length > 0) await recheck(restrictions);
  }

  let tail: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;
  /** Coalesced: calls while a run waits to start share it (it reads everything committed before it starts). */
  function reconcile(): Promise<void> {
    if (queued) return queued;
    const next = tail.then(async () => {
      queued = null;
      await run();
    });
    queued = next;
    tail = next.catch(() => undefined);
    return next;
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
