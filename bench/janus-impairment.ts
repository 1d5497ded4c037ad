/**
 * The issue 14 impairment benchmark against Janus (Debian's janus, VideoRoom plugin) instead of
 * Parley's SFU, for comparison: the same Chromium publisher Alice (640x360@30, simulcast q/h/f
 * as Parley's client sends it), the same viewer Bob behind the same user-space relay
 * (test/net/udp-relay.ts), the same scenarios and table (bench/impairment-scenarios.ts).
 *
 * Janus runs from a temporary config (scripts/services.mjs startJanus). The page script
 * (bench/janus-page-entry.ts) talks to Janus' HTTP API through this bench's server, which for
 * Bob points Janus' candidates at the relay and makes Bob's own candidates unreachable, as the
 * Parley harness does, so all of Bob's media crosses the relay.
 *
 *   npx tsx bench/janus-impairment.ts [seconds-per-scenario=15]
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/e2e/helpers/browser.js';
import { untilTrue, type VideoQuality } from '../test/e2e/media-pages.js';
import { blackholeCandidate, type Impairment, type RelayCounters, rewriteCandidates, startUdpRelay, type UdpRelay } from '../test/net/udp-relay.js';
import { runImpairmentScenarios } from './impairment-scenarios.js';

interface JanusHandle {
  url: string;
  host: string;
  room: number;
  output(): string;
  stop(): void;
}
interface ServicesModule {
  startJanus(opts?: { room?: number; firFreq?: number; keep?: boolean }): Promise<JanusHandle>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.argv[2] ?? 15);
const VIDEO = { width: 640, height: 360, frameRate: 30 };

interface PageApi {
  startJanus(o: { api: string; room: number; id: string; publish?: typeof VIDEO; subscribeTo?: number }): Promise<number>;
  bench: { iceRestarts(): number; ice: [string, number][]; quality(): Promise<VideoQuality>; videoBytesIn(): Promise<number> };
}

async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(root, 'bench/janus-page-entry.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
  });
  return out.outputFiles[0]?.text ?? '';
}

/** Janus' host candidate in an SDP (its media address for this connection): where the relay must send. */
function janusCandidate(sdp: string): { host: string; port: number } | null {
  const m = /candidate:\S+ \d+ udp \d+ (\S+) (\d+) typ host/i.exec(sdp);
  return m ? { host: m[1] ?? '', port: Number(m[2]) } : null;
}

/**
 * The relays of the participant behind them, one per Janus connection (Janus gives each its own
 * port), impaired together as one: what the scenario runner drives.
 */
function relayGroup(): UdpRelay & { add(key: string, host: string, port: number): Promise<UdpRelay>; get(key: string): UdpRelay | undefined; size(): number } {
  const relays = new Map<string, { relay: UdpRelay; target: number }>();
  const imps: { up: Impairment; down: Impairment } = { up: {}, down: {} };
  return {
    get port() {
      return relays.values().next().value?.relay.port ?? 0;
    },
    async add(key, host, port) {
      const had = relays.get(key);
      if (had) {
        if (had.target !== port) console.error(`Janus moved a connection to ${host}:${port}; its relay still sends to port ${had.target}`);
        return had.relay;
      }
      const relay = await startUdpRelay(port, 7 + relays.size, host);
      relay.set('up', imps.up);
      relay.set('down', imps.down);
      relays.set(key, { relay, target: port });
      return relay;
    },
    get: (key) => relays.get(key)?.relay,
    size: () => relays.size,
    set(dir, imp) {
      if (dir !== 'down') imps.up = imp;
      if (dir !== 'up') imps.down = imp;
      for (const { relay } of relays.values()) relay.set(dir, imp);
    },
    counters() {
      const sum: RelayCounters = { up: { in: 0, out: 0, dropped: 0 }, down: { in: 0, out: 0, dropped: 0 } };
      for (const { relay } of relays.values()) {
        const c = relay.counters();
        for (const d of ['up', 'down'] as const) for (const k of ['in', 'out', 'dropped'] as const) sum[d][k] += c[d][k];
      }
      return sum;
    },
    close() {
      for (const { relay } of relays.values()) relay.close();
    },
  };
}

/**
 * The pages' way to Janus: /janus/<who>/… is Janus' /janus/…. For `behind`, candidates from
 * Janus (SDP or trickle) point at the relay of that Janus session (the page opens one session
 * per connection), started on its first offer or answer, and the page's own are made unreachable.
 */
