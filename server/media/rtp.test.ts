import { describe, expect, it } from 'vitest';
import { buildRtp } from './test-packets.js';
import { findExtension, isRtcp, newRtpInfo, parseRtp, parseVp8, readAudioLevel, readPicId, readStringExtension } from './rtp.js';

describe('rtp parsing', () => {
  it('reads the fixed header fields', () => {
    const info = newRtpInfo();
    expect(parseRtp(buildRtp({ ssrc: 0xdeadbeef, seq: 65535, ts: 0xfffffff0, pt: 111 }), info)).toBe(true);
    expect(info).toMatchObject({ ssrc: 0xdeadbeef, seq: 65535, ts: 0xfffffff0, pt: 111, payloadOffset: 12, payloadLength: 20 });
  });

  it('rejects short and non-v2 packets', () => {
    const info = newRtpInfo();
    expect(parseRtp(Buffer.alloc(8), info)).toBe(false);
    const p = buildRtp({});
    p[0] = 0x40;
    expect(parseRtp(p, info)).toBe(false);
  });

  it('excludes padding from the payload length', () => {
    const info = newRtpInfo();
    parseRtp(buildRtp({ payload: 0, padding: 8 }), info);
    expect(info.payloadLength).toBe(0);
  });

  it('finds one-byte header extensions: audio level and rid', () => {
    const p = buildRtp({
      ext: [
        [1, Buffer.from([0x80 | 42])],
        [10, Buffer.from('h')],
      ],
    });
    const info = newRtpInfo();
    parseRtp(p, info);
    readAudioLevel(p, 1, info);
    expect(info.audioLevel).toBe(42);
    expect(readStringExtension(p, 10)).toBe('h');
    expect(findExtension(p, 7, new Int32Array(1))).toBe(-1);
    expect(info.payloadOffset).toBe(12 + 4 + 4);
  });

  it('parses the VP8 descriptor: picture id, tl0picidx and keyframe start', () => {
    const p = buildRtp({ vp8: { picId: 0x1234, tl0: 7, keyframe: true } });
    const info = newRtpInfo();
    parseRtp(p, info);
    parseVp8(p, info);
    expect(readPicId(p, info)).toBe(0x1234);
    expect(p[info.tl0Offset]).toBe(7);
    expect(info.keyframe).toBe(true);
    const q = buildRtp({ vp8: { picId: 5, keyframe: true, start: false } });
    parseRtp(q, info);
    parseVp8(q, info);
    expect(info.keyframe).toBe(false);
  });

  it('tells RTCP from RTP', () => {
    expect(isRtcp(Buffer.from([0x81, 206, 0, 2]))).toBe(true);
    expect(isRtcp(buildRtp({ pt: 96 }))).toBe(false);
  });
});
