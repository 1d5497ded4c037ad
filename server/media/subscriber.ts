/**
 * A participant's subscriber connection: the SFU offers one sendonly media line per remote
 * stream it forwards (slots, reused as publishers come and go) and renegotiates when the set
 * changes. Also runs per-subscriber simulcast layer selection from its REMB estimate.
 */
import { randomInt } from 'node:crypto';
import ndc from 'node-datachannel';
import type { PeerConnection } from 'node-datachannel';
import { chooseLayer, PROBE_AFTER_MAX_MS, PROBE_AFTER_MS, probeVerdict } from './layer-select.js';
import { OutSlot } from './out-slot.js';
import { SFU_H264_FMTP, SFU_PAYLOAD_TYPES, h264AcceptedMids } from './sdp.js';
import { type FaultSink, guard } from './guard.js';
import { DescriptionWaiter, type RemotePath, addRemote, announceCandidate, announceSdp, createPeer, remotePathOf } from './peer.js';
import type { MediaSource } from './source.js';
import type { MediaConfig, MediaParticipantHooks } from './types.js';

const REMB_STALE_MS = 5000;
/** An offer still unanswered after this ends the leg; it is rebuilt with a fresh offer. */
export const ANSWER_TIMEOUT_MS = 10_000;

/** Why a subscriber leg asks to be rebuilt. */
export type RebuildReason = 'failed' | 'answer-timeout' | 'answer-refused' | 'fault' | 'client';

export class Subscriber {
  readonly #id: string;
  readonly #cfg: MediaConfig;
  readonly #hooks: MediaParticipantHooks;
  readonly #onAddress: () => void;
  readonly #fault: FaultSink;
  readonly #rebuild: (reason: RebuildReason) => void;
  /** Counts the connections built for this participant; sent with each offer so the client knows a new one. */
  readonly generation: number;
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
  readonly #potential: number[] = [0, 0, 0];
  #pending: [string, string][] = [];
  #closed = false;

  /**
   * `rebuild` is asked (at most once) when this connection can no longer be used: it failed,
   * its offer went unanswered or its answer was refused, or a native callback threw.
   */
  constructor(
    id: string,
    cfg: MediaConfig,
    hooks: MediaParticipantHooks,
    onAddress: () => void,
    opts: { generation: number; fault: FaultSink; rebuild: (reason: RebuildReason) => void },
  ) {
    this.#id = id;
    this.#cfg = cfg;
    this.#hooks = hooks;
    this.#onAddress = onAddress;
    this.generation = opts.generation;
    this.#fault = opts.fault;
    this.#rebuild = opts.rebuild;
  }

