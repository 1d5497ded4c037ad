/** Ways an operator asks for the location database to be re-read: SIGHUP and the admin API. */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../protocol/errors.js';
import type { Locator } from './locator.js';
import type { GeoLogger } from './types.js';

/** `kill -HUP <pid>` re-reads the current database file. Returns a function that uninstalls it. */
export function installSighupReload(locator: Locator, logger: GeoLogger): () => void {
  const onHup = (): void => {
    logger.info({ path: locator.info().path }, 'SIGHUP: reloading the location database');
    locator.reload(undefined, { trigger: 'signal' }).catch(() => undefined); // the locator has logged it and kept the old database
  };
  process.on('SIGHUP', onHup);
  return () => {
    process.off('SIGHUP', onHup);
  };
}

/** Body of POST /api/admin/geo/reload. */
export const GeoReloadBodySchema = z.strictObject({
  path: z.string().min(1).max(4096).optional(),
});
export type GeoReloadBody = z.infer<typeof GeoReloadBodySchema>;

export interface GeoAdminRoutesOptions {
  locator: Locator;
  /** Throws AppError UNAUTHENTICATED/FORBIDDEN unless the request is from an admin. */
  requireAdmin: (request: FastifyRequest) => void | Promise<void>;
  /**
   * A swap through the API is a second-person command (docs/powers.md): this parks it for a
   * second admin and returns what waits. Without it (no policy wired) the API cannot swap.
   */
  requestReload?: (request: FastifyRequest, path: string | undefined) => Promise<unknown>;
}

/** Checks an operator-supplied path: an existing, readable, regular file named *.mmdb. */
export async function checkDatabasePath(path: string): Promise<string> {
  const abs = resolve(path);
  if (!abs.toLowerCase().endsWith('.mmdb')) throw new AppError('VALIDATION_FAILED', 'The database path must end in .mmdb.', { path });
  try {
    const s = await stat(abs);
    if (!s.isFile()) throw new Error('not a file');
    await access(abs, constants.R_OK);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The database path is not an existing readable file.', { path });
  }
  return abs;
}

/** POST /api/admin/geo/reload and GET /api/admin/geo. Register with app.register(geoAdminRoutes, opts). */
export async function geoAdminRoutes(app: FastifyInstance, opts: GeoAdminRoutesOptions): Promise<void> {
  const { locator, requireAdmin } = opts;
  app.get('/api/admin/geo', async (request) => {
    await requireAdmin(request);
    return { database: locator.info() };
  });
  app.post('/api/admin/geo/reload', async (request, reply) => {
    await requireAdmin(request);
    const parsed = GeoReloadBodySchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new AppError('VALIDATION_FAILED', undefined, details);
    }
    const path = parsed.data.path === undefined ? undefined : await checkDatabasePath(parsed.data.path);
    if (!opts.requestReload) throw new AppError('FORBIDDEN', 'Location database swaps through the API need the second-person desk (docs/powers.md).');
    return reply.code(202).send(await opts.requestReload(request, path));
  });
}
