/**
 * A user-space network between one client and the SFU (this kernel has no netem/tbf): every
 * UDP datagram of that client's media goes through here, and each direction can lose, delay,
 * jitter, reorder, rate-limit or black out traffic, changed at any time by the test.
 *
 * The client is given `127.0.0.1:<port>` instead of the SFU's candidates, and the SFU learns
 * the relay's upstream sockets as peer-reflexive candidates, so nothing bypasses the relay.
 * Loopback only, bounded queues, stops with close().
 */
import dgram from 'node:dgram';

export interface Impairment {
  /** Probability (0..1) that a datagram is dropped. */
  loss?: number;
  /** One-way delay in ms, plus uniform jitter in ms (jitter reorders packets). */
  delayMs?: number;
  jitterMs?: number;
  /** Rate cap in bits per second (token bucket; datagrams beyond `queueBytes` are dropped). */
  rateBps?: number;
  queueBytes?: number;
  /** Drop everything (an outage). */
  blocked?: boolean;
}

export interface RelayCounters {
  up: { in: number; out: number; dropped: number };
  down: { in: number; out: number; dropped: number };
}

export interface UdpRelay {
  /** Where the client must send (the rewritten SFU candidate address). */
  port: number;
  /** Client → SFU and SFU → client impairments; replaced wholesale by set(). */
  set(dir: 'up' | 'down' | 'both', imp: Impairment): void;
  counters(): RelayCounters;
  close(): void;
}

/** A seeded PRNG so a lossy run is repeatable. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

class Direction {
  imp: Impairment = {};
  readonly count = { in: 0, out: 0, dropped: 0 };
  #tokens = 0;
  #last = Date.now();
  #queued = 0;
  #queue: { buf: Buffer; send: () => void }[] = [];
  #timer: NodeJS.Timeout | null = null;
  constructor(readonly random: () => number) {}

  push(buf: Buffer, send: () => void): void {
    this.count.in++;
    const imp = this.imp;
    if (imp.blocked || (imp.loss !== undefined && this.random() < imp.loss)) {
      this.count.dropped++;
      return;
    }
    const delay = (imp.delayMs ?? 0) + (imp.jitterMs ? this.random() * imp.jitterMs : 0);
    const later = (): void => this.#shape(buf, send);
    if (delay > 0) setTimeout(later, delay).unref();
    else later();
  }

  #shape(buf: Buffer, send: () => void): void {
    if (this.imp.blocked) {
      this.count.dropped++;
      return;
    }
    if (!this.imp.rateBps) {
      this.count.out++;
      send();
      return;
    }
    if (this.#queued + buf.length > (this.imp.queueBytes ?? 64_000)) {
      this.count.dropped++;
      return;
    }
    this.#queue.push({ buf, send });
    this.#queued += buf.length;
    this.#drain();
  }

  #drain(): void {
    const rate = this.imp.rateBps ?? 0;
    const now = Date.now();
    this.#tokens = Math.min(rate / 8 / 10, this.#tokens + ((now - this.#last) * rate) / 8000); // bucket: 100 ms of bytes
    this.#last = now;
    while (this.#queue.length > 0 && rate > 0) {
      const head = this.#queue[0];
      if (!head || head.buf.length > this.#tokens) break;
      this.#queue.shift();
      this.#tokens -= head.buf.length;
      this.#queued -= head.buf.length;
      this.count.out++;
      head.send();
    }
    if (this.#queue.length > 0 && !this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#drain();
      }, 5);
      this.#timer.unref();
    }
    if (rate === 0) {
      // Cap removed while packets waited: let them go.
      for (const q of this.#queue.splice(0)) q.send();
      this.#queued = 0;
    }
  }
}

/**
 * Start a relay in front of the SFU's UDP port `sfuPort` on `sfuHost` (127.0.0.1; another local
 * address for a server that gathers no loopback candidates, as Janus). Clients always reach the
 * relay on 127.0.0.1.
 */
export async function startUdpRelay(sfuPort: number, seed = 7, sfuHost = '127.0.0.1'): Promise<UdpRelay> {
  const random = rng(seed);
  const up = new Direction(random);
  const down = new Direction(random);
  const front = dgram.createSocket('udp4');
  const upstream = new Map<string, dgram.Socket>();
  let closed = false;
  front.on('message', (buf, rinfo) => {
    if (closed) return;
    const key = `${rinfo.address}:${rinfo.port}`;
    let sock = upstream.get(key);
    if (!sock) {
      if (upstream.size >= 64) return; // bounded: a test never needs more
      const s = dgram.createSocket('udp4');
      s.on('message', (reply) => {
        if (!closed) down.push(reply, () => front.send(reply, rinfo.port, rinfo.address));
      });
      s.on('error', () => undefined);
      s.bind(0, sfuHost);
      upstream.set(key, s);
      sock = s;
    }
    const target = sock;
    up.push(buf, () => target.send(buf, sfuPort, sfuHost));
  });
  front.on('error', () => undefined);
  await new Promise<void>((r) => front.bind(0, '127.0.0.1', () => r()));
  return {
    port: front.address().port,
    set(dir, imp) {
      if (dir !== 'down') up.imp = { ...imp };
      if (dir !== 'up') down.imp = { ...imp };
    },
    counters: () => ({ up: { ...up.count }, down: { ...down.count } }),
    close() {
      closed = true;
      front.close();
      for (const s of upstream.values()) s.close();
      upstream.clear();
    },
  };
}

/** Point every candidate in an SDP or candidate line at the relay (the client sees only it). */
export function rewriteCandidates(text: string, relayPort: number): string {
  return text.replace(/(candidate:\S+ \d+ udp \d+ )(\S+) (\d+)( typ \w+)/gi, `$1127.0.0.1 ${relayPort}$4`);
}

/** Make the client's own candidates unreachable (loopback port 9, discard): only the relay path works. */
export function blackholeCandidate(candidate: string): string {
  return candidate.replace(/(candidate:\S+ \d+ udp \d+ )(\S+) (\d+)( typ \w+)/gi, '$1127.0.0.1 9$4');
}
