/**
 * Ring buffer of the last packets sent on one outgoing stream, indexed by outgoing sequence
 * number, so a subscriber's NACK can be answered without asking the publisher. Packets are
 * shared with other subscribers and rewritten again on retransmission.
 */
export const HISTORY_SIZE = 512;
/**
 * A packet is resent at most once in this interval (mediasoup's default RTT): a NACK that
 * names one sequence number many times, or NACKs repeated faster than a round trip, cannot
 * turn one small RTCP packet into hundreds of retransmissions.
 */
export const RESEND_MIN_INTERVAL_MS = 100;

export class SendHistory {
  readonly #bufs: (Buffer | undefined)[] = new Array<Buffer | undefined>(HISTORY_SIZE);
  readonly #seq = new Int32Array(HISTORY_SIZE).fill(-1);
  readonly #ts = new Uint32Array(HISTORY_SIZE);
  readonly #pic = new Int32Array(HISTORY_SIZE);
  readonly #tl0 = new Int16Array(HISTORY_SIZE);
  readonly #at = new Float64Array(HISTORY_SIZE);
  readonly #resentAt = new Float64Array(HISTORY_SIZE);

  /** Remember a packet sent with these outgoing values. */
  put(buf: Buffer, seq: number, ts: number, pic: number, tl0: number, nowMs: number): void {
    const i = seq & (HISTORY_SIZE - 1);
    this.#bufs[i] = buf;
    this.#seq[i] = seq;
    this.#ts[i] = ts;
    this.#pic[i] = pic;
    this.#tl0[i] = tl0;
    this.#at[i] = nowMs;
    this.#resentAt[i] = -Infinity;
  }

  /**
   * Look up a sent packet by outgoing sequence number. Returns the slot index or -1 when
   * it is no longer held (overwritten or older than maxAgeMs).
   */
  find(seq: number, nowMs: number, maxAgeMs = 1000): number {
    const i = seq & (HISTORY_SIZE - 1);
    if (this.#seq[i] !== seq || this.#bufs[i] === undefined) return -1;
    return nowMs - (this.#at[i] as number) <= maxAgeMs ? i : -1;
  }

  /** Claim slot `i` for a retransmission now; false when it was resent too recently. */
  claimResend(i: number, nowMs: number): boolean {
    if (nowMs - (this.#resentAt[i] as number) < RESEND_MIN_INTERVAL_MS) return false;
    this.#resentAt[i] = nowMs;
    return true;
  }

  buffer(i: number): Buffer {
    return this.#bufs[i] as Buffer;
  }
  ts(i: number): number {
    return this.#ts[i] as number;
  }
  pic(i: number): number {
    return this.#pic[i] as number;
  }
  tl0(i: number): number {
    return this.#tl0[i] as number;
  }

  clear(): void {
    this.#bufs.fill(undefined);
    this.#seq.fill(-1);
  }
}
