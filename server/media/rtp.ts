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

/**
 * Malformed participant packets dropped by the parsers, by kind. Plain counters (no
 * allocation on the hot path); exported for metrics and tests.
 */
export const malformedCounts = { rtp: 0, vp8: 0, h264: 0, extension: 0, rtcp: 0 };

/**
 * Parse the fixed header, CSRCs, extension header and padding; returns false (and counts)
 * when any of them claims bytes the packet does not have. Nothing is read before its bounds
 * are checked.
 */
export function parseRtp(buf: Buffer, out: RtpInfo): boolean {
  const len = buf.length;
  if (len < 12 || (buf[0] as number) >> 6 !== 2) return malformedRtp();
  const b0 = buf[0] as number;
  const b1 = buf[1] as number;
  let off = 12 + (b0 & 0x0f) * 4;
  if ((b0 & 0x10) !== 0) {
    if (off + 4 > len) return malformedRtp();
    off += 4 + buf.readUInt16BE(off + 2) * 4;
  }
  let end = len;
  if ((b0 & 0x20) !== 0) {
    // RFC 3550 §5.1: the last byte counts the padding, itself included, so 0 is invalid.
    const pad = buf[len - 1] as number;
    if (pad === 0) return malformedRtp();
    end -= pad;
  }
  if (off > end) return malformedRtp();
  out.pt = b1 & 0x7f;
  out.marker = (b1 & 0x80) !== 0;
  out.seq = buf.readUInt16BE(2);
  out.ts = buf.readUInt32BE(4);
  out.ssrc = buf.readUInt32BE(8);
  out.payloadOffset = off;
  out.payloadLength = end - off;
  out.picIdOffset = 0;
  out.picIdLength = 0;
  out.tl0Offset = -1;
  out.keyframe = false;
  out.audioLevel = -1;
  return true;
}

function malformedRtp(): false {
  malformedCounts.rtp++;
  return false;
}

/**
 * Find a one-byte (0xBEDE) or two-byte (0x100x) header extension element by id. Returns the
 * offset of its data and writes its length into `lenOut[0]`, or -1 (absent, or an element
 * list that runs past the extension block or the packet, which is counted as malformed).
 */
export function findExtension(buf: Buffer, id: number, lenOut: Int32Array): number {
  if (buf.length < 16 || id <= 0) return -1;
  const b0 = buf[0] as number;
  if ((b0 & 0x10) === 0) return -1;
  const start = 12 + (b0 & 0x0f) * 4;
  if (start + 4 > buf.length) return malformedExt();
  const profile = buf.readUInt16BE(start);
  const end = start + 4 + buf.readUInt16BE(start + 2) * 4;
  if (end > buf.length) return malformedExt();
  let p = start + 4;
  if (profile === 0xbede) {
    if (id > 14) return -1;
    while (p < end) {
      const h = buf[p] as number;
      if (h === 0) {
        p++;
        continue;
      }
      const eid = h >> 4;
      if (eid === 15) return -1;
      const elen = (h & 0x0f) + 1;
      if (p + 1 + elen > end) return malformedExt();
      if (eid === id) {
        lenOut[0] = elen;
        return p + 1;
      }
      p += 1 + elen;
    }
  } else if ((profile & 0xfff0) === 0x1000) {
    if (id > 255) return -1;
    while (p < end) {
      const eid = buf[p] as number;
      if (eid === 0) {
        p++;
        continue;
      }
      if (p + 2 > end) return malformedExt();
      const elen = buf[p + 1] as number;
      if (p + 2 + elen > end) return malformedExt();
      if (eid === id) {
        lenOut[0] = elen;
        return p + 2;
      }
      p += 2 + elen;
    }
  }
  return -1;
}

function malformedExt(): -1 {
  malformedCounts.extension++;
  return -1;
}

/**
 * Rewrite the id of every header-extension element in place through `map` (indexed by the
 * packet's id, 256 entries), for one-byte and two-byte forms. Stops at the first element that
 * does not fit (parseRtp has already checked the block itself). Allocates nothing.
 */
