/**
 * SDP parsing and munging for the publisher connection. Parley negotiates Opus, and VP8 or
 * H.264 (constrained baseline, packetization-mode 1, when the publisher lists it first), strips transport-cc (the SFU sends REMB, not transport-wide feedback) and turns the
 * simulcast lines libdatachannel copies from the offer into `recv` in the answer.
 *
 * The offer comes from a participant: what the SFU copies from it into every subscriber's
 * offer (payload types, header-extension ids, SSRCs, rids, mids) is validated here, once per
 * negotiation, and a hostile offer is refused with MEDIA_NEGOTIATION_FAILED.
 */
import { AppError } from '../../protocol/errors.js';

export const EXT_AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
export const EXT_ABS_SEND_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
export const EXT_RID = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
export const EXT_RRID = 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id';
export const EXT_TOFFSET = 'urn:ietf:params:rtp-hdrext:toffset';
const TWCC = /transport-wide-cc|transport-cc/;

/** Extensions whose ids the SFU copies into subscriber offers or reads itself. */
export const SFU_EXTENSIONS: readonly string[] = [EXT_AUDIO_LEVEL, EXT_ABS_SEND_TIME, EXT_RID, EXT_RRID, EXT_TOFFSET];
/**
 * What the SFU offers subscribers, whoever publishes: Opus and VP8 on fixed payload types and
 * the forwarded extensions on fixed ids (MediaSource rewrites both in each packet), so one
 * publisher's choices can never collide with another's inside a subscriber's BUNDLE.
 */
export const SFU_PAYLOAD_TYPES = { audio: 111, video: 96, h264: 102 } as const;
/** The one H.264 format subscribers are offered (next to VP8 on every video line). */
export const SFU_H264_FMTP = 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1';
/** The video codec a source carries (what the publisher's answer named). */
export type VideoCodec = 'VP8' | 'H264';
export const SFU_EXTENSION_IDS: ReadonlyMap<string, number> = new Map([
  [EXT_AUDIO_LEVEL, 1],
  [EXT_ABS_SEND_TIME, 2],
  [EXT_TOFFSET, 3],
]);
/** Id given to every other extension element in forwarded packets; never declared to subscribers. */
export const UNDECLARED_EXTENSION_ID = 14;
/** Limits on a publish offer (a browser sends 2–3 media sections, 3 simulcast layers). */
export const OFFER_LIMITS = { lines: 1000, sections: 16, codecs: 64, extmaps: 32, ssrcs: 32, rids: 3 } as const;
const MID = /^[A-Za-z0-9_.-]{1,32}$/;
const RID = /^[A-Za-z0-9_-]{1,16}$/;
const UINT32_MAX = 0xffffffff;

export interface Codec {
  pt: number;
  name: string;
  clock: number;
  apt: number;
  /** The `a=fmtp` parameters of this payload type ('' when none). */
  fmtp: string;
}

export interface MediaSection {
  kind: string;
  mid: string;
  direction: string;
  ssrcs: number[];
  /** SSRCs in `a=ssrc-group:SIM` order (lowest layer first). */
  sim: number[];
  /** media SSRC → RTX SSRC from `a=ssrc-group:FID`. */
  fid: Map<number, number>;
  rids: string[];
  /** SSRC → rid from `a=ssrc:N cname:parley-<rid>` lines written by Parley's client. */
  ssrcRid: Map<number, string>;
  extmap: Map<string, number>;
  /** Every `a=extmap` line as written (id, URI), duplicates included, for validation. */
  extmapLines: [number, string][];
  codecs: Codec[];
  /** Payload types in the order of the m-line (the sender's preference, first = preferred). */
  order: number[];
}

/** Parse the media sections of an SDP. */
export function parseSdp(sdp: string): MediaSection[] {
  const out: MediaSection[] = [];
  let cur: MediaSection | undefined;
  // Lookups for the current section, so a 32 KiB offer of repeated lines parses in linear time.
  const seen: Lookups = { ssrcs: new Set(), codecs: new Map() };
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      seen.ssrcs.clear();
      seen.codecs.clear();
      cur = {
        kind: line.slice(2).split(' ')[0] ?? '',
        mid: '',
        direction: 'sendrecv',
        ssrcs: [],
        sim: [],
        fid: new Map(),
        rids: [],
        ssrcRid: new Map(),
        extmap: new Map(),
        extmapLines: [],
        codecs: [],
        order: line
          .split(' ')
          .slice(3)
          .slice(0, OFFER_LIMITS.codecs + 1)
          .map(Number),
      };
      out.push(cur);
    } else if (cur) parseAttr(cur, seen, line);
  }
  return out;
}

