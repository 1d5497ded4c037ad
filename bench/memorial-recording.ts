/**
 * Real VP8 for bench/memorial.ts's replay publishers: one @roamhq/wrtc peer encodes a moving
 * pattern at 80x60, 160x120 and 320x240 @15 fps (three plain encodes, one per simulcast layer)
 * into a node-datachannel peer that keeps the RTP it receives. The receiving side asks for a
 * keyframe every second (PLI), so a replay can start any layer on a keyframe within 15 frames.
 * Each layer's loop runs from one keyframe to just before a later one: looping restarts cleanly.
 */
import wrtc from '@roamhq/wrtc';
import ndc from 'node-datachannel';
import type { Track } from 'node-datachannel';
import { buildPli, buildRemb } from '../server/media/rtcp.js';
import { isRtcp, newRtpInfo, parseRtp, parseVp8 } from '../server/media/rtp.js';
import { mungePublishAnswer, mungePublishOffer, parseSdp } from '../server/media/sdp.js';

/** One packet's VP8 payload (descriptor included) and where its picture id / TL0PICIDX sit in it. */
export interface RecordedPacket {
  payload: Buffer;
  picIdAt: number;
  picIdLength: number;
  tl0At: number;
}
export interface RecordedFrame {
  packets: RecordedPacket[];
  keyframe: boolean;
  /** Milliseconds from this frame to the next, from the recorded RTP timestamps. */
  durationMs: number;
}
export interface RecordedLayer {
  width: number;
  height: number;
  frames: RecordedFrame[];
  /** Sequence gaps while recording (loopback loss); 0 expected. */
  gaps: number;
}

export const LAYER_SIZES = [
  [80, 60],
  [160, 120],
  [320, 240],
] as const;
const FPS = 15;

type Source = { createTrack(): MediaStreamTrack; onFrame(f: { width: number; height: number; data: Uint8ClampedArray }): void };
const { RTCPeerConnection: PC, nonstandard } = wrtc as unknown as {
  RTCPeerConnection: new () => RTCPeerConnection;
  nonstandard: { RTCVideoSource: new () => Source };
};

/** A bright square moving over a slowly shifting gradient: a camera-like mix of static and moving areas. */
function paint(frame: Uint8ClampedArray, w: number, h: number, n: number): void {
  const s = Math.max(8, w >> 3);
  const sx = (n * 3) % (w - s);
  const sy = Math.floor((Math.sin(n / 10) * 0.5 + 0.5) * (h - s));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) frame[y * w + x] = x >= sx && x < sx + s && y >= sy && y < sy + s ? 235 : ((x + y + n) * 2) & 0x7f;
}

interface Raw {
  seq: number;
  ts: number;
  packet: RecordedPacket;
  keyStart: boolean;
}

