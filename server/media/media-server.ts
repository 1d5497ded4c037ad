/**
 * The SFU: participants grouped by meeting, each with a publisher and a subscriber
 * connection. Routing tables are the `sinks` arrays of each MediaSource; removing a
 * participant empties them synchronously before any native object is closed.
 */
import { AppError } from '../../protocol/errors.js';
import type { Layer } from '../../protocol/signaling.js';
import { layerIndex } from './layer-select.js';
import { Publisher } from './publisher.js';
import { receiversOf } from './receivers.js';
import type { MediaSource } from './source.js';
import { Subscriber } from './subscriber.js';
import type { MediaConfig, MediaParticipantHooks, MediaServer, MediaStats } from './types.js';

const TICK_MS = 500;
const ADDRESS_POLL_TICKS = 6;

/** Hooks run inside native callbacks, where an exception would take the process down. */
function safeHooks(h: MediaParticipantHooks): MediaParticipantHooks {
  const guard = <A extends unknown[]>(fn: ((...a: A) => void) | undefined) =>
    fn === undefined
      ? undefined
      : (...a: A): void => {
          try {
            fn.apply(h, a);
          } catch (err) {
            console.error('media hook failed', err);
          }
        };
  // guard() calls each hook with `this` = h, so taking the methods off the object is safe.
  /* eslint-disable @typescript-eslint/unbound-method */
  const out: MediaParticipantHooks = { signal: guard(h.signal) as MediaParticipantHooks['signal'] };
  const addr = guard(h.onRemoteAddress);
  const level = guard(h.onAudioLevel);
  /* eslint-enable @typescript-eslint/unbound-method */
  if (addr) out.onRemoteAddress = addr;
  if (level) out.onAudioLevel = level;
  return out;
}

class Participant {
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
  #address: string | null = null;
  readonly hooks: MediaParticipantHooks;
  constructor(
    readonly meetingId: string,
    readonly id: string,
    hooks: MediaParticipantHooks,
    cfg: MediaConfig,
  ) {
    this.hooks = safeHooks(hooks);
    const onAddress = (): void => this.checkAddress();
    this.publisher = new Publisher(id, cfg, this.hooks, onAddress);
    this.subscriber = new Subscriber(id, cfg, this.hooks, onAddress);
  }
  /** Report the selected pair's remote address when it changes. */
  checkAddress(): void {
    const a = this.publisher.remoteAddress ?? this.subscriber.remoteAddress;
    if (a === null || a === this.#address) return;
    this.#address = a;
    this.hooks.onRemoteAddress?.(a);
  }
  addresses(): string[] {
    return [...new Set([this.publisher.remoteAddress, this.subscriber.remoteAddress].filter((a): a is string => a !== null))];
  }
}

/** Extra operations beyond the contract, for operators and tests. */
export interface MediaServerInternals extends MediaServer {
  receiversOf(publisherId: string): string[];
  /** Ceiling on one subscriber's downlink estimate (bps); null removes it. */
  setDownlinkCap(participantId: string, bps: number | null): void;
  /** Per-subscriber slot state, for diagnostics. */
  slotInfo(participantId: string): SlotInfo[];
}

/** Diagnostics for one subscriber media line. */
export interface SlotInfo {
  mid: string;
  publisherId: string | null;
  /** Layer chosen and layer being forwarded (0 = q, 1 = h, 2 = f; -1 none). */
  target: number;
  current: number;
  /** Subscriber's downlink budget in bps (REMB, capped). */
  budget: number;
  /** Measured bitrate per layer of the source (bps). */
  rates: number[];
}

export class SfuServer implements MediaServerInternals {
  readonly #cfg: MediaConfig;
  readonly #participants = new Map<string, Participant>();
  readonly #timer: NodeJS.Timeout;
  #forwardedBase = 0;
  #ticks = 0;
  #lastTick = Date.now();
  #closed = false;

