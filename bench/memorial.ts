/**
 * The memorial meeting (issue 15): one node, one meeting, N participants on real signaling
 * sockets, P of them publishing cameras with simulcast, R of them receiving over real WebRTC and
 * showing a 25-tile page. Prints: time to join for the last participant, roster bytes each
 * present participant receives per arrival and server CPU per join at N=50 and N, browser chain
 * verification (bench/memorial-roster.ts); then the media part: SFU forwarded packets/s, this
 * process's CPU per forwarded packet and per participant, forwarded streams per receiver (must
 * be ≤ 25 visible + 3 voices), decoded frames/s per receiver, and the server's rss.
 *
 * This process is the server alone: the cameras (memorial-publishers.ts: recorded VP8 simulcast
 * and Opus replayed over libdatachannel, no encoder) and the receivers (memorial-receivers.ts:
 * @roamhq/wrtc, decoding) run in child processes and report what they sent and decoded.
 *
 *   npx tsx bench/memorial.ts [participants=250] [publishers=25] [receivers=40]
 *   MEMORIAL_ROSTER=0 skips the roster and browser part.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../server/app.js';
import { testConfig } from '../server/config/index.js';
import { createMediaServer, type MediaServerInternals } from '../server/media/index.js';
import { openMemoryStorage } from '../server/storage/index.js';
import { WsClient } from '../test/helpers/app.js';
import { measureRoster } from './memorial-roster.js';

const N = Number(process.argv[2] ?? 250);
const P = Number(process.argv[3] ?? 25);
const R = Number(process.argv[4] ?? 40);
const WARMUP_MS = 10_000;
const MEASURE_MS = 10_000;
/** Receivers per wrtc child process (two children use both cores of the bench machine). */
const RECEIVERS_PER_CHILD = Math.ceil(R / (R > 20 ? 2 : 1));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const cpuUs = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

type Reply = Record<string, unknown> & { op: string };
interface Child {
  proc: ChildProcess;
  ask(m: Record<string, unknown> | null, op: string): Promise<Reply>;
}
/** A bench child over IPC: `ask` sends a message and resolves with the next reply of the named op. */
function child(file: string, args: string[]): Child {
  const proc = fork(fileURLToPath(new URL(file, import.meta.url)), args, { execArgv: process.execArgv });
  const waiting: [string, (m: Reply) => void][] = [];
  const early: Reply[] = [];
  proc.on('message', (raw) => {
    const m = raw as Reply;
    const i = waiting.findIndex(([op]) => op === m.op);
    if (i >= 0) waiting.splice(i, 1)[0]?.[1](m);
    else early.push(m);
  });
  proc.on('exit', (code) => code !== 0 && code !== null && console.error(`${file} exited ${code}`));
  return {
    proc,
    ask(m, op) {
      if (m) proc.send(m);
      const i = early.findIndex((e) => e.op === op);
      if (i >= 0) return Promise.resolve(early.splice(i, 1)[0] as Reply);
      return new Promise((resolve) => waiting.push([op, resolve]));
    },
  };
}

if (process.env.MEMORIAL_ROSTER !== '0') await measureRoster(N);

