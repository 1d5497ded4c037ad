/**
 * Loss on a publisher's uplink, repaired where it happens: the SFU watches each incoming
 * media SSRC for sequence gaps and asks the publisher to retransmit (RTCP generic NACK, RFC
 * 4585), instead of waiting for a subscriber's keyframe request (issue 14). Bounded: at most
 * MAX_MISSING outstanding per stream, MAX_TRIES asks each, nothing older than MAX_AGE_MS.
 */

const MAX_MISSING = 256;
const MAX_TRIES = 3;
const MAX_AGE_MS = 1000;
/** A gap wider than this is a restart or a hostile jump, not loss. */
const MAX_GAP = 200;

interface Missing {
  firstAt: number;
  askedAt: number;
  tries: number;
}

export class NackGenerator {
  #highest = -1;
  readonly #missing = new Map<number, Missing>();
  /** Retransmission asks sent, and packets recovered after one. */
  asked = 0;
  recovered = 0;

  get outstanding(): number {
    return this.#missing.size;
  }

  /** Note a packet; returns true when it opened a new gap (an ask is due now). Hot path: no allocation without loss. */
  onPacket(seq: number, now: number): boolean {
    if (this.#highest < 0) {
      this.#highest = seq;
      return false;
    }
    const d = (seq - this.#highest) & 0xffff;
    if (d === 0) return false;
    if (d < 0x8000) {
      if (d > MAX_GAP) {
        this.#missing.clear();
      } else {
        for (let i = 1; i < d; i++) {
          if (this.#missing.size >= MAX_MISSING) break;
          this.#missing.set((this.#highest + i) & 0xffff, { firstAt: now, askedAt: 0, tries: 0 });
        }
      }
      this.#highest = seq;
      return d > 1 && d <= MAX_GAP;
    }
    // An older packet: a retransmission or reordering fills its hole.
    const m = this.#missing.get(seq);
    if (m) {
      this.#missing.delete(seq);
      if (m.tries > 0) this.recovered++;
    }
    return false;
  }

  /** Sequence numbers to ask for now (first ask, or again after `retryMs`); forgets what is too old. */
  due(now: number, retryMs: number): number[] {
    const out: number[] = [];
    for (const [seq, m] of this.#missing) {
      if (now - m.firstAt > MAX_AGE_MS || m.tries >= MAX_TRIES) {
        if (now - m.askedAt >= retryMs) this.#missing.delete(seq);
        continue;
      }
      if (m.tries > 0 && now - m.askedAt < retryMs) continue;
      m.tries++;
      m.askedAt = now;
      out.push(seq);
    }
    this.asked += out.length;
    return out;
  }
}
