/**
 * The production shape: Debian's nginx with deploy/nginx/parley.conf as written (only its
 * addresses, names and certificate paths replaced) terminating TLS with a self-signed
 * certificate made here, in front of a real Parley process configured as
 * deploy/systemd/parley.env says (trusted proxy 127.0.0.1, FORWARDED_HEADER=x-forwarded-for).
 * Clients speak HTTPS and WSS to nginx from loopback addresses that GEO_TEST_MAP places in CN
 * and HK. Skips only when nginx cannot be installed here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { siteFor } from './nginx-site.js';
import { services, type NginxHandle } from './services.js';
import { request, signUp, Signaling, type Origin } from './through-proxy.js';

const CN = '127.0.0.2';
const HK = '127.0.0.3';

const svc = await services();
const nginxBin = svc.ensureNginxInstalled();
if (!nginxBin) console.warn('SKIPPED: Debian nginx could not be installed here (sudo apt-get install nginx).');

let parley: ServerProcess;
let nginx: NginxHandle | undefined;
let origin: Origin;
let httpPort: number;

beforeAll(async () => {
  if (!nginxBin) return;
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'parley-site-'));
  const { cert, key } = svc.selfSignedCert(dir, 'meet.parley.test');
  const tlsPort = await svc.freePort();
  httpPort = await svc.freePort();
  parley = await startServerProcess({
    PUBLIC_URL: `https://127.0.0.1:${tlsPort}`,
    COOKIE_SECURE: 'true',
    TRUSTED_PROXIES: '127.0.0.1/32,::1/128',
    FORWARDED_HEADER: 'x-forwarded-for',
    GEO_TEST_MAP: `${CN}=CN,${HK}=HK`,
  });
  const upstreamPort = Number(new URL(parley.url).port);
  nginx = await svc.startNginx({ site: siteFor({ httpPort, tlsPort, upstreamPort, cert, key }), ports: [httpPort, tlsPort] });
  origin = { base: `https://127.0.0.1:${tlsPort}`, ca: fs.readFileSync(cert) };
});

afterAll(async () => {
  nginx?.stop();
  await parley?.stop();
});

/** A meeting whose host blocks CN, made through nginx. */
async function meetingBlockingCn(): Promise<string> {
  const cookie = await signUp(origin);
  const m = await request(origin, 'POST', '/api/meetings', { cookie, body: { title: 'Memorial' } });
  expect(m.status).toBe(201);
  const id = (JSON.parse(m.body) as { meeting: { id: string } }).meeting.id;
  const put = await request(origin, 'PUT', `/api/meetings/${id}/restrictions`, { cookie, body: { mode: 'block', countries: ['CN'], unknown: 'allow' } });
  expect(put.status).toBe(200);
  return id;
}

describe.skipIf(!nginxBin)('Parley behind deploy/nginx/parley.conf', () => {
  it('serves the app and the API over HTTPS with the security headers, and redirects plain HTTP', async () => {
    const page = await request(origin, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(page.headers.server).toBe('nginx');
    const health = await request(origin, 'GET', '/healthz');
    expect(health.status).toBe(200);
    const plain = await fetch(`http://127.0.0.1:${httpPort}/m/abc?x=1`, { redirect: 'manual' });
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toBe(`https://127.0.0.1/m/abc?x=1`);
  });

  it('refuses a client in CN who claims HK in X-Forwarded-For and Forwarded, over WSS', async () => {
    const id = await meetingBlockingCn();
    const s = await Signaling.open(origin, { localAddress: CN, headers: { 'x-forwarded-for': HK, forwarded: `for=${HK}`, 'x-real-ip': HK } });
    try {
      const r = await s.send('join', { meetingId: id, displayName: 'Li' });
      expect(r.ok ? 'joined' : r.error?.code).toBe('LOCATION_RESTRICTED');
    } finally {
      s.close();
    }
  });

  it('admits a client in HK who claims CN in the same headers: nobody is moved into a jurisdiction', async () => {
    const id = await meetingBlockingCn();
    const s = await Signaling.open(origin, { localAddress: HK, headers: { 'x-forwarded-for': `${CN}, ${CN}`, forwarded: `for=${CN}`, 'x-real-ip': CN } });
    try {
      const r = await s.send('join', { meetingId: id, displayName: 'Wing' });
      expect(r.ok ? 'joined' : r.error?.code).toBe('joined');
    } finally {
      s.close();
    }
  });

  it('keeps no access log and tells nobody its version', async () => {
    const r = await request(origin, 'GET', '/does-not-exist');
    expect(r.headers.server).toBe('nginx');
    // Debian's nginx.conf logs every request unless the site says otherwise; this one does.
    const log = fs.existsSync(nginx!.accessLog) ? fs.readFileSync(nginx!.accessLog, 'utf8') : '';
    expect(log).not.toContain('127.0.0.');
  });
});
