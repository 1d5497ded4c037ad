/**
 * Per-subscriber rewriting of one outgoing stream. The subscriber sees a single SSRC whose
 * sequence numbers, timestamps and VP8 picture ids continue smoothly while the source behind
 * it changes (simulcast layer switch, or the slot being reused for another publisher).
 */
import { type RtpInfo, readPicId, writePicId } from './rtp.js';

const HALF16 = 0x8000;

/** Is a newer than b in 16-bit sequence space? */
export function seqNewer(a: number, b: number): boolean {
  const d = (a - b) & 0xffff;
  return d !== 0 && d < HALF16;
}

function tsNewer(a: number, b: number): boolean {
  const d = (a - b) >>> 0;
  return d !== 0 && d < 0x80000000;
}

export class RtpRewriter {
  readonly outSsrc: number;
  readonly #clockRate: number;
  #src = -1;
  #seqOff = 0;
  #tsOff = 0;
  #picOff = 0;
  #tl0Off = 0;
  #maxSrcSeq = 0;
  #lastSeq = -1;
  #lastTs = 0;
  #lastPic = -1;
  #lastTl0 = -1;
  #lastWall = 0;
  /** Values written into the last rewritten packet (read by the NACK history). */
  outSeq = 0;
  outTs = 0;
  outPic = -1;
  outTl0 = -1;

  constructor(outSsrc: number, clockRate: number) {
    this.outSsrc = outSsrc >>> 0;
    this.#clockRate = clockRate;
  }

  /** SSRC currently forwarded, -1 before the first packet. */
  get source(): number {
    return this.#src;
  }

  /** Start forwarding a new source from this packet on (call at a keyframe for video). */
  switchTo(info: RtpInfo, buf: Buffer, nowMs: number): void {
    const first = this.#lastSeq < 0;
    this.#src = info.ssrc;
    this.#maxSrcSeq = info.seq;
    this.#seqOff = first ? 0 : (this.#lastSeq + 1 - info.seq) & 0xffff;
    const gap = first ? 0 : Math.max(1, Math.round(((nowMs - this.#lastWall) * this.#clockRate) / 1000));
    this.#tsOff = first ? 0 : (this.#lastTs + gap - info.ts) >>> 0;
    if (info.picIdLength > 0) {
      const pic = readPicId(buf, info);
      this.#picOff = this.#lastPic < 0 ? 0 : (this.#lastPic + 1 - pic) & 0x7fff;
    }
    if (info.tl0Offset >= 0) {
      const tl0 = buf[info.tl0Offset] as number;
      this.#tl0Off = this.#lastTl0 < 0 ? 0 : (this.#lastTl0 + 1 - tl0) & 0xff;
    }
  }

  /** Forward nothing until the next switchTo (the source's codec changed); numbering continues from the last packet. */
  release(): void {
    this.#src = -1;
  }

  /** A timestamp of source `ssrc` in the subscriber's timeline; null when another source is forwarded. */
  mapTs(ssrc: number, ts: number): number | null {
    return ssrc === this.#src && this.#lastSeq >= 0 ? (ts + this.#tsOff) >>> 0 : null;
  }

  /** A packet of the current source was dropped (padding): close the sequence gap if newest. */
  skip(info: RtpInfo): void {
    if (info.ssrc !== this.#src) return;
    if (seqNewer(info.seq, this.#maxSrcSeq)) {
      this.#maxSrcSeq = info.seq;
      this.#seqOff = (this.#seqOff - 1) & 0xffff;
    }
  }

  /** Rewrite a packet of the current source in place (SSRC, seq, ts, pt, VP8 ids). */
  rewrite(buf: Buffer, info: RtpInfo, pt: number, nowMs: number): void {
    const seq = (info.seq + this.#seqOff) & 0xffff;
    const ts = (info.ts + this.#tsOff) >>> 0;
    if (seqNewer(info.seq, this.#maxSrcSeq)) this.#maxSrcSeq = info.seq;
    if (this.#lastSeq < 0 || seqNewer(seq, this.#lastSeq)) this.#lastSeq = seq;
    if (tsNewer(ts, this.#lastTs) || this.#lastWall === 0) {
      this.#lastTs = ts;
      this.#lastWall = nowMs;
    }
    this.outSeq = seq;
    this.outTs = ts;
    this.outPic = -1;
    this.outTl0 = -1;
    if (info.picIdLength > 0) {
      const pic = (readPicId(buf, info) + this.#picOff) & 0x7fff;
      if (this.#lastPic < 0 || ((pic - this.#lastPic) & 0x7fff) < 0x4000) this.#lastPic = pic;
      this.outPic = pic;
    }
    if (info.tl0Offset >= 0) {
      const tl0 = ((buf[info.tl0Offset] as number) + this.#tl0Off) & 0xff;
      if (this.#lastTl0 < 0 || ((tl0 - this.#lastTl0) & 0xff) < 0x80) this.#lastTl0 = tl0;
      this.outTl0 = tl0;
    }
    writeOut(buf, info, this.outSsrc, pt, seq, ts, this.outPic, this.outTl0);
  }
}

/** Write rewritten header fields (and VP8 ids when present) into a packet. */
export function writeOut(buf: Buffer, info: RtpInfo, ssrc: number, pt: number, seq: number, ts: number, pic: number, tl0: number): void {
  buf[1] = ((buf[1] as number) & 0x80) | pt;
  buf.writeUInt16BE(seq, 2);
  buf.writeUInt32BE(ts, 4);
  buf.writeUInt32BE(ssrc, 8);
  if (pic >= 0) writePicId(buf, info, pic);
  if (tl0 >= 0 && info.tl0Offset >= 0) buf[info.tl0Offset] = tl0;
}
