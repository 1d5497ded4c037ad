/** Prometheus metrics at /metrics. The alert rules that use them: deploy/prometheus/alerts.yml. */
import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyRequest } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { AppError } from '../../protocol/errors.js';

interface Sources {
  rooms: { stats(): { meetings: number; participants: number } };
  media: { stats(): { forwardedPackets: number; publishers: number; malformedPackets: number; faults: number; rebuilds: number } };
  /** The transparency log: witness alarms per witness and reason, and rejected appends (counted there, read at scrape). */
  log?: { witnesses(): { name: string; alarmsByReason: Partial<Record<string, number>> }[]; appendFailures(): number };
}

/** The version in package.json, read once when metrics are built ('unknown' if unreadable). */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function createMetrics(src: Sources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Always 1 while the process answers: `absent(parley_build_info)` finds a scrape target that
  // is gone altogether, `up == 0` one that is down, and the label says which release runs.
  new Gauge({ name: 'parley_build_info', help: 'Always 1; the running release in the version label', labelNames: ['version'], registers: [registry] }).set(
    { version: packageVersion() },
    1,
  );
  const wsConnections = new Gauge({ name: 'parley_ws_connections', help: 'Open signaling sockets', registers: [registry] });
  new Gauge({
    name: 'parley_live_meetings',
    help: 'Meetings with someone in them',
    registers: [registry],
    collect() {
      this.set(src.rooms.stats().meetings);
    },
  });
  new Gauge({
    name: 'parley_live_participants',
    help: 'Participants in live meetings (incl. waiting and reconnecting)',
    registers: [registry],
    collect() {
      this.set(src.rooms.stats().participants);
    },
  });
  new Gauge({
    name: 'parley_media_forwarded_packets',
    help: 'RTP packets forwarded by the SFU since start',
    registers: [registry],
    collect() {
      this.set(src.media.stats().forwardedPackets);
    },
  });
  for (const [name, help, pick] of [
    ['parley_media_malformed_packets', 'RTP/RTCP from participants dropped as malformed since start', 'malformedPackets'],
    ['parley_media_faults', 'Media legs closed because a native callback threw on participant input (contained) since start', 'faults'],
    ['parley_media_leg_rebuilds', 'Subscriber legs rebuilt (failed, unanswered, refused, asked) since start', 'rebuilds'],
  ] as const) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(src.media.stats()[pick]);
      },
    });
  }
  const enforcementActions = new Counter({
    name: 'parley_enforcement_actions_total',
    help: 'Participants refused or removed under a demand or restriction',
    labelNames: ['action', 'jurisdiction'],
    registers: [registry],
  });
  const log = src.log;
  if (log) {
    new Counter({
      name: 'parley_witness_alarms_total',
      help: 'Checkpoint submissions a witness did not cosign (anything but 200 or a 409 that resynced), by witness and reason',
      labelNames: ['witness', 'reason'],
      registers: [registry],
      collect() {
        this.reset();
        for (const w of log.witnesses()) for (const [reason, n] of Object.entries(w.alarmsByReason)) this.inc({ witness: w.name, reason }, n ?? 0);
      },
    });
    new Counter({
      name: 'parley_log_append_failures_total',
      help: 'Transparency log appends rejected with LOG_APPEND_FAILED (the actions they recorded were not taken)',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(log.appendFailures());
      },
    });
  }
  const turnCredentials = new Counter({
    name: 'parley_turn_credentials_issued_total',
    help: 'Time-limited TURN credentials handed to joiners (one per join and reconnect when TURN_SECRET is set)',
    registers: [registry],
  });
  return { registry, wsConnections, enforcementActions, turnCredentials };
}

/**
 * The per-joiner ICE server issuer (meetings/turn.ts iceServersFor), counting each TURN
 * credential it hands out in `parley_turn_credentials_issued_total`. `metrics` is read per call:
 * the issuer is built before the metrics are.
 */
export function countingTurnIssuer<S extends { username?: string }>(
  issue: (participantId: string) => S[],
  metrics: () => Metrics,
): (participantId: string) => S[] {
  return (participantId) => {
    const servers = issue(participantId);
    // Only the joiner's own `<expiry>:<participant id>` credential, not static ICE_SERVERS ones.
    const issued = servers.filter((s) => s.username?.endsWith(`:${participantId}`)).length;
    if (issued > 0) metrics().turnCredentials.inc(issued);
    return servers;
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;
const FORWARDING = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

/**
 * Who may read /metrics (it tells anyone how many people are in meetings, and when enforcement
 * acted). With METRICS_TOKEN: whoever sends `Authorization: Bearer <token>`, from anywhere.
 * Without: only a direct loopback connection, i.e. a scraper on this machine. A request that
 * came through a reverse proxy (it carries a forwarding header) is not local, even though its
 * socket peer is the proxy on loopback.
 */
export function createMetricsGuard(token: string | undefined): (req: FastifyRequest) => void {
  const expected = token === undefined ? null : createHash('sha256').update(token).digest();
  return (req) => {
    if (expected !== null) {
      const auth = req.headers.authorization ?? '';
      const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (!timingSafeEqual(createHash('sha256').update(given).digest(), expected))
        throw new AppError('UNAUTHENTICATED', 'Metrics need the bearer token (METRICS_TOKEN).');
      return;
    }
    const local = LOOPBACK.test(req.socket.remoteAddress ?? '') && !FORWARDING.some((h) => req.headers[h] !== undefined);
    if (!local) throw new AppError('FORBIDDEN', 'Metrics are served only to this machine (or set METRICS_TOKEN).');
  };
}
