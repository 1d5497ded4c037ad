/**
 * Parley and coturn configured as deploy/ says (the same secret in TURN_SECRET and coturn's
 * static-auth-secret; coturn run from deploy/coturn/turnserver.conf): the credential a joiner
 * gets in the join result over WSS through nginx opens a TURN allocation over TLS, on the URL
 * Parley named. A Parley whose secret differs hands out credentials coturn refuses. Skips only
 * when coturn or nginx cannot be installed here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { siteFor } from './nginx-site.js';
import { root, services, type CoturnHandle, type NginxHandle } from './services.js';
import { request, signUp, Signaling, type Origin } from './through-proxy.js';
import { TurnClient, TurnError } from './turn-client.js';

const svc = await services();
const nginxBin = svc.ensureNginxInstalled();
const turn: CoturnHandle | null = nginxBin
  ? await svc.ensureCoturn({ baseConfig: fs.readFileSync(path.join(root, 'deploy/coturn/turnserver.conf'), 'utf8'), allowLoopbackPeers: false })
  : null;
const missing = !nginxBin ? 'nginx' : !turn ? 'coturn' : null;
if (missing) console.warn(`SKIPPED: Debian's ${missing} could not be installed or started here.`);

const stops: (() => unknown)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
  turn?.stop();
});

/** Parley with this TURN secret behind the deploy nginx site; returns the HTTPS origin. */
async function parleyWithSecret(secret: string): Promise<Origin> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-site-'));
  stops.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { cert, key } = svc.selfSignedCert(dir, 'meet.parley.test');
  const tlsPort = await svc.freePort();
  const httpPort = await svc.freePort();
  const parley: ServerProcess = await startServerProcess({
    PUBLIC_URL: `https://127.0.0.1:${tlsPort}`,
    COOKIE_SECURE: 'true',
    TRUSTED_PROXIES: '127.0.0.1/32',
    FORWARDED_HEADER: 'x-forwarded-for',
    TURN_SECRET: secret,
    TURN_URLS: `turns:${turn!.host}:${turn!.port}?transport=tcp`,
  });
  stops.push(() => parley.stop());
  const nginx: NginxHandle = await svc.startNginx({
    site: siteFor({ httpPort, tlsPort, upstreamPort: Number(new URL(parley.url).port), cert, key }),
    ports: [httpPort, tlsPort],
  });
  stops.push(() => nginx.stop());
  return { base: `https://127.0.0.1:${tlsPort}`, ca: fs.readFileSync(cert) };
}

/** Join a new meeting through nginx and return the TURN server Parley gave this joiner. */
async function joinersTurn(o: Origin): Promise<{ url: URL; username: string; credential: string }> {
  const cookie = await signUp(o);
  const m = await request(o, 'POST', '/api/meetings', { cookie, body: { title: 'Relay' } });
  const id = (JSON.parse(m.body) as { meeting: { id: string } }).meeting.id;
  const s = await Signaling.open(o);
  try {
    const r = await s.send('join', { meetingId: id, displayName: 'Ana' });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    const servers = (r.result as { iceServers: { urls: string[]; username?: string; credential?: string }[] }).iceServers;
    const t = servers.find((x) => x.urls.some((u) => u.startsWith('turns:')));
    expect(t?.username).toMatch(/^\d+:/);
    return { url: new URL(t!.urls[0]!.replace(/^turns:/, 'turns://')), username: t!.username!, credential: t!.credential! };
  } finally {
    s.close();
  }
}

describe.skipIf(missing !== null)("Parley's TURN credentials against coturn as deployed", () => {
  let good: Origin;
  let bad: Origin;
  beforeAll(async () => {
    good = await parleyWithSecret(turn!.secret);
    bad = await parleyWithSecret('another-secret-of-sixteen-plus');
  });

  it('opens a TURN allocation over TLS with the credential from the join result', async () => {
    const t = await joinersTurn(good);
    expect(Number(t.url.port)).toBe(turn!.port);
    const client = await TurnClient.connect('tls', { address: t.url.hostname, port: Number(t.url.port) }, fs.readFileSync(turn!.cert));
    try {
      const relayed = await client.allocate(t.username, t.credential);
      expect(relayed.address).toBe(turn!.host);
    } finally {
      client.close();
    }
  });

  it('is refused by coturn when Parley holds another secret', async () => {
    const t = await joinersTurn(bad);
    const client = await TurnClient.connect('tls', { address: t.url.hostname, port: Number(t.url.port) }, fs.readFileSync(turn!.cert));
    try {
      const err = await client.allocate(t.username, t.credential).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TurnError);
      expect((err as TurnError).code).toBe(401);
    } finally {
      client.close();
    }
  });
});
