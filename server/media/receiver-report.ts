/**
 * What the SFU tells each publisher about what arrived (RTCP receiver reports, RFC 3550 §6.4.2):
 * loss, interarrival jitter and the round trip (LSR/DLSR). Built here rather than by
 * libdatachannel's RtcpReceivingSession, which swallows the publisher's sender reports the SFU
 * must pass on to subscribers (lip sync). Hot path: a few integer operations per packet.
 */

import { NTP_UNIX_OFFSET } from './rtcp.js';

const RTP_SEQ_MOD = 0x10000;

/** Reception statistics of one incoming SSRC (RFC 3550 appendix A.1, A.3, A.8). */
export class ReceptionStats {
  #base = -1;
  #maxSeq = 0;
  #cycles = 0;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #jitter = 0;
  #lastTransit = Number.NaN;
  /** Middle 32 bits of the last sender report's NTP time, and when it arrived (ms). */
  #lsr = 0;
  #srAt = 0;

  get received(): number {
    return this.#received;
  }

  /** A media packet (a retransmission repairs loss but says nothing about jitter). */
  onPacket(seq: number, rtpTs: number, nowMs: number, clockRate: number, retransmitted: boolean): void {
    this.#received++;
    if (this.#base < 0) {
      this.#base = seq;
      this.#maxSeq = seq;
    } else {
      const delta = (seq - this.#maxSeq) & 0xffff;
      if (delta !== 0 && delta < 0x8000) {
        if (seq < this.#maxSeq) this.#cycles += RTP_SEQ_MOD;
        this.#maxSeq = seq;
      }
    }
    if (retransmitted) return;
    const transit = Math.floor((nowMs * clockRate) / 1000) - rtpTs;
    if (!Number.isNaN(this.#lastTransit)) {
      let d = (transit - this.#lastTransit) % 0x100000000;
      if (d < 0) d = -d;
      if (d < 0x80000000) this.#jitter += (d - this.#jitter) / 16;
    }
    this.#lastTransit = transit;
  }

  onSenderReport(ntpSeconds: number, nowMs: number): void {
    const sec = Math.floor(ntpSeconds);
    const frac = Math.floor((ntpSeconds - sec) * 2 ** 32) >>> 0;
    this.#lsr = (((sec & 0xffff) << 16) | (frac >>> 16)) >>> 0;
    this.#srAt = nowMs;
  }

  /** Write this SSRC's 24-byte report block at `off`, and start a new interval. */
  writeBlock(buf: Buffer, off: number, ssrc: number, nowMs: number): void {
    const extMax = this.#cycles + this.#maxSeq;
    const expected = this.#base < 0 ? 0 : extMax - this.#base + 1;
    const lost = Math.max(-0x800000, Math.min(0x7fffff, expected - this.#received));
    const expInterval = expected - this.#expectedPrior;
    const recvInterval = this.#received - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.#received;
    const lostInterval = expInterval - recvInterval;
    const fraction = expInterval <= 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval * 256) / expInterval));
    buf.writeUInt32BE(ssrc >>> 0, off);
    buf.writeUInt32BE((((fraction & 0xff) << 24) | (lost & 0xffffff)) >>> 0, off + 4);
    buf.writeUInt32BE(extMax >>> 0, off + 8);
    buf.writeUInt32BE(Math.floor(this.#jitter) >>> 0, off + 12);
    buf.writeUInt32BE(this.#lsr, off + 16);
    const dlsr = this.#srAt === 0 ? 0 : Math.min(0xffffffff, Math.floor(((nowMs - this.#srAt) * 65536) / 1000));
    buf.writeUInt32BE(dlsr >>> 0, off + 20);
  }
}

/** A receiver report (RFC 3550 §6.4.2) with one block per SSRC (at most 31). */
export function buildReceiverReport(senderSsrc: number, blocks: readonly (readonly [number, ReceptionStats])[], nowMs: number): Buffer {
  const n = Math.min(31, blocks.length);
  const b = Buffer.alloc(8 + 24 * n);
  b[0] = 0x80 | n;
  b[1] = 201;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  for (let i = 0; i < n; i++) {
    const [ssrc, stats] = blocks[i] as readonly [number, ReceptionStats];
    stats.writeBlock(b, 8 + 24 * i, ssrc, nowMs);
  }
  return b;
}

/**
 * What one publisher connection has sent the SFU, per incoming media SSRC and the track it came
 * on (bounded: a simulcast publisher has 4 SSRCs; 16 is not a browser), and the publisher's
 * clock moved onto the SFU's: one shift, fixed at its first sender report, for audio and video
 * alike so their relative timing is kept.
 */
export class UplinkReception<T> {
  readonly #bySsrc = new Map<number, { stats: ReceptionStats; track: T }>();
  #ntpShift: number | null = null;

  onPacket(ssrc: number, track: T, seq: number, rtpTs: number, nowMs: number, clockRate: number, retransmitted: boolean): void {
    let r = this.#bySsrc.get(ssrc);
    if (!r) {
      if (this.#bySsrc.size >= 16) return;
      r = { stats: new ReceptionStats(), track };
      this.#bySsrc.set(ssrc, r);
    }
    r.track = track;
    r.stats.onPacket(seq, rtpTs, nowMs, clockRate, retransmitted);
  }

  /** Note a sender report; returns its NTP time on the SFU's clock, or null for a report with no time. */
  onSenderReport(ssrc: number, ntpSeconds: number, nowMs: number): number | null {
    if (!Number.isFinite(ntpSeconds) || ntpSeconds === 0) return null;
    this.#ntpShift ??= nowMs / 1000 + NTP_UNIX_OFFSET - ntpSeconds;
    this.#bySsrc.get(ssrc)?.stats.onSenderReport(ntpSeconds, nowMs);
    return ntpSeconds + this.#ntpShift;
  }

  /** One receiver report per track, covering the SSRCs that arrived on it. */
  reports(senderSsrc: number, nowMs: number): { track: T; ssrcs: number[]; rr: Buffer }[] {
    const byTrack = new Map<T, [number, ReceptionStats][]>();
    for (const [ssrc, r] of this.#bySsrc) {
      const list = byTrack.get(r.track) ?? [];
      list.push([ssrc, r.stats]);
      byTrack.set(r.track, list);
    }
    return [...byTrack].map(([track, blocks]) => ({ track, ssrcs: blocks.map(([s]) => s), rr: buildReceiverReport(senderSsrc, blocks, nowMs) }));
  }

  /** A new connection: new SSRC statistics and a new clock shift. */
  reset(): void {
    this.#bySsrc.clear();
    this.#ntpShift = null;
  }
}
