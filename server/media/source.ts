/**
 * One publisher's forwardable stream (audio, camera video or screen) and its routing table:
 * the list of subscriber slots it feeds. The publisher's track handler calls `handle()` for
 * every RTP packet; this is the hot path.
 */
import { type AccessUnitState, H264_MALFORMED, h264KeyframeStart, inspectH264, newAccessUnitState } from './h264.js';
import { type RtpInfo, parseVp8, readAudioLevel, readStringExtension, remapExtensionIds } from './rtp.js';
import {
  EXT_ABS_SEND_TIME,
  EXT_AUDIO_LEVEL,
  EXT_RID,
  EXT_TOFFSET,
  type MediaSection,
  SFU_EXTENSION_IDS,
  type VideoCodec,
  SFU_PAYLOAD_TYPES,
  UNDECLARED_EXTENSION_ID,
  keptPayloadTypes,
} from './sdp.js';
import type { OutSlot } from './out-slot.js';

export type SourceKind = 'audio' | 'video' | 'screen';

/** What the client's layers cost before they are measured (web/src/media/media-client.ts SIMULCAST_ENCODINGS). */
const NOMINAL_BPS = [150_000, 500_000, 1_500_000];

export interface LayerState {
  index: number;
  ssrc: number;
  bytes: number;
  bitrate: number;
  lastPacketAt: number;
  lastPliAt: number;
  /** H.264: where this SSRC's access unit stands (keyframe = first packet of one). */
  au: AccessUnitState;
}

/** Minimum time between two keyframe requests for the same layer. */
export const PLI_INTERVAL_MS = 500;
/** Parley's client names its layers q/h/f; a Map, so a rid like `constructor` finds nothing. */
const RID_INDEX = new Map([
  ['q', 0],
  ['h', 1],
  ['f', 2],
]);

export class MediaSource {
  readonly publisherId: string;
  readonly kind: SourceKind;
  readonly sinks: OutSlot[] = [];
  readonly layers: (LayerState | undefined)[] = [undefined, undefined, undefined];
  readonly #bySsrc = new Map<number, LayerState>();
  readonly #sendPli: (mediaSsrc: number) => void;
  /** Payload type subscribers see (SFU_PAYLOAD_TYPES), -1 before a codec is configured. */
  pt = -1;
  /** The publisher's own payload type for this stream (validated, 96–127). */
  #inPt = -1;
  clockRate = 90000;
  /** Video codec the publisher sends (negotiated in its answer); null for audio. */
  codec: VideoCodec | null = null;
  /** Header-extension ids to declare towards subscribers, URI → id (SFU_EXTENSION_IDS). */
  extIds = new Map<string, number>();
  /** Publisher's extension id → the id subscribers were offered; the rest → UNDECLARED_EXTENSION_ID. */
  readonly #extRemap = new Uint8Array(256).fill(UNDECLARED_EXTENSION_ID);
  #ridExt = -1;
  #levelExt = -1;
  #rids: string[] = [];
  #simulcast = false;
  muted = false;
  forwarded = 0;
  /** Last measured bitrate of each layer while it arrived: what resuming a paused layer would cost. */
  readonly #nominal = [...NOMINAL_BPS];
  /**
   * Dynacast: how many layers (from the lowest) the publisher was last told to keep sending;
   * -1 = not told since its last offer (the client starts with all of them).
   */
  keepSent = -1;
  /** Since when fewer layers than `keepSent` have been needed (0 = not). */
  keepLowSince = 0;
  onAudioLevel: ((level: number) => void) | undefined;
  /** A subscriber line that refused H.264 was handed this H.264 source (once per configure). */
  onH264Refused: (() => void) | undefined;
  #refusalSent = false;
  #levelMin = 127;
  #levelAt = 0;
  #closed = false;

  constructor(publisherId: string, kind: SourceKind, sendPli: (mediaSsrc: number) => void) {
    this.publisherId = publisherId;
    this.kind = kind;
    this.#sendPli = sendPli;
  }

  get closed(): boolean {
    return this.#closed;
  }
  get isVideo(): boolean {
    return this.kind !== 'audio';
  }

