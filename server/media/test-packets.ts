/** Test factory: RTP, RTCP and SDP inputs for the media unit tests and the fuzz harness. */

export interface Vp8Opts {
  picId?: number;
  /** Width of the picture id field (default 2 bytes, M bit set). */
  picIdBytes?: 1 | 2;
  tl0?: number;
  /** TID/Y/KEYIDX byte (sets the T bit). */
  tid?: number;
  start?: boolean;
  keyframe?: boolean;
}

/** Build an RTP packet with header extensions, CSRCs and an optional VP8 descriptor. */
export function buildRtp(o: {
  ssrc?: number;
  seq?: number;
  ts?: number;
  pt?: number;
  marker?: boolean;
  csrcs?: number[];
  ext?: [number, Buffer][];
  /** Use the two-byte (0x1000) extension header instead of one-byte (0xBEDE). */
  twoByteExt?: boolean;
  vp8?: Vp8Opts;
  /** Payload bytes after the VP8 descriptor (e.g. an H.264 payload from h264Nal/h264StapA/h264FuA); replaces the filler. */
  body?: Buffer;
  payload?: number;
  padding?: number;
}): Buffer {
  const ext = o.ext ?? [];
  let extBytes = Buffer.alloc(0);
  if (ext.length > 0) {
    const body = Buffer.concat(
      ext.map(([id, d]) => (o.twoByteExt ? Buffer.concat([Buffer.from([id, d.length]), d]) : Buffer.concat([Buffer.from([(id << 4) | (d.length - 1)]), d]))),
    );
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const head = Buffer.alloc(4);
    head.writeUInt16BE(o.twoByteExt ? 0x1000 : 0xbede, 0);
    head.writeUInt16BE(padded.length / 4, 2);
    extBytes = Buffer.concat([head, padded]);
  }
  const csrcs = o.csrcs ?? [];
  const h = Buffer.alloc(12 + 4 * csrcs.length);
  h[0] = 0x80 | (ext.length > 0 ? 0x10 : 0) | (o.padding ? 0x20 : 0) | csrcs.length;
  h[1] = (o.pt ?? 96) | (o.marker ? 0x80 : 0);
  h.writeUInt16BE(o.seq ?? 1, 2);
  h.writeUInt32BE(o.ts ?? 1000, 4);
  h.writeUInt32BE(o.ssrc ?? 1111, 8);
  csrcs.forEach((c, i) => h.writeUInt32BE(c >>> 0, 12 + 4 * i));
  return Buffer.concat([h, extBytes, o.vp8 ? vp8Descriptor(o.vp8) : Buffer.alloc(0), o.body ?? Buffer.alloc(o.payload ?? 20, 0xaa), padding(o.padding)]);
}

/** An H.264 NAL unit (RFC 6184 §1.3 header, nal_ref_idc 3 except for type 6) of `size` bytes in all. */
export function h264Nal(type: number, size = 20): Buffer {
  const b = Buffer.alloc(Math.max(1, size), 0xaa);
  b[0] = (type === 6 ? 0 : 0x60) | (type & 0x1f);
  return b;
}

/** A STAP-A payload (RFC 6184 §5.7.1) aggregating these NAL units. */
export function h264StapA(nals: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x60 | 24])];
  for (const n of nals) {
    const size = Buffer.alloc(2);
    size.writeUInt16BE(n.length, 0);
    parts.push(size, n);
  }
  return Buffer.concat(parts);
}

/** One FU-A fragment (RFC 6184 §5.8) of a NAL unit of `type`. */
export function h264FuA(type: number, fragment: { start?: boolean; end?: boolean; size?: number } = {}): Buffer {
  const b = Buffer.alloc(2 + (fragment.size ?? 20), 0xbb);
  b[0] = 0x60 | 28;
  b[1] = (fragment.start ? 0x80 : 0) | (fragment.end ? 0x40 : 0) | (type & 0x1f);
  return b;
}

