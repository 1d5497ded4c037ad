/** Token buckets: per WebSocket connection, and per client address for sensitive routes. */
import { formatIp, parseIp } from '../geo/index.js';

export interface TokenBucket {
  take(n?: number): boolean;
}

export function createTokenBucket(opts: { ratePerSec: number; burst: number; now?: () => number }): TokenBucket {
  const now = opts.now ?? (() => performance.now());
  let tokens = opts.burst;
  let last = now();
  return {
    take(n = 1) {
      const t = now();
      tokens = Math.min(opts.burst, tokens + ((t - last) / 1000) * opts.ratePerSec);
      last = t;
      if (tokens < n) return false;
      tokens -= n;
      return true;
    },
  };
}

/** Buckets keyed by address, with a bounded map so a flood of addresses cannot grow it forever. */
export function createKeyedLimiter(opts: { ratePerSec: number; burst: number; maxKeys?: number }) {
  const buckets = new Map<string, TokenBucket>();
  const maxKeys = opts.maxKeys ?? 50_000;
  return {
    take(key: string): boolean {
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value as string);
        b = createTokenBucket(opts);
        buckets.set(key, b);
      }
      return b.take();
    },
  };
}

/**
 * The key an address is limited under: an IPv4 address as is, an IPv6 address by its /64
 * (one subscriber gets a whole /64, so per-address limits on single IPv6 addresses are free to
 * evade). Anything unparsable is used as given.
 */
export function addressKey(address: string): string {
  const ip = parseIp(address);
  if (ip === null) return address;
  if (ip.version === 4) return formatIp(ip);
  return `${formatIp({ version: 6, value: (ip.value >> 64n) << 64n })}/64`;
}

/** Misses per key with exponential backoff: after `free` misses, waits of baseMs, 2·baseMs, … ≤ maxMs, one per further miss. */
export interface FailureLimiter {
  /** Milliseconds until `key` may try again (0: now). */
  retryAfterMs(key: string): number;
  /** Count a miss. */
  fail(key: string): void;
  /** Forget `key`'s misses (after a success). */
  reset(key: string): void;
}

export function createFailureLimiter(opts: {
  free: number;
  baseMs: number;
  maxMs: number;
  forgetMs: number;
  maxKeys?: number;
  now?: () => number;
}): FailureLimiter {
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 50_000;
  const state = new Map<string, { misses: number; lockedUntil: number; last: number }>();
  const live = (key: string) => {
    const s = state.get(key);
    if (s && now() - s.last > opts.forgetMs && now() >= s.lockedUntil) {
      state.delete(key);
      return undefined;
    }
    return s;
  };
  return {
    retryAfterMs(key) {
      const s = live(key);
      return s ? Math.max(0, s.lockedUntil - now()) : 0;
    },
    fail(key) {
      let s = live(key);
      if (!s) {
        // Bounded: the oldest key goes first (a flood of keys costs its own memory, never unbounded).
        if (state.size >= maxKeys) state.delete(state.keys().next().value as string);
        s = { misses: 0, lockedUntil: 0, last: 0 };
        state.set(key, s);
      }
      s.misses++;
      s.last = now();
      const over = s.misses - opts.free; // the free-th miss starts the first wait
      if (over >= 0) s.lockedUntil = s.last + Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(over, 30));
    },
    reset(key) {
      state.delete(key);
    },
  };
}