interface Lookups {
  ssrcs: Set<number>;
  /** First rtpmap per payload type (what an fmtp line refers to). */
  codecs: Map<number, Codec>;
}

function parseAttr(m: MediaSection, seen: Lookups, line: string): void {
  let r: RegExpExecArray | null;
  if (line.startsWith('a=mid:')) m.mid = line.slice(6).trim();
  else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) m.direction = line.slice(2);
  else if ((r = /^a=ssrc:(\d+) /.exec(line))) {
    const s = Number(r[1]);
    if (!seen.ssrcs.has(s)) {
      seen.ssrcs.add(s);
      m.ssrcs.push(s);
    }
    const rid = /cname:parley-(\w+)/.exec(line)?.[1];
    if (rid !== undefined && !m.ssrcRid.has(s)) m.ssrcRid.set(s, rid);
  } else if ((r = /^a=ssrc-group:SIM ([\d ]+)/.exec(line)))
    m.sim = (r[1] ?? '')
      .trim()
      .split(/ +/)
      .filter((x) => x !== '')
      .map(Number);
  else if ((r = /^a=ssrc-group:FID (\d+) (\d+)/.exec(line))) m.fid.set(Number(r[1]), Number(r[2]));
  else if ((r = /^a=rid:(\S+) send/.exec(line))) m.rids.push(r[1] ?? '');
  else if ((r = /^a=extmap:(\d+)(?:\/\w+)? (\S+)/.exec(line))) {
    m.extmap.set(r[2] ?? '', Number(r[1]));
    m.extmapLines.push([Number(r[1]), r[2] ?? '']);
  } else if ((r = /^a=rtpmap:(\d+) ([^/]+)\/(\d+)/.exec(line))) {
    const c: Codec = { pt: Number(r[1]), name: (r[2] ?? '').toUpperCase(), clock: Number(r[3]), apt: -1, fmtp: '' };
    m.codecs.push(c);
    if (!seen.codecs.has(c.pt)) seen.codecs.set(c.pt, c);
  } else if ((r = /^a=fmtp:(\d+) (.*)$/.exec(line))) {
    const c = seen.codecs.get(Number(r[1]));
    if (!c) return;
    c.fmtp = (r[2] ?? '').slice(0, 256);
    const apt = /(?:^|;)\s*apt=(\d+)/.exec(c.fmtp);
    if (apt) c.apt = Number(apt[1]);
  }
}

/**
 * An H.264 format the SFU forwards: packetization-mode 1 (FU-A/STAP-A; mode 0 cannot carry a
 * 720p IDR in single NAL packets, the interleaved mode 2 no browser sends) and Constrained
 * Baseline (profile_idc 0x42 with constraint_set1, e.g. 42e01f) at level ≤ 3.1. Every subscriber
 * is offered that one format (SFU_H264_FMTP), which any H.264 decoder takes; Baseline without
 * the constraint (42001f) may use FMO/ASO and Main (4d001f) B-frames, which a subscriber that
 * accepted 42e01f need not decode, so those stay VP8.
 */