function proxy(janusUrl: string, behind: string, relays: ReturnType<typeof relayGroup>) {
  const toClient = async (session: string, msg: Record<string, any>): Promise<void> => {
    if (typeof msg.jsep?.sdp === 'string') {
      const at = janusCandidate(msg.jsep.sdp);
      if (at) await relays.add(session, at.host, at.port);
    }
    const relay = relays.get(session);
    if (!relay) return;
    if (typeof msg.jsep?.sdp === 'string') msg.jsep.sdp = rewriteCandidates(msg.jsep.sdp, relay.port);
    if (typeof msg.candidate?.candidate === 'string') msg.candidate.candidate = rewriteCandidates(msg.candidate.candidate, relay.port);
  };
  const toJanus = (msg: Record<string, any>): void => {
    if (typeof msg.jsep?.sdp === 'string') msg.jsep.sdp = blackholeCandidate(msg.jsep.sdp);
    if (typeof msg.candidate?.candidate === 'string') msg.candidate.candidate = blackholeCandidate(msg.candidate.candidate);
  };
  return async (who: string, rest: string, method: string, body: string): Promise<string> => {
    let sent = body;
    if (who === behind && body) {
      const msg = JSON.parse(body);
      toJanus(msg);
      sent = JSON.stringify(msg);
    }
    const r = await fetch(`${janusUrl}${rest}`, { method, ...(method === 'POST' ? { body: sent } : {}) });
    const text = await r.text();
    if (who !== behind) return text;
    const session = /^\/(\d+)/.exec(rest)?.[1] ?? '';
    const got = JSON.parse(text);
    for (const m of Array.isArray(got) ? got : [got]) await toClient(session, m);
    return JSON.stringify(got);
  };
}

const services = (await import(pathToFileURL(path.join(root, 'scripts/services.mjs')).href)) as ServicesModule;
const janus = await services.startJanus();
const js = await bundle();
const relays = relayGroup();
let closing = false;
const forward = proxy(janus.url, 'bob', relays);
const server = http.createServer((req, res) => {
  const m = /^\/janus\/(\w+)(.*)$/.exec(req.url ?? '');
  if (m) {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      forward(m[1] ?? '', m[2] ?? '', req.method ?? 'GET', body).then(
        (text) => res.setHeader('content-type', 'application/json').end(text),
        (err: unknown) => {
          if (!closing) console.error('janus proxy:', err);
          res.writeHead(502).end(String(err));
        },
      );
    });
    return;
  }
  if (req.url === '/page.js') {
    res.setHeader('content-type', 'text/javascript').end(js);
    return;
  }
  res.setHeader('content-type', 'text/html').end('<!doctype html><html><body><script src="/page.js"></script></body></html>');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://localhost:${(server.address() as { port: number }).port}/`;
const browser = await launchBrowser();
try {
  const open = async (): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(url);
    return page;
  };
  const alice = await open();
  const feed = await alice.evaluate((o) => (window as unknown as PageApi).startJanus(o), {
    api: '/janus/alice',
    room: janus.room,
    id: 'alice',
    publish: VIDEO,
  });
  // Bob publishes too, as in the Parley bench (his encoder's CPU and his uplink through the relay).
  const bob = await open();
  const start = (o: Parameters<PageApi['startJanus']>[0]): Promise<number> => bob.evaluate((x) => (window as unknown as PageApi).startJanus(x), o);
  await start({ api: '/janus/bob', room: janus.room, id: 'bob', publish: VIDEO });
  await start({ api: '/janus/bob', room: janus.room, id: 'bob', subscribeTo: feed });
  const viewer = {
    quality: () => bob.evaluate(() => (window as unknown as PageApi).bench.quality()),
    videoBytesIn: () => bob.evaluate(() => (window as unknown as PageApi).bench.videoBytesIn()),
  };
  if (!(await untilTrue(async () => (await viewer.quality()).frames > 30, 20_000))) {
    throw new Error(
      `Bob decoded no video from Janus (ICE: ${JSON.stringify(await bob.evaluate(() => (window as unknown as PageApi).bench.ice))})\n${janus.output().slice(-3000)}`,
    );
  }
  if (relays.size() !== 2) throw new Error(`Bob's 2 connections should each have a relay; ${relays.size()} have`);
  const restarts = (): Promise<number> => bob.evaluate(() => (window as unknown as PageApi).bench.iceRestarts());
  await runImpairmentScenarios(viewer, relays, seconds, async () => ` | ICE restarts so far ${await restarts()}`);
  if (process.env.JANUS_BENCH_DEBUG) {
    console.error('Bob ICE states:', JSON.stringify(await bob.evaluate(() => (window as unknown as PageApi).bench.ice)));
    console.error(janus.output().slice(-6000));
  }
} finally {
  closing = true;
  await browser.close();
  relays.close();
  server.close();
  janus.stop();
}
