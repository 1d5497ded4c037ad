/**
 * Per-leg connection state and recovery timing for the MediaClient: watches each
 * RTCPeerConnection, reports 'reconnecting' to the UI, and calls `recover(leg)` when a leg
 * failed, stayed disconnected past a grace period, or is still down after a backoff.
 */
export type Leg = 'pub' | 'sub';
/** What the UI shows per leg: `reconnecting` while a connection is being recovered. */
export type LegState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** A `disconnected` connection gets this long to come back by itself before it is rebuilt. */
export const DISCONNECTED_GRACE_MS = 4000;
/** Backoff between recovery attempts: 1 s, 2 s, then every 4 s (media must be back within seconds of the network). */
const MAX_BACKOFF_MS = 4000;

export class LegWatch {
  readonly #state: Record<Leg, LegState> = { pub: 'connecting', sub: 'connecting' };
  readonly #timers: Record<Leg, ReturnType<typeof setTimeout> | null> = { pub: null, sub: null };
  readonly #attempts: Record<Leg, number> = { pub: 0, sub: 0 };
  readonly #listeners = new Set<(leg: Leg, state: LegState) => void>();
  #closed = false;

  /** `current(leg)` is the connection now in use for that leg (events from replaced ones are ignored). */
  constructor(
    private readonly current: (leg: Leg) => RTCPeerConnection | null,
    private readonly recover: (leg: Leg) => void,
  ) {}

  state(leg: Leg): LegState {
    return this.#state[leg];
  }

  onState(cb: (leg: Leg, state: LegState) => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  set(leg: Leg, state: LegState): void {
    if (this.#state[leg] === state) return;
    this.#state[leg] = state;
    for (const cb of this.#listeners) {
      try {
        cb(leg, state);
      } catch (err) {
        console.error('leg state listener failed', err);
      }
    }
  }

  /** Follow this connection's state for `leg`. */
  watch(leg: Leg, pc: RTCPeerConnection): void {
    pc.onconnectionstatechange = () => {
      if (this.#closed || this.current(leg) !== pc) return;
      const s = pc.connectionState;
      if (s === 'connected') {
        this.#clear(leg);
        this.#attempts[leg] = 0;
        this.set(leg, 'connected');
      } else if (s === 'failed') this.recover(leg);
      else if (s === 'disconnected') {
        this.set(leg, 'reconnecting');
        this.#clear(leg);
        // Often comes back by itself (a short outage); otherwise rebuild.
        this.#timers[leg] = setTimeout(() => {
          this.#timers[leg] = null;
          if (pc.connectionState !== 'connected' && !this.#closed) this.recover(leg);
        }, DISCONNECTED_GRACE_MS);
      }
    };
  }

  /** The leg is down: say so and try `recover` again after the backoff unless it connects first. */
  retry(leg: Leg): void {
    if (this.#closed) return;
    this.set(leg, 'reconnecting');
    this.#clear(leg);
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.#attempts[leg]++);
    this.#timers[leg] = setTimeout(() => {
      this.#timers[leg] = null;
      if (!this.#closed && this.#state[leg] !== 'connected') this.recover(leg);
    }, delay);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clear('pub');
    this.#clear('sub');
    this.set('pub', 'closed');
    this.set('sub', 'closed');
    this.#listeners.clear();
  }

  #clear(leg: Leg): void {
    const t = this.#timers[leg];
    if (t) clearTimeout(t);
    this.#timers[leg] = null;
  }
}
