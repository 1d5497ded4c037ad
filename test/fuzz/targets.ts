/**
 * Synchronous fuzz targets: the SFU's parsers of participant bytes and its forwarding path.
 * Each target turns a PRNG into one input and runs it; a target returns an outcome label and
 * throws only when the code under test broke (an exception escaped a parser, or an oracle
 * found a read or write outside the packet). The runner counts those throws as crashes.
 */
import { AppError } from '../../protocol/errors.js';
import { buildNack, buildPli, buildRemb, parseRtcp, type RtcpVisitor } from '../../server/media/rtcp.js';
import {
  type RtpInfo,
  findExtension,
  newRtpInfo,
  parseRtp,
  parseVp8,
  readAudioLevel,
  readPicId,
  readStringExtension,
  writePicId,
} from '../../server/media/rtp.js';
import { EXT_AUDIO_LEVEL, EXT_RID, h264Usable, mungePublishOffer, parseSdp } from '../../server/media/sdp.js';
import { MediaSource } from '../../server/media/source.js';
import { H264_MALFORMED, h264KeyframeStart, inspectH264, newAccessUnitState } from '../../server/media/h264.js';
import { buildPublishOffer, buildReceiverReport, buildRtp, buildSenderReport, h264FuA, h264Nal, h264StapA } from '../../server/media/test-packets.js';
import { forwardTarget } from './forward-target.js';
import { mutateLines, randomBytes } from './mutate.js';
import type { FuzzTarget } from './runner.js';
import { hex, packet } from './seeds.js';

export type { FuzzTarget } from './runner.js';
export { forwardTarget } from './forward-target.js';

/** Valid RTP packets of every shape the SFU meets: VP8 descriptors of each width, extensions, CSRCs, padding. */
function rtpSeeds(): Buffer[] {
  const seeds: Buffer[] = [];
  for (const picIdBytes of [1, 2] as const)
    for (const tl0 of [undefined, 9])
      for (const tid of [undefined, 0x40])
        for (const keyframe of [true, false])
          seeds.push(
            buildRtp({
              ssrc: 30,
              seq: 7,
              vp8: { picId: 300, picIdBytes, keyframe, ...(tl0 !== undefined ? { tl0 } : {}), ...(tid !== undefined ? { tid } : {}) },
            }),
          );
  seeds.push(buildRtp({ pt: 111, ext: [[1, Buffer.from([0x80 | 30])]], payload: 40 }));
  seeds.push(
    buildRtp({
      ext: [
        [10, Buffer.from('h')],
        [5, Buffer.from([1, 2, 3])],
      ],
      vp8: { picId: 4, keyframe: true },
    }),
  );
  seeds.push(
    buildRtp({
      twoByteExt: true,
      ext: [
        [10, Buffer.from('f')],
        [1, Buffer.from([0x7f])],
      ],
      vp8: { picId: 4 },
    }),
  );
  seeds.push(buildRtp({ csrcs: [1, 2, 3], vp8: { picId: 2, tl0: 1 }, padding: 4 }));
  seeds.push(buildRtp({ payload: 0, padding: 1 }));
  seeds.push(buildRtp({ vp8: { picId: 0x7fff }, payload: 0 }));
  return seeds;
}

const lenOut = new Int32Array(1);

/** Oracle: every offset a parser reports must lie inside the packet's payload. */
function checkBounds(buf: Buffer, info: RtpInfo): void {
  const end = info.payloadOffset + info.payloadLength;
  if (info.payloadOffset < 12 || end > buf.length) throw new Error(`payload ${info.payloadOffset}+${info.payloadLength} outside ${buf.length}`);
  if (info.picIdLength > 0 && (info.picIdOffset < info.payloadOffset || info.picIdOffset + info.picIdLength > end))
    throw new Error(`picture id at ${info.picIdOffset}+${info.picIdLength} outside payload ending ${end}`);
  if (info.tl0Offset >= 0 && (info.tl0Offset < info.payloadOffset || info.tl0Offset >= end)) throw new Error(`tl0picidx at ${info.tl0Offset} outside ${end}`);
}

/** parseRtp, parseVp8, picture id read/write, extensions: everything a publisher's packet meets. */
export function rtpTarget(): FuzzTarget<Buffer> {
  const seeds = rtpSeeds();
  const info = newRtpInfo();
  return {
    name: 'rtp+vp8+extensions',
    next: (rng) => packet(rng, seeds),
    show: hex,
    run(buf) {
      if (!parseRtp(buf, info)) return 'rtp:malformed';
      let ext = 0;
      for (let id = 1; id <= 15; id++) {
        const p = findExtension(buf, id, lenOut);
        if (p < 0) continue;
        ext++;
        if (p + (lenOut[0] as number) > buf.length) throw new Error(`extension ${id} at ${p}+${lenOut[0]} outside ${buf.length}`);
      }
      readAudioLevel(buf, 1, info);
      if (info.audioLevel > 127) throw new Error(`audio level ${info.audioLevel}`);
      readStringExtension(buf, 10);
      if ((parseVp8(buf, info) as boolean | undefined) === false) return 'vp8:malformed';
      checkBounds(buf, info);
      if (info.picIdLength > 0) writePicId(buf, info, readPicId(buf, info) + 1);
      if (info.tl0Offset >= 0) buf[info.tl0Offset] = 1;
      return `vp8:${info.keyframe ? 'key' : 'delta'}${info.picIdLength > 0 ? `:pic${info.picIdLength}` : ''}${ext > 0 ? ':ext' : ''}`;
    },
  };
}

