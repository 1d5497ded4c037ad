/**
 * Browser side of Parley's media plane. One publisher RTCPeerConnection (we offer: audio,
 * camera video with q/h/f simulcast, optional screen) and one subscriber connection (the SFU
 * offers; we answer). Framework-free; the UI listens with onRemoteStream().
 */
import { type CodecPreference, orderCameraCodecs } from './codec-preference.js';
import { type Leg, type LegState, LegWatch } from './leg-watch.js';
import { addSsrcLines, type LayerSsrc } from './sdp-ssrc.js';

export type RemoteKind = 'audio' | 'video' | 'screen';
export interface RemoteStreamEvent {
  participantId: string;
  kind: RemoteKind;
  stream: MediaStream | null;
}
export interface MediaClientOptions {
  /** Signaling request; resolves with the response's `result`. */
  request: (type: string, payload: Record<string, unknown>) => Promise<unknown>;
  iceServers: RTCIceServer[];
  /** Send camera video as three simulcast layers (default true). */
  simulcast?: boolean;
  /** Camera codec to offer first; default: H.264 where the browser encodes it in hardware, else VP8 (codec-preference.ts). */
  preferCodec?: CodecPreference;
  /** Hook for end-to-end encryption transforms (insertable streams); only called, not required. */
  transform?: { sender(s: RTCRtpSender): void; receiver(r: RTCRtpReceiver, participantId: string): void };
}
type StreamMap = Record<string, { participantId: string; kind: RemoteKind }>;
type Which = Leg;
export type { LegState } from './leg-watch.js';
export { DISCONNECTED_GRACE_MS } from './leg-watch.js';

export const SIMULCAST_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', maxBitrate: 1_500_000 },
];

const LAYER_INDEX: Record<string, number> = { q: 0, h: 1, f: 2 };

export class MediaClient {
  readonly #opts: MediaClientOptions;
  #pub: RTCPeerConnection | null = null;
  #sub: RTCPeerConnection | null = null;
  #audio: RTCRtpTransceiver | null = null;
  #camera: RTCRtpTransceiver | null = null;
  #screen: RTCRtpTransceiver | null = null;
  #layerSsrcs: LayerSsrc[] = [];
  #pubChain: Promise<void> = Promise.resolve();
  #subChain: Promise<void> = Promise.resolve();
  #pending: Record<Which, RTCIceCandidateInit[]> = { pub: [], sub: [] };
  #streamMap: StreamMap = {};
  /** The SFU's subscriber connection generation the current #sub answers. */
  #subGeneration = -1;
  #stream: MediaStream | null = null;
  readonly #legs = new LegWatch(
    (leg) => (leg === 'pub' ? this.#pub : this.#sub),
    (leg) => {
      if (leg === 'pub') this.#recoverPub();
      else this.#recoverSub();
    },
  );
  /** Per subscriber media line (mid): its stream and receiver. */
  readonly #remote = new Map<string, { stream: MediaStream; receivers: RTCRtpReceiver[] }>();
  readonly #emitted = new Map<string, { participantId: string; kind: RemoteKind }>();
  readonly #listeners = new Set<(e: RemoteStreamEvent) => void>();
  #closed = false;
  #subscribed = false;

