/** Wiring only: config → storage → domains → listen. */
import path from 'node:path';
import pino from 'pino';
import { buildApp } from './app.js';
import { createMediaServer } from './media/index.js';
import { installSighupReload } from './geo/index.js';
import { loadConfig } from './config/index.js';
import { openStorage } from './storage/index.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.LOG_LEVEL });
  if (config.REDIS_URL) {
    // Several nodes: the same wiring plus the cluster (Redis bus, placement, PostgreSQL catch-up).
    const { startClusterNode } = await import('./cluster/node.js');
    const node = await startClusterNode({ config, logger, createMedia: createMediaServer });
    installSighupReload(node.services.locator, logger);
    process.stdout.write(`\nParley node ${node.cluster.nodeId} is running at ${config.publicUrl}\n`);
    const stop = async () => {
      await node.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
    return;
  }
  const storage = await openStorage({
    databaseUrl: config.DATABASE_URL,
    sqlitePath: path.join(config.DATA_DIR, 'parley.db'),
  });
  const { app, services } = await buildApp({ config, storage, logger, createMedia: createMediaServer });
  installSighupReload(services.locator, logger);
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  const admins = (await services.accounts.listUsers()).filter((u) => u.roles.includes('admin'));
  logger.info({ address, database: storage.dialect }, 'Parley is listening');
  process.stdout.write(`\nParley is running at ${config.publicUrl}\n`);
  if (admins.length === 0) {
    process.stdout.write(
      `No admin yet. Create the first one with:\n  npx parley create-admin --email you@example.org --name "Your Name"\n(you will be asked for a password; or set PARLEY_ADMIN_PASSWORD)\n\n`,
    );
  }
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await app.close();
    await storage.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Parley failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
