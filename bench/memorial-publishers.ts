/**
 * Child process for bench/memorial.ts: P cameras that replay recorded VP8 simulcast
 * (memorial-recording.ts) and Opus silence instead of encoding. Each is a libdatachannel peer
 * on its own signaling socket offering q/h/f the way Parley's client does (a=rid + a=simulcast,
 * SIM group, SSRC cname parley-<rid>), so the SFU's SRTP, ICE and forwarding are the real
 * ones; only the encoder is replaced. Packets get fresh SSRC, sequence, timestamp and picture
 * ids, abs-send-time and rid on video, the audio level on audio (127 = silent, 30 for the
 * first: the one talking). A PLI/FIR jumps that layer to its next recorded keyframe; media.layers
 * (dynacast) pauses layers, and a resumed layer starts on a keyframe.
 *
 *   fork(memorial-publishers.ts, [wsUrl, meetingId, count]); IPC: joined → publish → measure
 */
import ndc from 'node-datachannel';
import type { PeerConnection, Track } from 'node-datachannel';
import { WsClient } from '../test/helpers/app.js';
import { type RecordedFrame, type RecordedLayer, recordVp8 } from './memorial-recording.js';
import { parseRtcp } from '../server/media/rtcp.js';
import { isRtcp } from '../server/media/rtp.js';

const [wsUrl = '', meetingId = '', countArg = '0'] = process.argv.slice(2);
const VP8_PT = 96;
const OPUS_PT = 111;
const EXT = { level: 1, absSendTime: 2, rid: 10 } as const;
const RIDS = ['q', 'h', 'f'] as const;
/** An Opus packet holding one 20 ms CELT silence frame (what DTX-less senders emit in silence). */
const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
const counters = { videoPackets: [0, 0, 0], audioPackets: 0, plis: 0, nacks: 0, keyframeJumps: 0, pauses: 0 };

interface LayerPlay {
  ssrc: number;
  seq: number;
  picId: number;
  pos: number;
  next: number;
  kept: boolean;
}

class ReplayPublisher {
  readonly #layers: LayerPlay[];
  readonly #audio = { ssrc: 0, seq: 0, ts: 0, next: 0 };
  readonly #level: number;
  readonly #recording: RecordedLayer[];
  readonly #start = performance.now();
  #pc: PeerConnection | null = null;
  #video: Track | null = null;
  #audioTrack: Track | null = null;

  constructor(index: number, recording: RecordedLayer[], talking: boolean) {
    this.#recording = recording;
    this.#level = talking ? 30 : 127;
    const base = 0x4d000000 + index * 16;
    this.#layers = RIDS.map((_, i) => ({ ssrc: base + i, seq: (index * 1000) & 0xffff, picId: index * 100, pos: 0, next: 0, kept: true }));
    this.#audio.ssrc = base + 8;
  }