const storage = await openMemoryStorage();
let media: MediaServerInternals | null = null;
const { app } = await buildApp({
  config: testConfig({ COOKIE_SECURE: 'false', LOG_LEVEL: 'warn' }),
  storage,
  createMedia: (cfg) => (media = createMediaServer(cfg)),
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const wsUrl = url.replace(/^http/, 'ws') + '/ws';
const sockets: WsClient[] = [];
const children: ChildProcess[] = [];
try {
  const signup = await app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    payload: { email: 'host@example.org', password: 'correct horse battery', displayName: 'Host' },
  });
  const cookie = `parley_session=${signup.cookies.find((c) => c.name === 'parley_session')?.value ?? ''}`;
  const created = await app.inject({ method: 'POST', url: '/api/meetings', headers: { cookie }, payload: { title: 'Memorial' } });
  const meetingId = created.json<{ meeting: { id: string } }>().meeting.id;

  // An observer counts the roster bytes every present participant receives per arrival.
  const observer = await WsClient.open(wsUrl, { cookie });
  sockets.push(observer);
  await observer.request('join', { meetingId, displayName: 'Host' });
  let observed = 0;
  observer.ws.on('message', (d: Buffer) => (observed += d.length));

  // Cameras and receivers join first from their child processes, then the rest from here.
  const cams = child('./memorial-publishers.ts', [wsUrl, meetingId, String(P)]);
  children.push(cams.proc);
  const joined = await cams.ask(null, 'joined');
  const camIds = joined.ids as string[];
  const rxs = Array.from({ length: Math.ceil(R / RECEIVERS_PER_CHILD) }, (_, k) => {
    const n = Math.min(RECEIVERS_PER_CHILD, R - k * RECEIVERS_PER_CHILD);
    return child('./memorial-receivers.ts', [wsUrl, meetingId, String(n), String(k * RECEIVERS_PER_CHILD + 1)]);
  });
  children.push(...rxs.map((c) => c.proc));
  const rxIds = (await Promise.all(rxs.map((c) => c.ask(null, 'joined')))).flatMap((m) => m.ids as string[]);
  const quietIds: string[] = [];
  const joinMs: number[] = [];
  const t0 = Date.now();
  for (let i = 0; i < N - 1 - P - R; i++) {
    const ws = await WsClient.open(wsUrl);
    sockets.push(ws);
    const s = performance.now();
    const j = await ws.request<{ participantId: string }>('join', { meetingId, displayName: `Mourner ${i + 1}` });
    joinMs.push(performance.now() - s);
    quietIds.push(j.participantId);
  }
  console.log(
    `media meeting (in-process clients, one event at a time): the last ${joinMs.length} of ${N} participants joined in ${Date.now() - t0} ms; join of the last: ${joinMs.at(-1)?.toFixed(1)} ms (median ${pct(joinMs, 0.5).toFixed(1)}, p99 ${pct(joinMs, 0.99).toFixed(1)})`,
  );
  console.log(`media meeting: bytes to a present participant per arrival: ${(observed / (N - 1)).toFixed(0)}`);
  const rec = joined.recording as { size: string; fps: number; frames: number; keyframes: number; kbps: number; gaps: number }[];
  console.log(
    `recorded VP8 (wrtc encoder, keyframe on PLI every second, loop from keyframe to keyframe): ${rec.map((l) => `${l.size} ${l.kbps.toFixed(0)} kbps ${l.fps.toFixed(1)} fps, ${l.frames} frames, ${l.keyframes} keyframes, ${l.gaps} seq gaps`).join('; ')}`,
  );

  await cams.ask({ op: 'publish' }, 'published');
  const page = camIds.slice(0, 25);
  const late = (await Promise.all(rxs.map((c) => c.ask({ op: 'view', page }, 'viewing')))).reduce((a, r) => a + Number(r.late), 0);
  if (late > 0) console.log(`receivers: ${late} media.subscribe/view/layer replies took over 5 s`);
  await sleep(WARMUP_MS);

  const m = media as MediaServerInternals | null;
  if (!m) throw new Error('no media server');
  const w = await measureWindow(m, cams, rxs);
  const streams = (id: string): number => m.slotInfo(id).filter((s) => s.publisherId !== null).length;
  console.log(
    `memorial media: ${N} participants, ${P} cameras (replayed VP8 simulcast q/h/f + Opus, one talking), ${R} wrtc receivers in ${rxs.length} child process(es), ${N - 1 - P - R} signaling only (+ host)`,
  );
  printMedia(w, rxIds.map(streams), quietIds.slice(0, 5).map(streams));
} finally {
  // Children first: their sockets and peers close with them, so the server has nothing left to wait for.
  for (const c of children) if (c.connected) c.disconnect();
  for (const s of sockets) s.close();
  await app.close();
  await storage.close();
}

interface MediaWindow {
  secs: number;
  cpuUs: number;
  forwarded: number;
  /** The cameras' counters at the window's start and end. */
  cams: [Reply, Reply];
  /** Each receiver child's report for the window. */
  rx: Reply[];
}

