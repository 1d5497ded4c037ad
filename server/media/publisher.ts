/**
 * A participant's publisher connection: the browser offers sendonly audio, camera video
 * (rid simulcast) and optionally a screen track; the SFU answers recvonly. Incoming RTP is
 * handed to the matching MediaSource, which fans it out.
 */
import ndc from 'node-datachannel';
import type { PeerConnection, Track } from 'node-datachannel';
import { AppError } from '../../protocol/errors.js';
import { DescriptionWaiter, addRemote, announceCandidate, createPeer, remoteAddressOf } from './peer.js';
import { buildPli } from './rtcp.js';
import { isRtcp, newRtpInfo, parseRtp } from './rtp.js';
import { type MediaSection, mungePublishAnswer, mungePublishOffer, parseSdp } from './sdp.js';
import { MediaSource, type SourceKind } from './source.js';
import type { MediaConfig, MediaParticipantHooks } from './types.js';

/** REMB value the SFU sends to publishers: the ceiling of their send-side estimate. */
export const PUBLISH_BITRATE_CAP = 2_500_000;
const SFU_SSRC = 0x5f0e5f0e;
const info = newRtpInfo();

interface MidBinding {
  track: Track | null;
  source: MediaSource | null;
}

export class Publisher {
  readonly #id: string;
  readonly #cfg: MediaConfig;
  readonly #hooks: MediaParticipantHooks;
  readonly #onAddress: () => void;
  readonly #byMid = new Map<string, MidBinding>();
  readonly sources = new Map<SourceKind, MediaSource>();
  #pc: PeerConnection | null = null;
  #waiter: DescriptionWaiter | null = null;
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

  #ensurePc(): { pc: PeerConnection; waiter: DescriptionWaiter } {
    if (this.#pc && this.#waiter) return { pc: this.#pc, waiter: this.#waiter };
    const pc = createPeer(`pub-${this.#id}`, this.#cfg);
    const waiter = new DescriptionWaiter(pc);
    pc.onLocalCandidate((candidate, mid) => {
      if (this.#closed) return;
      this.#hooks.signal({ event: 'media.candidate', data: { pc: 'pub', candidate: announceCandidate(candidate, this.#cfg.announcedIp), mid } });
    });
    pc.onStateChange((s) => {
      if (!this.#closed && s === 'connected') this.#onAddress();
    });
    pc.onTrack((track) => this.#bindTrack(track));
    this.#pc = pc;
    this.#waiter = waiter;
    return { pc, waiter };
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
    track.setMediaHandler(new ndc.RtcpReceivingSession());
    track.onMessage((buf) => {
      const src = b.source;
      if (this.#closed || src === null || isRtcp(buf) || !parseRtp(buf, info)) return;
      src.handle(buf, info, Date.now());
    });
  }

  /**
   * Apply a (re)offer and return the answer plus the sources that appeared and disappeared.
   */
  async negotiate(offerSdp: string): Promise<{ answer: string; added: MediaSource[]; removed: MediaSource[] }> {
    if (this.#closed) throw new AppError('MEDIA_NEGOTIATION_FAILED');
    let munged: string;
    try {
      munged = mungePublishOffer(offerSdp);
    } catch {
      throw new AppError('MEDIA_NEGOTIATION_FAILED');
    }
    const sections = parseSdp(munged);
    const { pc, waiter } = this.#ensurePc();
    const next = waiter.next();
    try {
      pc.setRemoteDescription(munged, 'offer');
      for (const [c, mid] of this.#pending.splice(0)) addRemote(pc, c, mid);
      pc.setLocalDescription('answer');
    } catch (err) {
      next.catch(() => undefined);
      throw new AppError('MEDIA_NEGOTIATION_FAILED', undefined, String(err));
    }
    const answer = mungePublishAnswer(await next);
    return { answer, ...this.#mapSources(sections) };
  }

  #mapSources(sections: MediaSection[]): { added: MediaSource[]; removed: MediaSource[] } {
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
      if (b.track.isOpen()) b.track.sendMessageBinary(buildPli(SFU_SSRC, mediaSsrc));
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

  /** Once a second: keep steering the browser's estimate with REMB. */
  tick(): void {
    if (this.#closed) return;
    const video = [...this.#byMid.values()].find((b) => b.source?.isVideo === true && b.track !== null);
    const t = video?.track;
    if (t && t.isOpen()) t.requestBitrate(PUBLISH_BITRATE_CAP);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.sources.values()) s.close();
    this.sources.clear();
    for (const b of this.#byMid.values()) {
      b.source = null;
      try {
        b.track?.close();
      } catch {
        /* ignore */
      }
    }
    this.#byMid.clear();
    try {
      this.#pc?.close();
    } catch {
      /* ignore */
    }
    this.#pc = null;
  }
}
