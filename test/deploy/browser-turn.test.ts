/**
 * The whole production shape with a real browser: Debian's nginx (deploy/nginx/parley.conf, a
 * self-signed certificate made here) in front of a real Parley process, coturn run from
 * deploy/coturn/turnserver.conf beside it, and Chromium pages holding meetings through nginx
 * (HTTPS, WSS). The pages may use relayed candidates only and each keeps one of the TURN URLs
 * Parley hands out (TURN_URLS as deploy/systemd/parley.env lists them: turns:…?transport=tcp,
 * turn:…?transport=tcp, turn:…?transport=udp, all on the one coturn port that stands in for
 * 443). A guest also claims a blocked country in X-Forwarded-For and Forwarded, which nginx must
 * not let through. Skips only when nginx or coturn cannot be installed here.
 *
 * Loopback stands in for the public addresses of production: coturn relays to 127.0.0.1 only
 * (the suite's startCoturn adds allow-loopback-peers and allowed-peer-ip=127.0.0.1 to the deploy
 * config; every private range stays denied), and the SFU announces 127.0.0.1
 * (MEDIA_ANNOUNCED_IP), as a production SFU announces its public address. Without the
 * announcement the SFU's candidate is the machine's LAN address, its answers to the relay leave
 * from 127.0.0.1, and coturn drops them for want of a permission (seen: coturn took 126 packets
 * from the SFU and passed 4 to the browser).
 *
 * Over TURN/TCP and TURN/TLS, Chromium (156 here) sends its connectivity checks with an ICE
 * tiebreaker of 0, and libjuice (node-datachannel 0.33.4, the SFU's ICE) answers every one with
 * STUN 400 ("Controlling and controlled attributes mismatch in request": it compares the
 * ICE-CONTROLLING and ICE-CONTROLLED values instead of their presence), so ICE fails within
 * 0.2 s: libjuice issue #355, fix in its pull request #356, not released. Relayed over UDP the
 * meeting works; the TCP/TLS meeting is pinned as an expected failure below, to be flipped
 * when a node-datachannel with that fix is installed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchBrowser } from '../e2e/helpers/browser.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { siteFor } from './nginx-site.js';
import { root, services, type CoturnHandle, type NginxHandle } from './services.js';

/** The browsers' real address, and the address a guest claims in forwarding headers. */
const HK = '127.0.0.1';
const CN = '127.0.0.2';

/**
 * Every RTCPeerConnection the page makes is recorded with the ICE servers Parley gave it and the
 * relayed candidates it gathered, keeps only the one TURN URL `keep`, and may only use relayed
 * candidates: a network where nothing but that way to coturn gets out.
 */
const relayOnly = (keep: string) => `(() => {
  const Orig = window.RTCPeerConnection;
  window.__pcs = [];
  window.__given = [];
  window.__relays = [];
  window.RTCPeerConnection = class extends Orig {
    constructor(config = {}, ...rest) {
      const servers = config.iceServers ?? [];
      window.__given.push(...servers.flatMap((s) => [].concat(s.urls)));
      const kept = servers
        .map((s) => ({ ...s, urls: [].concat(s.urls).filter((u) => u === ${JSON.stringify(keep)}) }))
        .filter((s) => s.urls.length > 0);
      super({ ...config, iceServers: kept, iceTransportPolicy: 'relay' }, ...rest);
      window.__pcs.push(this);
      this.addEventListener('icecandidate', (e) => {
        if (e.candidate && e.candidate.type === 'relay') window.__relays.push(e.candidate.relayProtocol);
      });
    }
  };
})();`;

interface PathInfo {
  candidateType: string;
  relayProtocol?: string;
  bytesReceived: number;
}

const svc = await services();
const nginxBin = svc.ensureNginxInstalled();
const turn: CoturnHandle | null = nginxBin
  ? await svc.ensureCoturn({ baseConfig: fs.readFileSync(path.join(root, 'deploy/coturn/turnserver.conf'), 'utf8') })
  : null;
const missing = !nginxBin ? 'nginx' : !turn ? 'coturn' : null;
if (missing)
  console.warn(
    `SKIPPED: the Chromium meeting over TURN needs Debian's ${missing}, which could not be installed or started here (sudo apt-get install ${missing}).`,
  );

let parley: ServerProcess | undefined;
let nginx: NginxHandle | undefined;
let browser: Browser | undefined;
let base = '';
/** coturn's listening-port (443 in deploy/) answers TURN over UDP, plain TCP and TLS. */
let urls: { udp: string; tcp: string; tls: string };

