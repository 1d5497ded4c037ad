/**
 * A participant's publisher connection: the browser offers sendonly audio, camera video
 * (rid simulcast) and optionally a screen track; the SFU answers recvonly. Incoming RTP is
 * handed to the matching MediaSource, which fans it out.
 */
import type { PeerConnection, Track } from 'node-datachannel';
import { AppError } from '../../protocol/errors.js';
import { type FaultSink, guard } from './guard.js';
import { DescriptionWaiter, type RemotePath, addRemote, announceCandidate, announceSdp, createPeer, remotePathOf, remoteUfragOf } from './peer.js';
import { NackGenerator } from './nack-generator.js';
import { type RtcpVisitor, buildNack, buildPli, buildRemb, parseRtcp } from './rtcp.js';
import { UplinkReception } from './receiver-report.js';
import { isRtcp, newRtpInfo, parseRtp } from './rtp.js';
import { type MediaSection, mungePublishAnswer, mungePublishOffer, parseSdp } from './sdp.js';
import { MediaSource, type SourceKind } from './source.js';
import type { MediaConfig, MediaParticipantHooks } from './types.js';

/** REMB value the SFU sends to publishers: the ceiling of their send-side estimate. */
export const PUBLISH_BITRATE_CAP = 2_500_000;
const SFU_SSRC = 0x5f0e5f0e;
const info = newRtpInfo();
/** How often outstanding retransmission asks are looked at, and how long before one is repeated. */
const NACK_TICK_MS = 20;
const NACK_RETRY_MS = 100;
/** Sequence numbers per NACK packet (one FCI each). */
const NACK_MAX_PER_PACKET = 32;

interface MidBinding {
  track: Track | null;
  source: MediaSource | null;
}

export class Publisher {
  readonly #id: string;
  readonly #cfg: MediaConfig;
  readonly #hooks: MediaParticipantHooks;
  readonly #onAddress: () => void;
  readonly #fault: FaultSink;
  readonly #byMid = new Map<string, MidBinding>();
  readonly sources = new Map<SourceKind, MediaSource>();
  #pc: PeerConnection | null = null;
  #waiter: DescriptionWaiter | null = null;
  #pending: [string, string][] = [];
  /** RTX (RFC 4588) from the offer: payload type → the media payload type, RTX SSRC → media SSRC. */
  readonly #rtxApt = new Map<number, number>();
  readonly #rtxSsrc = new Map<number, number>();
  /** Per incoming video media SSRC: gaps to ask the publisher to fill, and the track to ask on. */
  readonly #nack = new Map<number, { gen: NackGenerator; track: Track }>();
  #nackTimer: NodeJS.Timeout | null = null;
  /** ICE ufrag of the offer the current connection was built from. */
  #ufrag: string | null = null;
  /** Offers are applied one at a time: libdatachannel aborts on an offer in the wrong signaling state. */
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  /** `fault` is told when a native callback of this connection threw (the caller closes the leg). */
  constructor(id: string, cfg: MediaConfig, hooks: MediaParticipantHooks, onAddress: () => void, fault: FaultSink) {
    this.#id = id;
    this.#cfg = cfg;
    this.#hooks = hooks;
    this.#onAddress = onAddress;
    this.#fault = fault;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get remotePath(): RemotePath | null {
    return this.#pc ? remotePathOf(this.#pc) : null;
  }

  /** Connection state of the current leg ('none' before the first offer). */
  get state(): string {
    try {
      return this.#pc?.state() ?? 'none';
    } catch {
      return 'closed';
    }
  }