/** Record `seconds` of each layer (after `warmupMs` for the encoder's rate to settle). */
export async function recordVp8(seconds = 6, warmupMs = 2500): Promise<RecordedLayer[]> {
  const rec = new ndc.PeerConnection('memorial-recorder', { iceServers: [] });
  const pc = new PC();
  const frames = LAYER_SIZES.map(([w, h]) => new Uint8ClampedArray(w * h * 1.5).fill(128));
  const sources = LAYER_SIZES.map(() => new nonstandard.RTCVideoSource());
  for (const s of sources) pc.addTransceiver(s.createTrack(), { direction: 'sendonly' });
  let n = 0;
  const painter = setInterval(() => {
    n++;
    LAYER_SIZES.forEach(([w, h], i) => {
      const f = frames[i] as Uint8ClampedArray;
      paint(f, w, h, n);
      sources[i]?.onFrame({ width: w, height: h, data: f });
    });
  }, 1000 / FPS);
  const raws: Raw[][] = LAYER_SIZES.map(() => []);
  const info = newRtpInfo();
  let recording = false;
  const tracks: { track: Track; ssrc: number }[] = [];
  let vp8Pt = -1;
  rec.onTrack((track) => {
    const layer = Number(track.mid());
    const t = { track, ssrc: 0 };
    tracks.push(t);
    track.onMessage((buf) => {
      if (isRtcp(buf) || !parseRtp(buf, info) || info.pt !== vp8Pt || info.payloadLength === 0) return;
      t.ssrc = info.ssrc;
      if (!recording || !parseVp8(buf, info)) return;
      const p = info.payloadOffset;
      raws[layer]?.push({
        seq: info.seq,
        ts: info.ts,
        keyStart: info.keyframe,
        packet: {
          payload: Buffer.from(buf.subarray(p, p + info.payloadLength)),
          picIdAt: info.picIdLength > 0 ? info.picIdOffset - p : -1,
          picIdLength: info.picIdLength,
          tl0At: info.tl0Offset >= 0 ? info.tl0Offset - p : -1,
        },
      });
    });
  });
  // Keyframes every 15 frames, and a REMB so the encoder is not held at its start rate.
  const feedback = setInterval(() => {
    for (const t of tracks)
      if (t.ssrc !== 0 && t.track.isOpen()) {
        t.track.sendMessageBinary(buildPli(0x5e5e5e5e, t.ssrc));
        t.track.sendMessageBinary(buildRemb(0x5e5e5e5e, 3_000_000, [t.ssrc]));
      }
  }, 1000);
  try {
    pc.onicecandidate = (e) => {
      if (e.candidate) rec.addRemoteCandidate(e.candidate.candidate, e.candidate.sdpMid ?? '0');
    };
    rec.onLocalCandidate((c, mid) => void pc.addIceCandidate({ candidate: c, sdpMid: mid }).catch(() => undefined));
    const answer = new Promise<string>((resolve) => rec.onLocalDescription((sdp, type) => type === 'answer' && resolve(sdp)));
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const munged = mungePublishOffer(offer.sdp ?? '');
    vp8Pt = parseSdp(munged)[0]?.codecs.find((c) => c.name === 'VP8')?.pt ?? -1;
    rec.setRemoteDescription(munged, 'offer');
    await pc.setRemoteDescription({ type: 'answer', sdp: mungePublishAnswer(await answer) });
    await new Promise((r) => setTimeout(r, warmupMs));
    recording = true;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    recording = false;
  } finally {
    clearInterval(painter);
    clearInterval(feedback);
    pc.close();
    rec.close();
  }
  return raws.map((r, i) => toLoop(r, LAYER_SIZES[i] as readonly [number, number]));
}

/** Group packets into frames (by timestamp) and cut the loop from the first keyframe to the last. */
function toLoop(raws: Raw[], [width, height]: readonly [number, number]): RecordedLayer {
  raws.sort((a, b) => ((a.seq - b.seq + 0x8000) & 0xffff) - 0x8000);
  const frames: (RecordedFrame & { ts: number; seq: number })[] = [];
  let gaps = 0;
  let prevSeq = -1;
  for (const r of raws) {
    if (prevSeq >= 0 && ((r.seq - prevSeq) & 0xffff) !== 1) gaps++;
    prevSeq = r.seq;
    const last = frames.at(-1);
    if (last?.ts === r.ts) last.packets.push(r.packet);
    else frames.push({ packets: [r.packet], keyframe: r.keyStart, durationMs: 1000 / FPS, ts: r.ts, seq: r.seq });
  }
  for (let i = 0; i + 1 < frames.length; i++) {
    const f = frames[i] as RecordedFrame & { ts: number };
    f.durationMs = Math.min(200, Math.max(20, ((((frames[i + 1]?.ts ?? 0) - f.ts) >>> 0) / 90) | 0));
  }
  const first = frames.findIndex((f) => f.keyframe);
  const last = frames.findLastIndex((f) => f.keyframe);
  if (first < 0 || last <= first) throw new Error(`recording of ${width}x${height}: fewer than two keyframes in ${frames.length} frames`);
  return { width, height, frames: frames.slice(first, last).map(({ packets, keyframe, durationMs }) => ({ packets, keyframe, durationMs })), gaps };
}
