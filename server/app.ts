/**
 * buildApp(deps): the whole server, assembled in-process with no I/O at import time, so
 * tests build it with an in-memory database and drive it with `app.inject` or a real port.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import fastifyStatic from '@fastify/static';
import pino, { type Logger } from 'pino';
import { AppError, toAppError } from '../protocol/errors.js';
import { MAX_MESSAGE_BYTES } from '../protocol/signaling.js';
import { accountRoutes, createAccounts, type Accounts } from './accounts/index.js';
import type { Config } from './config/index.js';
import { addressKey, createKeyedLimiter, createOriginGuard, DEVICE_COOKIE, requireRole, SESSION_COOKIE } from './http/index.js';
import { createClientAddressResolver, createLocator, geoAdminRoutes, infrastructureSet, judgeMediaPath, type Locator } from './geo/index.js';
import type { MediaConfig, MediaParticipantHooks, MediaServer } from './media/index.js';
import {
  createMeetingStore,
  iceServersFor,
  meetingRoutes,
  publicIceServers,
  RoomManager,
  startReceiversReport,
  type AdmissionPolicy,
  type MeetingStore,
  type ParticipantLocation,
} from './meetings/index.js';
import { signalingRoutes } from './signaling/index.js';
import { createPolicy, policyRoutes, type PolicyEngine } from './policy/index.js';
import {
  assertLogIntact,
  configuredKeyStore,
  createTransparencyLog,
  parseWitnesses,
  registerTransparency,
  type TransparencyLog,
} from './transparency/index.js';
import { startRetention, type RetentionJob, type Storage } from './storage/index.js';
import { countingTurnIssuer, createMetrics, createMetricsGuard, type Metrics } from './http/index.js';

export interface AppDeps {
  config: Config;
  storage: Storage;
  logger?: Logger;
  /** Where an address is (geo/); default: the configured or embedded database. */
  locator?: Locator;
  /** The policy engine (default: built over this storage and log). */
  policy?: PolicyEngine;
  /** The transparency log (default: built over this storage). */
  log?: TransparencyLog;
  /** Checkpoint cadence of a default log (ms; 0 = only on demand). */
  checkpointIntervalMs?: number;
  /** Builds the media plane (media/ createMediaServer in production). */
  createMedia: (config: MediaConfig) => MediaServer;
  /** Test-only levers; only code can pass them (never config, env or an API). See TestHooks. */
  testHooks?: TestHooks;
  /** [cluster] This process is one node of several (server/cluster createCluster). */
  cluster?: AppCluster;
}

/** [cluster] What buildApp asks of server/cluster: route joins to the hosting node; see the services. */
export interface AppCluster {
  /** Wraps the admission policy: a join for a meeting hosted on another node is sent there. */
  admission(inner: AdmissionPolicy): AdmissionPolicy;
  /** Called once the services exist, before routes are registered (placement, policy sync, routes). */
  attach(services: Services, app: FastifyInstance): void;
  /** A rate limiter shared by all nodes, with this node's own as the fallback. */
  rateLimiter?(opts: { limit: number; windowSec: number; name: string }, local: (key: string) => boolean): { take(key: string): Promise<boolean> };
}

/**
 * Levers that exist only when a test passes this object to buildApp in code. buildApp fills
 * in the functions. Used to prove clients catch a server that breaks the roster invariant.
 */
export interface TestHooks {
  /** Make the media plane forward a meeting's media to a subscriber that is NOT in the roster. */
  addHiddenSubscriber?: (meetingId: string, hooks: MediaParticipantHooks) => string;
}

export interface Services {
  config: Config;
  storage: Storage;
  accounts: Accounts;
  meetings: MeetingStore;
  rooms: RoomManager;
  media: MediaServer;
  policy: PolicyEngine;
  log: TransparencyLog;
  metrics: Metrics;
  logger: Logger;
  locator: Locator;
  clientAddress: (req: FastifyRequest) => string;
  /** The purge jobs of docs/retention.md (hourly; runNow() for tests and operators). */
  retention: RetentionJob;
}

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');

