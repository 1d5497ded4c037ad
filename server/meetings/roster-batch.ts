/**
 * One meeting's outgoing roster batch (protocol/roster-batch.ts). The first change after a quiet
 * spell goes out on the next turn (changes made in the same turn ride along); later ones wait
 * until ROSTER_BATCH_WINDOW_MS after the previous send, or until ROSTER_BATCH_MAX are queued.
 * So an isolated join costs each member one frame, and a burst of 250 joins a few dozen.
 */
import { pushRosterItem, ROSTER_BATCH_MAX, ROSTER_BATCH_WINDOW_MS, type RosterBatchItem, type RosterStreamEvent } from '../../protocol/roster-batch.js';
import type { ClientChannel } from './types.js';

/** Channels whose client said `features: ['roster.events']` in hello. */
const batching = new WeakSet<ClientChannel>();

/** The client on `channel` takes `roster.events` frames. */
export function acceptRosterBatches(channel: ClientChannel): void {
  batching.add(channel);
}

export function takesRosterBatches(channel: ClientChannel | null): boolean {
  return channel !== null && batching.has(channel);
}

/** Batches with something queued, so a direct send to a member can flush its meeting's first. */
const pending = new Set<RosterBatcher>();

/** Flush every queued batch that `isFor` says concerns the recipient of a direct send. */
export function flushRosterBatchesFor(isFor: (b: RosterBatcher) => boolean): void {
  for (const b of pending) if (isFor(b)) b.flush();
}

export class RosterBatcher {
  #items: RosterBatchItem[] = [];
  #timer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #lastSent = -Infinity;
  readonly #send: (text: string) => void;
  readonly #windowMs: number;
  readonly #max: number;
  /** Who the batch belongs to, for flushRosterBatchesFor. */
  readonly owner: unknown;

  constructor(owner: unknown, send: (text: string) => void, opts: { windowMs?: number; max?: number } = {}) {
    this.owner = owner;
    this.#send = send;
    this.#windowMs = opts.windowMs ?? ROSTER_BATCH_WINDOW_MS;
    this.#max = opts.max ?? ROSTER_BATCH_MAX;
  }

  get pending(): boolean {
    return this.#items.length > 0;
  }

  push(e: RosterStreamEvent): void {
    pushRosterItem(this.#items, e);
    pending.add(this);
    if (this.#items.length >= this.#max) {
      this.flush();
      return;
    }
    if (this.#timer || this.#immediate) return;
    const wait = this.#lastSent + this.#windowMs - performance.now();
    if (wait <= 0) this.#immediate = setImmediate(() => this.flush());
    else {
      this.#timer = setTimeout(() => this.flush(), wait);
      this.#timer.unref();
    }
  }

  /** Send what is queued now: one serialisation for every recipient. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = null;
    this.#immediate = null;
    pending.delete(this);
    if (this.#items.length > 0) {
      const items = this.#items;
      this.#items = [];
      this.#lastSent = performance.now();
      this.#send(JSON.stringify({ type: 'event', event: 'roster.events', data: { items } }));
    }
  }
}
