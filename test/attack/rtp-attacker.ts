/**
 * A hostile publisher: a libdatachannel peer that joins over the real signaling socket,
 * negotiates a VP8 + Opus publish connection like any client, and then sends whatever RTP
 * and RTCP bytes the test hands it (SRTP-protected by libdatachannel, so the SFU sees them as
 * genuine media from a participant).
 */
import ndc from 'node-datachannel';
import type { PeerConnection, Track } from 'node-datachannel';
import type { WsClient } from '../helpers/app.js';

export const ATTACK_VIDEO_SSRC = 0x0a77ac01;
export const ATTACK_AUDIO_SSRC = 0x0a77ac02;
export const VP8_PT = 96;
export const OPUS_PT = 111;
const AUDIO_LEVEL_EXT = 1;

export interface Attacker {
  /** The offer as sent to the SFU. */
  offer: string;
  pc: PeerConnection;
  video: Track;
  audio: Track;
  /** Send raw bytes on the video track; false when the track is not open or SRTP refused them. */
  sendVideo(buf: Buffer): boolean;
  sendAudio(buf: Buffer): boolean;
  close(): void;
}

function waitOpen(track: Track, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (track.isOpen()) {
      resolve();
      return;
    }
    const t = setTimeout(() => reject(new Error('attacker track did not open')), timeoutMs);
    track.onOpen(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Negotiate a publisher connection for an already joined socket and wait until both tracks are open. */
export async function connectAttacker(ws: WsClient, opts: { mungeOffer?: (sdp: string) => string; waitOpen?: boolean } = {}): Promise<Attacker> {
  const pc = new ndc.PeerConnection('attacker', { iceServers: [], disableAutoNegotiation: true });
  const v = new ndc.Video('0', 'SendOnly');
  v.addVP8Codec(VP8_PT);
  v.addSSRC(ATTACK_VIDEO_SSRC, 'attacker', 'attacker-stream', 'attacker-video');
  const a = new ndc.Audio('1', 'SendOnly');
  a.addOpusCodec(OPUS_PT);
  a.addSSRC(ATTACK_AUDIO_SSRC, 'attacker', 'attacker-stream', 'attacker-audio');
  a.parseSdpLine(`a=extmap:${AUDIO_LEVEL_EXT} urn:ietf:params:rtp-hdrext:ssrc-audio-level`);
  const video = pc.addTrack(v);
  const audio = pc.addTrack(a);
  const early: [string, string][] = [];
  let answered = false;
  pc.onLocalCandidate((candidate, mid) => {
    if (!answered) early.push([candidate, mid]);
    else void ws.send('media.candidate', { pc: 'pub', candidate, mid }).catch(() => undefined);
  });
  ws.onEvent((e) => {
    if (e.event !== 'media.candidate' || e.data.pc !== 'pub') return;
    try {
      pc.addRemoteCandidate(e.data.candidate, e.data.mid);
    } catch {
      /* a candidate before the answer, or a stale one */
    }
  });
  const offer = new Promise<string>((resolve) => pc.onLocalDescription((sdp) => resolve(sdp)));
  pc.setLocalDescription('offer');
  const sent = (opts.mungeOffer ?? ((x: string) => x))(await offer);
  const { sdp } = await ws.request<{ sdp: string }>('media.publish', { sdp: sent });
  pc.setRemoteDescription(sdp, 'answer');
  answered = true;
  for (const [c, mid] of early) await ws.send('media.candidate', { pc: 'pub', candidate: c, mid });
  if (opts.waitOpen !== false) await Promise.all([waitOpen(video, 15_000), waitOpen(audio, 15_000)]);
  return {
    offer: sent,
    pc,
    video,
    audio,
    sendVideo: (buf) => send(video, buf),
    sendAudio: (buf) => send(audio, buf),
    close() {
      try {
        pc.close();
      } catch {
        /* already closed */
      }
    },
  };
}

/**
 * Send raw bytes; false when the track is closed or libsrtp refuses to protect them (it
 * validates the RTP header: a CSRC count or extension length past the end never leaves, and
 * would not pass the SFU's own SRTP unprotect either).
 */
function send(track: Track, buf: Buffer): boolean {
  try {
    return track.isOpen() && track.sendMessageBinary(buf);
  } catch {
    return false;
  }
}

/** An RTP header (no extensions) followed by `payload`. */
export function rtp(o: { ssrc: number; pt: number; seq: number; ts: number; marker?: boolean; payload: Buffer }): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (o.marker ? 0x80 : 0) | o.pt;
  h.writeUInt16BE(o.seq & 0xffff, 2);
  h.writeUInt32BE(o.ts >>> 0, 4);
  h.writeUInt32BE(o.ssrc, 8);
  return Buffer.concat([h, o.payload]);
}

/** A VP8 keyframe's first packet with a 15-bit picture id (RFC 7741) and a plausible frame header. */
export function vp8Keyframe(seq: number, ts: number, picId: number): Buffer {
  const desc = Buffer.from([0x90, 0x80, 0x80 | ((picId >> 8) & 0x7f), picId & 0xff]);
  // VP8 frame tag (keyframe, show_frame), start code, 16×16.
  const frame = Buffer.from([0x50, 0x01, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00, ...new Array<number>(40).fill(0)]);
  return rtp({ ssrc: ATTACK_VIDEO_SSRC, pt: VP8_PT, seq, ts, marker: true, payload: Buffer.concat([desc, frame]) });
}

/**
 * The malformed packets an attacker sends once a subscriber has locked on. Each is named for
 * the parser defect it probes.
 */
export function hostileVideoPackets(seq0: number, ts: number): [string, Buffer][] {
  let seq = seq0;
  const base = (payload: Buffer, b0 = 0x80): Buffer => {
    const b = rtp({ ssrc: ATTACK_VIDEO_SSRC, pt: VP8_PT, seq: seq++, ts, marker: true, payload });
    b[0] = b0;
    return b;
  };
  const out: [string, Buffer][] = [
    // X=1, I=1, M=1: a two-byte picture id that starts on the payload's last byte.
    ['truncated picture id', base(Buffer.from([0x90, 0x80, 0x80]))],
    ['picture id flag with nothing after', base(Buffer.from([0x90, 0x80]))],
    ['TL0PICIDX past the end', base(Buffer.from([0x90, 0x40]))],
    ['TID/KEYIDX past the end', base(Buffer.from([0x90, 0x30]))],
    ['all descriptor flags, no bytes', base(Buffer.from([0x90, 0xf0]))],
    ['empty payload', base(Buffer.alloc(0))],
    // CSRC count 15 with no CSRCs present.
    ['CSRC count past the end', base(Buffer.from([0x90, 0x80, 0x81, 0x02]), 0x8f)],
    // X bit set with no extension header.
    ['extension bit with no extension', base(Buffer.alloc(0), 0x90)],
    // One-byte extension header whose length claims 255 words.
    ['extension length past the end', base(Buffer.from([0xbe, 0xde, 0x00, 0xff, 0x10, 0xaa]), 0x90)],
    // Padding bit with a padding count larger than the packet.
    ['padding larger than the packet', base(Buffer.from([0x90, 0x80, 0x81, 0xff]), 0xa0)],
    ['padding of zero', base(Buffer.from([0x90, 0x80, 0x81, 0x00]), 0xa0)],
  ];
  return out;
}

/** RTCP packets whose length fields lie (sent on the publisher's connection). */
export function hostileRtcpPackets(): [string, Buffer][] {
  const hdr = (pt: number, fmt: number, words: number, total: number): Buffer => {
    const b = Buffer.alloc(total);
    b[0] = 0x80 | fmt;
    b[1] = pt;
    b.writeUInt16BE(words, 2);
    if (total >= 8) b.writeUInt32BE(ATTACK_VIDEO_SSRC, 4);
    return b;
  };
  return [
    ['SR claiming 1000 words', hdr(200, 0, 1000, 28)],
    ['RR with 31 report blocks, none present', hdr(201, 31, 1, 8)],
    ['PLI of 8 bytes', hdr(206, 1, 1, 8)],
    ['NACK with length past the end', hdr(205, 1, 200, 16)],
    ['REMB with a bogus count', hdr(206, 15, 5, 24)],
    ['zero-length compound element', hdr(201, 0, 0, 4)],
  ];
}

/** An offer whose DTLS fingerprint is wrong: the SFU's handshake with it fails at once. */
export function wrongFingerprint(sdp: string): string {
  return sdp.replace(/a=fingerprint:sha-256 [0-9A-F]{2}/i, 'a=fingerprint:sha-256 00');
}

/** The same offer with new ICE credentials, as an ICE restart would send it. */
export function newIceCredentials(sdp: string): string {
  return sdp.replace(/a=ice-ufrag:\S+/g, 'a=ice-ufrag:rstr').replace(/a=ice-pwd:\S+/g, 'a=ice-pwd:restartrestartrestart0000');
}
