/**
 * The SFU: participants grouped by meeting, each with a publisher and a subscriber
 * connection. Routing tables are the `sinks` arrays of each MediaSource; removing a
 * participant empties them synchronously before any native object is closed.
 */
import { AppError } from '../../protocol/errors.js';
import type { Layer } from '../../protocol/signaling.js';
import { layerIndex } from './layer-select.js';
import { Participant, type ParticipantOwner } from './participant.js';
import type { Publisher } from './publisher.js';
import { receiversOf } from './receivers.js';
import type { MediaSource } from './source.js';
import { type MediaLogger, consoleLogger, reasonOf } from './guard.js';
import { type PreparedMeeting, chooseSources, layersToKeep, prepareMeeting } from './forwarding.js';
import { SPEAKER_ACTIVE_MS } from './last-n.js';
import type { RebuildReason } from './subscriber.js';
import type { MediaConfig, MediaParticipantHooks, MediaServerInternals, MediaStats, RemotePath, SlotInfo } from './types.js';

const TICK_MS = 500;
const ADDRESS_POLL_TICKS = 6;

/** Faults (a native callback threw on this participant's input) tolerated in FAULT_WINDOW_MS before publishing is refused. */
const MAX_FAULTS = 3;
const FAULT_WINDOW_MS = 10 * 60_000;
/** Subscriber legs rebuilt for one participant within REBUILD_WINDOW_MS before the SFU stops rebuilding on its own. */
const MAX_REBUILDS = 6;
const REBUILD_WINDOW_MS = 60_000;
const CLIENT_REBUILD_MS = 2000;

/** Last-N is re-chosen for every subscriber this often (speaker changes). */
const RESELECT_TICKS = 2;
const NO_PINS: ReadonlySet<string> = new Set();

