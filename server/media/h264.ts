/**
 * H.264 RTP payload (RFC 6184, packetization-mode 1) inspection for the forwarding hot path:
 * which NAL unit types a packet carries, and whether it starts a keyframe. Reads Buffer
 * offsets only, allocates nothing, and checks every length before the bytes it covers.
 *
 * Keyframe rule (what the layer switcher may switch on): a packet starts a keyframe when it is
 * the **first packet of its access unit** and carries an SPS (NAL type 7) or the start of an
 * IDR slice (type 5), and no non-IDR slice (type 1). An access unit is the run of packets with
 * one RTP timestamp; the marker bit ends it (RFC 6184 §5.1), so the packet after a marker, or
 * one with another timestamp (the marker packet was lost), is the first of the next one.
 * Encoders (libwebrtc, phone hardware) put SPS and PPS in front of every IDR in the same access
 * unit, as a STAP-A or as single NAL packets, with the IDR following (often as FU-A): the SPS
 * packet is where a subscriber can start decoding, and a later FU-A start of that IDR is not a
 * switch point (the subscriber would miss the parameter sets). An IDR with no parameter sets in
 * front (sent out of band) starts its access unit itself and counts. The rule cannot see ahead:
 * an SPS/PPS refresh not followed by an IDR would pass; libwebrtc does not send one, and the
 * subscriber's decoder would ask for a keyframe again (PLI), which the SFU forwards.
 */
import { type RtpInfo, malformedCounts } from './rtp.js';

/** Flags returned by inspectH264 for the NAL units a packet carries (or starts). */
export const H264_SPS = 1;
export const H264_PPS = 2;
/** The first fragment (or the whole) of an IDR slice. */
export const H264_IDR = 4;
/** Any non-IDR coded slice (types 1–4). */
export const H264_SLICE = 8;
/** Returned for a payload that is not valid packetization-mode-1 H.264. */
export const H264_MALFORMED = -1;

const STAP_A = 24;
const FU_A = 28;

function flagOf(type: number): number {
  if (type === 5) return H264_IDR;
  if (type === 7) return H264_SPS;
  if (type === 8) return H264_PPS;
  if (type >= 1 && type <= 4) return H264_SLICE;
  return 0;
}

/**
 * The NAL unit types in one H.264 RTP payload: a single NAL unit (types 1–23), a STAP-A (24:
 * 16-bit size + NAL unit, repeated, each size ≥ 1 and inside the payload) or an FU-A (28: only
 * the start fragment reports its type). STAP-B, MTAP and FU-B (25–27, 29) belong to the
 * interleaved mode that is never negotiated; they, types 0/30/31, an empty payload, an FU-A with
 * both start and end bits or no fragment byte, and a STAP-A whose sizes do not add up return
 * H264_MALFORMED (counted).
 */
export function inspectH264(buf: Buffer, info: RtpInfo): number {
  let p = info.payloadOffset;
  const end = p + info.payloadLength;
  if (p >= end || end > buf.length) return malformedH264();
  const type = (buf[p] as number) & 0x1f;
  if (type >= 1 && type <= 23) return flagOf(type);
  if (type === FU_A) {
    if (p + 2 >= end) return malformedH264();
    const fu = buf[p + 1] as number;
    if ((fu & 0xc0) === 0xc0) return malformedH264();
    return (fu & 0x80) !== 0 ? flagOf(fu & 0x1f) : 0;
  }
  if (type !== STAP_A) return malformedH264();
  p++;
  let flags = 0;
  let units = 0;
  while (p < end) {
    if (p + 2 > end) return malformedH264();
    const size = buf.readUInt16BE(p);
    p += 2;
    if (size === 0 || p + size > end) return malformedH264();
    flags |= flagOf((buf[p] as number) & 0x1f);
    units++;
    p += size;
  }
  return units === 0 ? malformedH264() : flags;
}

function malformedH264(): number {
  malformedCounts.h264++;
  return H264_MALFORMED;
}

/** Where one SSRC's current access unit stands (kept per simulcast layer). */
export interface AccessUnitState {
  /** Timestamp of the last packet seen; -1 before the first. */
  ts: number;
  /** The last packet seen had the marker bit: the next one starts an access unit. */
  ended: boolean;
}

export function newAccessUnitState(): AccessUnitState {
  return { ts: -1, ended: true };
}

/**
 * Apply the keyframe rule (see the file comment) to a packet already run through parseRtp,
 * with `flags` from inspectH264, and advance `au`. Sets and returns `info.keyframe`.
 */
export function h264KeyframeStart(flags: number, info: RtpInfo, au: AccessUnitState): boolean {
  const first = au.ended || au.ts !== info.ts;
  au.ts = info.ts;
  au.ended = info.marker;
  info.keyframe = first && flags > 0 && (flags & (H264_SPS | H264_IDR)) !== 0 && (flags & H264_SLICE) === 0;
  return info.keyframe;
}
