/**
 * Test-only server-side tap: a media subscriber the server adds OUTSIDE the roster (through
 * the buildApp testHooks lever), answered by a libdatachannel peer that records every
 * forwarded RTP packet, reassembled into VP8 frames per publisher. What a malicious server
 * (or anyone with its keys) would see of an end-to-end encrypted meeting.
 */
import ndc from 'node-datachannel';
import type { MediaServer, MediaSignal } from '../../server/media/index.js';
import type { TestHooks } from '../../server/app.js';

export interface TapFrame {
  publisherId: string;
  kind: 'audio' | 'video';
  ts: number;
  /** The encoded frame as the publisher's encoder (and transform) produced it. */
  data: Uint8Array<ArrayBuffer>;
  at: number;
}

export interface Tap {
  id: string;
  frames: TapFrame[];
  /** What the tap has seen so far, for a failing test's message. */
  describe(): string;
  close(): void;
}

interface Partial_ {
  publisherId: string;
  pkts: Map<number, Buffer>;
}

/** VP8 payload descriptor length (RFC 7741). */
function vp8DescriptorLength(p: Buffer): number {
  let off = 1;
  const b0 = p[0] ?? 0;
  if (b0 & 0x80) {
    const x = p[off++] ?? 0;
    if (x & 0x80) off += (p[off] ?? 0) & 0x80 ? 2 : 1;
    if (x & 0x40) off++;
    if (x & 0x30) off++;
  }
  return off;
}

export function startTap(hooks: TestHooks, media: MediaServer, meetingId: string): Tap {
  const frames: TapFrame[] = [];
  const pc = new ndc.PeerConnection('tap', { iceServers: [], disableAutoNegotiation: true });
  const midInfo = new Map<string, { kind: 'audio' | 'video'; msid: string }>();
  let streams: Record<string, { participantId: string }> = {};
  const partial = new Map<string, Partial_>();
  let id = '';
  const pendingCands: [string, string][] = [];
  const rtpPerMid = new Map<string, number>();
  const dropped = { unmapped: 0, gaps: 0 };
  let offers = 0;
  pc.onLocalDescription((sdp, type) => {
    if (type === 'answer') void media.answer(id, sdp).catch(() => undefined);
  });
  pc.onLocalCandidate((c, mid) => media.addCandidate(id, 'sub', c, mid));
  pc.onTrack((track) => {
    track.setMediaHandler(new ndc.RtcpReceivingSession());
    track.onMessage((buf) => {
      if (buf.length < 12 || ((buf[1] ?? 0) >= 192 && (buf[1] ?? 0) <= 223)) return;
      rtpPerMid.set(track.mid(), (rtpPerMid.get(track.mid()) ?? 0) + 1);
      const info = midInfo.get(track.mid());
      const publisherId = info ? streams[track.mid()]?.participantId : undefined;
      if (!info || !publisherId) {
        dropped.unmapped++;
        return;
      }
      const cc = (buf[0] ?? 0) & 0x0f;
      let off = 12 + cc * 4;
      if ((buf[0] ?? 0) & 0x10) off += 4 + buf.readUInt16BE(off + 2) * 4;
      let end = buf.length;
      if ((buf[0] ?? 0) & 0x20) end -= buf[buf.length - 1] ?? 0;
      const payload = buf.subarray(off, end);
      if (payload.length === 0) return;
      const seq = buf.readUInt16BE(2);
      const ts = buf.readUInt32BE(4);
      const marker = ((buf[1] ?? 0) & 0x80) !== 0;
      if (info.kind === 'audio') {
        frames.push({ publisherId, kind: 'audio', ts, data: new Uint8Array(payload), at: Date.now() });
        return;
      }
      const key = `${track.mid()}:${ts}`;
      const p = partial.get(key) ?? { publisherId, pkts: new Map<number, Buffer>() };
      p.pkts.set(seq, Buffer.from(payload.subarray(vp8DescriptorLength(payload))));
      partial.set(key, p);
      if (!marker) return;
      partial.delete(key);
      const seqs = [...p.pkts.keys()].sort((a, b) => ((a - b + 0x10000 + 0x8000) % 0x10000) - 0x8000);
      const first = seqs[0] ?? 0;
      if (seqs.some((s, i) => s !== ((first + i) & 0xffff))) {
        dropped.gaps++; // a lost packet: skip the frame
        return;
      }
      const whole = Buffer.concat(seqs.map((s) => p.pkts.get(s) as Buffer));
      frames.push({ publisherId, kind: 'video', ts, data: new Uint8Array(whole), at: Date.now() });
      if (partial.size > 200) partial.clear();
    });
  });
  const signal = (msg: MediaSignal): void => {
    if (msg.event === 'media.offer') {
      offers++;
      streams = msg.data.streams;
      let mid = '';
      let kind: 'audio' | 'video' = 'audio';
      for (const line of msg.data.sdp.split(/\r?\n/)) {
        if (line.startsWith('m=')) kind = line.startsWith('m=video') ? 'video' : 'audio';
        else if (line.startsWith('a=mid:')) mid = line.slice(6).trim();
        else if (line.startsWith('a=msid:')) midInfo.set(mid, { kind, msid: line.slice(7).split(' ')[0] ?? '' });
      }
      pc.setRemoteDescription(msg.data.sdp, 'offer');
      for (const [c, m] of pendingCands.splice(0)) pc.addRemoteCandidate(c, m);
      pc.setLocalDescription('answer');
    } else if (msg.event === 'media.streams') {
      streams = msg.data.streams;
    } else if (msg.event === 'media.candidate') {
      if (pc.remoteDescription() === null) pendingCands.push([msg.data.candidate, msg.data.mid]);
      else {
        try {
          pc.addRemoteCandidate(msg.data.candidate, msg.data.mid);
        } catch {
          /* ignored */
        }
      }
    }
  };
  if (!hooks.addHiddenSubscriber) throw new Error('test hooks not installed');
  id = hooks.addHiddenSubscriber(meetingId, { signal: (m) => setImmediate(() => signal(m)) });
  return {
    id,
    frames,
    describe() {
      const perPublisher: Record<string, string> = {};
      for (const f of frames) perPublisher[`${f.publisherId}/${f.kind}`] = String(Number(perPublisher[`${f.publisherId}/${f.kind}`] ?? 0) + 1);
      return JSON.stringify({
        state: pc.state(),
        ice: pc.iceState(),
        offers,
        mids: Object.fromEntries(midInfo),
        rtpPerMid: Object.fromEntries(rtpPerMid),
        dropped,
        framesPerPublisher: perPublisher,
      });
    },
    close() {
      media.removeParticipant(id);
      pc.close();
    },
  };
}

/** Shannon entropy in bits per byte. */
export function entropy(bytes: Uint8Array): number {
  const counts = new Array<number>(256).fill(0);
  for (const b of bytes) counts[b] = (counts[b] ?? 0) + 1;
  let h = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / bytes.length;
    h -= p * Math.log2(p);
  }
  return h;
}
