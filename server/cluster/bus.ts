/**
 * ClusterBus: typed messages between nodes over Redis pub/sub, with PostgreSQL as the fallback.
 * Messages are hints; the catch-up hooks re-read the truth from PostgreSQL: once at start,
 * at once when Redis comes back, every `fallbackPollMs` while Redis is down, and every
 * `safetyPollMs` while it is up (pub/sub drops what is sent while a subscriber reconnects).
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CHANNEL, Envelope, type ClusterMessage, type ClusterMessageType } from './messages.js';

export type Delivery = { from: string; at: number; via: 'redis' };
export type Handler<T extends ClusterMessageType> = (msg: Extract<ClusterMessage, { type: T }>, meta: Delivery) => void | Promise<void>;
export type CatchUpReason = 'start' | 'poll' | 'redis-back';
export type BusMode = 'redis' | 'polling';

export interface ClusterBus {
  readonly nodeId: string;
  /** Send to every other node; false when Redis is down (the PostgreSQL catch-up will carry it). */
  publish(msg: ClusterMessage): Promise<boolean>;
  subscribe<T extends ClusterMessageType>(type: T, handler: Handler<T>): () => void;
  /** Re-read what is in force from PostgreSQL; runs at start, on polls and when Redis returns. */
  onCatchUp(hook: (reason: CatchUpReason) => Promise<void>): void;
  mode(): BusMode;
  /** Run the catch-up hooks now (all of them, one after another). */
  catchUp(reason: CatchUpReason): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface BusOptions {
  nodeId: string;
  logger: Logger;
  /** Publisher and subscriber connections (null: no Redis, PostgreSQL polling only). */
  pub: Redis | null;
  sub: Redis | null;
  fallbackPollMs?: number;
  safetyPollMs?: number;
}

export function createClusterBus(opts: BusOptions): ClusterBus {
  const { nodeId, logger, pub, sub } = opts;
  const fallbackMs = opts.fallbackPollMs ?? 250;
  const safetyMs = opts.safetyPollMs ?? 5000;
  const handlers = new Map<ClusterMessageType, Set<Handler<ClusterMessageType>>>();
  const hooks: ((reason: CatchUpReason) => Promise<void>)[] = [];
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let lastMode: BusMode = 'polling';

  const mode = (): BusMode => (pub?.status === 'ready' && sub?.status === 'ready' ? 'redis' : 'polling');

  async function deliver(raw: string): Promise<void> {
    let env: Envelope;
    try {
      env = Envelope.parse(JSON.parse(raw));
    } catch {
      logger.warn('ignored a malformed cluster message');
      return;
    }
    if (env.from === nodeId) return;
    for (const h of handlers.get(env.msg.type) ?? []) {
      try {
        await h(env.msg, { from: env.from, at: env.at, via: 'redis' });
      } catch (err) {
        logger.error({ err, type: env.msg.type }, 'cluster message handler failed');
      }
    }
  }

  let catching: Promise<void> = Promise.resolve();
  function catchUp(reason: CatchUpReason): Promise<void> {
    const run = catching.then(async () => {
      for (const hook of hooks) {
        try {
          await hook(reason);
        } catch (err) {
          logger.error({ err, reason }, 'cluster catch-up failed; retried on the next poll');
        }
      }
    });
    catching = run;
    return run;
  }

  let inLoop = false;
  let wakeSoon = false;
  function schedule(ms: number): void {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(loop, ms);
    timer.unref();
  }
  function loop(): void {
    if (closed) return;
    inLoop = true;
    wakeSoon = false;
    const m = mode();
    const back = m === 'redis' && lastMode === 'polling';
    lastMode = m;
    void catchUp(back ? 'redis-back' : 'poll').finally(() => {
      inLoop = false;
      schedule(wakeSoon ? 0 : mode() === 'redis' ? safetyMs : fallbackMs);
    });
  }
  /** Redis went away or came back: poll now rather than at the end of a long safety interval. */
  function wake(): void {
    if (inLoop) wakeSoon = true;
    else schedule(0);
  }

  return {
    nodeId,
    mode,
    catchUp,
    async publish(msg) {
      if (!pub || pub.status !== 'ready') return false;
      try {
        await pub.publish(CHANNEL, JSON.stringify({ v: 1, from: nodeId, at: Date.now(), msg } satisfies Envelope));
        return true;
      } catch {
        return false;
      }
    },
    subscribe(type, handler) {
      const set = handlers.get(type) ?? new Set();
      handlers.set(type, set);
      const h = handler as unknown as Handler<ClusterMessageType>;
      set.add(h);
      return () => void set.delete(h);
    },
    onCatchUp(hook) {
      hooks.push(hook);
    },
    async start() {
      if (sub) {
        sub.on('message', (channel: string, raw: string) => {
          if (channel === CHANNEL) void deliver(raw);
        });
        // The subscription is made (and remade by ioredis after a reconnect) on every ready.
        sub.on('ready', () => void sub.subscribe(CHANNEL).catch(() => undefined));
        await sub.connect().catch(() => undefined);
      }
      await pub?.connect().catch(() => undefined);
      lastMode = mode();
      await catchUp('start');
      for (const conn of [pub, sub]) {
        conn?.on('close', wake);
        conn?.on('ready', wake);
      }
      schedule(lastMode === 'redis' ? safetyMs : fallbackMs);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await catching.catch(() => undefined);
      sub?.disconnect();
      pub?.disconnect();
    },
  };
}