export function h264Usable(c: Codec): boolean {
  if (c.name !== 'H264' || c.clock !== 90000) return false;
  const params = new Map(
    c.fmtp
      .split(';')
      .map((kv) => kv.trim().split('='))
      .map(([k, v]) => [(k ?? '').toLowerCase(), (v ?? '').trim()] as const),
  );
  if (params.get('packetization-mode') !== '1') return false;
  const pli = /^([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(params.get('profile-level-id') ?? '');
  if (!pli) return false;
  const [profile, iop, level] = [parseInt(pli[1] ?? '', 16), parseInt(pli[2] ?? '', 16), parseInt(pli[3] ?? '', 16)];
  return profile === 0x42 && (iop & 0x40) !== 0 && level <= 0x1f;
}

/**
 * The video codec the SFU takes from this section: H.264 when the sender lists a usable H.264
 * format first on its m-line (the browser's setCodecPreferences), else VP8.
 */
export function preferredVideoCodec(m: MediaSection, h264 = true): Codec | undefined {
  const first = h264 ? m.codecs.find((c) => c.pt === m.order[0]) : undefined;
  if (first && h264Usable(first)) return first;
  return m.codecs.find((c) => c.name === 'VP8');
}

/**
 * Payload types Parley keeps in one section: Opus for audio; VP8, or a preferred H.264 unless
 * `h264` is false (a subscriber refused this publisher's H.264), (+ its RTX) for video.
 */
export function keptPayloadTypes(m: MediaSection, h264 = true): Set<number> {
  const keep = new Set<number>();
  const main = m.kind === 'audio' ? m.codecs.find((c) => c.name === 'OPUS') : preferredVideoCodec(m, h264);
  if (!main) return keep;
  keep.add(main.pt);
  for (const c of m.codecs) if (c.name === 'RTX' && c.apt === main.pt) keep.add(c.pt);
  return keep;
}

/**
 * Prepare a browser's publish offer for libdatachannel: only Opus and one video codec (VP8,
 * or H.264 when preferred: preferredVideoCodec), no transport-cc,
 * sendonly presented as sendrecv so the SFU's own RTCP (PLI) may leave on that track.
 * Throws MEDIA_NEGOTIATION_FAILED when a media section has no usable codec or the offer
 * fails validateOffer.
 */
export function mungePublishOffer(sdp: string, opts: { h264?: boolean } = {}): string {
  const h264 = opts.h264 ?? true;
  // Browser offers are 100–300 lines; refusing a longer one first keeps parsing cheap.
  let n = 0;
  for (let i = sdp.indexOf('\n'); i >= 0 && n <= OFFER_LIMITS.lines; i = sdp.indexOf('\n', i + 1)) n++;
  if (n > OFFER_LIMITS.lines) refuse(`more than ${OFFER_LIMITS.lines} lines`);
  const sections = parseSdp(sdp);
  validateOffer(sections, h264);
  let idx = -1;
  let keep = new Set<number>();
  const lines: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      const m = sections[++idx];
      keep = m ? keptPayloadTypes(m, h264) : new Set();
      if (m?.kind === 'audio' || m?.kind === 'video') {
        const pts = [...new Set(line.split(' ').slice(3))].filter((p) => keep.has(Number(p)));
        lines.push([...line.split(' ').slice(0, 3), ...pts].join(' '));
        continue;
      }
    }
    if (dropLine(line, keep, idx >= 0)) continue;
    // libdatachannel refuses to send on a recvonly track, even our own PLIs; we answer
    // recvonly to the browser regardless (mungePublishAnswer).
    lines.push(line === 'a=sendonly' ? 'a=sendrecv' : line);
  }
  return lines.join('\r\n');
}

const refuse = (why: string): never => {
  throw new AppError('MEDIA_NEGOTIATION_FAILED', `Publish offer refused: ${why}.`);
};
const dynamicPt = (pt: number): boolean => Number.isInteger(pt) && pt >= 96 && pt <= 127;
const ssrcOk = (s: number): boolean => Number.isInteger(s) && s >= 0 && s <= UINT32_MAX;

/**
 * Check what the SFU would take from a publisher and hand to every subscriber: at most
 * OFFER_LIMITS of each thing; each audio/video section has a unique mid, Opus/48000 or
 * VP8/90000 or H.264/90000 (and RTX) on dynamic payload types (96–127) that no other codec in the offer
 * claims; header-extension ids the SFU uses are 1–14 (one-byte form) and one id names one
 * URI across the bundle; SSRCs are 32-bit; rids are tokens.
 */
