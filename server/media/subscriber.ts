/**
 * A participant's subscriber connection: the SFU offers one sendonly media line per remote
 * stream it forwards (slots, reused as publishers come and go) and renegotiates when the set
 * changes. Also runs per-subscriber simulcast layer selection from its REMB estimate.
 */
import { randomInt } from 'node:crypto';
import ndc from 'node-datachannel';
import type { PeerConnection } from 'node-datachannel';
import { chooseLayer } from './layer-select.js';
import { OutSlot } from './out-slot.js';
import { DescriptionWaiter, addRemote, announceCandidate, createPeer, remoteAddressOf } from './peer.js';
import type { MediaSource } from './source.js';
import type { MediaConfig, MediaParticipantHooks } from './types.js';

const REMB_STALE_MS = 5000;
/** An offer still unanswered after this is reported (the subscriber would get no new streams). */
const ANSWER_LATE_MS = 10_000;

export class Subscriber {
  readonly #id: string;
  readonly #cfg: MediaConfig;
  readonly #hooks: MediaParticipantHooks;
  readonly #onAddress: () => void;
  readonly slots: OutSlot[] = [];
  #pc: PeerConnection | null = null;
  #waiter: DescriptionWaiter | null = null;
  #awaitingAnswer = false;
  #answerLate: ReturnType<typeof setTimeout> | null = null;
  #dirty = false;
  #scheduled = false;
  #remb = 0;
  #rembAt = 0;
  /** Operator/test ceiling on this subscriber's downlink estimate (bps). */
  rembCap = Infinity;
  readonly #rates: number[] = [0, 0, 0];
  #pending: [string, string][] = [];
  #closed = false;

  constructor(id: string, cfg: MediaConfig, hooks: MediaParticipantHooks, onAddress: () => void) {
    this.#id = id;
    this.#cfg = cfg;
    this.#hooks = hooks;
    this.#onAddress = onAddress;
  }

  get closed(): boolean {
    return this.#closed;
  }
  get remoteAddress(): string | null {
    return this.#pc ? remoteAddressOf(this.#pc) : null;
  }
  /** Current downlink budget in bps (Infinity when no fresh REMB). */
  budget(now: number): number {
    const est = this.#remb > 0 && now - this.#rembAt < REMB_STALE_MS ? this.#remb : Infinity;
    return Math.min(est, this.rembCap);
  }

