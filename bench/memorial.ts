/**
 * The memorial meeting (issue 15): one node, one meeting, N participants on real signaling
 * sockets, P of them publishing real WebRTC cameras (@roamhq/wrtc, 320x240@15 + audio, one
 * talking), R of them receiving over real WebRTC and showing a 25-tile page. Prints: time to
 * join for the last participant, roster bytes each present participant receives per arrival
 * and server CPU per join at N=50 and N, browser chain verification (bench/memorial-roster.ts),
 * forwarded streams per receiver (must be ≤ visible + speakers + voices), SFU forwarded
 * packets/s, and this process's CPU per forwarded packet (an upper bound: it includes the wrtc
 * peers' own encoding and decoding).
 *
 *   npx tsx bench/memorial.ts [participants=250] [publishers=25] [receivers=10]
 */
import { buildApp } from '../server/app.js';
import { testConfig } from '../server/config/index.js';
import { createMediaServer, type MediaServerInternals } from '../server/media/index.js';
import { openMemoryStorage } from '../server/storage/index.js';
import { signalingPeer } from '../test/cluster/wrtc-signaling.js';
import { WsClient } from '../test/helpers/app.js';
import { measureRoster } from './memorial-roster.js';
import type { TestPeer } from '../test/integration/media-wrtc-peer.js';

const N = Number(process.argv[2] ?? 250);
const P = Number(process.argv[3] ?? 25);
const R = Number(process.argv[4] ?? 10);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const storage = await openMemoryStorage();
let media: MediaServerInternals | null = null;
const { app } = await buildApp({
  config: testConfig({ COOKIE_SECURE: 'false', LOG_LEVEL: 'warn' }),
  storage,
  createMedia: (cfg) => (media = createMediaServer(cfg)),
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const wsUrl = url.replace(/^http/, 'ws') + '/ws';
const headers: Record<string, string> = {};
const sockets: WsClient[] = [];
const peers: TestPeer[] = [];
try {
  const signup = await app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    headers,
    payload: { email: 'host@example.org', password: 'correct horse battery', displayName: 'Host' },
  });
  const cookie = `parley_session=${signup.cookies.find((c) => c.name === 'parley_session')?.value ?? ''}`;
  const created = await app.inject({ method: 'POST', url: '/api/meetings', headers: { ...headers, cookie }, payload: { title: 'Memorial' } });
  const meetingId = created.json<{ meeting: { id: string } }>().meeting.id;

  // Join and roster at scale: a server of its own, clients in a child process (bench/memorial-roster.ts).
  await measureRoster(N);

  // An observer counts the roster bytes every present participant receives per arrival.
  const observer = await WsClient.open(wsUrl, { ...headers, cookie });
  sockets.push(observer);
  await observer.request('join', { meetingId, displayName: 'Host' });
  let observed = 0;
  observer.ws.on('message', (d: Buffer) => (observed += d.length));

  const ids: string[] = [];
  const joinMs: number[] = [];
  const t0 = Date.now();
  for (let i = 0; i < N - 1; i++) {
    const ws = await WsClient.open(wsUrl, headers);
    sockets.push(ws);
    const s = performance.now();
    const j = await ws.request<{ participantId: string }>('join', { meetingId, displayName: `Mourner ${i + 1}` });
    joinMs.push(performance.now() - s);
    ids.push(j.participantId);
  }
  const rosterBytes = observed;
  const sorted = [...joinMs].sort((a, b) => a - b);
  console.log(
    `media meeting (in-process clients, one event at a time): ${N} participants joined in ${Date.now() - t0} ms; join of the last: ${joinMs.at(-1)?.toFixed(1)} ms (median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(1)}, p99 ${sorted[Math.floor(sorted.length * 0.99)]?.toFixed(1)})`,
  );
  console.log(`media meeting: bytes to a present participant per arrival: ${(rosterBytes / (N - 1)).toFixed(0)}`);

  // Publishers: the first P mourners; one of them talks.
  for (let i = 0; i < P; i++) {
    const p = signalingPeer(sockets[i + 1] as WsClient, ids[i] as string);
    peers.push(p);
    await p.publish({ width: 320, height: 240, fps: 15, silent: i !== 0 });
  }
  // Receivers: the next R, each showing a 25-tile page of the publishers.
  const page = ids.slice(0, 25);
  for (let i = 0; i < R; i++) {
    const ws = sockets[P + i + 1] as WsClient;
    const p = signalingPeer(ws, ids[P + i] as string);
    peers.push(p);
    await ws.request('media.view', { publisherIds: page });
  }
  await sleep(8000);
  const m = media as MediaServerInternals | null;
  if (!m) throw new Error('no media server');
  const f0 = m.stats().forwardedPackets;
  const c0 = process.cpuUsage();
  const w0 = Date.now();
  await sleep(10_000);
  const cpu = process.cpuUsage(c0);
  const secs = (Date.now() - w0) / 1000;
  const forwarded = m.stats().forwardedPackets - f0;
  const perReceiver = ids.slice(P, P + R).map((id) => m.slotInfo(id).filter((s) => s.publisherId !== null).length);
  const quiet = ids.slice(P + R, P + R + 5).map((id) => m.slotInfo(id).filter((s) => s.publisherId !== null).length);
  const decoded = await Promise.all(peers.slice(P).map((p) => p.received()));
  console.log(
    `forwarded streams per receiver: ${perReceiver.join(', ')} (limit: 25 visible + 3 speakers + 3 voices); per non-media participant: ${quiet.join(', ')}`,
  );
  console.log(`receivers decoded (frames in total): ${decoded.map((d) => d.frames).join(', ')}`);
  console.log(
    `SFU forwarded ${(forwarded / secs).toFixed(0)} packets/s; process CPU ${(((cpu.user + cpu.system) / 1e6 / secs) * 100).toFixed(0)} % of one core, ${((cpu.user + cpu.system) / Math.max(1, forwarded)).toFixed(1)} µs per forwarded packet (upper bound, includes the wrtc peers)`,
  );
  console.log(`memory: rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
} finally {
  for (const p of peers) p.close();
  for (const s of sockets) s.close();
  await app.close();
  await storage.close();
}