  #askedRebuild = false;
  /** Ask the owner for a new leg, once; nothing more is sent on this one. */
  #giveUp(reason: RebuildReason): void {
    if (this.#closed || this.#askedRebuild) return;
    this.#askedRebuild = true;
    setImmediate(() => this.#rebuild(reason));
  }

  /** Connection state ('none' before the first offer). */
  get state(): string {
    try {
      return this.#pc?.state() ?? 'none';
    } catch {
      return 'closed';
    }
  }

  get closed(): boolean {
    return this.#closed;
  }
  /** Whether this leg has a connection (made with its first slot, offered right after). */
  get built(): boolean {
    return this.#pc !== null;
  }
  get remotePath(): RemotePath | null {
    return this.#pc ? remotePathOf(this.#pc) : null;
  }
  /** Current downlink budget in bps (Infinity when no fresh REMB). */
  budget(now: number): number {
    const est = this.#remb > 0 && now - this.#rembAt < REMB_STALE_MS ? this.#remb : Infinity;
    return Math.min(est, this.rembCap);
  }

  #ensurePc(): PeerConnection {
    if (this.#pc) return this.#pc;
    const pc = createPeer(`sub-${this.#id}`, this.#cfg);
    const f = this.#fault;
    this.#waiter = new DescriptionWaiter(pc, f);
    pc.onLocalCandidate(
      guard('sub.onLocalCandidate', f, (candidate, mid) => {
        if (this.#closed) return;
        this.#hooks.signal({ event: 'media.candidate', data: { pc: 'sub', candidate: announceCandidate(candidate, this.#cfg.announcedIp), mid } });
      }),
    );
    pc.onStateChange(
      guard('sub.onStateChange', f, (s) => {
        if (this.#closed) return;
        if (s === 'connected') this.#onAddress();
        // libjuice cannot restart ICE: a failed leg is rebuilt, never renegotiated in place.
        else if (s === 'failed' || s === 'closed') this.#giveUp('failed');
      }),
    );
    this.#pc = pc;
    return pc;
  }

  /** Feed `source` into a free slot of the right kind (creating one), then renegotiate if needed. */
  attach(source: MediaSource): OutSlot {
    // Best: the free line paired with this person's other stream (one msid stream: lip sync);
    // then one whose partner line is idle; then any.
    let best: OutSlot | undefined;
    let idlePair: OutSlot | undefined;
    let any: OutSlot | undefined;
    for (const s of this.slots) {
      if (s.source !== null || s.video !== source.isVideo) continue;
      const partner = this.#partnerOf(s)?.source ?? null;
      if (partner?.publisherId === source.publisherId) {
        best = s;
        break;
      }
      if (partner === null) idlePair ??= s;
      else any ??= s;
    }
    let slot = best ?? idlePair ?? any;
    const isNew = slot === undefined;
    if (!slot) slot = this.#createSlot(source);
    slot.attach(source);
    source.sinks.push(slot);
    if (isNew) this.#dirty = true;
    this.#signalSoon();
    return slot;
  }

  /**
   * Forward exactly these sources (last-N's choice): slots of sources no longer wanted are
   * freed, wanted sources take a free slot of their kind (a new one only when none is free).
   * A relabelling alone is sent as `media.streams`; only new slots cost a renegotiation.
   */
  forward(want: readonly MediaSource[]): void {
    if (this.#closed) return;
    const wanted = new Set(want);
    for (const s of this.slots) if (s.source !== null && (!wanted.has(s.source) || s.source.closed)) s.detach();
    for (const src of want) {
      if (src.closed || this.slots.some((s) => s.source === src)) continue;
      this.attach(src);
    }
    if (this.#labels() !== this.#sentLabels) this.#signalSoon();
  }

  /** What the client was last told about the slots (offer or media.streams). */
  #sentLabels = '';
  #labels(): string {
    let out = '';
    for (const s of this.slots) out += `${s.mid}=${s.source ? `${s.source.publisherId}:${s.source.kind}` : '-'};`;
    return out;
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

  /** The other media line sharing this slot's msid stream (an audio and a video line per pair). */
  #partnerOf(slot: OutSlot): OutSlot | undefined {
    return this.slots.find((o) => o !== slot && o.streamId === slot.streamId);
  }

  #pairs = 0;
  #createSlot(source: MediaSource): OutSlot {
    const pc = this.#ensurePc();
    const n = this.slots.length;
    const mid = `${source.isVideo ? 'v' : 'a'}${n}`;
    // A person's camera and voice share one msid stream, so the browser synchronises them with
    // the sender reports (RFC 3550 §6.4.1); a new line joins the line of this person's other
    // stream when that pair has no line of this kind yet.
    const partner =
      source.kind === 'screen'
        ? undefined
        : this.slots.find(
            (o) => o.source?.publisherId === source.publisherId && o.video !== source.isVideo && o.source.kind !== 'screen' && !this.#partnerOf(o),
          );
    const streamId = partner ? partner.streamId : `p${this.#pairs++}-${this.#id}`;
    const ssrc = randomInt(1, 0xffffffff);
    const media = source.isVideo ? new ndc.Video(mid, 'SendOnly') : new ndc.Audio(mid, 'SendOnly');
    // Every video line offers both codecs, so it can carry any publisher's; the answer says which it took.
    if (media instanceof ndc.Video) {
      media.addVP8Codec(SFU_PAYLOAD_TYPES.video);
      media.addH264Codec(SFU_PAYLOAD_TYPES.h264, SFU_H264_FMTP);
    } else media.addOpusCodec(SFU_PAYLOAD_TYPES.audio);
    media.addSSRC(ssrc, 'parley', streamId, `${streamId}-${mid}`);
    for (const [uri, id] of source.extIds) media.parseSdpLine(`a=extmap:${id} ${uri}`);
    const track = pc.addTrack(media);
    const slot = new OutSlot({
      mid,
      streamId,
      video: source.isVideo,
      pt: source.isVideo ? SFU_PAYLOAD_TYPES.video : SFU_PAYLOAD_TYPES.audio,
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
      if (this.#closed) return;
      // New media lines need an offer; a slot that only changed hands needs a label update.
      if (this.#dirty || this.#awaitingAnswer || this.#sentLabels === '') this.#negotiate();
      else {
        this.#sentLabels = this.#labels();
        this.#hooks.signal({ event: 'media.streams', data: { streams: this.streams(), generation: this.generation } });
      }
    });
  }

  /** Send an offer (new media lines) or just the new stream labels; one offer in flight at a time. */
  #negotiate(): void {
    if (this.#closed || !this.#pc || this.#askedRebuild) return;
    if (this.#awaitingAnswer) {
      this.#dirty = true;
      return;
    }
    const pc = this.#pc;
    const waiter = this.#waiter as DescriptionWaiter;
    if (pc.signalingState() !== 'stable' || !['new', 'connecting', 'connected'].includes(this.state)) {
      this.#giveUp('failed');
      return;
    }
    this.#awaitingAnswer = true;
    this.#dirty = false;
    const next = waiter.next();
    try {
      pc.setLocalDescription('offer');
    } catch {
      next.catch(() => undefined);
      this.#giveUp('failed');
      return;
    }
    next.then(
      (sdp) => {
        if (this.#closed) return;
        this.#sentLabels = this.#labels();
        this.#hooks.signal({
          event: 'media.offer',
          data: { sdp: announceSdp(sdp, this.#cfg.announcedIp), streams: this.streams(), generation: this.generation },
        });
        // An offer nobody answers would leave this subscriber without new streams for good.
        if (this.#answerLate) clearTimeout(this.#answerLate);
        this.#answerLate = setTimeout(() => {
          if (this.#awaitingAnswer && !this.#closed) this.#giveUp('answer-timeout');
        }, ANSWER_TIMEOUT_MS);
        this.#answerLate.unref();
      },
      () => this.#giveUp('failed'),
    );
  }

  /** Media line (mid) → whose media, for the slots currently fed. */
  streams(): Record<string, { participantId: string; kind: 'audio' | 'video' | 'screen' }> {
    const out: Record<string, { participantId: string; kind: 'audio' | 'video' | 'screen' }> = {};
    for (const s of this.slots) if (s.source) out[s.mid] = { participantId: s.source.publisherId, kind: s.source.kind };
    return out;
  }

  /**
   * The browser's answer to our last offer. An answer with no offer outstanding, or one
   * libdatachannel refuses, ends this leg (a new one is offered) and throws.
   */
  applyAnswer(sdp: string): void {
    if (this.#closed || !this.#pc) return;
    if (!this.#awaitingAnswer || this.#pc.signalingState() !== 'have-local-offer') throw new Error('no offer is waiting for an answer');
    try {
      this.#pc.setRemoteDescription(sdp, 'answer');
    } catch (err) {
      this.#giveUp('answer-refused');
      throw err;
    }
    this.#awaitingAnswer = false;
    if (this.#answerLate) clearTimeout(this.#answerLate);
    const h264 = h264AcceptedMids(sdp);
    for (const s of this.slots) s.h264 = s.video && h264.has(s.mid);
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
      // A slot still connecting keeps the lowest layer coming (dynacast), and must not ask for keyframes.
      if (!s.open) {
        s.demand = 0;
        continue;
      }
      const rates = src.rates(this.#rates, now);
      // A probe in progress holds its layer while the receiver's estimate grows into it.
      let holding = false;
      if (s.probe) {
        const verdict = s.probe.to > s.preferred ? 'done' : probeVerdict(s.probe, now, share, rates);
        if (verdict === 'hold') holding = true;
        else {
          s.probeAfter = verdict === 'failed' ? Math.min(2 * s.probeAfter, PROBE_AFTER_MAX_MS) : PROBE_AFTER_MS;
          s.probe = null;
          s.headroomSince = 0;
        }
      }
      const cur = s.current >= 0 ? (rates[s.current] ?? 0) : 0;
      if (cur > 0 && share >= 1.3 * cur) {
        if (s.headroomSince === 0) s.headroomSince = now;
      } else s.headroomSince = 0;
      const headroomMs = s.headroomSince === 0 ? 0 : now - s.headroomSince;
      const choice = { preferred: s.preferred, budget: share, current: s.current, headroomMs, probeAfterMs: s.probeAfter };
      // What it would take with paused layers resumed: the publisher is asked for up to this one.
      s.demand = chooseLayer({ ...choice, rates: src.potentialRates(this.#potential, now) });
      // While the estimate leaves room and the tile wants more, keep the next layer warm, so it
      // is arriving (keyframe included) when the probe moves up to it.
      if (headroomMs > 0 && s.current >= 0 && s.demand <= s.current && s.current < s.preferred) s.demand = s.current + 1;
      if (holding && s.probe) {
        s.demand = Math.max(s.demand, s.probe.to);
        s.target = s.probe.to;
      } else {
        const target = chooseLayer({ ...choice, rates });
        if (target !== s.target && target >= 0) {
          // A step up that the estimate does not cover yet is a probe.
          if (s.current >= 0 && target > s.current && (rates[target] ?? 0) > share) s.probe = { to: target, since: now, peak: share };
          if (target < s.current || s.current < 0 || target > s.target) s.headroomSince = 0;
          s.target = target;
        }
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
