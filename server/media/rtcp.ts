/**
 * RTCP parsing (compound packets) and the few RTCP packets the SFU builds itself. Parsing
 * calls a visitor so no objects are created per packet.
 */
import { malformedCounts } from './rtp.js';

export interface RtcpVisitor {
  /** Generic NACK (RFC 4585): one call per lost sequence number. */
  nack?(mediaSsrc: number, seq: number): void;
  /** PLI or FIR for this media SSRC. */
  keyframe?(mediaSsrc: number): void;
  /** REMB estimate in bits per second. */
  remb?(bitrate: number): void;
  /** Sender report (RFC 3550 §6.4.1): the sender's wall clock (NTP, seconds) for an RTP timestamp. */
  senderReport?(ssrc: number, ntpSeconds: number, rtpTs: number): void;
}

/** Seconds between the NTP epoch (1900) and the Unix epoch. */
export const NTP_UNIX_OFFSET = 2_208_988_800;

/**
 * Walk a compound RTCP packet and report feedback to the visitor. Every sub-packet's length
 * is checked against the buffer before anything in it is read; a packet whose length lies,
 * or that is not RTCP version 2, ends the walk and returns false (counted as malformed).
 */
export function parseRtcp(buf: Buffer, v: RtcpVisitor): boolean {
  let off = 0;
  if (buf.length < 8) return malformedRtcp();
  while (off < buf.length) {
    if (off + 4 > buf.length) return malformedRtcp();
    const b0 = buf[off] as number;
    const fmt = b0 & 0x1f;
    const pt = buf[off + 1] as number;
    const len = (buf.readUInt16BE(off + 2) + 1) * 4;
    if (b0 >> 6 !== 2 || off + len > buf.length) return malformedRtcp();
    if (pt === 200 && len >= 28)
      v.senderReport?.(buf.readUInt32BE(off + 4), buf.readUInt32BE(off + 8) + buf.readUInt32BE(off + 12) / 2 ** 32, buf.readUInt32BE(off + 16));
    else if (pt === 205 && fmt === 1 && len >= 16) parseNack(buf, off, len, v);
    else if (pt === 206 && len >= 12) parsePsfb(buf, off, len, fmt, v);
    off += len;
  }
  return true;
}

function malformedRtcp(): false {
  malformedCounts.rtcp++;
  return false;
}

function parseNack(buf: Buffer, off: number, len: number, v: RtcpVisitor): void {
  if (!v.nack) return;
  const media = buf.readUInt32BE(off + 8);
  for (let p = off + 12; p + 4 <= off + len; p += 4) {
    const pid = buf.readUInt16BE(p);
    const blp = buf.readUInt16BE(p + 2);
    v.nack(media, pid);
    for (let i = 0; i < 16; i++) if ((blp >> i) & 1) v.nack(media, (pid + i + 1) & 0xffff);
  }
}

function parsePsfb(buf: Buffer, off: number, len: number, fmt: number, v: RtcpVisitor): void {
  if (fmt === 1) {
    v.keyframe?.(buf.readUInt32BE(off + 8));
  } else if (fmt === 4) {
    for (let p = off + 12; p + 8 <= off + len; p += 8) v.keyframe?.(buf.readUInt32BE(p));
  } else if (fmt === 15 && len >= 20 && buf.readUInt32BE(off + 12) === 0x52454d42) {
    const b = buf[off + 17] as number;
    const exp = b >> 2;
    const mantissa = ((b & 0x03) << 16) | buf.readUInt16BE(off + 18);
    v.remb?.(mantissa * 2 ** exp);
  }
}

/** Build a sender report with no report blocks (RFC 3550 §6.4.1). */
export function buildSenderReport(ssrc: number, ntpSeconds: number, rtpTs: number, packets: number, octets: number): Buffer {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  const sec = Math.floor(ntpSeconds);
  b.writeUInt32BE(sec >>> 0, 8);
  b.writeUInt32BE(Math.min(0xffffffff, Math.floor((ntpSeconds - sec) * 2 ** 32)) >>> 0, 12);
  b.writeUInt32BE(rtpTs >>> 0, 16);
  b.writeUInt32BE(packets >>> 0, 20);
  b.writeUInt32BE(octets >>> 0, 24);
  return b;
}

/** Build a PLI (RFC 4585 §6.3.1) asking `mediaSsrc`'s sender for a keyframe. */
export function buildPli(senderSsrc: number, mediaSsrc: number): Buffer {
  const b = Buffer.alloc(12);
  b[0] = 0x81;
  b[1] = 206;
  b.writeUInt16BE(2, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  b.writeUInt32BE(mediaSsrc >>> 0, 8);
  return b;
}

/** Build a REMB packet (used by tests to simulate a subscriber's estimate). */
export function buildRemb(senderSsrc: number, bitrate: number, ssrcs: number[]): Buffer {
  let exp = 0;
  let mantissa = Math.floor(bitrate);
  while (mantissa > 0x3ffff) {
    mantissa = Math.floor(mantissa / 2);
    exp++;
  }
  const b = Buffer.alloc(20 + 4 * ssrcs.length);
  b[0] = 0x8f;
  b[1] = 206;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  b.writeUInt32BE(0x52454d42, 12);
  b[16] = ssrcs.length;
  b[17] = (exp << 2) | (mantissa >> 16);
  b.writeUInt16BE(mantissa & 0xffff, 18);
  ssrcs.forEach((s, i) => b.writeUInt32BE(s >>> 0, 20 + 4 * i));
  return b;
}

/** Build a generic NACK for the given sequence numbers (tests and diagnostics). */
export function buildNack(senderSsrc: number, mediaSsrc: number, seqs: number[]): Buffer {
  const b = Buffer.alloc(12 + 4 * seqs.length);
  b[0] = 0x81;
  b[1] = 205;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  b.writeUInt32BE(mediaSsrc >>> 0, 8);
  seqs.forEach((s, i) => b.writeUInt16BE(s & 0xffff, 12 + 4 * i));
  return b;
}
