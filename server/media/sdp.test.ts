import { describe, expect, it } from 'vitest';
import { AppError } from '../../protocol/errors.js';
import { h264AcceptedMids, mungePublishAnswer, mungePublishOffer, parseSdp, preferredVideoCodec } from './sdp.js';
import { buildPublishOffer } from './test-packets.js';

const OFFER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 0',
  'a=mid:0',
  'a=sendonly',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=rtpmap:0 PCMU/8000',
  'a=ssrc:11 cname:x',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103',
  'a=mid:1',
  'a=sendonly',
  'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 goog-remb',
  'a=rtcp-fb:96 transport-cc',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 profile-level-id=42e01f',
  'a=rtpmap:103 rtx/90000',
  'a=fmtp:103 apt=102',
  'a=ssrc-group:SIM 21 22 23',
  'a=ssrc:21 cname:parley-q',
  'a=ssrc:22 cname:parley-h',
  'a=ssrc:23 cname:parley-f',
  'a=rid:q send',
  'a=rid:h send',
  'a=rid:f send',
  'a=simulcast:send q;h;f',
  '',
].join('\r\n');

describe('publish SDP munging', () => {
  const munged = mungePublishOffer(OFFER);

  it('keeps only Opus and VP8 (+ its RTX) and strips transport-cc', () => {
    expect(munged).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n');
    expect(munged).toContain('m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n');
    expect(munged).not.toMatch(/transport-cc|transport-wide-cc|H264|PCMU|red\//);
    expect(munged).toContain('a=rtcp-fb:96 goog-remb');
    expect(munged).toContain('a=rtcp-fb:96 nack pli');
  });

  it('parses simulcast SSRCs with their rids', () => {
    const [audio, video] = parseSdp(munged);
    expect(audio?.ssrcs).toEqual([11]);
    expect(video?.sim).toEqual([21, 22, 23]);
    expect(video?.rids).toEqual(['q', 'h', 'f']);
    expect(video?.ssrcRid.get(23)).toBe('f');
    expect(video?.extmap.get('urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id')).toBe(10);
  });

  it('turns the copied simulcast/rid send lines into recv and strips transport-cc from the answer', () => {
    const answer = mungePublishAnswer(
      [
        'm=video 9 UDP/TLS/RTP/SAVPF 96',
        'a=sendrecv',
        'a=rid:q send',
        'a=rid:f send',
        'a=simulcast:send q;f',
        'a=rtcp-fb:96 transport-cc',
        'a=rtcp-fb:96 goog-remb',
        'a=ssrc:21 cname:x',
      ].join('\r\n'),
    );
    expect(answer).toContain('a=simulcast:recv q;f');
    expect(answer).toContain('a=rid:q recv');
    expect(answer).toContain('a=recvonly');
    expect(answer).not.toMatch(/transport-cc|a=ssrc:| send/);
    expect(answer).toContain('goog-remb');
  });

  it('refuses an offer without a usable codec', () => {
    expect(() => mungePublishOffer('v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 102\r\na=mid:0\r\na=rtpmap:102 H264/90000\r\n')).toThrow();
  });
});

/** The code a refused offer carries, or 'accepted'. */
function verdict(sdp: string): string {
  try {
    mungePublishOffer(sdp);
    return 'accepted';
  } catch (err) {
    return err instanceof AppError ? err.code : `threw ${String(err)}`;
  }
}
const edit = (from: string, to: string, sdp = buildPublishOffer()): string => {
  if (!sdp.includes(from)) throw new Error(`offer has no ${from}`);
  return sdp.replace(from, to);
};

describe('publish offer validation (values copied into every subscriber offer)', () => {
  it('accepts Chrome- and Firefox-shaped offers', () => {
    expect(verdict(buildPublishOffer())).toBe('accepted');
    const ff = buildPublishOffer({ audioPt: 109, vp8Pt: 120, rtxPt: 124, levelId: 14, ridId: 4 });
    expect(verdict(ff)).toBe('accepted');
    expect(parseSdp(mungePublishOffer(ff))[1]?.codecs.map((c) => c.pt)).toEqual([120, 124]);
  });

  it('refuses Opus or VP8 on a payload type outside 96–127, and a clock rate that is not theirs', () => {
    expect(verdict(buildPublishOffer({ vp8Pt: 0 }))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(buildPublishOffer({ audioPt: 200 }))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(buildPublishOffer({ rtxPt: 35 }))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(edit('VP8/90000', 'VP8/1'))).toBe('MEDIA_NEGOTIATION_FAILED');
  });

  it('refuses a payload type that names two codecs, in one section or across the bundle', () => {
    expect(verdict(buildPublishOffer({ audioPt: 96 }))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(edit('a=rtpmap:96 VP8/90000', 'a=rtpmap:96 VP8/90000\r\na=rtpmap:96 H264/90000'))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(edit('a=rtpmap:96 VP8/90000', 'a=rtpmap:96 VP8/90000\r\na=rtpmap:96 VP8/90000'))).toBe('MEDIA_NEGOTIATION_FAILED');
  });

  it('refuses extension ids outside 1–14 for the extensions the SFU uses, or one id for two extensions', () => {
    expect(verdict(buildPublishOffer({ levelId: 15 }))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(buildPublishOffer({ ridId: 0 }))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(buildPublishOffer({ ridId: 99999999999 }))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(buildPublishOffer({ ridId: 5 }))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(
      verdict(
        edit('a=extmap:5 urn:ietf:params:rtp-hdrext:toffset', 'a=extmap:5 urn:ietf:params:rtp-hdrext:toffset\r\na=extmap:6 urn:ietf:params:rtp-hdrext:toffset'),
      ),
    ).toBe('MEDIA_NEGOTIATION_FAILED');
  });

  it('refuses too many media sections, SSRCs past 32 bits, more than three layers, bad or repeated mids', () => {
    const video = buildPublishOffer().slice(buildPublishOffer().indexOf('m=video')).replace('a=mid:1', 'a=mid:MID');
    const many = buildPublishOffer() + Array.from({ length: 15 }, (_, i) => video.replace('MID', `x${i}`)).join('');
    expect(verdict(many)).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(buildPublishOffer() + video.replace('MID', 'x'))).toBe('accepted');
    expect(verdict(edit('a=ssrc:21 cname', 'a=ssrc:4294967296 cname'))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(edit('a=rid:f send', 'a=rid:f send\r\na=rid:g send'))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(edit('a=rid:f send', 'a=rid:__proto__/x send'))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(edit('a=mid:1', 'a=mid:0'))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(edit('a=mid:1', 'a=mid:'))).toBe('MEDIA_NEGOTIATION_FAILED');
    // Refused before parsing: a 32 KiB offer of repeated lines costs a line count, not a parse.
    expect(verdict(buildPublishOffer() + 'a=ssrc:1 cname:x\r\n'.repeat(1000))).toBe('MEDIA_NEGOTIATION_FAILED');
    expect(verdict(edit('a=ssrc:21 cname', `${Array.from({ length: 40 }, (_, i) => `a=ssrc:${100 + i} cname:x\r\n`).join('')}a=ssrc:21 cname`))).toBe(
      'MEDIA_NEGOTIATION_FAILED',
    );
  });
});

describe('H.264 negotiation', () => {
  const CB = 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f';
  const videoOf = (sdp: string) => parseSdp(mungePublishOffer(sdp))[1];

  it('keeps H.264 (and its RTX) when the publisher lists constrained baseline, packetization-mode 1, first', () => {
    const v = videoOf(buildPublishOffer({ h264First: true, h264Fmtp: CB }));
    expect(v?.codecs.map((c) => `${c.pt} ${c.name}`)).toEqual(['102 H264', '103 RTX']);
    expect(mungePublishOffer(buildPublishOffer({ h264First: true, h264Fmtp: CB }))).toContain('m=video 9 UDP/TLS/RTP/SAVPF 102 103\r\n');
    expect(v && preferredVideoCodec(v)?.name).toBe('H264');
  });

  it('keeps VP8 when H.264 is offered but not first (the browser default order)', () => {
    expect(videoOf(buildPublishOffer({ h264Fmtp: CB }))?.codecs.map((c) => c.name)).toEqual(['VP8', 'RTX']);
  });

  it('keeps VP8 for an H.264 first that is not constrained baseline mode 1 at level 3.1 or below', () => {
    for (const fmtp of [
      'profile-level-id=42e01f', // packetization-mode 0
      'packetization-mode=1;profile-level-id=42001f', // Baseline without constraint_set1
      'packetization-mode=1;profile-level-id=4d001f', // Main
      'packetization-mode=1;profile-level-id=640c1f', // High
      'packetization-mode=1;profile-level-id=42e033', // level 5.1
      'packetization-mode=2;profile-level-id=42e01f',
      'packetization-mode=1;profile-level-id=42e01',
      'packetization-mode=1',
    ])
      expect(
        videoOf(buildPublishOffer({ h264First: true, h264Fmtp: fmtp }))?.codecs.map((c) => c.name),
        fmtp,
      ).toEqual(['VP8', 'RTX']);
  });

  it('refuses H.264 at a clock rate other than 90 kHz or on a static payload type when it is the one kept', () => {
    expect(verdict(edit('H264/90000', 'H264/48000', buildPublishOffer({ h264First: true, h264Fmtp: CB })))).toBe('accepted'); // not usable: VP8 kept
    const onStatic = buildPublishOffer({ h264First: true, h264Fmtp: CB })
      .replace(/\b102\b/g, '35')
      .replace('apt=35', 'apt=35');
    expect(verdict(onStatic)).toBe('MEDIA_NEGOTIATION_FAILED');
  });

  it('reads from a subscriber answer which lines kept the SFU H.264 format', () => {
    const answer = [
      'm=video 9 UDP/TLS/RTP/SAVPF 96 102',
      'a=mid:v1',
      'a=rtpmap:96 VP8/90000',
      'a=rtpmap:102 H264/90000',
      `a=fmtp:102 ${CB}`,
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:v2',
      'a=rtpmap:96 VP8/90000',
      'm=video 9 UDP/TLS/RTP/SAVPF 96 102',
      'a=mid:v3',
      'a=rtpmap:96 VP8/90000',
      'a=rtpmap:102 H264/90000',
      'a=fmtp:102 profile-level-id=42e01f;packetization-mode=0',
    ].join('\r\n');
    expect([...h264AcceptedMids(answer)]).toEqual(['v1']);
  });
});