/** Read this process's CPU and the SFU's forwarded packets over MEASURE_MS, and the children's counters around it. */
async function measureWindow(m: MediaServerInternals, cams: Child, rxs: Child[]): Promise<MediaWindow> {
  const ask = (phase: 'start' | 'end'): Promise<Reply[]> =>
    Promise.all([cams.ask({ op: 'measure' }, 'measured'), ...rxs.map((c) => c.ask({ op: 'measure', phase }, 'measured'))]);
  const [camsA] = await ask('start');
  const f0 = m.stats().forwardedPackets;
  const c0 = cpuUs();
  const w0 = performance.now();
  await sleep(MEASURE_MS);
  const cpu = cpuUs() - c0;
  const secs = (performance.now() - w0) / 1000;
  const forwarded = m.stats().forwardedPackets - f0;
  const [camsB, ...rx] = await ask('end');
  return { secs, cpuUs: cpu, forwarded, cams: [camsA as Reply, camsB as Reply], rx };
}

/** The media lines: server CPU per forwarded packet and per participant, streams per receiver, what the children sent and decoded. */
function printMedia(w: MediaWindow, perReceiver: number[], quiet: number[]): void {
  const [a, b] = w.cams;
  const d = (k: string): number => Number(b[k]) - Number(a[k]);
  const camSecs = d('at') / 1000;
  const layerPps = (b.videoPackets as number[]).map((v, i) => (v - ((a.videoPackets as number[])[i] ?? 0)) / camSecs);
  type Rx = { frames: number; videoStreams: number; decoding: number; audioPackets: number; state: string };
  const rx = w.rx.flatMap((r) => (r.perReceiver as Rx[]).map((x) => ({ ...x, secs: Number(r.secs) })));
  const fps = rx.map((r) => r.frames / r.secs);
  const videoStreams = rx.reduce((s, r) => s + r.videoStreams, 0);
  const decoding = rx.reduce((s, r) => s + r.decoding, 0);
  const states = new Map<string, number>();
  for (const r of rx) states.set(r.state, (states.get(r.state) ?? 0) + 1);
  const rxCpu = w.rx.reduce((s, r) => s + Number(r.cpuUs) / Number(r.secs), 0);
  console.log(
    `cameras sent ${layerPps.map((v, i) => `${'qhf'[i]} ${v.toFixed(0)}`).join(' / ')} video + ${(d('audioPackets') / camSecs).toFixed(0)} audio packets/s; since start: ${String(b.pauses)} layer pauses (dynacast), ${String(b.plis)} PLIs, ${String(b.keyframeJumps)} keyframe jumps, ${String(b.nacks)} NACKed packets`,
  );
  console.log(`SFU forwarded ${(w.forwarded / w.secs).toFixed(0)} packets/s`);
  console.log(
    `server process CPU (this process only: signaling for ${N}, SFU, roster) ${((w.cpuUs / 1e6 / w.secs) * 100).toFixed(1)} % of one core, ${(w.cpuUs / Math.max(1, w.forwarded)).toFixed(2)} µs per forwarded packet; per participant ${(w.cpuUs / w.secs / N / 1000).toFixed(3)} ms of CPU per second`,
  );
  console.log(
    `forwarded streams per receiver: min ${Math.min(...perReceiver)} / median ${pct(perReceiver, 0.5)} / max ${Math.max(...perReceiver)} (limit 25 visible + 3 voices = 28); per signaling-only participant: ${quiet.join(', ')}`,
  );
  console.log(
    `decoded video per receiver: min ${Math.min(...fps).toFixed(1)} / median ${pct(fps, 0.5).toFixed(1)} frames/s (25 tiles at 15 fps = 375); video streams decoding: ${decoding} of ${videoStreams}${decoding < videoStreams ? ' — SOME FORWARDED VIDEO DID NOT DECODE' : ''}; audio ${(rx.reduce((s, r) => s + r.audioPackets / r.secs, 0) / Math.max(1, rx.length)).toFixed(0)} packets/s per receiver; receiver connections: ${[...states].map(([k, v]) => `${v} ${k}`).join(', ')}`,
  );
  console.log(
    `children CPU: cameras ${((d('cpuUs') / 1e6 / camSecs) * 100).toFixed(0)} %, receivers ${((rxCpu / 1e6) * 100).toFixed(0)} % of one core; server rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
  );
}
