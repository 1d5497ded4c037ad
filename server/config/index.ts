/** Instance configuration from the environment, validated once at start-up. */
import { z } from 'zod';

const bool = z.enum(['0', '1', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes');
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /**
   * Public base URL used in links (defaults to http://localhost:PORT). Its origin is the one
   * browsers may send state-changing requests and WebSocket upgrades from (server/http/origin.ts).
   */
  PUBLIC_URL: z.url().optional(),
  /** Further origins allowed to do so, comma-separated (in a cluster: the other nodes' PUBLIC_URLs). */
  ALLOWED_ORIGINS: csv.pipe(z.array(z.url())).default([]),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Cookies get the Secure flag unless this is false (plain-http development). */
  COOKIE_SECURE: bool.optional(),
  /** CIDRs whose forwarding header (FORWARDED_HEADER) is believed. Empty: none. */
  TRUSTED_PROXIES: csv.default([]),
  /**
   * The one forwarding header the trusted proxies set: `x-forwarded-for` or `forwarded`. The
   * other is never read. Unset: no header is believed (a warning at start if proxies are trusted).
   */
  FORWARDED_HEADER: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['x-forwarded-for', 'forwarded']))
    .optional(),
  /** Path to a MaxMind-format country database; default: the embedded CC0 database. */
  GEO_DB_PATH: z.string().optional(),
  /**
   * Test-and-demo mapping "127.0.0.2=CN,127.0.0.3=HK". Off unless set here, in the
   * server's environment; no client message or header can switch it on.
   */
  GEO_TEST_MAP: z.string().optional(),
  /** Address announced in ICE candidates (public IP of this host); default: auto. */
  MEDIA_ANNOUNCED_IP: z.string().optional(),
  MEDIA_PORT_MIN: z.coerce.number().int().min(1024).max(65535).optional(),
  MEDIA_PORT_MAX: z.coerce.number().int().min(1024).max(65535).optional(),
  /** Single muxed UDP port for all media (libdatachannel ICE UDP mux). */
  MEDIA_UDP_MUX_PORT: z.coerce.number().int().min(1024).max(65535).optional(),
  /** Addresses that are infrastructure (TURN servers, VPN concentrators): never location evidence on a media path. */
  MEDIA_IGNORE_CIDRS: csv.default([]),
  /** JSON array of RTCIceServer objects given to joiners (never in the public /api/config when they carry credentials). */
  ICE_SERVERS: z.string().optional(),
  /** coturn `static-auth-secret` (`use-auth-secret`): joiners get time-limited TURN credentials for TURN_URLS. */
  TURN_SECRET: z.string().min(16).optional(),
  /** TURN server URLs for those credentials, comma-separated (`turn:…`, `turns:…`). */
  TURN_URLS: csv.pipe(z.array(z.string().regex(/^turns?:\S+$/, 'a turn: or turns: URL'))).default([]),
  /** How long TURN credentials are valid, in seconds (default 6 h; each join and reconnect gets new ones). */
  TURN_TTL_SEC: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(6 * 3600),
  /** Bearer token for /metrics. Unset: /metrics answers only direct connections from loopback. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Most bytes queued for one signaling socket before it is closed as too slow (CLIENT_TOO_SLOW). */
  WS_MAX_QUEUED_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(1024 * 1024),
  /** Origin line of transparency checkpoints; default derived from PUBLIC_URL. */
  LOG_ORIGIN: z.string().optional(),
  /** Witnesses that cosign the log's checkpoints: JSON [{ name, key (cosignature vkey), url }] (docs/transparency.md). */
  WITNESSES: z.string().optional(),
  /** Directory of the log signing key and pseudonym key (files, 0600); default <DATA_DIR>/keys; `database` keeps them in the database. */
  LOG_KEY_DIR: z.string().optional(),
  /** Days a meeting's bans are kept after it ends (docs/retention.md). */
  RETENTION_BAN_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  /** Days a demand's document is kept after the demand was lifted, expired, rejected or refused (its SHA-256 stays). */
  RETENTION_DEMAND_DOCUMENT_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
});

export type RawConfig = z.infer<typeof ConfigSchema>;

export interface Config extends RawConfig {
  publicUrl: string;
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  /** Time-limited TURN credentials (coturn REST scheme), or null when TURN_SECRET is unset. */
  turn: { secret: string; urls: string[]; ttlSec: number } | null;
  cookieSecure: boolean;
}

const IceServers = z.array(
  z.object({
    urls: z.union([z.string(), z.array(z.string())]).transform((u) => (Array.isArray(u) ? u : [u])),
    username: z.string().optional(),
    credential: z.string().optional(),
  }),
);

/** Parse and check the environment; throws a readable error naming the bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${lines}`);
  }
  const raw = parsed.data;
  let iceServers: Config['iceServers'] = [];
  if (raw.ICE_SERVERS) {
    const ice = IceServers.safeParse(JSON.parse(raw.ICE_SERVERS));
    if (!ice.success) throw new Error('Invalid configuration:\n  ICE_SERVERS: not a JSON array of RTCIceServer');
    iceServers = ice.data.map((s) => {
      const out: Config['iceServers'][number] = { urls: s.urls };
      if (s.username !== undefined) out.username = s.username;
      if (s.credential !== undefined) out.credential = s.credential;
      return out;
    });
  }
  if ((raw.TURN_SECRET === undefined) !== (raw.TURN_URLS.length === 0)) {
    throw new Error(`Invalid configuration:\n  ${raw.TURN_SECRET === undefined ? 'TURN_SECRET' : 'TURN_URLS'}: TURN_SECRET and TURN_URLS go together`);
  }
  const turn = raw.TURN_SECRET === undefined ? null : { secret: raw.TURN_SECRET, urls: raw.TURN_URLS, ttlSec: raw.TURN_TTL_SEC };
  const publicUrl = raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`;
  return {
    ...raw,
    publicUrl,
    iceServers,
    turn,
    cookieSecure: raw.COOKIE_SECURE ?? publicUrl.startsWith('https://'),
  };
}

/** Config for in-process tests: in-memory everything, no listening. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ PORT: '0', LOG_LEVEL: 'silent', DATA_DIR: ':memory:', ...overrides });
}
