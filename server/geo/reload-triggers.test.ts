import Fastify, { type FastifyRequest } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { AppError, toAppError } from '../../protocol/errors.js';
import { createLocator } from './locator.js';
import { geoAdminRoutes, installSighupReload } from './reload-triggers.js';
import { buildLogger, embeddedDatabases } from './test-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-geo-admin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dbs = embeddedDatabases();
const folder = join(dir, 'folder.mmdb');
mkdirSync(folder);

async function buildAdminApp(
  requireAdmin = (req: FastifyRequest) => {
    if (req.headers['x-test-role'] !== 'admin') throw new AppError(req.headers['x-test-role'] ? 'FORBIDDEN' : 'UNAUTHENTICATED');
  },
) {
  const locator = createLocator({ logger: buildLogger() });
  const app = Fastify();
  app.setErrorHandler((err, _req, reply) => {
    const e = toAppError(err);
    void reply.status(e.httpStatus).send(e.toBody());
  });
  // Stands in for policy/'s second-person desk with an approval that comes at once.
  await app.register(geoAdminRoutes, {
    locator,
    requireAdmin,
    requestReload: async (_req, path) => ({ database: await locator.reload(path, { trigger: 'api' }) }),
  });
  await app.ready();
  return { app, locator };
}

const admin = { 'x-test-role': 'admin' };

describe('geoAdminRoutes', () => {
  it('refuses anonymous and non-admin callers before doing anything', async () => {
    const { app, locator } = await buildAdminApp();
    const reload = vi.spyOn(locator, 'reload');
    expect((await app.inject({ method: 'GET', url: '/api/admin/geo' })).statusCode).toBe(401);
    const res = await app.inject({ method: 'POST', url: '/api/admin/geo/reload', headers: { 'x-test-role': 'host' }, payload: { path: 'bad' } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect(reload).not.toHaveBeenCalled();
  });

  it('cannot swap the database through the API without the second-person desk', async () => {
    const locator = createLocator({ logger: buildLogger() });
    const app = Fastify();
    app.setErrorHandler((err, _req, reply) => void reply.status(toAppError(err).httpStatus).send(toAppError(err).toBody()));
    await app.register(geoAdminRoutes, { locator, requireAdmin: () => undefined });
    const res = await app.inject({ method: 'POST', url: '/api/admin/geo/reload', payload: { path: dbs.ipv4 } });
    expect(res.statusCode).toBe(403);
    expect(locator.info().name).toBe('country ipvAll');
  });

  it('shows the current database to an admin', async () => {
    const { app } = await buildAdminApp();
    const res = await app.inject({ method: 'GET', url: '/api/admin/geo', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ database: { name: 'country ipvAll', path: dbs.all, ipVersion: 6 } });
  });

  it('reloads the current file or a new valid one', async () => {
    const { app, locator } = await buildAdminApp();
    const same = await app.inject({ method: 'POST', url: '/api/admin/geo/reload', headers: admin });
    expect(same.statusCode).toBe(202);
    const res = await app.inject({ method: 'POST', url: '/api/admin/geo/reload', headers: admin, payload: { path: dbs.ipv4 } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ database: { name: 'country ipv4', path: dbs.ipv4 } });
    expect(locator.info().name).toBe('country ipv4');
  });

  it.each([
    [{ path: '/etc/passwd' }, 'VALIDATION_FAILED'],
    [{ path: join(dir, 'missing.mmdb') }, 'VALIDATION_FAILED'],
    [{ path: folder }, 'VALIDATION_FAILED'],
    [{ path: 42 }, 'VALIDATION_FAILED'],
    [{ path: dbs.ipv4, extra: true }, 'VALIDATION_FAILED'],
  ])('rejects the body %j with %s and keeps the database', async (payload, code) => {
    const { app, locator } = await buildAdminApp();
    const res = await app.inject({ method: 'POST', url: '/api/admin/geo/reload', headers: admin, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code });
    expect(locator.info().name).toBe('country ipvAll');
  });

  it('answers GEO_DB_INVALID for a corrupt .mmdb file and keeps the database', async () => {
    const { app, locator } = await buildAdminApp();
    const bad = join(dir, 'bad.mmdb');
    writeFileSync(bad, 'garbage');
    const res = await app.inject({ method: 'POST', url: '/api/admin/geo/reload', headers: admin, payload: { path: bad } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'GEO_DB_INVALID' });
    expect(locator.info().path).toBe(dbs.all);
  });
});

describe('installSighupReload', () => {
  it('re-reads the database on SIGHUP until uninstalled', async () => {
    const logger = buildLogger();
    const locator = createLocator({ logger });
    const reload = vi.spyOn(locator, 'reload');
    const uninstall = installSighupReload(locator, logger);
    process.emit('SIGHUP');
    expect(reload).toHaveBeenCalledTimes(1);
    await reload.mock.results[0]?.value;
    uninstall();
    process.emit('SIGHUP');
    expect(reload).toHaveBeenCalledTimes(1);
  });
});