function vp8Descriptor(v: Vp8Opts): Buffer {
  const x = (v.picId !== undefined ? 0x80 : 0) | (v.tl0 !== undefined ? 0x40 : 0) | (v.tid !== undefined ? 0x20 : 0);
  const bytes = [0x80 | (v.start !== false ? 0x10 : 0), x];
  if (v.picId !== undefined) {
    if (v.picIdBytes === 1) bytes.push(v.picId & 0x7f);
    else bytes.push(0x80 | ((v.picId >> 8) & 0x7f), v.picId & 0xff);
  }
  if (v.tl0 !== undefined) bytes.push(v.tl0);
  if (v.tid !== undefined) bytes.push(v.tid);
  bytes.push(v.keyframe ? 0x00 : 0x01);
  return Buffer.from(bytes);
}

function padding(n: number | undefined): Buffer {
  return n ? Buffer.concat([Buffer.alloc(n - 1), Buffer.from([n])]) : Buffer.alloc(0);
}

/** An RTCP receiver report (RFC 3550 §6.4.2) with `blocks` report blocks. */
export function buildReceiverReport(senderSsrc: number, blocks: number[]): Buffer {
  const b = Buffer.alloc(8 + 24 * blocks.length);
  b[0] = 0x80 | blocks.length;
  b[1] = 201;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  blocks.forEach((ssrc, i) => b.writeUInt32BE(ssrc >>> 0, 8 + 24 * i));
  return b;
}

/** An RTCP sender report (RFC 3550 §6.4.1) without report blocks. */
export function buildSenderReport(senderSsrc: number, rtpTs: number): Buffer {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  b.writeUInt32BE(rtpTs >>> 0, 16);
  return b;
}

/** A browser-like publish offer: Opus + RED + PCMU audio, VP8 (+RTX) and H.264 video, q/h/f simulcast. */
export function buildPublishOffer(
  o: {
    audioPt?: number;
    vp8Pt?: number;
    rtxPt?: number;
    levelId?: number;
    ridId?: number;
    /** List H.264 (102, its RTX 103) first on the video m-line, as setCodecPreferences does. */
    h264First?: boolean;
    /** The H.264 fmtp parameters (default: profile-level-id=42e01f, no packetization-mode). */
    h264Fmtp?: string;
  } = {},
): string {
  const a = o.audioPt ?? 111;
  const v = o.vp8Pt ?? 96;
  const r = o.rtxPt ?? 97;
  return [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    `m=audio 9 UDP/TLS/RTP/SAVPF ${a} 63 0`,
    'a=mid:0',
    'a=sendonly',
    `a=extmap:${o.levelId ?? 1} urn:ietf:params:rtp-hdrext:ssrc-audio-level`,
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    `a=rtpmap:${a} opus/48000/2`,
    `a=rtcp-fb:${a} transport-cc`,
    `a=fmtp:${a} minptime=10;useinbandfec=1`,
    'a=rtpmap:63 red/48000/2',
    'a=rtpmap:0 PCMU/8000',
    'a=ssrc:11 cname:x',
    o.h264First ? `m=video 9 UDP/TLS/RTP/SAVPF 102 103 ${v} ${r}` : `m=video 9 UDP/TLS/RTP/SAVPF ${v} ${r} 102 103`,
    'a=mid:1',
    'a=sendonly',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:5 urn:ietf:params:rtp-hdrext:toffset',
    `a=extmap:${o.ridId ?? 10} urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id`,
    'a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
    `a=rtpmap:${v} VP8/90000`,
    `a=rtcp-fb:${v} goog-remb`,
    `a=rtcp-fb:${v} transport-cc`,
    `a=rtcp-fb:${v} nack`,
    `a=rtcp-fb:${v} nack pli`,
    `a=rtpmap:${r} rtx/90000`,
    `a=fmtp:${r} apt=${v}`,
    'a=rtpmap:102 H264/90000',
    `a=fmtp:102 ${o.h264Fmtp ?? 'profile-level-id=42e01f'}`,
    'a=rtpmap:103 rtx/90000',
    'a=fmtp:103 apt=102',
    'a=ssrc-group:SIM 21 22 23',
    'a=ssrc:21 cname:parley-q',
    'a=ssrc:22 cname:parley-h',
    'a=ssrc:23 cname:parley-f',
    'a=rid:q send',
    'a=rid:h send',
    'a=rid:f send',
    'a=simulcast:send q;h;f',
    '',
  ].join('\r\n');
}
