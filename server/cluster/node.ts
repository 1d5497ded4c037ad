/**
 * One cluster node: server/main.ts's wiring with a cluster (REDIS_URL, DATABASE_URL). Tests
 * start it with the null media plane through startClusterNode(); `tsx server/cluster/node.ts`
 * runs it with the real one (scripts/cluster.mjs starts three).
 */
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp, type Services } from '../app.js';
import { loadConfig, type Config } from '../config/index.js';
import type { MediaConfig, MediaServer } from '../media/index.js';
import { openStorage } from '../storage/index.js';
import { createCluster, type Cluster } from './index.js';

export interface ClusterNode {
  app: FastifyInstance;
  services: Services;
  cluster: Cluster;
  address: string;
  close(): Promise<void>;
}

export interface NodeOptions {
  config: Config;
  logger: Logger;
  createMedia: (c: MediaConfig) => MediaServer;
  nodeId?: string;
  fallbackPollMs?: number;
}

export async function startClusterNode(opts: NodeOptions): Promise<ClusterNode> {
  const { config, logger } = opts;
  const storage = await openStorage({ databaseUrl: config.DATABASE_URL, sqlitePath: path.join(config.DATA_DIR, 'parley.db') });
  const cluster = createCluster({
    redisUrl: config.REDIS_URL,
    publicUrl: config.publicUrl,
    logger,
    ...(opts.nodeId !== undefined ? { nodeId: opts.nodeId } : {}),
    ...(opts.fallbackPollMs !== undefined ? { fallbackPollMs: opts.fallbackPollMs } : {}),
  });
  const { app, services } = await buildApp({ config, storage, logger, createMedia: opts.createMedia, cluster });
  await cluster.start(); // catch up from PostgreSQL before the first participant is admitted
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address, node: cluster.nodeId, bus: cluster.bus.mode(), database: storage.dialect }, 'cluster node listening');
  return {
    app,
    services,
    cluster,
    address,
    async close() {
      await cluster.close();
      await app.close();
      await storage.close();
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.LOG_LEVEL });
  const { createMediaServer } = await import('../media/index.js');
  const nodeId = process.env.PARLEY_NODE_ID;
  const node = await startClusterNode({ config, logger, createMedia: createMediaServer, ...(nodeId ? { nodeId } : {}) });
  process.stdout.write(`Parley node ${node.cluster.nodeId} at ${config.publicUrl} (bus: ${node.cluster.bus.mode()})\n`);
  const shutdown = async (): Promise<void> => {
    await node.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`Parley node failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
