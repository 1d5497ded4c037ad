import { describe, expect, it } from 'vitest';
import { mungePublishAnswer, mungePublishOffer, parseSdp } from './sdp.js';

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