/** TURN_URLS of deploy/systemd/parley.env with turn.example.org:443 replaced by `at`. */
function turnUrlsAsDeployed(at: string): { udp: string; tcp: string; tls: string } {
  const line = /^TURN_URLS=(.*)$/m.exec(fs.readFileSync(path.join(root, 'deploy/systemd/parley.env'), 'utf8'));
  const list = (line?.[1] ?? '').split(',').map((u) => u.replace('turn.example.org:443', at));
  const pick = (re: RegExp) => {
    const u = list.find((x) => re.test(x));
    if (!u) throw new Error(`deploy/systemd/parley.env TURN_URLS has no ${String(re)}: update this test`);
    return u;
  };
  return { tls: pick(/^turns:.*\?transport=tcp$/), tcp: pick(/^turn:.*\?transport=tcp$/), udp: pick(/^turn:.*\?transport=udp$/) };
}
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (missing) return;
  ensureWebBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-site-'));
  const { cert, key } = svc.selfSignedCert(dir, 'meet.parley.test');
  const tlsPort = await svc.freePort();
  const httpPort = await svc.freePort();
  base = `https://127.0.0.1:${tlsPort}`;
  urls = turnUrlsAsDeployed(`127.0.0.1:${turn!.port}`);
  parley = await startServerProcess({
    PUBLIC_URL: base,
    COOKIE_SECURE: 'true',
    TRUSTED_PROXIES: '127.0.0.1/32,::1/128',
    FORWARDED_HEADER: 'x-forwarded-for',
    GEO_TEST_MAP: `${HK}=HK,${CN}=CN`,
    MEDIA_ANNOUNCED_IP: '127.0.0.1',
    TURN_SECRET: turn!.secret,
    TURN_URLS: [urls.tls, urls.tcp, urls.udp].join(','),
  });
  nginx = await svc.startNginx({ site: siteFor({ httpPort, tlsPort, upstreamPort: Number(new URL(parley.url).port), cert, key }), ports: [httpPort, tlsPort] });
  // nginx's certificate is the test's own (ignoreHTTPSErrors below); so is coturn's, and Chromium
  // checks that one: without this flag it gathers no TURN/TLS candidate at all (seen).
  browser = await launchBrowser({ args: ['--ignore-certificate-errors'] });
}, 120_000);

/** Close every page so far: four encoding Chromium pages at once are too much for two cores. */
async function closePages(): Promise<void> {
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
}

afterAll(async () => {
  await closePages();
  await browser?.close();
  nginx?.stop();
  await parley?.stop();
  turn?.stop();
});

async function page(keep: string, headers: Record<string, string> = {}): Promise<Page> {
  const c = await browser!.newContext({
    baseURL: base,
    ignoreHTTPSErrors: true,
    permissions: ['camera', 'microphone'],
    viewport: { width: 960, height: 600 },
    extraHTTPHeaders: headers,
  });
  await c.addInitScript(relayOnly(keep));
  contexts.push(c);
  return c.newPage();
}

/** A host (relayed through `hostUrl`) and a guest (through `guestUrl`) in a meeting that blocks CN. */
async function meeting(hostUrl: string, guestUrl: string, guestHeaders: Record<string, string> = {}): Promise<{ host: Page; guest: Page }> {
  const host = await page(hostUrl);
  const signup = await host.request.post('/api/auth/signup', {
    data: { email: `host-${Date.now()}-${Math.random()}@example.org`, password: 'correct horse battery', displayName: 'Hostess' },
  });
  expect(signup.ok(), await signup.text()).toBe(true);
  const created = await host.request.post('/api/meetings', { data: { title: 'Through the relay' } });
  expect(created.ok(), await created.text()).toBe(true);
  const { meeting: m } = (await created.json()) as { meeting: { id: string } };
  const put = await host.request.put(`/api/meetings/${m.id}/restrictions`, { data: { mode: 'block', countries: ['CN'], unknown: 'allow' } });
  expect(put.ok(), await put.text()).toBe(true);
  await host.goto(`/m/${m.id}`);
  await host.getByTestId('join-button').click();
  await host.getByTestId('meeting-room').waitFor({ timeout: 15_000 });
  const guest = await page(guestUrl, guestHeaders);
  await guest.goto(`/m/${m.id}`);
  await guest.getByTestId('lobby-name').fill('Grace');
  await guest.getByTestId('join-button').click();
  await guest.getByTestId('meeting-room').waitFor({ timeout: 15_000 });
  return { host, guest };
}