  /** (Re)configure from the publisher's offer section. */
  configure(m: MediaSection): void {
    const kept = keptPayloadTypes(m);
    const main = m.codecs.find((c) => kept.has(c.pt) && c.name !== 'RTX');
    this.#inPt = main?.pt ?? -1;
    const codec = this.isVideo ? (main?.name === 'H264' ? 'H264' : 'VP8') : null;
    // Same SSRCs, other codec: every slot waits for a keyframe of the new one.
    if (this.codec !== null && codec !== this.codec) for (const s of this.sinks) s.rewriter.release();
    this.codec = codec;
    this.#refusalSent = false;
    this.pt = main ? SFU_PAYLOAD_TYPES[this.codec === 'H264' ? 'h264' : this.isVideo ? 'video' : 'audio'] : -1;
    this.clockRate = main?.clock ?? (this.isVideo ? 90000 : 48000);
    this.#ridExt = m.extmap.get(EXT_RID) ?? -1;
    this.#levelExt = m.extmap.get(EXT_AUDIO_LEVEL) ?? -1;
    this.extIds = new Map();
    this.#extRemap.fill(UNDECLARED_EXTENSION_ID);
    for (const uri of this.isVideo ? [EXT_ABS_SEND_TIME, EXT_TOFFSET] : [EXT_AUDIO_LEVEL, EXT_ABS_SEND_TIME]) {
      const id = m.extmap.get(uri);
      const sfuId = SFU_EXTENSION_IDS.get(uri);
      if (id === undefined || sfuId === undefined || id < 1 || id > 255) continue;
      this.extIds.set(uri, sfuId);
      this.#extRemap[id] = sfuId;
    }
    this.#rids = m.rids;
    this.#simulcast = m.rids.length > 1;
    const rtx = new Set(m.fid.values());
    const media = m.sim.length > 0 ? m.sim : m.ssrcs.filter((s) => !rtx.has(s));
    media.forEach((ssrc, i) => {
      const rid = this.#simulcast ? (m.ssrcRid.get(ssrc) ?? this.#rids[i]) : undefined;
      this.#learn(ssrc, rid !== undefined ? this.#ridToIndex(rid) : this.isVideo ? 2 : 0);
    });
  }

  #ridToIndex(rid: string): number {
    return RID_INDEX.get(rid) ?? Math.min(2, Math.max(0, this.#rids.indexOf(rid)));
  }

  #learn(ssrc: number, index: number): LayerState {
    const prev = this.layers[index];
    if (prev && prev.ssrc === ssrc) return prev;
    if (prev) this.#bySsrc.delete(prev.ssrc);
    const l: LayerState = { index, ssrc, bytes: 0, bitrate: 0, lastPacketAt: 0, lastPliAt: 0, au: newAccessUnitState() };
    this.layers[index] = l;
    this.#bySsrc.set(ssrc, l);
    return l;
  }

