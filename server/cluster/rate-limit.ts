/**
 * Cluster-wide rate limits: one counter per key and window in Redis, so ten sign-in attempts
 * spread over three nodes count as ten. When Redis cannot answer, each node falls back to its
 * own in-memory limiter (limits then hold per node, never disappear).
 */
import type { Redis } from 'ioredis';

export interface ClusterRateLimiter {
  /** True when the request may go ahead. */
  take(key: string): Promise<boolean>;
}

export function createRedisRateLimiter(
  redis: Redis | null,
  opts: { limit: number; windowSec: number; prefix: string; fallback: (key: string) => boolean },
): ClusterRateLimiter {
  return {
    async take(key: string): Promise<boolean> {
      if (!redis || redis.status !== 'ready') return opts.fallback(key);
      const window = Math.floor(Date.now() / 1000 / opts.windowSec);
      const k = `${opts.prefix}:${key}:${window}`;
      try {
        const [[, count]] = (await redis
          .multi()
          .incr(k)
          .expire(k, opts.windowSec * 2)
          .exec()) as [[Error | null, number]];
        return count <= opts.limit;
      } catch {
        return opts.fallback(key);
      }
    },
  };
}