/** H.264 payloads (RFC 6184 mode 1) of every shape a phone or Chromium sends, and the keyframe rule over a packet stream. */
export function h264Target(): FuzzTarget<Buffer> {
  const bodies = [
    h264Nal(1),
    h264Nal(5, 60),
    h264Nal(7, 12),
    h264Nal(8, 4),
    h264Nal(6, 3),
    h264StapA([h264Nal(7, 12), h264Nal(8, 4), h264Nal(5, 40)]),
    h264StapA([h264Nal(7, 12), h264Nal(8, 4)]),
    h264StapA([h264Nal(6, 2), h264Nal(1, 30)]),
    h264FuA(5, { start: true }),
    h264FuA(5),
    h264FuA(5, { end: true }),
    h264FuA(1, { start: true, size: 1 }),
  ];
  const seeds = bodies.flatMap((body, i) => [
    buildRtp({ pt: 102, seq: i, ts: 3000 * (i >> 1), marker: i % 3 === 0, body }),
    buildRtp({ pt: 102, ext: [[10, Buffer.from('h')]], body, padding: i % 4 === 0 ? 3 : 0 }),
  ]);
  const info = newRtpInfo();
  const au = newAccessUnitState();
  return {
    name: 'rtp+h264',
    next: (rng) => packet(rng, seeds),
    show: hex,
    run(raw) {
      if (!parseRtp(raw, info)) return 'rtp:malformed';
      // Cut the buffer where the payload ends: a read past it throws (RangeError) or yields undefined, which the flags would show.
      const buf = raw.subarray(0, info.payloadOffset + info.payloadLength);
      const flags = inspectH264(buf, info);
      if (flags === H264_MALFORMED) return 'h264:malformed';
      if (!(Number.isInteger(flags) && flags >= 0 && flags <= 15)) throw new Error(`flags ${flags}`);
      const key = h264KeyframeStart(flags, info, au);
      return `h264:${key ? 'key' : 'delta'}:${flags.toString(2)}`;
    },
  };
}

/** Compound RTCP from a subscriber: NACK, PLI, FIR, REMB, SR, RR, with lying lengths. */
export function rtcpTarget(): FuzzTarget<Buffer> {
  const seeds = [
    buildNack(1, 777, [5, 6, 9, 40, 41]),
    buildPli(1, 777),
    buildRemb(1, 1_500_000, [777, 778]),
    buildReceiverReport(1, [777, 778]),
    buildSenderReport(1, 1234),
    Buffer.concat([buildReceiverReport(1, [777]), buildRemb(1, 300_000, [777]), buildNack(1, 777, [1])]),
    Buffer.concat([buildSenderReport(1, 9), buildPli(1, 777)]),
  ];
  // A FIR (PSFB fmt 4) with two FCI entries.
  const fir = Buffer.alloc(28);
  fir[0] = 0x84;
  fir[1] = 206;
  fir.writeUInt16BE(6, 2);
  fir.writeUInt32BE(777, 12);
  fir.writeUInt32BE(778, 20);
  seeds.push(fir);
  let calls = 0;
  const seen = new Set<string>();
  const v: RtcpVisitor = {
    nack: () => {
      calls++;
      seen.add('nack');
    },
    keyframe: () => {
      calls++;
      seen.add('keyframe');
    },
    remb: (bps) => {
      calls++;
      if (!(bps >= 0) || !Number.isFinite(bps)) throw new Error(`REMB ${bps}`);
      seen.add('remb');
    },
  };
  return {
    name: 'rtcp',
    next: (rng) => packet(rng, seeds),
    show: hex,
    run(buf) {
      calls = 0;
      seen.clear();
      const ok = parseRtcp(buf, v) as boolean | undefined;
      // A NACK item names at most 17 packets in 4 bytes: more calls than that were invented.
      if (calls > (buf.length / 4) * 17) throw new Error(`${calls} feedback calls from ${buf.length} bytes`);
      return `${ok === false ? 'malformed' : 'ok'}:${[...seen].sort().join('+') || 'none'}`;
    },
  };
}

