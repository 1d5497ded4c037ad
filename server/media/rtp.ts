/**
 * RTP header and VP8 payload-descriptor parsing for the forwarding hot path. Everything reads
 * Buffer offsets into one reusable `RtpInfo` object, so parsing a packet allocates nothing.
 */

/** Parsed fields of one RTP packet; reused across packets (never kept). */
export interface RtpInfo {
  ssrc: number;
  pt: number;
  marker: boolean;
  seq: number;
  ts: number;
  /** Offset of the payload (after CSRCs and header extensions). */
  payloadOffset: number;
  payloadLength: number;
  /** Offset and length (0, 1 or 2) of the VP8 picture id; 0 = absent. */
  picIdOffset: number;
  picIdLength: number;
  /** Offset of the VP8 TL0PICIDX byte; -1 = absent. */
  tl0Offset: number;
  /** First packet of a VP8 keyframe. */
  keyframe: boolean;
  /** RFC 6464 audio level (0..127, lower is louder), -1 when absent. */
  audioLevel: number;
}

export function newRtpInfo(): RtpInfo {
  return {
    ssrc: 0,
    pt: 0,
    marker: false,
    seq: 0,
    ts: 0,
    payloadOffset: 0,
    payloadLength: 0,
    picIdOffset: 0,
    picIdLength: 0,
    tl0Offset: -1,
    keyframe: false,
    audioLevel: -1,
  };
}

/** True for RTCP (RFC 5761 demux: second byte 192..223). */
export function isRtcp(buf: Buffer): boolean {
  if (buf.length < 2) return false;
  const b = buf[1] as number;
  return b >= 192 && b <= 223;
}

/** Parse the fixed header; returns false when the packet is malformed. */
export function parseRtp(buf: Buffer, out: RtpInfo): boolean {
  const len = buf.length;
  if (len < 12 || (buf[0] as number) >> 6 !== 2) return false;
  const b0 = buf[0] as number;
  const b1 = buf[1] as number;
  out.pt = b1 & 0x7f;
  out.marker = (b1 & 0x80) !== 0;
  out.seq = buf.readUInt16BE(2);
  out.ts = buf.readUInt32BE(4);
  out.ssrc = buf.readUInt32BE(8);
  let off = 12 + (b0 & 0x0f) * 4;
  if ((b0 & 0x10) !== 0) {
    if (off + 4 > len) return false;
    off += 4 + buf.readUInt16BE(off + 2) * 4;
  }
  let end = len;
  if ((b0 & 0x20) !== 0) end -= buf[len - 1] as number;
  if (off > end) return false;
  out.payloadOffset = off;
  out.payloadLength = end - off;
  out.picIdOffset = 0;
  out.picIdLength = 0;
  out.tl0Offset = -1;
  out.keyframe = false;
  out.audioLevel = -1;
  return true;
}

/**
 * Find a one-byte (0xBEDE) or two-byte (0x100x) header extension element by id. Returns the
 * offset of its data and writes its length into `lenOut[0]`, or -1.
 */
export function findExtension(buf: Buffer, id: number, lenOut: Int32Array): number {
  const b0 = buf[0] as number;
  if ((b0 & 0x10) === 0 || id <= 0) return -1;
  const start = 12 + (b0 & 0x0f) * 4;
  if (start + 4 > buf.length) return -1;
  const profile = buf.readUInt16BE(start);
  const end = Math.min(buf.length, start + 4 + buf.readUInt16BE(start + 2) * 4);
  let p = start + 4;
  if (profile === 0xbede) {
    while (p < end) {
      const h = buf[p] as number;
      if (h === 0) {
        p++;
        continue;
      }
      const eid = h >> 4;
      const elen = (h & 0x0f) + 1;
      if (eid === 15) return -1;
      if (eid === id) {
        lenOut[0] = elen;
        return p + 1;
      }
      p += 1 + elen;
    }
  } else if ((profile & 0xfff0) === 0x1000) {
    while (p + 1 < end) {
      const eid = buf[p] as number;
      if (eid === 0) {
        p++;
        continue;
      }
      const elen = buf[p + 1] as number;
      if (eid === id) {
        lenOut[0] = elen;
        return p + 2;
      }
      p += 2 + elen;
    }
  }
  return -1;
}

const extLen = new Int32Array(1);

/** Read the RFC 6464 level (0..127) into `out.audioLevel`. */
export function readAudioLevel(buf: Buffer, extId: number, out: RtpInfo): void {
  const p = findExtension(buf, extId, extLen);
  out.audioLevel = p < 0 ? -1 : (buf[p] as number) & 0x7f;
}

/** Read a string-valued extension (rid / repaired-rid), or null. Allocates; setup path only. */
export function readStringExtension(buf: Buffer, extId: number): string | null {
  const p = findExtension(buf, extId, extLen);
  if (p < 0) return null;
  return buf.toString('latin1', p, p + (extLen[0] as number));
}

/** Parse the VP8 payload descriptor (RFC 7741) of a packet already run through parseRtp. */
export function parseVp8(buf: Buffer, out: RtpInfo): void {
  let p = out.payloadOffset;
  const end = p + out.payloadLength;
  if (p >= end) return;
  const d0 = buf[p] as number;
  const start = (d0 & 0x10) !== 0 && (d0 & 0x0f) === 0;
  p++;
  if ((d0 & 0x80) !== 0) {
    if (p >= end) return;
    const x = buf[p] as number;
    p++;
    if ((x & 0x80) !== 0) {
      if (p >= end) return;
      const m = ((buf[p] as number) & 0x80) !== 0;
      out.picIdOffset = p;
      out.picIdLength = m ? 2 : 1;
      p += out.picIdLength;
    }
    if ((x & 0x40) !== 0) {
      out.tl0Offset = p;
      p++;
    }
    if ((x & 0x30) !== 0) p++;
  }
  if (start && p < end) out.keyframe = ((buf[p] as number) & 0x01) === 0;
}

/** Read the picture id at the parsed offset (7 or 15 bits). */
export function readPicId(buf: Buffer, info: RtpInfo): number {
  if (info.picIdLength === 2) return buf.readUInt16BE(info.picIdOffset) & 0x7fff;
  return (buf[info.picIdOffset] as number) & 0x7f;
}

/** Write a picture id keeping the packet's original field width. */
export function writePicId(buf: Buffer, info: RtpInfo, picId: number): void {
  if (info.picIdLength === 2) buf.writeUInt16BE((picId & 0x7fff) | 0x8000, info.picIdOffset);
  else if (info.picIdLength === 1) buf[info.picIdOffset] = picId & 0x7f;
}
