/**
 * SDP parsing and munging for the publisher connection. Parley negotiates Opus and VP8 only,
 * strips transport-cc (the SFU sends REMB, not transport-wide feedback) and turns the
 * simulcast lines libdatachannel copies from the offer into `recv` in the answer.
 */

export const EXT_AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
export const EXT_ABS_SEND_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
export const EXT_RID = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
export const EXT_RRID = 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id';
export const EXT_TOFFSET = 'urn:ietf:params:rtp-hdrext:toffset';
const TWCC = /transport-wide-cc|transport-cc/;

export interface Codec {
  pt: number;
  name: string;
  clock: number;
  apt: number;
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
  codecs: Codec[];
}

/** Parse the media sections of an SDP. */
export function parseSdp(sdp: string): MediaSection[] {
  const out: MediaSection[] = [];
  let cur: MediaSection | undefined;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
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
        codecs: [],
      };
      out.push(cur);
    } else if (cur) parseAttr(cur, line);
  }
  return out;
}

function parseAttr(m: MediaSection, line: string): void {
  let r: RegExpExecArray | null;
  if (line.startsWith('a=mid:')) m.mid = line.slice(6).trim();
  else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) m.direction = line.slice(2);
  else if ((r = /^a=ssrc:(\d+) /.exec(line))) {
    const s = Number(r[1]);
    if (!m.ssrcs.includes(s)) m.ssrcs.push(s);
    const rid = /cname:parley-(\w+)/.exec(line)?.[1];
    if (rid !== undefined && !m.ssrcRid.has(s)) m.ssrcRid.set(s, rid);
  } else if ((r = /^a=ssrc-group:SIM ([\d ]+)/.exec(line))) m.sim = (r[1] ?? '').trim().split(' ').map(Number);
  else if ((r = /^a=ssrc-group:FID (\d+) (\d+)/.exec(line))) m.fid.set(Number(r[1]), Number(r[2]));
  else if ((r = /^a=rid:(\S+) send/.exec(line))) m.rids.push(r[1] ?? '');
  else if ((r = /^a=extmap:(\d+)(?:\/\w+)? (\S+)/.exec(line))) m.extmap.set(r[2] ?? '', Number(r[1]));
  else if ((r = /^a=rtpmap:(\d+) ([^/]+)\/(\d+)/.exec(line)))
    m.codecs.push({ pt: Number(r[1]), name: (r[2] ?? '').toUpperCase(), clock: Number(r[3]), apt: -1 });
  else if ((r = /^a=fmtp:(\d+) .*apt=(\d+)/.exec(line))) {
    const c = m.codecs.find((x) => x.pt === Number(r?.[1]));
    if (c) c.apt = Number(r[2]);
  }
}

/** Payload types Parley keeps in one section: Opus for audio, VP8 (+ its RTX) for video. */
export function keptPayloadTypes(m: MediaSection): Set<number> {
  const keep = new Set<number>();
  const main = m.codecs.find((c) => c.name === (m.kind === 'audio' ? 'OPUS' : 'VP8'));
  if (!main) return keep;
  keep.add(main.pt);
  for (const c of m.codecs) if (c.name === 'RTX' && c.apt === main.pt) keep.add(c.pt);
  return keep;
}

/**
 * Prepare a browser's publish offer for libdatachannel: only Opus/VP8, no transport-cc,
 * sendonly presented as sendrecv so the SFU's own RTCP (PLI) may leave on that track.
 * Throws when a media section has no usable codec.
 */
export function mungePublishOffer(sdp: string): string {
  const sections = parseSdp(sdp);
  let idx = -1;
  let keep = new Set<number>();
  const lines: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      const m = sections[++idx];
      keep = m ? keptPayloadTypes(m) : new Set();
      const parts = line.split(' ');
      if ((m?.kind === 'audio' || m?.kind === 'video') && keep.size === 0) throw new Error(`no usable codec in ${m.mid}`);
      if (m?.kind === 'audio' || m?.kind === 'video') {
        lines.push([...parts.slice(0, 3), ...parts.slice(3).filter((p) => keep.has(Number(p)))].join(' '));
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

function dropLine(line: string, keep: Set<number>, inMedia: boolean): boolean {
  if (TWCC.test(line) && (line.startsWith('a=rtcp-fb:') || line.startsWith('a=extmap:'))) return true;
  if (!inMedia) return false;
  const r = /^a=(rtpmap|fmtp|rtcp-fb):(\d+|\*) /.exec(line);
  return r !== null && r[2] !== '*' && !keep.has(Number(r[2]));
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