  constructor(cfg: MediaConfig) {
    this.#cfg = cfg;
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  addParticipant(meetingId: string, participantId: string, hooks: MediaParticipantHooks): void {
    if (this.#closed) throw new AppError('INTERNAL', 'media server closed');
    if (!this.#cfg.receiverGate(meetingId, participantId)) throw new AppError('NOT_IN_ROSTER');
    this.removeParticipant(participantId);
    const p = new Participant(meetingId, participantId, hooks, this.#cfg);
    this.#participants.set(participantId, p);
    for (const other of this.#participants.values()) {
      if (other === p || other.meetingId !== meetingId) continue;
      for (const src of other.publisher.sources.values()) this.#subscribe(p, src);
    }
  }

  /** Create a subscriber path after asking the receiver gate (invariant: nobody invisible). */
  #subscribe(sub: Participant, src: MediaSource): void {
    if (src.closed || sub.id === src.publisherId) return;
    if (!this.#cfg.receiverGate(sub.meetingId, sub.id)) return;
    sub.subscriber.attach(src);
  }

  #get(participantId: string): Participant {
    const p = this.#participants.get(participantId);
    if (!p) throw new AppError('NOT_IN_ROSTER');
    return p;
  }

  async publish(participantId: string, offerSdp: string): Promise<string> {
    const p = this.#get(participantId);
    const { answer, added, removed } = await p.publisher.negotiate(offerSdp);
    if (this.#participants.get(participantId) !== p) return answer;
    for (const src of removed) this.#dropSource(src);
    for (const src of added) {
      for (const other of this.#participants.values()) {
        if (other !== p && other.meetingId === p.meetingId) this.#subscribe(other, src);
      }
    }
    return answer;
  }

  #dropSource(src: MediaSource): void {
    this.#forwardedBase += src.forwarded;
    for (const other of this.#participants.values()) other.subscriber.detach(src);
    src.close();
  }

  answer(participantId: string, answerSdp: string): Promise<void> {
    const p = this.#get(participantId);
    try {
      p.subscriber.applyAnswer(answerSdp);
    } catch (err) {
      return Promise.reject(new AppError('MEDIA_NEGOTIATION_FAILED', undefined, String(err)));
    }
    return Promise.resolve();
  }

  addCandidate(participantId: string, pc: 'pub' | 'sub', candidate: string, mid: string): void {
    const p = this.#participants.get(participantId);
    if (!p) return;
    if (pc === 'pub') p.publisher.addCandidate(candidate, mid);
    else p.subscriber.addCandidate(candidate, mid);
  }

  setPreferredLayer(subscriberId: string, publisherId: string, layer: Layer): void {
    const sub = this.#participants.get(subscriberId);
    const src = this.#participants.get(publisherId)?.publisher.sources.get('video');
    if (sub && src) sub.subscriber.setPreferred(src, layerIndex(layer));
  }

  setAudioMuted(participantId: string, muted: boolean): void {
    const src = this.#participants.get(participantId)?.publisher.sources.get('audio');
    if (src) src.muted = muted;
  }

  removeParticipant(participantId: string): void {
    const p = this.#participants.get(participantId);
    if (!p) return;
    // Routing first, in this tick: nothing flows to or from p after this block.
    this.#participants.delete(participantId);
    for (const src of p.publisher.sources.values()) {
      this.#forwardedBase += src.forwarded;
      for (const other of this.#participants.values()) other.subscriber.detach(src);
      src.close();
    }
    for (const slot of p.subscriber.slots) slot.detach();
    // Then the native objects.
    p.publisher.close();
    p.subscriber.close();
  }

  /** Who is being sent this publisher's media now (read-only view of the routing tables). */
  receiversOf(publisherId: string): string[] {
    return receiversOf(this.#participants.values(), publisherId);
  }

  remoteAddresses(participantId: string): string[] {
    return this.#participants.get(participantId)?.addresses() ?? [];
  }

  stats(): MediaStats {
    const meetings = new Set<string>();
    let forwarded = this.#forwardedBase;
    let publishers = 0;
    for (const p of this.#participants.values()) {
      meetings.add(p.meetingId);
      if (p.publisher.sources.size > 0) publishers++;
      for (const s of p.publisher.sources.values()) forwarded += s.forwarded;
    }
    return { meetings: meetings.size, participants: this.#participants.size, forwardedPackets: forwarded, publishers };
  }

  setDownlinkCap(participantId: string, bps: number | null): void {
    const p = this.#participants.get(participantId);
    if (p) p.subscriber.rembCap = bps ?? Infinity;
  }

  slotInfo(participantId: string): SlotInfo[] {
    const p = this.#participants.get(participantId);
    if (!p) return [];
    const now = Date.now();
    const budget = p.subscriber.budget(now);
    return p.subscriber.slots.map((s) => ({
      mid: s.mid,
      publisherId: s.source?.publisherId ?? null,
      target: s.target,
      current: s.current,
      budget,
      rates: s.source ? s.source.rates([0, 0, 0], now) : [],
    }));
  }

  #tick(): void {
    const now = Date.now();
    const elapsed = now - this.#lastTick;
    this.#lastTick = now;
    const tick = ++this.#ticks;
    for (const p of this.#participants.values()) {
      for (const s of p.publisher.sources.values()) s.measure(now, elapsed);
    }
    for (const p of this.#participants.values()) {
      p.subscriber.tick(now);
      if (tick % 2 === 0) p.publisher.tick();
      // getSelectedCandidatePair costs ~0.4 ms; pair changes are rare and 'connected' reports at once.
      if (tick % ADDRESS_POLL_TICKS === 0) p.checkAddress();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const id of [...this.#participants.keys()]) this.removeParticipant(id);
  }
}
