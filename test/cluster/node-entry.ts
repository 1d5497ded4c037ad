/**
 * A cluster node process for the multi-node tests: the real node with the null media plane,
 * or the real SFU when PARLEY_TEST_MEDIA=real (cluster-media.test.ts).
 */
import pino from 'pino';
import { loadConfig } from '../../server/config/index.js';
import { startClusterNode } from '../../server/cluster/node.js';
import { createMediaServer } from '../../server/media/index.js';
import { createNullMedia } from '../helpers/null-media.js';

const config = loadConfig();
const logger = pino({ level: config.LOG_LEVEL });
const node = await startClusterNode({
  config,
  logger,
  createMedia: process.env.PARLEY_TEST_MEDIA === 'real' ? createMediaServer : createNullMedia,
  nodeId: process.env.PARLEY_NODE_ID ?? 'node',
  ...(process.env.PARLEY_FALLBACK_POLL_MS ? { fallbackPollMs: Number(process.env.PARLEY_FALLBACK_POLL_MS) } : {}),
});
process.stdout.write(`READY ${node.address}\n`);
const shutdown = async (): Promise<void> => {
  await node.close();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
