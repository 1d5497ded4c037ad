/**
 * One outgoing media line on a subscriber connection. A slot is fed by at most one source at
 * a time; when that source goes away the slot is kept (m-lines cannot be removed) and reused
 * for the next publisher, its rewriter keeping the subscriber's sequence space continuous.
 */
import type { Track } from 'node-datachannel';
import { type RtcpVisitor, buildSenderReport, parseRtcp } from './rtcp.js';
import { RtpRewriter, writeOut } from './rewriter.js';
import { type RtpInfo, newRtpInfo, parseRtp, parseVp8 } from './rtp.js';
import { PROBE_AFTER_MS, type Probe } from './layer-select.js';
import { SFU_PAYLOAD_TYPES } from './sdp.js';
import { SendHistory } from './send-history.js';
import type { MediaSource } from './source.js';

export interface SlotOwner {
  onRemb(bitrate: number): void;
}

const scratch = newRtpInfo();

export class OutSlot {
  readonly mid: string;
  readonly streamId: string;
  readonly video: boolean;
  /** Payload type of the slot's first codec (Opus, VP8); a source's own (`source.pt`) is what is written. */
  readonly pt: number;
  /**
   * The subscriber's answer kept H.264 on this line (video slots offer VP8 and H.264). Until an
   * answer says so, and if it refused, no H.264 packet is sent here.
   */
  h264 = false;
  readonly track: Track;
  readonly rewriter: RtpRewriter;
  readonly #history = new SendHistory();
  readonly #visitor: RtcpVisitor;
  source: MediaSource | null = null;
  open = false;
  /** RTCP packets from the subscriber that the parser could not take (dropped). */
  malformedRtcp = 0;
  /** Preferred (tile) layer, chosen (target) layer and the layer being forwarded. */
  preferred = 2;
  target = -1;
  current = -1;
  headroomSince = 0;
  /** A step up being tried before the receiver's estimate covers it (layer-select.ts), and the headroom wanted before the next one. */
  probe: Probe | null = null;
  probeAfter = PROBE_AFTER_MS;
  /** Highest layer this subscriber would take if every declared layer were sent (dynacast); -1 none. */
  demand = -1;
  retransmitted = 0;
  /** RTP packets and payload octets sent on this slot (its sender reports carry them). */
  #packets = 0;
  #octets = 0;
  /** Sender reports sent to the subscriber. */
  senderReports = 0;
  /** Arrival time of the RTCP packet being parsed: one clock for all its NACK items. */
  #rtcpAt = 0;
  #closed = false;

  constructor(opts: { mid: string; streamId: string; video: boolean; pt: number; ssrc: number; clockRate: number; track: Track; owner: SlotOwner }) {
    this.mid = opts.mid;
    this.streamId = opts.streamId;
    this.video = opts.video;
    this.pt = opts.pt;
    this.track = opts.track;
    this.rewriter = new RtpRewriter(opts.ssrc, opts.clockRate);
    this.#visitor = {
      nack: (ssrc, seq) => {
        if (ssrc === this.rewriter.outSsrc) this.#retransmit(seq);
      },
      keyframe: (ssrc) => {
        if (ssrc === this.rewriter.outSsrc && this.current >= 0) this.source?.requestKeyframe(this.current, Date.now());
      },
      remb: (bps) => opts.owner.onRemb(bps),
    };
    opts.track.onOpen(() => {
      if (!this.#closed) this.open = true;
    });
    opts.track.onClosed(() => {
      this.open = false;
    });
    // Native callback: RTCP from the subscriber's browser. A throw here would abort the process.
    opts.track.onMessage((buf) => {
      try {
        if (this.#closed || this.source === null) return;
        this.#rtcpAt = Date.now();
        if (!parseRtcp(buf, this.#visitor)) this.malformedRtcp++;
      } catch {
        this.malformedRtcp++;
      }
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Hot path: rewrite and send one packet from the attached source. */
  forward(buf: Buffer, info: RtpInfo, layer: number, now: number): boolean {
    if (!this.open) return false;
    const src = this.source;
    // Never a codec the subscriber did not accept (the open track has had its answer).
    if (src !== null && src.codec === 'H264' && !this.h264) {
      src.h264Refused();
      return false;
    }
    const rw = this.rewriter;
    if (info.ssrc !== rw.source) {
      if (this.video) {
        if (this.target < 0 && layer <= this.preferred) this.target = layer;
        if (layer !== this.target || !info.keyframe) {
          if (layer === this.target && src) src.requestKeyframe(layer, now);
          return false;
        }
      }
      rw.switchTo(info, buf, now);
      this.current = layer;
    }
    rw.rewrite(buf, info, src ? src.pt : this.pt, now);
    this.#history.put(buf, rw.outSeq, rw.outTs, rw.outPic, rw.outTl0, now);
    this.#packets++;
    this.#octets += info.payloadLength;
    return this.#send(buf);
  }

  /** The track can close natively before onClosed reaches us; a throw must not escape. */
  #send(buf: Buffer): boolean {
    try {
      return this.track.sendMessageBinary(buf);
    } catch {
      this.open = false;
      return false;
    }
  }

  /**
   * The publisher's sender report for source SSRC `ssrc`, its clock already moved onto the
   * SFU's (the same shift for all of one publisher's streams, so their audio and video stay in
   * step): pass it on in this subscriber's timeline, so the browser can line up audio and video.
   */
  senderReport(ssrc: number, ntpSeconds: number, rtpTs: number): void {
    if (!this.open) return;
    const ts = this.rewriter.mapTs(ssrc, rtpTs);
    if (ts === null) return;
    if (this.#send(buildSenderReport(this.rewriter.outSsrc, ntpSeconds, ts, this.#packets, this.#octets))) this.senderReports++;
  }

  /** The source dropped a packet (padding): keep our sequence numbers gap-free. */
  skip(info: RtpInfo): void {
    this.rewriter.skip(info);
  }

  #retransmit(seq: number): void {
    // The packet's arrival time, not the clock now: a NACK naming one packet many times gets
    // one resend even if parsing it is interrupted for longer than RESEND_MIN_INTERVAL_MS.
    const now = this.#rtcpAt;
    const i = this.#history.find(seq, now);
    if (i < 0 || !this.open || !this.#history.claimResend(i, now)) return;
    const buf = this.#history.buffer(i);
    // The stored packet carries the SFU payload type it was sent with; only VP8 has ids to rewrite.
    if (!parseRtp(buf, scratch) || (this.video && scratch.pt !== SFU_PAYLOAD_TYPES.h264 && !parseVp8(buf, scratch))) return;
    writeOut(buf, scratch, this.rewriter.outSsrc, scratch.pt, seq, this.#history.ts(i), this.#history.pic(i), this.#history.tl0(i));
    if (this.#send(buf)) this.retransmitted++;
  }

  /** Point this slot at a source (the caller adds it to source.sinks). */
  attach(source: MediaSource): void {
    this.source = source;
    this.demand = -1;
    this.target = -1;
    this.current = -1;
    this.headroomSince = 0;
    this.probe = null;
    this.probeAfter = PROBE_AFTER_MS;
  }

  /** Stop feeding this slot; it stays negotiated and free for reuse. */
  detach(): void {
    const src = this.source;
    this.source = null;
    this.demand = -1;
    this.target = -1;
    this.current = -1;
    this.#history.clear();
    if (src) {
      const i = src.sinks.indexOf(this);
      if (i >= 0) src.sinks.splice(i, 1);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.open = false;
    this.detach();
    try {
      this.track.close();
    } catch {
      /* already closed natively */
    }
  }
}
