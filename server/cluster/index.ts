/**
 * Multi-node coordination. PostgreSQL is the record; Redis carries placement (which node hosts
 * a meeting), presence (live nodes, mirrored rosters) and fast propagation of policy changes.
 * Without Redis every node still enforces every approved demand, by polling PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Id } from '../../protocol/signaling.js';
import type { Logger } from 'pino';
import { requireRole } from '../http/index.js';
import { createRedisRateLimiter, type ClusterRateLimiter } from './rate-limit.js';
import { AppError, isErrorCode, type ErrorCode } from '../../protocol/errors.js';
import type { AdmissionPolicy, RoomManager } from '../meetings/index.js';
import type { PolicyEngine } from '../policy/index.js';
import { createClusterBus, type ClusterBus } from './bus.js';
import { createPlacement, type NodeInfo, type Placement } from './placement.js';
import { createPolicySync, type PolicySync } from './policy-sync.js';
import { connectRedis } from './redis.js';

export type { ClusterBus, BusMode, CatchUpReason } from './bus.js';
export type { ClusterMessage, ClusterMessageType } from './messages.js';
export type { NodeInfo, Placement, RosterPresence } from './placement.js';
export { createClusterBus } from './bus.js';
export { createPolicySync, publishingHooks } from './policy-sync.js';

/** The catalog code for "reconnect to the node that hosts this meeting" (protocol/errors.ts). */
const WANTED_CODE: string = 'MEETING_ELSEWHERE';
const ELSEWHERE: ErrorCode = isErrorCode(WANTED_CODE) ? WANTED_CODE : 'OUT_OF_ORDER';

export interface ClusterOptions {
  redisUrl: string | undefined;
  /** This node's public base URL (http[s]://host:port), given to clients sent here. */
  publicUrl: string;
  nodeId?: string;
  logger: Logger;
  fallbackPollMs?: number;
  safetyPollMs?: number;
}

/** The services the cluster works with (server/app.ts Services has them). */
export interface NodeServices {
  rooms: RoomManager;
  policy: PolicyEngine;
  /** The transparency log: `sync()` adopts entries other nodes appended. */
  log: { sync(): Promise<number> };
}

export interface Cluster {
  readonly nodeId: string;
  readonly bus: ClusterBus;
  readonly placement: Placement;
  /** Set by attach(). */
  readonly policySync: PolicySync | null;
  /** Wrap the admission policy: a join reaching a node that does not host the meeting is sent on. */
  admission(inner: AdmissionPolicy): AdmissionPolicy;
  /** buildApp calls this once its services exist: rooms, policy sync, log sync, /api/cluster routes. */
  attach(services: NodeServices, app: FastifyInstance): void;
  /** A limiter shared by every node (Redis), falling back to `local` when Redis is away. */
  rateLimiter(opts: { limit: number; windowSec: number; name: string }, local: (key: string) => boolean): ClusterRateLimiter;
  /** Catch up from PostgreSQL, then follow Redis (or poll). Call after buildApp, before listen. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createCluster(opts: ClusterOptions): Cluster {
  const nodeId = opts.nodeId ?? `node-${randomBytes(4).toString('hex')}`;
  const logger = opts.logger.child({ node: nodeId });
  const pub = opts.redisUrl ? connectRedis(opts.redisUrl, logger, 'pub') : null;
  const sub = opts.redisUrl ? connectRedis(opts.redisUrl, logger, 'sub') : null;
  const bus = createClusterBus({
    nodeId,
    logger,
    pub,
    sub,
    ...(opts.fallbackPollMs !== undefined ? { fallbackPollMs: opts.fallbackPollMs } : {}),
    ...(opts.safetyPollMs !== undefined ? { safetyPollMs: opts.safetyPollMs } : {}),
  });
  let rooms: RoomManager | null = null;
  const self: NodeInfo = { nodeId, url: opts.publicUrl.replace(/\/$/, ''), startedAt: Date.now() };
  const placement = createPlacement({ redis: pub, self, port: () => rooms, logger });
  let policySync: PolicySync | null = null;

  function routes(app: FastifyInstance, policy: PolicyEngine): void {
    // Node ids, public URLs and bus mode: nothing about people, so no sign-in.
    app.get('/api/cluster', async () => ({ node: self, mode: bus.mode(), nodes: await placement.nodes().catch(() => [self]) }));
    // Which node holds each participant of a meeting, for operations. Never names or locations
    // (an admin must not learn who is online from where outside an approved demand), and each
    // look is on the log (roster.viewed) before it is answered.
    app.get<{ Params: { id: string } }>('/api/cluster/meetings/:id/roster', async (req) => {
      const admin = requireRole(req, 'admin');
      const { id } = z.object({ id: Id }).parse(req.params);
      await policy.recordRosterView(id, admin.id);
      const roster: Record<string, { node: string; role: string; state: string }> = {};
      for (const [pid, p] of Object.entries(await placement.roster(id))) roster[pid] = { node: p.node, role: p.role, state: p.state };
      return { roster };
    });
  }

  return {
    nodeId,
    bus,
    placement,
    get policySync() {
      return policySync;
    },
    rateLimiter(o, local) {
      return createRedisRateLimiter(pub, { limit: o.limit, windowSec: o.windowSec, prefix: `parley:rl:${o.name}`, fallback: local });
    },
    admission(inner) {
      return {
        async evaluate(input) {
          if (input.trigger === 'join') {
            const claim = await placement.claim(input.meeting.id);
            if (!claim.here) {
              const { url } = claim.owner;
              throw new AppError(ELSEWHERE, 'This meeting is hosted on another node: reconnect there.', {
                redirect: { nodeId: claim.owner.nodeId, url, wsUrl: `${url.replace(/^http/, 'ws')}/ws` },
              });
            }
          }
          return inner.evaluate(input);
        },
      };
    },
    attach(services, app) {
      rooms = services.rooms;
      policySync = createPolicySync({ engine: services.policy, rooms: () => rooms, bus, logger, placement });
      const log = services.log;
      // Entries other nodes appended reach this node's tree (reads, proofs, checkpoints, report).
      bus.onCatchUp(async () => {
        await log.sync();
      });
      routes(app, services.policy);
    },
    async start() {
      await bus.start(); // start-up catch-up: every approved demand and restriction, from PostgreSQL
      placement.start();
    },
    async close() {
      await placement.close();
      await bus.close();
    },
  };
}
