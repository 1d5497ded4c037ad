/**
 * SFU fan-out benchmark: one publisher (@roamhq/wrtc, real VP8 + Opus encoders, noisy
 * 960x540 frames at 30 fps, about 1.5-2 Mbps) to N receiving @roamhq/wrtc peers (decode and
 * send full feedback, like browsers). Three processes: SFU, receivers, publisher+driver;
 * we print the SFU process's CPU µs per forwarded packet (process.cpuUsage / stats()).
 *   npx tsx bench/sfu-fanout.ts [N ...]     (default 5 20 50; BENCH_W/BENCH_H/BENCH_FPS)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import wrtc from '@roamhq/wrtc';

const WARMUP_MS = 6000;
const MEASURE_MS = 10_000;
const W = Number(process.env.BENCH_W ?? 960);
const H = Number(process.env.BENCH_H ?? 540);
const FPS = Number(process.env.BENCH_FPS ?? 30);

class Child {
  readonly child: ChildProcess;
  #rid = 0;
  readonly #waiting = new Map<number, (v: Record<string, unknown>) => void>();
  onSignal: (id: string, msg: { event: string; data: Record<string, string> }) => void = () => undefined;
  onOther: (m: Record<string, unknown>) => void = () => undefined;
  constructor(file: string, extra: string[] = []) {
    this.child = fork(fileURLToPath(new URL(file, import.meta.url)), { execArgv: ['--import', 'tsx', ...extra] });
    this.child.on('message', (raw) => {
      const m = raw as { op: string; rid?: number; id?: string; msg?: never };
      if (m.op === 'reply' && m.rid !== undefined) this.#waiting.get(m.rid)?.(m);
      else if (m.op === 'signal' && m.id && m.msg) this.onSignal(m.id, m.msg);
      else this.onOther(m);
    });
  }
  send(m: Record<string, unknown>): void {
    this.child.send(m);
  }
  call(m: Record<string, unknown>): Promise<Record<string, unknown>> {
    const rid = ++this.#rid;
    return new Promise((r) => {
      this.#waiting.set(rid, r);
      this.child.send({ ...m, rid });
    });
  }
}

async function startPublisher(sfu: Child): Promise<{ pc: RTCPeerConnection; stop(): void }> {
  const { RTCPeerConnection: PC, nonstandard } = wrtc as unknown as {
    RTCPeerConnection: new () => RTCPeerConnection;
    nonstandard: {
      RTCVideoSource: new () => { createTrack(): MediaStreamTrack; onFrame(f: unknown): void };
      RTCAudioSource: new () => { createTrack(): MediaStreamTrack; onData(d: unknown): void };
    };
  };
  sfu.send({ op: 'add', id: 'pub' });
  const pc = new PC();
  const video = new nonstandard.RTCVideoSource();
  const audio = new nonstandard.RTCAudioSource();
  pc.addTransceiver(audio.createTrack(), { direction: 'sendonly' });
  pc.addTransceiver(video.createTrack(), { direction: 'sendonly' });
  // Precomputed noisy frames (cycled) keep the encoder busy without JS work per frame.
  let x = 1;
  const frames = Array.from({ length: 16 }, (_, k) => {
    const f = new Uint8ClampedArray(W * H * 1.5).fill(128);
    for (let i = 0; i < W * H; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      f[i] = ((i % W) + k * 6) / 4 + (x & 0x1f);
    }
    return f;
  });
  let n = 0;
  const vt = setInterval(() => {
    n++;
    video.onFrame({ width: W, height: H, data: frames[n % frames.length] });
  }, 1000 / FPS);
  const samples = new Int16Array(480);
  const at = setInterval(() => {
    for (let i = 0; i < 480; i++) samples[i] = Math.round(Math.sin((n * 480 + i) / 9) * 6000);
    audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
  }, 10);
  pc.onicecandidate = (e) => {
    if (e.candidate) sfu.send({ op: 'cand', id: 'pub', pc: 'pub', candidate: e.candidate.candidate, mid: e.candidate.sdpMid ?? '0' });
  };
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const reply = await sfu.call({ op: 'publish', id: 'pub', sdp: offer.sdp });
  await pc.setRemoteDescription({ type: 'answer', sdp: String(reply.sdp) });
  return {
    pc,
    stop: () => {
      clearInterval(vt);
      clearInterval(at);
      pc.close();
    },
  };
}

async function runOnce(n: number): Promise<void> {
  const sfu = new Child('./sfu-fanout-server.ts', process.env.BENCH_SFU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SFU_PROF}`] : []);
  const rx = new Child('./sfu-fanout-receivers.ts');
  sfu.onSignal = (id, msg) => rx.send({ op: 'signal', id, msg });
  rx.onOther = (m) => sfu.send(m);
  for (let i = 0; i < n; i++) {
    sfu.send({ op: 'add', id: `s${i}` });
    rx.send({ op: 'add', id: `s${i}` });
  }
  const pub = await startPublisher(sfu);
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const [a, ra] = await Promise.all([sfu.call({ op: 'measure' }), rx.call({ op: 'measure' })]);
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  const [b, rb] = await Promise.all([sfu.call({ op: 'measure' }), rx.call({ op: 'measure' })]);
  const d = (k: string): number => Number(rb[k]) - Number(ra[k]);
  const fwd = Number(b.forwarded) - Number(a.forwarded);
  const cpu = Number(b.cpuUs) - Number(a.cpuUs);
  const secs = MEASURE_MS / 1000;
  const loss = d('video') + d('lost') > 0 ? d('lost') / (d('video') + d('lost')) : 0;
  console.log(
    `N=${n}\tvideo ${((d('bytes') * 8) / n / secs / 1000).toFixed(0)} kbps/sub\t` +
      `forwarded ${(fwd / secs).toFixed(0)} pkt/s\tSFU CPU ${(cpu / Math.max(1, fwd)).toFixed(1)} µs/pkt ` +
      `(${(cpu / MEASURE_MS / 10).toFixed(0)} % of a core)\tSFU RSS ${(Number(b.rss) / 1048576).toFixed(0)} MB\t` +
      `sub fps ${(d('frames') / n / secs).toFixed(1)}\tsub video loss ${(loss * 100).toFixed(2)} %\t` +
      `received ${((d('video') + d('audio')) / secs).toFixed(0)} pkt/s`,
  );
  pub.stop();
  sfu.child.disconnect();
  rx.child.disconnect();
  await new Promise((r) => setTimeout(r, 800));
}

const ns = process.argv
  .slice(2)
  .map(Number)
  .filter((x) => x > 0);
for (const n of ns.length > 0 ? ns : [5, 20, 50]) await runOnce(n);
process.exit(0);