export function remapExtensionIds(buf: Buffer, map: Uint8Array): void {
  if (buf.length < 16) return;
  const b0 = buf[0] as number;
  if ((b0 & 0x10) === 0) return;
  const start = 12 + (b0 & 0x0f) * 4;
  if (start + 4 > buf.length) return;
  const profile = buf.readUInt16BE(start);
  const end = start + 4 + buf.readUInt16BE(start + 2) * 4;
  if (end > buf.length) return;
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
      if (eid === 15 || p + 1 + elen > end) return;
      buf[p] = (((map[eid] as number) & 0x0f) << 4) | (h & 0x0f);
      p += 1 + elen;
    }
  } else if ((profile & 0xfff0) === 0x1000) {
    while (p < end) {
      const eid = buf[p] as number;
      if (eid === 0) {
        p++;
        continue;
      }
      if (p + 2 > end || p + 2 + (buf[p + 1] as number) > end) return;
      buf[p] = map[eid] as number;
      p += 2 + (buf[p + 1] as number);
    }
  }
}

const extLen = new Int32Array(1);

/** Read the RFC 6464 level (0..127) into `out.audioLevel`; -1 when absent or empty. */
export function readAudioLevel(buf: Buffer, extId: number, out: RtpInfo): void {
  const p = findExtension(buf, extId, extLen);
  out.audioLevel = p < 0 || (extLen[0] as number) < 1 ? -1 : (buf[p] as number) & 0x7f;
}

/** Read a string-valued extension (rid / repaired-rid), or null. Allocates; setup path only. */
export function readStringExtension(buf: Buffer, extId: number): string | null {
  const p = findExtension(buf, extId, extLen);
  if (p < 0) return null;
  return buf.toString('latin1', p, p + (extLen[0] as number));
}

/**
 * Parse the VP8 payload descriptor (RFC 7741 §4.2) of a packet already run through parseRtp.
 * Returns false (and counts) when a field the descriptor announces (picture id of either
 * width, TL0PICIDX, TID/KEYIDX) does not fit in the payload, or when no VP8 payload follows
 * it; then no offset is recorded and the packet must be dropped.
 */
export function parseVp8(buf: Buffer, out: RtpInfo): boolean {
  let p = out.payloadOffset;
  const end = p + out.payloadLength;
  if (p >= end || end > buf.length) return malformedVp8(out);
  const d0 = buf[p] as number;
  const start = (d0 & 0x10) !== 0 && (d0 & 0x0f) === 0;
  p++;
  let picIdOffset = 0;
  let picIdLength = 0;
  let tl0Offset = -1;
  if ((d0 & 0x80) !== 0) {
    if (p >= end) return malformedVp8(out);
    const x = buf[p] as number;
    p++;
    if ((x & 0x80) !== 0) {
      if (p >= end) return malformedVp8(out);
      picIdLength = ((buf[p] as number) & 0x80) !== 0 ? 2 : 1;
      picIdOffset = p;
      p += picIdLength;
    }
    if ((x & 0x40) !== 0) {
      tl0Offset = p;
      p++;
    }
    if ((x & 0x30) !== 0) p++;
  }
  // p is now the first VP8 payload byte: it, and so every field before it, must be in bounds.
  if (p >= end) return malformedVp8(out);
  out.picIdOffset = picIdOffset;
  out.picIdLength = picIdLength;
  out.tl0Offset = tl0Offset;
  out.keyframe = start && ((buf[p] as number) & 0x01) === 0;
  return true;
}

function malformedVp8(out: RtpInfo): false {
  out.picIdOffset = 0;
  out.picIdLength = 0;
  out.tl0Offset = -1;
  out.keyframe = false;
  malformedCounts.vp8++;
  return false;
}

/**
 * Read the picture id at the parsed offset (7 or 15 bits). parseVp8 only records offsets that
 * fit; the length check keeps a stale `info` from ever reading past a shorter packet.
 */
export function readPicId(buf: Buffer, info: RtpInfo): number {
  if (info.picIdOffset + info.picIdLength > buf.length) return 0;
  if (info.picIdLength === 2) return buf.readUInt16BE(info.picIdOffset) & 0x7fff;
  return (buf[info.picIdOffset] as number) & 0x7f;
}

/** Write a picture id keeping the packet's original field width (never past the packet). */
export function writePicId(buf: Buffer, info: RtpInfo, picId: number): void {
  if (info.picIdOffset + info.picIdLength > buf.length) return;
  if (info.picIdLength === 2) buf.writeUInt16BE((picId & 0x7fff) | 0x8000, info.picIdOffset);
  else if (info.picIdLength === 1) buf[info.picIdOffset] = picId & 0x7f;
}