  #unknown(buf: Buffer, info: RtpInfo): LayerState | undefined {
    if (this.#ridExt > 0) {
      const rid = readStringExtension(buf, this.#ridExt);
      // Only a rid the offer declared may claim a layer (the offer's rids were validated).
      if (rid !== null && this.#simulcast && !this.#rids.includes(rid)) return undefined;
      if (rid !== null) return this.#learn(info.ssrc, this.#simulcast ? this.#ridToIndex(rid) : 2);
    }
    if (!this.#simulcast && this.#bySsrc.size === 0) return this.#learn(info.ssrc, this.isVideo ? 2 : 0);
    return undefined;
  }

  /** Forward one RTP packet to every sink. Returns how many subscribers it was sent to. */
  handle(buf: Buffer, info: RtpInfo, now: number): number {
    if (this.#closed || info.pt !== this.#inPt) return 0;
    const layer = this.#bySsrc.get(info.ssrc) ?? this.#unknown(buf, info);
    if (layer === undefined) return 0;
    layer.bytes += buf.length;
    layer.lastPacketAt = now;
    const sinks = this.sinks;
    if (info.payloadLength === 0) {
      for (let i = 0; i < sinks.length; i++) (sinks[i] as OutSlot).skip(info);
      return 0;
    }
    if (this.isVideo) {
      // A descriptor or payload that does not fit is dropped like padding: subscribers' sequence stays gap-free.
      if (this.codec === 'H264' ? !this.#h264(buf, info, layer) : !parseVp8(buf, info)) {
        for (let i = 0; i < sinks.length; i++) (sinks[i] as OutSlot).skip(info);
        return 0;
      }
    } else if (this.muted) return 0;
    else if (this.#levelExt > 0 && this.onAudioLevel) this.#level(buf, info, now);
    // A host-muted voice is neither forwarded nor counted as speaking (last-N).
    if (this.muted) return 0;
    // Once per packet (the buffer is shared by every sink): ids as offered to subscribers.
    remapExtensionIds(buf, this.#extRemap);
    let n = 0;
    for (let i = 0; i < sinks.length; i++) if ((sinks[i] as OutSlot).forward(buf, info, layer.index, now)) n++;
    this.forwarded += n;
    return n;
  }

  /** RFC 6184 payload: keyframe start (h264.ts rule), no VP8 ids to rewrite. */
  #h264(buf: Buffer, info: RtpInfo, layer: LayerState): boolean {
    const flags = inspectH264(buf, info);
    if (flags === H264_MALFORMED) return false;
    h264KeyframeStart(flags, info, layer.au);
    return true;
  }

  #level(buf: Buffer, info: RtpInfo, now: number): void {
    readAudioLevel(buf, this.#levelExt, info);
    if (info.audioLevel >= 0 && info.audioLevel < this.#levelMin) this.#levelMin = info.audioLevel;
    if (now - this.#levelAt >= 250) {
      this.#levelAt = now;
      const level = this.#levelMin;
      this.#levelMin = 127;
      this.onAudioLevel?.(level);
    }
  }

  /** A sender report from the publisher for one of this stream's SSRCs, passed to every slot forwarding it. */
  senderReport(ssrc: number, ntpSeconds: number, rtpTs: number): boolean {
    if (this.#closed || !this.#bySsrc.has(ssrc)) return false;
    for (const s of this.sinks) s.senderReport(ssrc, ntpSeconds, rtpTs);
    return true;
  }

  /** A subscriber's line cannot take this H.264 stream: tell the publisher's owner, once per configure. */
  h264Refused(): void {
    if (this.#closed || this.#refusalSent || this.codec !== 'H264') return;
    this.#refusalSent = true;
    this.onH264Refused?.();
  }

  /** Ask the publisher for a keyframe on one layer, at most once per PLI_INTERVAL_MS. */
  requestKeyframe(index: number, now: number): void {
    const l = this.layers[index];
    if (this.#closed || !l || now - l.lastPliAt < PLI_INTERVAL_MS) return;
    l.lastPliAt = now;
    this.#sendPli(l.ssrc);
  }

  /** Update per-layer bitrates; call about every 500 ms with the elapsed time. */
  measure(now: number, elapsedMs: number): void {
    for (const l of this.layers) {
      if (!l) continue;
      const inst = (l.bytes * 8 * 1000) / Math.max(1, elapsedMs);
      l.bytes = 0;
      l.bitrate = now - l.lastPacketAt > 1500 ? 0 : l.bitrate === 0 ? inst : l.bitrate * 0.6 + inst * 0.4;
      if (l.bitrate > 0) this.#nominal[l.index] = l.bitrate;
    }
  }

  /** Bitrates indexed by layer (0 for inactive), written into `out`. */
  rates(out: number[], now: number): number[] {
    for (let i = 0; i < 3; i++) {
      const l = this.layers[i];
      out[i] = l && now - l.lastPacketAt < 1500 ? Math.max(1, l.bitrate) : 0;
    }
    return out;
  }

  /**
   * Like rates(), but a layer the publisher declared and is not sending now (paused by dynacast,
   * or not yet started) counts at its last measured (or nominal) rate: what it would cost if resumed.
   */
  potentialRates(out: number[], now: number): number[] {
    this.rates(out, now);
    for (let i = 0; i < 3; i++) if (out[i] === 0 && this.layers[i]) out[i] = this.#nominal[i] ?? 0;
    return out;
  }

  /** Detach from every sink and stop forwarding. Safe twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.sinks.splice(0)) s.detach();
  }
}