  /** Negotiate over the participant's socket (media.publish) and wait until both tracks are open. */
  async connect(ws: WsClient): Promise<void> {
    const pc = new ndc.PeerConnection('memorial-replay', { iceServers: [], disableAutoNegotiation: true });
    this.#pc = pc;
    const v = new ndc.Video('0', 'SendOnly');
    v.addVP8Codec(VP8_PT);
    this.#layers.forEach((l, i) => v.addSSRC(l.ssrc, `parley-${RIDS[i]}`, 'memorial', 'camera'));
    for (const line of [
      `a=extmap:${EXT.absSendTime} http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time`,
      `a=extmap:${EXT.rid} urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id`,
      `a=ssrc-group:SIM ${this.#layers.map((l) => l.ssrc).join(' ')}`,
      ...RIDS.map((r) => `a=rid:${r} send`),
      `a=simulcast:send ${RIDS.join(';')}`,
    ])
      v.parseSdpLine(line);
    const a = new ndc.Audio('1', 'SendOnly');
    a.addOpusCodec(OPUS_PT);
    a.addSSRC(this.#audio.ssrc, 'parley-audio', 'memorial', 'mic');
    a.parseSdpLine(`a=extmap:${EXT.level} urn:ietf:params:rtp-hdrext:ssrc-audio-level`);
    const video = pc.addTrack(v);
    const audio = pc.addTrack(a);
    this.#video = video;
    this.#audioTrack = audio;
    video.onMessage((buf) => isRtcp(buf) && this.#rtcp(buf));
    const early: [string, string][] = [];
    let answered = false;
    pc.onLocalCandidate((candidate, mid) => {
      if (!answered) early.push([candidate, mid]);
      else void ws.send('media.candidate', { pc: 'pub', candidate, mid }).catch(() => undefined);
    });
    ws.onEvent((e) => {
      if (e.event === 'media.layers' && e.data.kind === 'video') this.#keep(e.data.keep);
      if (e.event !== 'media.candidate' || e.data.pc !== 'pub') return;
      try {
        pc.addRemoteCandidate(e.data.candidate, e.data.mid);
      } catch {
        /* before the answer, or stale */
      }
    });
    const offer = new Promise<string>((resolve) => pc.onLocalDescription((sdp) => resolve(sdp)));
    pc.setLocalDescription('offer');
    const { sdp } = await ws.request<{ sdp: string }>('media.publish', { sdp: await offer });
    pc.setRemoteDescription(sdp, 'answer');
    answered = true;
    for (const [c, mid] of early) await ws.send('media.candidate', { pc: 'pub', candidate: c, mid });
    await Promise.all([open(video), open(audio)]);
  }

  #rtcp(buf: Buffer): void {
    parseRtcp(buf, {
      keyframe: (ssrc) => {
        const l = this.#layers.find((x) => x.ssrc === ssrc);
        counters.plis++;
        if (l) this.#toKeyframe(l, this.#recording[this.#layers.indexOf(l)] as RecordedLayer);
      },
      nack: () => counters.nacks++,
    });
  }

  /** Dynacast: send only the lowest `keep` layers; a resumed layer starts on a keyframe. */
  #keep(keep: number): void {
    this.#layers.forEach((l, i) => {
      const kept = i < keep;
      if (kept && !l.kept) this.#toKeyframe(l, this.#recording[i] as RecordedLayer);
      if (!kept && l.kept) counters.pauses++;
      l.kept = kept;
    });
  }

  #toKeyframe(l: LayerPlay, rec: RecordedLayer): void {
    const n = rec.frames.length;
    for (let k = 0; k < n; k++)
      if (rec.frames[(l.pos + k) % n]?.keyframe === true) {
        l.pos = (l.pos + k) % n;
        counters.keyframeJumps++;
        return;
      }
  }

  /** Send what is due at `now` (ms since start): frames of each kept layer, 20 ms audio packets. */
  tick(now: number): void {
    const ms = now - this.#start;
    const abs = Math.round(((now / 1000) * (1 << 18)) % (1 << 24));
    this.#layers.forEach((l, i) => {
      const rec = this.#recording[i] as RecordedLayer;
      if (l.next < ms - 500) l.next = ms; // a stalled loop skips ahead instead of bursting
      while (l.next <= ms) {
        const f = rec.frames[l.pos] as RecordedFrame;
        if (l.kept) this.#sendFrame(l, i, f, Math.round(l.next * 90), abs);
        l.next += f.durationMs;
        l.pos = (l.pos + 1) % rec.frames.length;
      }
    });
    const au = this.#audio;
    if (au.next < ms - 500) au.next = ms;
    while (au.next <= ms) {
      au.next += 20;
      au.ts += 960;
      const b = Buffer.alloc(20 + OPUS_SILENCE.length);
      header(b, OPUS_PT, false, au.seq++, au.ts, au.ssrc, 1);
      b[16] = (EXT.level << 4) | 0;
      b[17] = 0x80 | this.#level;
      OPUS_SILENCE.copy(b, 20);
      if (send(this.#audioTrack, b)) counters.audioPackets++;
    }
  }

  #sendFrame(l: LayerPlay, index: number, f: RecordedFrame, ts: number, abs: number): void {
    const picId = l.picId++ & 0x7fff;
    f.packets.forEach((p, k) => {
      const b = Buffer.allocUnsafe(24 + p.payload.length);
      header(b, VP8_PT, k === f.packets.length - 1, l.seq, ts, l.ssrc, 2);
      l.seq = (l.seq + 1) & 0xffff;
      b[16] = (EXT.absSendTime << 4) | 2;
      b.writeUIntBE(abs, 17, 3);
      b[20] = EXT.rid << 4;
      b[21] = (RIDS[index] as string).charCodeAt(0);
      b[22] = 0;
      b[23] = 0;
      p.payload.copy(b, 24);
      if (p.picIdLength === 2) b.writeUInt16BE(0x8000 | picId, 24 + p.picIdAt);
      else if (p.picIdLength === 1) b[24 + p.picIdAt] = picId & 0x7f;
      if (p.tl0At >= 0) b[24 + p.tl0At] = picId & 0xff;
      if (send(this.#video, b)) (counters.videoPackets[index] as number)++;
    });
  }

  close(): void {
    try {
      this.#pc?.close();
    } catch {
      /* closed */
    }
  }
}

/** RTP header with a one-byte-form extension block of `words` 32-bit words (filled by the caller). */
function header(b: Buffer, pt: number, marker: boolean, seq: number, ts: number, ssrc: number, words: number): void {
  b[0] = 0x90;
  b[1] = (marker ? 0x80 : 0) | pt;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  b.writeUInt16BE(0xbede, 12);
  b.writeUInt16BE(words, 14);
}

function send(track: Track | null, b: Buffer): boolean {
  try {
    return track !== null && track.isOpen() && track.sendMessageBinary(b);
  } catch {
    return false;
  }
}

function open(track: Track): Promise<void> {
  return new Promise((resolve, reject) => {
    if (track.isOpen()) {
      resolve();
      return;
    }
    const t = setTimeout(() => reject(new Error('replay track did not open')), 20_000);
    track.onOpen(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

const reply = (m: Record<string, unknown>): void => void process.send?.(m);
const recording = await recordVp8(7);
const sockets: WsClient[] = [];
const ids: string[] = [];
for (let i = 0; i < Number(countArg); i++) {
  const ws = await WsClient.open(wsUrl);
  sockets.push(ws);
  ids.push((await ws.request<{ participantId: string }>('join', { meetingId, displayName: `Camera ${i + 1}` })).participantId);
}
reply({
  op: 'joined',
  ids,
  recording: recording.map((l) => ({
    size: `${l.width}x${l.height}`,
    frames: l.frames.length,
    keyframes: l.frames.filter((f) => f.keyframe).length,
    fps: (l.frames.length * 1000) / l.frames.reduce((a, f) => a + f.durationMs, 0),
    kbps: (l.frames.reduce((a, f) => a + f.packets.reduce((b, p) => b + p.payload.length, 0), 0) * 8) / l.frames.reduce((a, f) => a + f.durationMs, 0),
    gaps: l.gaps,
  })),
});
const publishers = ids.map((_, i) => new ReplayPublisher(i, recording, i === 0));
let timer: NodeJS.Timeout | null = null;
process.on('message', (raw) => {
  const m = raw as { op: string };
  if (m.op === 'publish')
    void (async () => {
      for (const [i, p] of publishers.entries()) await p.connect(sockets[i] as WsClient);
      timer = setInterval(() => {
        const now = performance.now();
        for (const p of publishers) p.tick(now);
      }, 5);
      reply({ op: 'published' });
    })();
  else if (m.op === 'measure') {
    const cpu = process.cpuUsage();
    reply({ op: 'measured', ...counters, videoPackets: [...counters.videoPackets], cpuUs: cpu.user + cpu.system, at: performance.now() });
  }
});
process.on('disconnect', () => {
  if (timer) clearInterval(timer);
  for (const p of publishers) p.close();
  for (const s of sockets) s.close();
  process.exit(0);
});