  #ensurePc(): { pc: PeerConnection; waiter: DescriptionWaiter } {
    if (this.#pc && this.#waiter) return { pc: this.#pc, waiter: this.#waiter };
    const pc = createPeer(`pub-${this.#id}`, this.#cfg);
    const waiter = new DescriptionWaiter(pc, this.#fault);
    const f = this.#fault;
    pc.onLocalCandidate(
      guard('pub.onLocalCandidate', f, (candidate, mid) => {
        if (this.#closed || this.#pc !== pc) return;
        this.#hooks.signal({ event: 'media.candidate', data: { pc: 'pub', candidate: announceCandidate(candidate, this.#cfg.announcedIp), mid } });
      }),
    );
    pc.onStateChange(
      guard('pub.onStateChange', f, (s) => {
        if (!this.#closed && this.#pc === pc && s === 'connected') this.#onAddress();
      }),
    );
    pc.onTrack(guard('pub.onTrack', f, (track) => this.#pc === pc && this.#bindTrack(track)));
    this.#pc = pc;
    this.#waiter = waiter;
    return { pc, waiter };
  }

  /**
   * Close the current connection but keep the sources (subscribers stay attached): the next
   * offer builds a fresh one. Used when the old one failed or the browser started a new one.
   */
  #resetPc(): void {
    this.#nack.clear();
    this.#reception.reset();
    for (const b of this.#byMid.values()) {
      const t = b.track;
      b.track = null;
      try {
        t?.close();
      } catch {
        /* already closed with its connection */
      }
    }
    try {
      this.#pc?.close();
    } catch {
      /* already closed */
    }
    this.#pc = null;
    this.#waiter = null;
    this.#ufrag = null;
    this.#pending = [];
  }

  #binding(mid: string): MidBinding {
    let b = this.#byMid.get(mid);
    if (!b) {
      b = { track: null, source: null };
      this.#byMid.set(mid, b);
    }
    return b;
  }

  #bindTrack(track: Track): void {
    if (this.#closed) return;
    const b = this.#binding(track.mid());
    b.track = track;
    // No RtcpReceivingSession: it swallows the publisher's sender reports, which subscribers
    // need (lip sync). The SFU sends its own receiver reports and REMB (tick()).
    // The hot path: a packet the parsers cannot place is counted and dropped; anything that
    // still throws is contained by guard() and ends this participant's publisher leg only.
    track.onMessage(
      guard('pub.onMessage', this.#fault, (raw) => {
        const src = b.source;
        if (this.#closed || src === null || b.track !== track) return;
        if (isRtcp(raw)) {
          this.#rtcp(raw);
          return;
        }
        if (!parseRtp(raw, info)) {
          this.dropped++;
          return;
        }
        let buf = raw;
        if (this.#rtxApt.has(info.pt)) {
          const unwrapped = this.#unwrapRtx(raw);
          if (unwrapped === null) return; // padding probe, or an RTX stream we were not told of
          buf = unwrapped;
        }
        const now = Date.now();
        if (src.isVideo) this.#noteSeq(info.ssrc, info.seq, track, now);
        this.#reception.onPacket(info.ssrc, track, info.seq, info.ts, now, src.clockRate, buf !== raw);
        src.handle(buf, info, now);
      }),
    );
  }

  /**
   * RTCP from the publisher: sender reports are passed on to the slots forwarding that stream,
   * the publisher's clock shifted onto the SFU's once (same shift for audio and video).
   */
  #rtcp(raw: Buffer): void {
    if (!parseRtcp(raw, this.#rtcpVisitor)) this.dropped++;
  }

  /** What arrived, for receiver reports, and the publisher's clock shift for sender reports. */
  readonly #reception = new UplinkReception<Track>();
  readonly #rtcpVisitor: RtcpVisitor = {
    senderReport: (ssrc, ntp, rtpTs) => {
      const shifted = this.#reception.onSenderReport(ssrc, ntp, Date.now());
      if (shifted === null) return;
      for (const src of this.sources.values()) if (src.senderReport(ssrc, shifted, rtpTs)) break;
    },
  };

  /**
   * Turn an RTX packet back into the packet it repairs (in place): original sequence number
   * from its first two payload bytes, media payload type and SSRC. Null for padding-only probes.
   */
  #unwrapRtx(buf: Buffer): Buffer | null {
    const apt = this.#rtxApt.get(info.pt);
    const media = this.#rtxSsrc.get(info.ssrc);
    if (apt === undefined || media === undefined || info.payloadLength < 2) return null;
    const osn = buf.readUInt16BE(info.payloadOffset);
    buf.copyWithin(info.payloadOffset, info.payloadOffset + 2);
    const out = buf.subarray(0, buf.length - 2);
    out[1] = ((out[1] as number) & 0x80) | apt;
    out.writeUInt16BE(osn, 2);
    out.writeUInt32BE(media >>> 0, 8);
    return parseRtp(out, info) ? out : null;
  }

  #noteSeq(ssrc: number, seq: number, track: Track, now: number): void {
    let n = this.#nack.get(ssrc);
    if (!n) {
      if (this.#nack.size >= 16) return; // a simulcast publisher has 3; more is not a browser
      n = { gen: new NackGenerator(), track };
      this.#nack.set(ssrc, n);
    }
    n.track = track;
    if (n.gen.onPacket(seq, now)) this.#askNow();
  }

  /** Ask for what is missing now, then keep looking while anything is outstanding. */
  #askNow(): void {
    if (this.#nackTimer) return;
    this.#sendNacks();
  }

  #sendNacks(): void {
    this.#nackTimer = null;
    if (this.#closed) return;
    const now = Date.now();
    let outstanding = 0;
    for (const [ssrc, n] of this.#nack) {
      const seqs = n.gen.due(now, NACK_RETRY_MS);
      for (let i = 0; i < seqs.length; i += NACK_MAX_PER_PACKET) sendOn(n.track, buildNack(SFU_SSRC, ssrc, seqs.slice(i, i + NACK_MAX_PER_PACKET)));
      outstanding += n.gen.outstanding;
    }
    if (outstanding > 0) {
      this.#nackTimer = setTimeout(
        guard('pub.nack', this.#fault, () => this.#sendNacks()),
        NACK_TICK_MS,
      );
      this.#nackTimer.unref();
    }
  }

  /** Retransmission asks sent to this publisher and packets that came back after one. */
  nackStats(): { asked: number; recovered: number } {
    let asked = 0;
    let recovered = 0;
    for (const n of this.#nack.values()) {
      asked += n.gen.asked;
      recovered += n.gen.recovered;
    }
    return { asked, recovered };
  }

  /** Packets dropped as malformed before they reached a source. */
  dropped = 0;
  /**
   * H.264 is taken from this publisher's offers until a subscriber's line refuses it; then the
   * browser is asked to build a new connection (`media.closed`), whose offer is answered VP8.
   */
  #h264 = true;
  /** Times a subscriber refusing H.264 sent this publisher back to VP8 (0 or 1). */
  h264Fallbacks = 0;

  #refuseH264(): void {
    if (this.#closed || !this.#h264) return;
    this.#h264 = false;
    this.h264Fallbacks++;
    this.#hooks.signal({ event: 'media.closed', data: { pc: 'pub', code: 'MEDIA_CONNECTION_FAILED' } });
  }

  /**
   * Apply a (re)offer and return the answer plus the sources that appeared and disappeared.
   * Offers are serialised. A connection that failed or closed, or an offer with new ICE
   * credentials (a new browser connection, or an ICE restart, which libjuice cannot do in
   * place), gets a fresh connection: libdatachannel aborts the process if an offer is applied
   * to a failed connection (issue 14).
   */
  negotiate(offerSdp: string): Promise<{ answer: string; added: MediaSource[]; removed: MediaSource[] }> {
    const run = (): Promise<{ answer: string; added: MediaSource[]; removed: MediaSource[] }> => this.#negotiate(offerSdp);
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  async #negotiate(offerSdp: string): Promise<{ answer: string; added: MediaSource[]; removed: MediaSource[] }> {
    if (this.#closed) throw new AppError('MEDIA_NEGOTIATION_FAILED');
    let munged: string;
    try {
      munged = mungePublishOffer(offerSdp, { h264: this.#h264 });
    } catch (err) {
      // The validator says why (a payload type, extension id, rid … outside what the SFU offers).
      if (err instanceof AppError) throw err;
      throw new AppError('MEDIA_NEGOTIATION_FAILED', err instanceof Error ? err.message : undefined);
    }
    const ufrag = remoteUfragOf(munged);
    if (ufrag === null) throw new AppError('MEDIA_NEGOTIATION_FAILED', undefined, 'offer without ICE credentials');
    const sections = parseSdp(munged);
    if (this.#pc && (ufrag !== this.#ufrag || !['new', 'connecting', 'connected'].includes(this.state))) this.#resetPc();
    const { pc, waiter } = this.#ensurePc();
    if (pc.signalingState() !== 'stable') throw new AppError('MEDIA_NEGOTIATION_FAILED', undefined, `signaling state ${pc.signalingState()}`);
    const next = waiter.next();
    try {
      pc.setRemoteDescription(munged, 'offer');
      this.#ufrag = ufrag;
      for (const [c, mid] of this.#pending.splice(0)) addRemote(pc, c, mid);
      if (pc.signalingState() !== 'have-remote-offer') throw new Error(`signaling state ${pc.signalingState()} after the offer`);
      pc.setLocalDescription('answer');
    } catch (err) {
      next.catch(() => undefined);
      // Whatever libdatachannel made of it, this connection is not to be trusted again.
      this.#resetPc();
      throw new AppError('MEDIA_NEGOTIATION_FAILED', undefined, String(err));
    }
    const answer = announceSdp(mungePublishAnswer(await next), this.#cfg.announcedIp);
    return { answer, ...this.#mapSources(sections) };
  }

  #mapSources(sections: MediaSection[]): { added: MediaSource[]; removed: MediaSource[] } {
    this.#rtxApt.clear();
    this.#rtxSsrc.clear();
    for (const m of sections) {
      if (m.kind !== 'video') continue;
      for (const c of m.codecs) if (c.name === 'RTX' && c.apt >= 0) this.#rtxApt.set(c.pt, c.apt);
      for (const [media, rtx] of m.fid) this.#rtxSsrc.set(rtx, media);
    }
    const seen = new Set<SourceKind>();
    const added: MediaSource[] = [];
    let videos = 0;
    for (const m of sections) {
      if (m.kind !== 'audio' && m.kind !== 'video') continue;
      const kind: SourceKind = m.kind === 'audio' ? 'audio' : videos++ === 0 ? 'video' : 'screen';
      if (m.direction === 'inactive' || m.direction === 'recvonly') continue;
      seen.add(kind);
      let src = this.sources.get(kind);
      if (!src) {
        const s: MediaSource = new MediaSource(this.#id, kind, (ssrc) => this.#pli(s, ssrc));
        if (kind === 'audio' && this.#hooks.onAudioLevel) s.onAudioLevel = (l) => this.#hooks.onAudioLevel?.(l);
        else s.onH264Refused = () => setImmediate(() => this.#refuseH264());
        this.sources.set(kind, s);
        added.push(s);
        src = s;
      }
      src.configure(m);
      this.#binding(m.mid).source = src;
    }
    const removed: MediaSource[] = [];
    for (const [kind, src] of this.sources) {
      if (seen.has(kind)) continue;
      this.sources.delete(kind);
      for (const b of this.#byMid.values()) if (b.source === src) b.source = null;
      removed.push(src);
    }
    return { added, removed };
  }

  #pli(src: MediaSource, mediaSsrc: number): void {
    for (const b of this.#byMid.values()) {
      if (b.source !== src || !b.track || this.#closed) continue;
      sendOn(b.track, buildPli(SFU_SSRC, mediaSsrc));
    }
  }

  addCandidate(candidate: string, mid: string): void {
    if (this.#closed) return;
    if (!this.#pc || this.#pc.remoteDescription() === null) {
      if (this.#pending.length < 64) this.#pending.push([candidate, mid]);
      return;
    }
    addRemote(this.#pc, candidate, mid);
  }

  /**
   * Once a second, on each of the publisher's tracks: a receiver report for what arrived (loss,
   * jitter, round trip), and on video a REMB that keeps steering the browser's estimate.
   */
  tick(): void {
    if (this.#closed) return;
    for (const { track, ssrcs, rr } of this.#reception.reports(SFU_SSRC, Date.now())) {
      const video = [...this.#byMid.values()].some((b) => b.track === track && b.source?.isVideo === true);
      sendOn(track, video ? Buffer.concat([rr, buildRemb(SFU_SSRC, PUBLISH_BITRATE_CAP, ssrcs)]) : rr);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#nackTimer) clearTimeout(this.#nackTimer);
    for (const s of this.sources.values()) s.close();
    this.sources.clear();
    for (const b of this.#byMid.values()) b.source = null;
    this.#resetPc();
    this.#byMid.clear();
  }
}

/**
 * Send on a track that may have closed since it was looked at (the peer can close it from the
 * network thread at any time): isOpen() alone is a race, and a throw here must not escape.
 */
export function sendOn(track: Track, buf: Buffer): boolean {
  try {
    return track.isOpen() && track.sendMessageBinary(buf);
  } catch {
    return false;
  }
}