/** Hostile publish offers: mungePublishOffer, then what the publisher does with the result. */
export function sdpTarget(): FuzzTarget<string> {
  const pool = [
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'm=video',
    'm=',
    'a=rtpmap:96 VP8/90000',
    'a=rtpmap:111 opus/48000/2',
    'a=rtpmap:97 rtx/90000',
    'a=rtpmap:0 VP8/90000',
    'a=rtpmap:200 opus/48000',
    'a=rtpmap:96 opus/48000/2',
    'a=rtpmap:96 VP8/0',
    'a=rtpmap:',
    'a=fmtp:97 apt=96',
    'a=fmtp:97 apt=97',
    'a=fmtp:96 apt=',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:15 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:0 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
    'a=extmap:255 urn:ietf:params:rtp-hdrext:toffset',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:toffset',
    'a=extmap:4/sendonly http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:99999999999999999999 urn:ietf:params:rtp-hdrext:toffset',
    'a=ssrc:1 cname:parley-f',
    'a=ssrc:99999999999 cname:parley-q',
    'a=ssrc-group:SIM 1 2 3 4 5',
    'a=ssrc-group:SIM  ',
    'a=ssrc-group:FID 1 1',
    'a=rid:q send',
    'a=rid:constructor send',
    'a=rid:__proto__ send',
    'a=mid:',
    'a=mid:' + 'x'.repeat(200),
    'a=sendonly',
    'a=inactive',
    'a=rtcp-fb:* nack',
    'a=rtcp-fb:96 transport-cc',
    'm=video 9 UDP/TLS/RTP/SAVPF 102 103 96 97',
    'a=rtpmap:102 H264/90000',
    'a=rtpmap:102 H264/48000',
    'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    'a=fmtp:102 packetization-mode=1;profile-level-id=zzzzzz',
    'a=fmtp:102 packetization-mode=1;profile-level-id=4d001f',
    'a=fmtp:103 apt=102',
  ];
  const seeds = [
    buildPublishOffer(),
    buildPublishOffer({ audioPt: 109, vp8Pt: 120, rtxPt: 124, levelId: 14, ridId: 4 }),
    buildPublishOffer({ h264First: true, h264Fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' }),
  ];
  return {
    name: 'sdp (mungePublishOffer, parseSdp, MediaSource.configure)',
    next: (rng) => (rng.chance(0.02) ? randomBytes(rng, 200).toString('latin1') : mutateLines(rng, rng.pick(seeds), pool)),
    show: (s) => JSON.stringify(s.slice(0, 300)),
    run(sdp) {
      let munged: string;
      try {
        munged = mungePublishOffer(sdp);
      } catch (err) {
        // The code, and the reason with its numbers blanked: which check refused it.
        if (err instanceof AppError)
          return `rejected:${err.code}:${err.message
            .replace(/^Publish offer refused: |\.$/g, '')
            .replace(/\S*[:/]\S*/g, 'URI')
            .replace(/\b\d+\b/g, 'N')}`;
        throw err;
      }
      let videos = 0;
      for (const m of parseSdp(munged)) {
        if (m.kind !== 'audio' && m.kind !== 'video') continue;
        const src = new MediaSource('p', m.kind === 'audio' ? 'audio' : videos++ === 0 ? 'video' : 'screen', () => undefined);
        src.configure(m);
        // What reaches every subscriber's offer must be within what the SFU offers.
        if (src.pt < 96 || src.pt > 127) throw new Error(`payload type ${src.pt} accepted (${m.kind})`);
        if (src.codec === 'H264' && !m.codecs.some((c) => c.name === 'H264' && c.pt === m.order[0] && h264Usable(c)))
          throw new Error('H.264 kept without a usable H.264 first on the m-line');
        for (const [uri, id] of src.extIds) if (!(id >= 1 && id <= 14)) throw new Error(`extension id ${id} accepted for ${uri}`);
        for (const l of src.layers) if (l && !(l.ssrc >= 0 && l.ssrc <= 0xffffffff && Number.isInteger(l.ssrc))) throw new Error(`ssrc ${l.ssrc} accepted`);
      }
      const sections = parseSdp(munged);
      const level = sections.find((m) => m.kind === 'audio')?.extmap.get(EXT_AUDIO_LEVEL);
      const rid = sections.find((m) => m.kind === 'video')?.extmap.get(EXT_RID);
      const h264 = sections.some((m) => m.codecs.some((c) => c.name === 'H264'));
      return `accepted:${sections.length}${level !== undefined ? ':level' : ''}${rid !== undefined ? ':rid' : ''}${h264 ? ':h264' : ''}`;
    },
  };
}

/** The synchronous targets, freshly built (each keeps state between inputs). */
export function syncTargets(): FuzzTarget<any>[] {
  return [rtpTarget(), h264Target(), rtcpTarget(), forwardTarget(), forwardTarget('H264'), sdpTarget()];
}