  constructor(opts: MediaClientOptions) {
    this.#opts = opts;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Create the publisher connection for this stream's tracks and negotiate it with the SFU. */
  async publish(stream: MediaStream): Promise<void> {
    if (this.#pub) throw new Error('already publishing');
    this.#stream = stream;
    await this.#buildPub(stream.getAudioTracks()[0] ?? null, stream.getVideoTracks()[0] ?? null, null);
  }

  /** A new publisher connection carrying these tracks (first publish, or recovery of a failed one). */
  async #buildPub(mic: MediaStreamTrack | null, cam: MediaStreamTrack | null, screen: MediaStreamTrack | null): Promise<void> {
    const stream = this.#stream ?? new MediaStream();
    const pc = this.#newPc('pub');
    this.#pub = pc;
    this.#layerSsrcs = [];
    this.#pending.pub = [];
    this.#audio = pc.addTransceiver(mic ?? 'audio', { direction: 'sendonly', streams: [stream] });
    const enc = this.#opts.simulcast === false ? undefined : SIMULCAST_ENCODINGS.map((e) => ({ ...e }));
    this.#camera = pc.addTransceiver(cam ?? 'video', { direction: 'sendonly', streams: [stream], ...(enc ? { sendEncodings: enc } : {}) });
    this.#opts.transform?.sender(this.#audio.sender);
    this.#opts.transform?.sender(this.#camera.sender);
    this.#screen = null;
    if (screen) {
      this.#screen = pc.addTransceiver(screen, { direction: 'sendonly', streams: [new MediaStream([screen])] });
      this.#opts.transform?.sender(this.#screen.sender);
    }
    // After the E2EE transforms are attached: an await between addTransceiver and the transform
    // left the real app's encrypted video undecodable (ui-security, 2 of 3 failed).
    await orderCameraCodecs(this.#camera, this.#opts.preferCodec);
    await this.#renegotiate();
    if (enc) this.#learnLayerSsrcs().catch(() => undefined); // a dropped connection ends this session anyway
  }

  /**
   * The publisher connection failed (or the SFU closed it): build a new one with the same
   * tracks. The SFU sees new ICE credentials and builds a new connection too (libjuice has no
   * ICE restart); subscribers keep their streams and get a keyframe.
   */
  #recoverPub(): void {
    const old = this.#pub;
    if (this.#closed || !old) return;
    const mic = this.#audio?.sender.track ?? null;
    const cam = this.#camera?.sender.track ?? null;
    const screen = this.#screen && this.#screen.direction !== 'inactive' ? this.#screen.sender.track : null;
    old.onconnectionstatechange = null;
    old.close();
    this.#legs.set('pub', 'reconnecting');
    this.#buildPub(mic, cam, screen).catch(() => this.#legs.retry('pub'));
  }

  /** The subscriber connection failed: ask the SFU for a new one (a new-generation offer follows). */
  #recoverSub(): void {
    if (this.#closed) return;
    this.#opts.request('media.ice-restart', { pc: 'sub' }).catch(() => this.#legs.retry('sub'));
    // If no new offer arrives, ask again (backoff).
    this.#legs.retry('sub');
  }

  /** Listen for each leg's state (the UI shows "reconnecting" on the tiles a leg carries). */
  onLegState(cb: (which: Which, state: LegState) => void): () => void {
    return this.#legs.onState(cb);
  }

  legState(which: Which): LegState {
    return this.#legs.state(which);
  }

  /** The SFU closed one of our connections (`media.closed`): rebuild it after the backoff. */
  handleClosed(data: { pc: Which; code: string }): void {
    if (!this.#closed) this.#legs.retry(data.pc);
  }

  /**
   * Dynacast (`media.layers`): send only the lowest `keep` layers of the camera (or screen);
   * the SFU says nobody watches the rest. 0 pauses the stream; a resumed layer starts with a
   * keyframe. Queued behind any renegotiation of the publisher connection.
   */
  handleLayers(data: { kind: 'video' | 'screen'; keep: number }): Promise<void> {
    const run = async (): Promise<void> => {
      const t = data.kind === 'screen' ? this.#screen : this.#camera;
      if (this.#closed || !t || t.direction === 'inactive') return;
      const params = t.sender.getParameters();
      if (params.encodings.length === 0) return;
      let changed = false;
      for (const e of params.encodings) {
        const active = e.rid !== undefined ? (LAYER_INDEX[e.rid] ?? 2) < data.keep : data.keep > 0;
        if (e.active !== active) changed = true;
        e.active = active;
      }
      if (changed) await t.sender.setParameters(params);
    };
    this.#pubChain = this.#pubChain.then(run, run);
    return this.#pubChain.catch(() => undefined);
  }

  /** Camera on/off or device switch without renegotiation. */
  async setCameraTrack(track: MediaStreamTrack | null): Promise<void> {
    if (!this.#camera) throw new Error('publish() first');
    await this.#camera.sender.replaceTrack(track);
  }

  async setMicTrack(track: MediaStreamTrack | null): Promise<void> {
    if (!this.#audio) throw new Error('publish() first');
    await this.#audio.sender.replaceTrack(track);
  }

  async startScreenShare(track: MediaStreamTrack): Promise<void> {
    const pc = this.#pub;
    if (!pc) throw new Error('publish() first');
    if (this.#screen) {
      await this.#screen.sender.replaceTrack(track);
      this.#screen.direction = 'sendonly';
    } else {
      this.#screen = pc.addTransceiver(track, { direction: 'sendonly', streams: [new MediaStream([track])] });
      this.#opts.transform?.sender(this.#screen.sender);
    }
    await this.#renegotiate();
  }

  async stopScreenShare(): Promise<void> {
    if (!this.#screen || this.#screen.direction === 'inactive') return;
    await this.#screen.sender.replaceTrack(null);
    this.#screen.direction = 'inactive';
    await this.#renegotiate();
  }

  /** The SFU's subscriber offer (`media.offer` event); a new generation is answered on a new connection. */
  handleOffer(data: { sdp: string; streams: StreamMap; generation?: number }): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#closed) return;
      const gen = data.generation ?? 0;
      if (this.#sub && gen !== this.#subGeneration) {
        const old = this.#sub;
        old.onconnectionstatechange = null;
        old.close();
        this.#sub = null;
        this.#pending.sub = [];
        // The old connection's streams are gone; the new offer's map re-labels the new ones.
        this.#remote.clear();
      }
      this.#subGeneration = gen;
      const pc = this.#sub ?? this.#createSub();
      this.#streamMap = data.streams;
      await pc.setRemoteDescription({ type: 'offer', sdp: data.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      this.#flush('sub');
      await this.#opts.request('media.answer', { sdp: pc.localDescription?.sdp ?? '' });
      this.#reconcile();
    };
    this.#subChain = this.#subChain.then(run, run);
    return this.#subChain;
  }

  /**
   * Slots changed hands without a new offer (`media.streams`, last-N): relabel. Queued behind
   * any offer being answered, so the labels never run ahead of the description they refer to.
   */
  handleStreams(data: { streams: StreamMap; generation: number }): Promise<void> {
    const run = (): void => {
      if (this.#closed || data.generation !== this.#subGeneration) return;
      this.#streamMap = data.streams;
      this.#reconcile();
    };
    this.#subChain = this.#subChain.then(run, run);
    return this.#subChain;
  }

  /**
   * Ask the SFU for media on this signaling session (once per session: a reconnect is a new
   * MediaClient): it builds and offers the subscriber connection only after this. `publisherIds`
   * is the first view. setView() before it sends it instead.
   */
  subscribe(publisherIds?: string[]): void {
    if (this.#subscribed || this.#closed) return;
    this.#subscribed = true;
    // Refused (the session went away under it): the next setView asks again.
    this.#opts.request('media.subscribe', publisherIds ? { publisherIds: publisherIds.slice(0, 49) } : {}).catch(() => {
      this.#subscribed = false;
    });
  }

  /** Tell the SFU which participants' tiles are on screen, most important first (it sends video for those and the speakers). */
  setView(publisherIds: string[]): void {
    if (!this.#subscribed) {
      this.subscribe(publisherIds);
      return;
    }
    this.#opts.request('media.view', { publisherIds: publisherIds.slice(0, 49) }).catch(() => undefined);
  }

  handleCandidate(data: { pc: Which; candidate: string; mid: string }): void {
    this.#pending[data.pc].push({ candidate: data.candidate, sdpMid: data.mid });
    this.#flush(data.pc);
  }

  setPreferredLayer(publisherId: string, layer: 'q' | 'h' | 'f'): void {
    this.#opts.request('media.layer', { publisherId, layer }).catch(() => undefined);
  }

  onRemoteStream(cb: (e: RemoteStreamEvent) => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  async getStats(): Promise<{ publisher?: RTCStatsReport; subscriber?: RTCStatsReport }> {
    const out: { publisher?: RTCStatsReport; subscriber?: RTCStatsReport } = {};
    if (this.#pub) out.publisher = await this.#pub.getStats();
    if (this.#sub) out.subscriber = await this.#sub.getStats();
    return out;
  }

  /** Rebuild both connections now (after a network change the browser told us about). */
  restartIce(): void {
    this.#recoverSub();
    this.#recoverPub();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#legs.close();
    this.#pub?.close();
    this.#sub?.close();
    this.#streamMap = {};
    this.#reconcile();
    this.#listeners.clear();
  }

  #newPc(which: Which): RTCPeerConnection {
    const pc = new RTCPeerConnection({ iceServers: this.#opts.iceServers, bundlePolicy: 'max-bundle' });
    pc.onicecandidate = (e) => {
      if (!e.candidate || this.#closed) return;
      if ((which === 'pub' ? this.#pub : this.#sub) !== pc) return;
      this.#opts.request('media.candidate', { pc: which, candidate: e.candidate.candidate, mid: e.candidate.sdpMid ?? '' }).catch(() => undefined);
    };
    this.#legs.watch(which, pc);
    return pc;
  }

  #createSub(): RTCPeerConnection {
    const pc = this.#newPc('sub');
    pc.ontrack = (e) => {
      // Keyed by media line: a person's audio and video lines share one msid stream (the browser
      // synchronises them), and each line is shown on its own.
      const mid = e.transceiver.mid;
      if (mid === null) return;
      const entry = this.#remote.get(mid) ?? { stream: new MediaStream([e.track]), receivers: [] };
      entry.receivers.push(e.receiver);
      this.#remote.set(mid, entry);
      this.#reconcile();
    };
    this.#sub = pc;
    return pc;
  }

  /** Tell listeners which remote streams now belong to whom (slots are reused by the SFU). */
  #reconcile(): void {
    for (const [mid, was] of [...this.#emitted]) {
      const now = this.#streamMap[mid];
      if (now && now.participantId === was.participantId && now.kind === was.kind) continue;
      this.#emitted.delete(mid);
      // The same person's media may already arrive on another slot (they republished, e.g.
      // after a reconnect): hand that stream back instead of telling listeners it is gone.
      const other = [...this.#emitted].find(([, o]) => o.participantId === was.participantId && o.kind === was.kind);
      this.#emit({ ...was, stream: other ? (this.#remote.get(other[0])?.stream ?? null) : null });
    }
    for (const [mid, owner] of Object.entries(this.#streamMap)) {
      const remote = this.#remote.get(mid);
      if (!remote || this.#emitted.has(mid)) continue;
      this.#emitted.set(mid, owner);
      for (const r of remote.receivers) this.#opts.transform?.receiver(r, owner.participantId);
      this.#emit({ ...owner, stream: remote.stream });
    }
  }

  #emit(e: RemoteStreamEvent): void {
    for (const cb of this.#listeners) {
      try {
        cb(e);
      } catch (err) {
        console.error('onRemoteStream listener failed', err);
      }
    }
  }

  #flush(which: Which): void {
    const pc = which === 'pub' ? this.#pub : this.#sub;
    if (!pc?.remoteDescription) return;
    for (const c of this.#pending[which].splice(0)) pc.addIceCandidate(c).catch(() => undefined);
  }

  /** Offer the publisher connection to the SFU; serialised so re-offers never overlap. */
  #renegotiate(): Promise<void> {
    const run = async (): Promise<void> => {
      const pc = this.#pub;
      if (!pc || this.#closed) return;
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const sdp = addSsrcLines(offer.sdp ?? '', this.#camera?.mid ?? null, this.#layerSsrcs);
      const res = await this.#opts.request('media.publish', { sdp });
      const answer = typeof res === 'string' ? res : ((res as { sdp?: string } | null)?.sdp ?? '');
      if (this.#pub !== pc) return; // replaced while the offer was out
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      this.#flush('pub');
    };
    this.#pubChain = this.#pubChain.then(run, run);
    return this.#pubChain;
  }

  /**
   * The SFU routes packets by SSRC and rid simulcast offers carry none, so once Chrome reports
   * each layer's SSRC we re-offer with `a=ssrc` lines (see docs/media.md).
   */
  async #learnLayerSsrcs(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!this.#closed && this.#pub && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      const sender = this.#camera?.sender;
      if (!sender?.track) continue;
      const found: LayerSsrc[] = [];
      (await sender.getStats()).forEach((s: { type: string; rid?: string; ssrc?: number; rtxSsrc?: number }) => {
        if (s.type === 'outbound-rtp' && s.rid && s.ssrc) found.push({ rid: s.rid, ssrc: s.ssrc, rtx: s.rtxSsrc ?? null });
      });
      if (found.length >= SIMULCAST_ENCODINGS.length || (found.length > 0 && deadline - Date.now() < 10_000)) {
        this.#layerSsrcs = found;
        await this.#renegotiate();
        return;
      }
    }
  }
}