export async function buildApp(deps: AppDeps): Promise<{ app: FastifyInstance; services: Services }> {
  const { config, storage } = deps;
  const logger = deps.logger ?? pino({ level: config.LOG_LEVEL });
  const app: FastifyInstance = Fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it (pino Logger vs FastifyBaseLogger under exactOptionalPropertyTypes)
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    trustProxy: false,
    logController: new LogController({ disableRequestLogging: true }),
  });

  const locator = deps.locator ?? createLocator({ dbPath: config.GEO_DB_PATH, testMap: config.GEO_TEST_MAP, logger });
  const resolveAddress = createClientAddressResolver({ trustedProxies: config.TRUSTED_PROXIES, header: config.FORWARDED_HEADER, logger });
  const clientAddress = (req: FastifyRequest) => resolveAddress(req.socket.remoteAddress, req.headers);
  const locate = (address: string): ParticipantLocation => locator.locate(address);
  const accounts = createAccounts(storage.db);
  const meetings = createMeetingStore(storage.db);
  const log =
    deps.log ??
    (await createTransparencyLog({
      db: storage.db,
      dialect: storage.dialect,
      sqlite: storage.sqlite,
      origin: config.LOG_ORIGIN ?? `${new URL(config.publicUrl).host}/transparency`,
      logger,
      witnesses: parseWitnesses(config.WITNESSES),
      keys: configuredKeyStore({ keyDir: config.LOG_KEY_DIR, dataDir: config.DATA_DIR, cluster: Boolean(deps.cluster), db: storage.db }),
      ...(deps.checkpointIntervalMs !== undefined ? { checkpointIntervalMs: deps.checkpointIntervalMs } : {}),
    }));
  // eslint-disable-next-line prefer-const -- assigned once below; closures created before then need the binding
  let metrics!: Metrics;
  const policy =
    deps.policy ??
    (await createPolicy({
      db: storage.db,
      log,
      meetings,
      accounts,
      onAction: (action, jurisdiction) => metrics.enforcementActions.inc({ action, jurisdiction }),
    }));
  accounts.setSignupGuard(policy.signupGuard);
  // eslint-disable-next-line prefer-const -- assigned once below; the receiver gate needs the binding first
  let rooms!: RoomManager;
  const hidden = new Set<string>();
  const receiverGate = deps.testHooks ? (m: string, p: string) => hidden.has(p) || rooms.mayReceive(m, p) : (m: string, p: string) => rooms.mayReceive(m, p);
  const media = deps.createMedia({
    announcedIp: config.MEDIA_ANNOUNCED_IP,
    portRangeBegin: config.MEDIA_PORT_MIN,
    portRangeEnd: config.MEDIA_PORT_MAX,
    udpMuxPort: config.MEDIA_UDP_MUX_PORT,
    iceServers: config.iceServers,
    receiverGate,
    logger: logger.child({ domain: 'media' }),
  });
  const admission = deps.cluster ? deps.cluster.admission(policy) : (policy as AdmissionPolicy); // [cluster]
  const infrastructure = infrastructureSet([...config.iceServers.flatMap((s) => s.urls), ...(config.turn?.urls ?? [])], config.MEDIA_IGNORE_CIDRS);
  rooms = new RoomManager({
    store: meetings,
    media,
    policy: admission,
    locate,
    judgeMediaPath: (path, current) => judgeMediaPath(path, current, infrastructure, (a) => locator.locate(a)),
    logger,
    iceServers: countingTurnIssuer(iceServersFor(config.iceServers, config.turn), () => metrics),
  });
  policy.attachPort(rooms);
  policy.attachLocator(locator); // every swap logs the file's SHA-256 first; API swaps need a second admin
  metrics = createMetrics({ rooms, media, log });
  const stopReceiversReport = startReceiversReport(rooms, media);
  if (deps.testHooks) {
    deps.testHooks.addHiddenSubscriber = (meetingId, hooks) => {
      const id = `hidden-${randomBytes(6).toString('base64url')}`;
      hidden.add(id);
      media.addParticipant(meetingId, id, hooks);
      media.subscribe(id);
      return id;
    };
  }
  // A new database can move people: re-locate everyone and re-run policy where it changed.
  locator.onReload(() => rooms.relocateAll());

  // Before anything else runs: another site's page must not act with a visitor's cookie.
  const originGuard = createOriginGuard({
    publicUrl: config.publicUrl,
    publicUrlConfigured: config.PUBLIC_URL !== undefined,
    allowedOrigins: config.ALLOWED_ORIGINS,
  });
  app.addHook('onRequest', async (req) => originGuard.check(req));
  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: MAX_MESSAGE_BYTES, verifyClient: (info, done) => originGuard.verifyClient(info, done) } });

  // Who is asking: every request resolves its session (if any) before routes run.
  app.decorateRequest('user', null);
  app.decorateRequest('sessionToken', null);
  app.addHook('onRequest', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      req.sessionToken = token;
      req.user = await accounts.userForSession(token);
    }
    if (!req.cookies[DEVICE_COOKIE] && !req.url.startsWith('/ws')) {
      reply.setCookie(DEVICE_COOKIE, randomBytes(18).toString('base64url'), {
        httpOnly: true,
        secure: config.cookieSecure,
        sameSite: 'lax',
        path: '/',
        maxAge: 365 * 24 * 3600,
      });
    }
  });

  // Sign-in and sign-up: 10 at once, then one a second per address (an IPv6 /64); across all nodes in a cluster.
  const localAuth = createKeyedLimiter({ ratePerSec: 1, burst: 10 });
  const authLimiter = deps.cluster?.rateLimiter?.({ limit: 20, windowSec: 10, name: 'auth' }, (k) => localAuth.take(k)) ?? {
    take: (k: string) => Promise.resolve(localAuth.take(k)),
  };
  app.addHook('preHandler', async (req) => {
    if ((req.routeOptions.config as { rateLimit?: string }).rateLimit === 'auth' && !(await authLimiter.take(addressKey(clientAddress(req))))) {
      throw new AppError('RATE_LIMITED');
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const e = toAppError(err);
    if (e.code === 'INTERNAL') req.log.error({ err }, 'request failed');
    void reply.code(e.httpStatus).send({ error: e.toBody() });
  });

  const retention = startRetention(storage.db, { banDays: config.RETENTION_BAN_DAYS, demandDocumentDays: config.RETENTION_DEMAND_DOCUMENT_DAYS }, { logger });
  const services: Services = { config, storage, accounts, meetings, rooms, media, policy, log, metrics, logger, locator, clientAddress, retention };
  deps.cluster?.attach(services, app); // [cluster]

  // Public: only servers without credentials (TURN credentials come with a join, time-limited).
  app.get('/api/config', async () => ({ iceServers: publicIceServers(config.iceServers), version: '0.1.0' }));
  app.get('/healthz', async () => {
    assertLogIntact(log); // 503 LOG_INTEGRITY_FAILED while the log cannot record (nothing may then happen)
    return { ok: true };
  });
  const metricsGuard = createMetricsGuard(config.METRICS_TOKEN);
  app.get('/metrics', async (req, reply) => {
    metricsGuard(req); // not public: METRICS_TOKEN, or a scraper on this machine
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  accountRoutes(app, { accounts, cookieSecure: config.cookieSecure, locate: (req) => locate(clientAddress(req)) });
  meetingRoutes(app, {
    store: meetings,
    rooms,
    publicUrl: config.publicUrl,
    assertMayHost: (user, req) => policy.assertMayHost(user, locate(clientAddress(req))),
  });
  await app.register(policyRoutes, { policy, meetings });
  await registerTransparency(app, log, { publicUrl: config.publicUrl });
  signalingRoutes(app, { rooms, clientAddress, onConnection: (d) => metrics.wsConnections.inc(d), maxQueuedBytes: config.WS_MAX_QUEUED_BYTES });
  await app.register(geoAdminRoutes, {
    locator,
    requireAdmin: (req) => void requireRole(req, 'admin'),
    requestReload: async (req, path) => policy.requestGeoReload(path, requireRole(req, 'admin').id),
  });

  await serveWeb(app);
  app.addHook('onClose', async () => {
    retention.stop();
    stopReceiversReport();
    media.close();
    policy.close();
    if (!deps.log) await log.close();
  });
  return { app, services };
}

/** The built web client, with SPA fallback; API paths keep their JSON 404. */
async function serveWeb(app: FastifyInstance): Promise<void> {
  const hasWeb = fs.existsSync(path.join(WEB_DIST, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    // Everything below /transparency/ is data for tools (tiles, checkpoints): never the app's HTML.
    const apiLike = /^\/(api|ws|\.well-known|metrics)(\/|$)|^\/transparency\//.test(req.url);
    if (req.method === 'GET' && !apiLike && hasWeb) return reply.type('text/html').sendFile('index.html');
    return reply.code(404).send({ error: new AppError('NOT_FOUND').toBody() });
  });
}