export class SfuServer implements MediaServerInternals {
  readonly #cfg: MediaConfig;
  readonly #log: MediaLogger;
  readonly #participants = new Map<string, Participant>();
  /** Participants by meeting (mediasoup's Router): nothing scans the whole node. */
  readonly #meetings = new Map<string, Set<Participant>>();
  /** Host-pinned audio per meeting. */
  readonly #pins = new Map<string, ReadonlySet<string>>();
  #joined = 0;
  readonly #timer: NodeJS.Timeout;
  #forwardedBase = 0;
  #malformedBase = 0;
  #faults = 0;
  #rebuilds = 0;
  /** media.layers messages that paused at least one layer (dynacast), since start. */
  #paused = 0;
  readonly #nackBase = { asked: 0, recovered: 0 };
  readonly #owner: ParticipantOwner = {
    fault: (p, leg, where, err) => this.#fault(p, leg, where, err),
    rebuild: (p, reason) => this.#rebuildSubscriber(p, reason),
  };
  #ticks = 0;
  #lastTick = Date.now();
  #closed = false;

  constructor(cfg: MediaConfig) {
    this.#cfg = cfg;
    this.#log = cfg.logger ?? consoleLogger;
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
    const p = new Participant(meetingId, participantId, ++this.#joined, hooks, this.#cfg, this.#owner, this.#log);
    this.#participants.set(participantId, p);
    let members = this.#meetings.get(meetingId);
    if (!members) {
      members = new Set();
      this.#meetings.set(meetingId, members);
    }
    members.add(p);
    this.#reselect(p, Date.now());
  }

  #members(meetingId: string): Iterable<Participant> {
    return this.#meetings.get(meetingId) ?? [];
  }

  #prepare(meetingId: string): PreparedMeeting {
    return prepareMeeting(this.#members(meetingId), this.#pins.get(meetingId) ?? NO_PINS);
  }

  /**
   * Choose what this subscriber is sent (last-N: what its client shows, the active speakers,
   * the loudest voices) and point its slots there. The receiver gate is asked first, every time
   * (invariant: nobody invisible): a participant it refuses is sent nothing; one whose client has
   * not asked for media (`subscribe`) is chosen nothing, so no leg is built or offered.
   */
  #reselect(sub: Participant, now: number, prepared?: PreparedMeeting): void {
    if (sub.subscriber.closed) return;
    if (!this.#cfg.receiverGate(sub.meetingId, sub.id)) {
      sub.subscriber.forward([]);
      return;
    }
    sub.subscriber.forward(chooseSources(sub, prepared ?? this.#prepare(sub.meetingId), now));
  }

  /** Every subscriber of one meeting, from one prepared candidate list: O(N) per meeting, not O(N²). */
  #reselectMeeting(meetingId: string, now: number): void {
    const prepared = this.#prepare(meetingId);
    for (const p of this.#members(meetingId)) this.#reselect(p, now, prepared);
  }

  /** Audio the host pinned for everyone in the meeting (forwarded beside the loudest N). */
  setPinnedAudio(meetingId: string, publisherIds: string[]): void {
    if (publisherIds.length === 0) this.#pins.delete(meetingId);
    else this.#pins.set(meetingId, new Set(publisherIds.slice(0, 8)));
    this.#reselectMeeting(meetingId, Date.now());
  }

  speakingRecently(participantId: string): boolean {
    const p = this.#participants.get(participantId);
    return p !== undefined && p.loudAt > 0 && Date.now() - p.loudAt <= SPEAKER_ACTIVE_MS;
  }

  /** The tiles this participant's client shows (publisher ids, most important first). */
  setView(subscriberId: string, publisherIds: string[]): void {
    const p = this.#participants.get(subscriberId);
    if (!p) return;
    p.setView(publisherIds);
    this.#reselect(p, Date.now());
  }

  /** The client asked for media: its subscriber leg is chosen (gate first) and offered from now on. */
  subscribe(participantId: string, view?: string[]): void {
    const p = this.#get(participantId);
    p.subscribe(view);
    this.#reselect(p, Date.now());
  }

  #get(participantId: string): Participant {
    const p = this.#participants.get(participantId);
    if (!p) throw new AppError('NOT_IN_ROSTER');
    return p;
  }

  async publish(participantId: string, offerSdp: string): Promise<string> {
    const p = this.#get(participantId);
    const now = Date.now();
    while (p.faults.length > 0 && (p.faults[0] ?? 0) < now - FAULT_WINDOW_MS) p.faults.shift();
    if (p.faults.length >= MAX_FAULTS) throw new AppError('MEDIA_INPUT_REJECTED');
    if (p.publisher.closed) p.publisher = p.newPublisher();
    const pub = p.publisher;
    const { answer, added, removed } = await pub.negotiate(offerSdp);
    if (this.#participants.get(participantId) !== p || p.publisher !== pub) return answer;
    for (const src of removed) this.#dropSource(src);
    // A new connection starts with every layer on: tell it again what is needed.
    for (const src of pub.sources.values()) {
      src.keepSent = -1;
      src.keepLowSince = 0;
    }
    if (added.length > 0 || removed.length > 0) this.#reselectMeeting(p.meetingId, Date.now());
    return answer;
  }

  /**
   * A native callback of one participant's connection threw: close that leg only, tell them,
   * and carry on. The rest of the node never sees the exception.
   */
  #fault(p: Participant, leg: 'pub' | 'sub', where: string, err: unknown): void {
    this.#faults++;
    p.faults.push(Date.now());
    this.#log.warn({ participantId: p.id, leg, where, err: reasonOf(err), code: 'MEDIA_INPUT_REJECTED' }, 'media connection closed after a fault');
    // Not from inside the native callback that threw: close on the next turn.
    setImmediate(() => {
      if (this.#participants.get(p.id) !== p) return;
      if (leg === 'pub') {
        const pub = p.publisher;
        if (pub.closed) return;
        this.#unroute(pub);
        pub.close();
        this.#reselectMeeting(p.meetingId, Date.now());
      } else this.#rebuildSubscriber(p, 'fault');
      p.hooks.signal({ event: 'media.closed', data: { pc: leg, code: 'MEDIA_INPUT_REJECTED' } });
    });
  }

  /**
   * Replace a participant's subscriber leg with a new connection carrying the same streams
   * (gate asked again). The client sees a new `generation` on the offer and answers it on a new
   * RTCPeerConnection. Bounded: a leg that keeps failing is left closed after MAX_REBUILDS a minute
   * until the client asks (`media.ice-restart`).
   */
  #rebuildSubscriber(p: Participant, reason: RebuildReason): void {
    if (this.#participants.get(p.id) !== p || this.#closed) return;
    const now = Date.now();
    while (p.rebuilds.length > 0 && (p.rebuilds[0] ?? 0) < now - REBUILD_WINDOW_MS) p.rebuilds.shift();
    const old = p.subscriber;
    const sources = old.slots.map((s) => s.source).filter((s): s is MediaSource => s !== null);
    for (const slot of old.slots) this.#malformedBase += slot.malformedRtcp;
    old.close();
    p.subscriber = p.newSubscriber();
    if (reason !== 'client' && p.rebuilds.length >= MAX_REBUILDS) {
      this.#log.warn({ participantId: p.id, reason }, 'media: subscriber leg keeps failing; waiting for the client');
      p.hooks.signal({ event: 'media.closed', data: { pc: 'sub', code: 'MEDIA_CONNECTION_FAILED' } });
      p.subscriber.close();
      return;
    }
    p.rebuilds.push(now);
    this.#rebuilds++;
    this.#log.warn({ participantId: p.id, reason, generation: p.subscriber.generation, streams: sources.length }, 'media: subscriber leg rebuilt');
    this.#reselect(p, now);
  }

  restartSubscriber(participantId: string): void {
    const p = this.#participants.get(participantId);
    // No leg to restart before the client asked for media (a rebuild would offer nothing anyway).
    if (!p?.wantsMedia) return;
    // A client may ask as often as it likes; a rebuild costs a DTLS handshake and a keyframe
    // from every publisher, so at most one every CLIENT_REBUILD_MS.
    const last = p.rebuilds[p.rebuilds.length - 1] ?? 0;
    if (Date.now() - last < CLIENT_REBUILD_MS) return;
    this.#rebuildSubscriber(p, 'client');
  }

  /**
   * Stop routing everything a publisher leg sent (each source detaches the slots it fed) and keep
   * its counters in the node's totals; the caller closes the native connection. True if it had sources.
   */
  #unroute(pub: Publisher): boolean {
    const hadSources = pub.sources.size > 0;
    for (const src of pub.sources.values()) this.#dropSource(src);
    this.#malformedBase += pub.dropped;
    const n = pub.nackStats();
    this.#nackBase.asked += n.asked;
    this.#nackBase.recovered += n.recovered;
    return hadSources;
  }

  #dropSource(src: MediaSource): void {
    this.#forwardedBase += src.forwarded;
    // Detaching every sink (source.close) frees the slots; the next reselect fills them.
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

  stopPublishing(participantId: string): void {
    const p = this.#participants.get(participantId);
    if (!p || p.publisher.closed) return;
    const hadSources = this.#unroute(p.publisher);
    p.publisher.close();
    if (hadSources) this.#reselectMeeting(p.meetingId, Date.now());
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
    const members = this.#meetings.get(p.meetingId);
    members?.delete(p);
    if (members?.size === 0) {
      this.#meetings.delete(p.meetingId);
      this.#pins.delete(p.meetingId);
    }
    const hadSources = this.#unroute(p.publisher);
    for (const slot of p.subscriber.slots) {
      this.#malformedBase += slot.malformedRtcp;
      slot.detach();
    }
    // Then the native objects.
    p.publisher.close();
    p.subscriber.close();
    // Their freed slots go to whoever is next in line (a 26th camera becomes visible).
    if (hadSources) this.#reselectMeeting(p.meetingId, Date.now());
  }

  /** Who is being sent this publisher's media now (read-only view of the routing tables). */
  receiversOf(publisherId: string): string[] {
    return receiversOf(this.#participants.values(), publisherId);
  }

  remotePaths(participantId: string): RemotePath[] {
    return this.#participants.get(participantId)?.paths() ?? [];
  }

  stats(): MediaStats {
    const meetings = new Set<string>();
    let forwarded = this.#forwardedBase;
    let malformed = this.#malformedBase;
    let publishers = 0;
    let subscriberLegs = 0;
    let nackAsked = this.#nackBase.asked;
    let nackRecovered = this.#nackBase.recovered;
    for (const p of this.#participants.values()) {
      meetings.add(p.meetingId);
      const n = p.publisher.nackStats();
      nackAsked += n.asked;
      nackRecovered += n.recovered;
      if (p.publisher.sources.size > 0) publishers++;
      if (p.subscriber.built) subscriberLegs++;
      for (const s of p.publisher.sources.values()) forwarded += s.forwarded;
      malformed += p.publisher.dropped;
      for (const slot of p.subscriber.slots) malformed += slot.malformedRtcp;
    }
    return {
      meetings: meetings.size,
      participants: this.#participants.size,
      forwardedPackets: forwarded,
      publishers,
      subscriberLegs,
      malformedPackets: malformed,
      faults: this.#faults,
      rebuilds: this.#rebuilds,
      layerPauses: this.#paused,
      nackAsked,
      nackRecovered,
    };
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
      streamId: s.streamId,
      senderReports: s.senderReports,
      publisherId: s.source?.publisherId ?? null,
      target: s.target,
      current: s.current,
      budget,
      rates: s.source ? s.source.rates([0, 0, 0], now) : [],
    }));
  }

  /** Dynacast (forwarding.ts): tell the publisher which layers anyone needs, when that changed. */
  #dynacast(p: Participant, now: number): void {
    for (const src of p.publisher.sources.values()) {
      const keep = layersToKeep(src, now);
      if (keep === null) continue;
      if (keep < 3) this.#paused++;
      p.hooks.signal({ event: 'media.layers', data: { kind: src.kind === 'screen' ? 'screen' : 'video', keep } });
    }
  }

  #tick(): void {
    const now = Date.now();
    const elapsed = now - this.#lastTick;
    this.#lastTick = now;
    const tick = ++this.#ticks;
    for (const p of this.#participants.values()) {
      for (const s of p.publisher.sources.values()) s.measure(now, elapsed);
    }
    if (tick % RESELECT_TICKS === 0) for (const meetingId of this.#meetings.keys()) this.#reselectMeeting(meetingId, now);
    for (const p of this.#participants.values()) {
      p.subscriber.tick(now);
      if (tick % 2 === 0) p.publisher.tick();
    }
    for (const p of this.#participants.values()) {
      if (p.publisher.sources.size > 0 && this.#cfg.dynacast !== false) this.#dynacast(p, now);
      // getSelectedCandidatePair costs ~0.4 ms; pair changes are rare and 'connected' reports at once.
      if (tick % ADDRESS_POLL_TICKS === 0) p.checkPath();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const id of [...this.#participants.keys()]) this.removeParticipant(id);
  }
}
