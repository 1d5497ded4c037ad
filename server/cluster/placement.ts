/**
 * Which node hosts which meeting, which nodes are alive, and who is in each meeting across
 * nodes — all in Redis with expiry, so a killed node's claims lapse by themselves.
 *
 *   parley:node:<id>            JSON NodeInfo, expires NODE_TTL_MS after the last heartbeat
 *   parley:meeting:<id>         the hosting node's id, refreshed while the room is live
 *   parley:meeting:<id>:roster  hash participantId → JSON RosterPresence (the host node writes it)
 *
 * While Redis is down every node hosts whatever reaches it (the meeting may split across
 * nodes until Redis returns); joins never wait on Redis.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EnforcementPort, LiveParticipant } from '../meetings/index.js';

export interface NodeInfo {
  nodeId: string;
  /** Base URL clients use for this node (http[s]://host:port). */
  url: string;
  startedAt: number;
}

export interface RosterPresence {
  displayName: string;
  role: LiveParticipant['role'];
  state: LiveParticipant['state'];
  country: string | null;
  /** Whether the country is a known location (unknown: private range, missing, anonymiser). No address is mirrored. */
  locationStatus: 'known' | 'unknown';
  node: string;
  joinedAt: number;
}

export type Claim = { here: true; degraded: boolean } | { here: false; owner: NodeInfo };

export const NODE_TTL_MS = 3000;
export const MEETING_TTL_MS = 8000;
const nodeKey = (id: string) => `parley:node:${id}`;
const meetingKey = (id: string) => `parley:meeting:${id}`;
const rosterKey = (id: string) => `parley:meeting:${id}:roster`;

// Claim the meeting unless another *live* node holds it; a dead owner's claim is taken over
// (and its stale roster mirror dropped). Returns { owner, ownerInfo }.
const CLAIM_LUA = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then
  local info = redis.call('GET', 'parley:node:' .. cur)
  if info then return {cur, info} end
  redis.call('DEL', KEYS[2])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {ARGV[1], ''}
