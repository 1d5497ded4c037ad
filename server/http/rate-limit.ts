/** Token buckets: per WebSocket connection, and per client address for sensitive routes. */
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
