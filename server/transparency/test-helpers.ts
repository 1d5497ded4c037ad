/** Helpers for this domain's tests: a log over real SQLite, and a Fastify app serving it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { AppError, toAppError } from '../../protocol/errors.js';
import { openStorage, type Storage } from '../storage/index.js';
import { createTransparencyLog, type TransparencyLog, type TransparencyLogOptions } from './log.js';
import { transparencyRoutes } from './routes.js';

export const TEST_ORIGIN = 'parley.test/transparency';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tlog-'));
}

/** Open storage at `file` (':memory:' by default) and a log over it. */
export async function openTestLog(
  file = ':memory:',
  over: Partial<TransparencyLogOptions> = {},
): Promise<{ storage: Storage; log: TransparencyLog; close(): Promise<void> }> {
  const storage = await openStorage({ sqlitePath: file });
  const log = await createTransparencyLog({
    db: storage.db,
    dialect: storage.dialect,
    sqlite: storage.sqlite,
    origin: TEST_ORIGIN,
    checkpointIntervalMs: 0,
    ...over,
  });
  return {
    storage,
    log,
    async close() {
      await log.close();
      await storage.close();
    },
  };
}

/** An app with the routes and the same `{ error: { code, message } }` shape as the real one. */
export async function buildTestApp(log: TransparencyLog): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.setErrorHandler((err, _req, reply) => {
    const e = err instanceof AppError ? err : toAppError(err);
    void reply.status(e.httpStatus).send({ error: { code: e.code, message: e.message } });
  });
  await app.register(transparencyRoutes, { log });
  return app;
}