  #ensurePc(): PeerConnection {
    if (this.#pc) return this.#pc;
    const pc = createPeer(`sub-${this.#id}`, this.#cfg);
    this.#waiter = new DescriptionWaiter(pc);
    pc.onLocalCandidate((candidate, mid) => {
      if (this.#closed) return;
      this.#hooks.signal({ event: 'media.candidate', data: { pc: 'sub', candidate: announceCandidate(candidate, this.#cfg.announcedIp), mid } });
    });
    pc.onStateChange((s) => {
      if (!this.#closed && s === 'connected') this.#onAddress();
    });
    this.#pc = pc;
    return pc;
  }

  /** Feed `source` into a free slot of the right kind (creating one), then renegotiate if needed. */
  attach(source: MediaSource): OutSlot {
    let slot = this.slots.find((s) => s.source === null && s.video === source.isVideo && s.pt === source.pt);
    const isNew = slot === undefined;
    if (!slot) slot = this.#createSlot(source);
    slot.attach(source);
    source.sinks.push(slot);
    if (isNew) this.#dirty = true;
    this.#signalSoon();
    return slot;
  }

  /** Stop feeding every slot from this source. */
  detach(source: MediaSource): void {
    let changed = false;
    for (const s of this.slots)
      if (s.source === source) {
        s.detach();
        changed = true;
      }
    if (changed) this.#signalSoon();
  }

  #createSlot(source: MediaSource): OutSlot {
    const pc = this.#ensurePc();
    const n = this.slots.length;
    const mid = `${source.isVideo ? 'v' : 'a'}${n}`;
    const streamId = `s${n}-${this.#id}`;
    const ssrc = randomInt(1, 0xffffffff);
    const media = source.isVideo ? new ndc.Video(mid, 'SendOnly') : new ndc.Audio(mid, 'SendOnly');
    if (media instanceof ndc.Video) media.addVP8Codec(source.pt);
    else media.addOpusCodec(source.pt);
    media.addSSRC(ssrc, 'parley', streamId, `${streamId}-t`);
    for (const [uri, id] of source.extIds) media.parseSdpLine(`a=extmap:${id} ${uri}`);
    const track = pc.addTrack(media);
    const slot = new OutSlot({
      mid,
      streamId,
      video: source.isVideo,
      pt: source.pt,
      ssrc,
      clockRate: source.clockRate,
      track,
      owner: {
        onRemb: (bps) => {
          this.#remb = bps;
          this.#rembAt = Date.now();
        },
      },
    });
    this.slots.push(slot);
    return slot;
  }

  #signalSoon(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#negotiate();
    });
  }

  /** Send an offer (new media lines) or just the new stream labels; one offer in flight at a time. */
  #negotiate(): void {
    if (this.#closed || !this.#pc) return;
    if (this.#awaitingAnswer) {
      this.#dirty = true;
      return;
    }
    const pc = this.#pc;
    const waiter = this.#waiter as DescriptionWaiter;
    this.#awaitingAnswer = true;
    this.#dirty = false;
    const next = waiter.next();
    try {
      pc.setLocalDescription('offer');
    } catch {
      this.#awaitingAnswer = false;
      next.catch(() => undefined);
      return;
    }
    next.then(
      (sdp) => {
        if (this.#closed) return;
        this.#hooks.signal({ event: 'media.offer', data: { sdp, streams: this.streams() } });
        // Diagnostics for a rare CI failure where subscribers got no media (see docs/media.md).
        if (this.#answerLate) clearTimeout(this.#answerLate);
        this.#answerLate = setTimeout(() => {
          if (this.#awaitingAnswer && !this.#closed)
            console.warn(`media: subscriber ${this.#id} has not answered an offer in ${ANSWER_LATE_MS} ms (state ${this.#pc?.state() ?? 'none'})`);
        }, ANSWER_LATE_MS);
        this.#answerLate.unref();
      },
      () => {
        this.#awaitingAnswer = false;
      },
    );
  }

  /** msid stream id → whose media, for the slots currently fed. */
  streams(): Record<string, { participantId: string; kind: 'audio' | 'video' | 'screen' }> {
    const out: Record<string, { participantId: string; kind: 'audio' | 'video' | 'screen' }> = {};
    for (const s of this.slots) if (s.source) out[s.streamId] = { participantId: s.source.publisherId, kind: s.source.kind };
    return out;
  }

  /** The browser's answer to our last offer. */
  applyAnswer(sdp: string): void {
    if (this.#closed || !this.#pc) return;
    try {
      this.#pc.setRemoteDescription(sdp, 'answer');
    } catch (err) {
      console.warn(`media: subscriber ${this.#id} refused an answer: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    this.#awaitingAnswer = false;
    if (this.#answerLate) clearTimeout(this.#answerLate);
    for (const [c, mid] of this.#pending.splice(0)) addRemote(this.#pc, c, mid);
    if (this.#dirty) this.#negotiate();
  }

  addCandidate(candidate: string, mid: string): void {
    if (this.#closed) return;
    if (!this.#pc || this.#pc.remoteDescription() === null) {
      if (this.#pending.length < 64) this.#pending.push([candidate, mid]);
      return;
    }
    addRemote(this.#pc, candidate, mid);
  }

  setPreferred(source: MediaSource, layer: number): void {
    for (const s of this.slots) if (s.source === source) s.preferred = layer;
    this.tick(Date.now());
  }

  /** Every ~500 ms: pick each video slot's layer from its preference and the REMB budget. */
  tick(now: number): void {
    if (this.#closed) return;
    let videos = 0;
    for (const s of this.slots) if (s.video && s.source) videos++;
    if (videos === 0) return;
    const share = this.budget(now) / videos;
    for (const s of this.slots) {
      const src = s.source;
      if (!s.video || !src) continue;
      const rates = src.rates(this.#rates, now);
      const cur = s.current >= 0 ? (rates[s.current] ?? 0) : 0;
      if (cur > 0 && share >= 1.3 * cur) {
        if (s.headroomSince === 0) s.headroomSince = now;
      } else s.headroomSince = 0;
      const target = chooseLayer({
        preferred: s.preferred,
        rates,
        budget: share,
        current: s.current,
        headroomMs: s.headroomSince === 0 ? 0 : now - s.headroomSince,
      });
      if (target !== s.target && target >= 0) {
        if (target < s.current || s.current < 0 || target > s.target) s.headroomSince = 0;
        s.target = target;
      }
      if (s.target >= 0 && s.target !== s.current) src.requestKeyframe(s.target, now);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#answerLate) clearTimeout(this.#answerLate);
    for (const s of this.slots) s.close();
    try {
      this.#pc?.close();
    } catch {
      /* ignore */
    }
    this.#pc = null;
  }
}