`;

export interface Placement {
  /** `ttlMs`: how long a new claim lasts without a heartbeat (default MEETING_TTL_MS); a live meeting's beat renews it. */
  claim(meetingId: string, ttlMs?: number): Promise<Claim>;
  /** Nodes alive now (heartbeat not expired). */
  nodes(): Promise<NodeInfo[]>;
  /** The roster of a meeting as its host node last mirrored it. */
  roster(meetingId: string): Promise<Record<string, RosterPresence>>;
  /** Mirrored rosters of these meetings (null: every meeting with a mirror); null when Redis cannot be read. */
  rosters(meetingIds: readonly string[] | null): Promise<Map<string, RosterPresence[]> | null>;
  /** Heartbeat: keep this node and its live meetings claimed, mirror their rosters. */
  beat(): Promise<void>;
  start(): void;
  close(): Promise<void>;
}

export function createPlacement(opts: { redis: Redis | null; self: NodeInfo; port: () => EnforcementPort | null; logger: Logger; beatMs?: number }): Placement {
  const { redis, self } = opts;
  const beatMs = opts.beatMs ?? 1000;
  let timer: NodeJS.Timeout | null = null;
  /** What this node last wrote per meeting roster (participantId → JSON), to send only changes. */
  let mirrored = new Map<string, Map<string, string>>();
  const ready = (): boolean => redis?.status === 'ready';

  async function beat(): Promise<void> {
    if (!redis || !ready()) {
      mirrored = new Map(); // Redis may have lost everything: rewrite in full when it is back
      return;
    }
    const port = opts.port();
    const live = port ? port.listParticipants() : [];
    const byMeeting = new Map<string, Map<string, string>>();
    for (const p of live) {
      const m = byMeeting.get(p.meetingId) ?? new Map<string, string>();
      byMeeting.set(p.meetingId, m);
      const presence: RosterPresence = {
        displayName: p.displayName,
        role: p.role,
        state: p.state,
        country: p.location.country,
        locationStatus: p.location.status,
        node: self.nodeId,
        joinedAt: p.joinedAt,
      };
      m.set(p.participantId, JSON.stringify(presence));
    }
    const tx = redis.multi();
    tx.set(nodeKey(self.nodeId), JSON.stringify(self), 'PX', NODE_TTL_MS);
    for (const [meetingId, now] of byMeeting) {
      tx.set(meetingKey(meetingId), self.nodeId, 'PX', MEETING_TTL_MS);
      const before = mirrored.get(meetingId) ?? new Map<string, string>();
      const changed: string[] = [];
      for (const [id, json] of now) if (before.get(id) !== json) changed.push(id, json);
      const gone = [...before.keys()].filter((id) => !now.has(id));
      if (changed.length > 0) tx.hset(rosterKey(meetingId), ...changed);
      if (gone.length > 0) tx.hdel(rosterKey(meetingId), ...gone);
      tx.pexpire(rosterKey(meetingId), MEETING_TTL_MS);
    }
    for (const meetingId of mirrored.keys()) if (!byMeeting.has(meetingId)) tx.del(rosterKey(meetingId));
    try {
      await tx.exec();
      mirrored = byMeeting;
    } catch (err) {
      mirrored = new Map();
      opts.logger.debug({ err }, 'cluster heartbeat failed');
    }
  }

  return {
    async claim(meetingId, ttlMs = MEETING_TTL_MS) {
      if (!redis || !ready()) return { here: true, degraded: true };
      try {
        const [owner, info] = (await redis.eval(CLAIM_LUA, 2, meetingKey(meetingId), rosterKey(meetingId), self.nodeId, String(ttlMs))) as [string, string];
        if (owner === self.nodeId) return { here: true, degraded: false };
        return { here: false, owner: JSON.parse(info) as NodeInfo };
      } catch (err) {
        opts.logger.warn({ err, meetingId }, 'placement unavailable; hosting the meeting here');
        return { here: true, degraded: true };
      }
    },
    async nodes() {
      if (!redis || !ready()) return [self];
      const keys: string[] = [];
      let cursor = '0';
      for (let i = 0; i < 100; i++) {
        const [next, batch] = await redis.scan(cursor, 'MATCH', 'parley:node:*', 'COUNT', 100);
        keys.push(...batch);
        cursor = next;
        if (cursor === '0') break;
      }
      if (keys.length === 0) return [];
      const vals = await redis.mget(...keys);
      return vals
        .filter((v): v is string => v !== null)
        .map((v) => JSON.parse(v) as NodeInfo)
        .sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    },
    async roster(meetingId) {
      if (!redis || !ready()) return {};
      const h = await redis.hgetall(rosterKey(meetingId));
      return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, JSON.parse(v) as RosterPresence]));
    },
    async rosters(meetingIds) {
      if (!redis || !ready()) return null;
      try {
        let ids: string[];
        if (meetingIds) ids = [...new Set(meetingIds)];
        else {
          ids = [];
          let cursor = '0';
          for (let i = 0; i < 1000; i++) {
            const [next, batch] = await redis.scan(cursor, 'MATCH', 'parley:meeting:*:roster', 'COUNT', 200);
            for (const k of batch) ids.push(k.slice('parley:meeting:'.length, -':roster'.length));
            cursor = next;
            if (cursor === '0') break;
          }
        }
        const out = new Map<string, RosterPresence[]>();
        if (ids.length === 0) return out;
        const tx = redis.multi();
        for (const id of ids) tx.hgetall(rosterKey(id));
        const res = (await tx.exec()) ?? [];
        ids.forEach((id, i) => {
          const [err, h] = res[i] ?? [null, {}];
          if (err) throw err;
          const ps = Object.values((h ?? {}) as Record<string, string>).map((v) => JSON.parse(v) as RosterPresence);
          if (ps.length > 0) out.set(id, ps);
        });
        return out;
      } catch (err) {
        opts.logger.warn({ err }, 'roster mirror unreadable');
        return null;
      }
    },
    beat,
    start() {
      const tick = (): void => {
        void beat().finally(() => {
          if (!timer) return;
          timer = setTimeout(tick, beatMs);
          timer.unref();
        });
      };
      timer = setTimeout(tick, 0);
      timer.unref();
    },
    async close() {
      const t = timer;
      timer = null;
      if (t) clearTimeout(t);
      if (redis && ready()) {
        // A clean shutdown gives its meetings up at once; survivors claim them on the next join.
        const mine = [...mirrored.keys()];
        await redis.del(nodeKey(self.nodeId), ...mine.map(meetingKey), ...mine.map(rosterKey)).catch(() => undefined);
      }
    },
  };
}