export function validateOffer(sections: readonly MediaSection[], h264 = true): void {
  if (sections.length > OFFER_LIMITS.sections) refuse(`more than ${OFFER_LIMITS.sections} media sections`);
  const ptNames = new Map<number, string>();
  const extUris = new Map<number, string>();
  const mids = new Set<string>();
  for (const m of sections) {
    if (m.codecs.length > OFFER_LIMITS.codecs) refuse(`more than ${OFFER_LIMITS.codecs} codecs in a section`);
    if (m.extmapLines.length > OFFER_LIMITS.extmaps) refuse(`more than ${OFFER_LIMITS.extmaps} header extensions in a section`);
    for (const c of m.codecs) {
      const prev = ptNames.get(c.pt);
      if (prev !== undefined && prev !== c.name) refuse(`payload type ${c.pt} names both ${prev} and ${c.name}`);
      ptNames.set(c.pt, c.name);
    }
    for (const [id, uri] of m.extmapLines) {
      if (!Number.isInteger(id) || id < 1 || id > 255) refuse(`header extension id ${id}`);
      const prev = extUris.get(id);
      if (prev !== undefined && prev !== uri) refuse(`header extension id ${id} names two extensions`);
      extUris.set(id, uri);
      if (SFU_EXTENSIONS.includes(uri) && id > 14) refuse(`header extension ${uri} on id ${id} (1–14 only)`);
      if (m.extmap.get(uri) !== id) refuse(`header extension ${uri} declared twice`);
    }
    if (m.kind !== 'audio' && m.kind !== 'video') continue;
    if (!MID.test(m.mid)) refuse('a media section without a valid mid');
    if (mids.has(m.mid)) refuse(`mid ${m.mid} used twice`);
    mids.add(m.mid);
    validateCodecs(m, h264);
    if (m.ssrcs.length > OFFER_LIMITS.ssrcs) refuse(`more than ${OFFER_LIMITS.ssrcs} SSRCs in a section`);
    if (![...m.ssrcs, ...m.sim, ...m.fid.keys(), ...m.fid.values()].every(ssrcOk)) refuse('an SSRC outside 32 bits');
    if (m.sim.length > OFFER_LIMITS.rids || m.rids.length > OFFER_LIMITS.rids) refuse(`more than ${OFFER_LIMITS.rids} simulcast layers`);
    if (!m.rids.every((r) => RID.test(r)) || new Set(m.rids).size !== m.rids.length) refuse('an invalid or repeated rid');
  }
}

function validateCodecs(m: MediaSection, h264: boolean): void {
  const kept = keptPayloadTypes(m, h264);
  if (kept.size === 0) refuse(`no usable codec in section ${m.mid}`);
  for (const pt of kept) {
    if (!dynamicPt(pt)) refuse(`payload type ${pt} outside 96–127`);
    const declared = m.codecs.filter((c) => c.pt === pt);
    if (declared.length !== 1) refuse(`payload type ${pt} declared ${declared.length} times`);
    const c = declared[0] as Codec;
    const clock = c.name === 'OPUS' ? 48000 : 90000;
    if (c.name !== 'RTX' && c.clock !== clock) refuse(`${c.name} at ${c.clock} Hz`);
  }
}

function dropLine(line: string, keep: Set<number>, inMedia: boolean): boolean {
  if (TWCC.test(line) && (line.startsWith('a=rtcp-fb:') || line.startsWith('a=extmap:'))) return true;
  if (!inMedia) return false;
  const r = /^a=(rtpmap|fmtp|rtcp-fb):(\d+|\*) /.exec(line);
  return r !== null && r[2] !== '*' && !keep.has(Number(r[2]));
}

/**
 * Media lines (mids) of a subscriber's answer that kept the SFU's H.264 format: only those may
 * carry an H.264 source. A browser without an H.264 decoder leaves payload type 102 out.
 */
export function h264AcceptedMids(answerSdp: string): Set<string> {
  const out = new Set<string>();
  for (const m of parseSdp(answerSdp)) {
    if (m.kind !== 'video' || !m.order.includes(SFU_PAYLOAD_TYPES.h264)) continue;
    const c = m.codecs.find((x) => x.pt === SFU_PAYLOAD_TYPES.h264);
    if (c && h264Usable(c)) out.add(m.mid);
  }
  return out;
}

/** Fix libdatachannel's answer for a sendonly simulcast publisher. */
export function mungePublishAnswer(sdp: string): string {
  return sdp
    .split(/\r?\n/)
    .filter((l) => !(TWCC.test(l) && (l.startsWith('a=rtcp-fb:') || l.startsWith('a=extmap:'))))
    .filter((l) => !/^a=(ssrc|ssrc-group|msid):/.test(l))
    .map((l) => l.replace(/^a=simulcast:send /, 'a=simulcast:recv ').replace(/^(a=rid:\S+) send/, '$1 recv'))
    .map((l) => (l === 'a=sendonly' || l === 'a=sendrecv' ? 'a=recvonly' : l))
    .join('\r\n');
}
