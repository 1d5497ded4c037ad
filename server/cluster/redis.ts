/** ioredis connections that fail fast while Redis is away and keep retrying in the background. */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Commands reject at once when disconnected (no offline queue), so nothing waits on a dead Redis. */
export function connectRedis(url: string, logger: Logger, name: string): Redis {
  const r = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
    reconnectOnError: () => true,
  });
  let down = false;
  r.on('error', (err: Error) => {
    if (!down) logger.warn({ err: err.message, conn: name }, 'redis unreachable; cluster falls back to PostgreSQL polling');
    down = true;
  });
  r.on('ready', () => {
    if (down) logger.info({ conn: name }, 'redis is back');
    down = false;
  });
  return r;
}