/** The selected candidate pair of each connected connection of the page. */
function mediaPaths(p: Page): Promise<PathInfo[]> {
  return p.evaluate(async () => {
    const out: { candidateType: string; relayProtocol?: string; bytesReceived: number }[] = [];
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.iceConnectionState !== 'connected' && pc.iceConnectionState !== 'completed') continue;
      const stats = [...(await pc.getStats()).values()] as Record<string, unknown>[];
      const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
      const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
      const local = stats.find((s) => s.id === pair?.localCandidateId);
      if (local)
        out.push({
          candidateType: String(local.candidateType),
          ...(local.relayProtocol ? { relayProtocol: String(local.relayProtocol) } : {}),
          bytesReceived: Number(pair?.bytesReceived ?? 0),
        });
    }
    return out;
  });
}

/** Video frames decoded and audio packets received over the page's open connections. */
function decoded(p: Page): Promise<{ frames: number; audioPackets: number }> {
  return p.evaluate(async () => {
    let frames = 0;
    let audioPackets = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === 'closed') continue;
      for (const s of (await pc.getStats()).values() as Iterable<Record<string, unknown>>) {
        if (s.type !== 'inbound-rtp') continue;
        if (s.kind === 'video') frames += Number(s.framesDecoded ?? 0);
        else audioPackets += Number(s.packetsReceived ?? 0);
      }
    }
    return { frames, audioPackets };
  });
}

/** Both pages decode each other's media, every connected path is relayed with `relayProtocol`. */
async function expectRelayedMedia(pages: readonly [Page, string][], timeout: number): Promise<void> {
  for (const [p, relayProtocol] of pages) {
    await expect.poll(async () => (await decoded(p)).frames, { timeout }).toBeGreaterThan(10);
    expect((await decoded(p)).audioPackets).toBeGreaterThan(10);
    const paths = await mediaPaths(p);
    expect(paths.length).toBeGreaterThanOrEqual(1);
    for (const m of paths) expect({ candidateType: m.candidateType, relayProtocol: m.relayProtocol }).toEqual({ candidateType: 'relay', relayProtocol });
    // Media keeps arriving on the relayed path (dynacast starts a viewer on the lowest layer, so
    // the first frames can come in under 10 kB).
    await expect.poll(async () => Math.max(...(await mediaPaths(p)).map((m) => m.bytesReceived)), { timeout }).toBeGreaterThan(10_000);
  }
}

describe.skipIf(missing !== null)('a meeting in Chromium through nginx with media only through coturn', () => {
  it('relays both participants’ media over TURN/UDP, and a guest in HK who claims CN in Forwarded and X-Forwarded-For is admitted to a meeting that blocks CN', async () => {
    const forged = { 'x-forwarded-for': CN, forwarded: `for=${CN}`, 'x-real-ip': CN };
    const { host, guest } = await meeting(urls.udp, urls.udp, forged);
    for (const p of [host, guest]) {
      const given = await p.evaluate(() => (window as unknown as { __given: string[] }).__given);
      expect(new Set(given)).toEqual(new Set([urls.tls, urls.tcp, urls.udp]));
    }
    await expectRelayedMedia(
      [
        [host, 'udp'],
        [guest, 'udp'],
      ],
      30_000,
    );
    await closePages();
  });

  describe('over TURN/TLS (host) and TURN/TCP (guest), the ways out of networks that block UDP', () => {
    let host: Page;
    let guest: Page;
    it('gathers relayed candidates over TLS and TCP with the credentials Parley hands out', async () => {
      ({ host, guest } = await meeting(urls.tls, urls.tcp));
      for (const [p, protocol] of [
        [host, 'tls'],
        [guest, 'tcp'],
      ] as const) {
        await expect.poll(() => p.evaluate(() => (window as unknown as { __relays: string[] }).__relays), { timeout: 10_000 }).toContain(protocol);
        const relays = await p.evaluate(() => (window as unknown as { __relays: string[] }).__relays);
        expect(new Set(relays)).toEqual(new Set([protocol]));
      }
    });

    // Expected to fail until the SFU's libjuice accepts a zero ICE tiebreaker (libjuice #355,
    // pull request #356): it answers Chromium's checks over TCP/TLS relays with STUN 400. When
    // this starts passing, vitest reports it: drop `.fails` and say so in docs/operations.md.
    it.fails('carries both participants’ media over them (libjuice #355: fails today)', async () => {
      await expectRelayedMedia(
        [
          [host, 'tls'],
          [guest, 'tcp'],
        ],
        // ICE fails 0.2 s after each rebuild; 6 s spans several rebuilds by the client.
        6_000,
      );
    });
  });
});
