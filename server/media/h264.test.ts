import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { H264_IDR, H264_MALFORMED, H264_PPS, H264_SLICE, H264_SPS, h264KeyframeStart, inspectH264, newAccessUnitState } from './h264.js';
import { malformedCounts, newRtpInfo, parseRtp } from './rtp.js';
import { buildRtp, h264FuA, h264Nal, h264StapA } from './test-packets.js';

function inspect(body: Buffer, o: { ts?: number; marker?: boolean } = {}): { flags: number; info: ReturnType<typeof newRtpInfo> } {
  const buf = buildRtp({ pt: 102, body, ts: o.ts ?? 9000, marker: o.marker ?? false });
  const info = newRtpInfo();
  expect(parseRtp(buf, info)).toBe(true);
  return { flags: inspectH264(buf, info), info };
}

describe('H.264 payload inspection (RFC 6184)', () => {
  it('reads the type of a single NAL unit packet', () => {
    expect(inspect(h264Nal(5)).flags).toBe(H264_IDR);
    expect(inspect(h264Nal(7)).flags).toBe(H264_SPS);
    expect(inspect(h264Nal(8)).flags).toBe(H264_PPS);
    expect(inspect(h264Nal(1)).flags).toBe(H264_SLICE);
    expect(inspect(h264Nal(6)).flags).toBe(0); // SEI
  });

  it('reads every NAL unit aggregated in a STAP-A', () => {
    expect(inspect(h264StapA([h264Nal(7, 12), h264Nal(8, 4), h264Nal(5, 40)])).flags).toBe(H264_SPS | H264_PPS | H264_IDR);
    expect(inspect(h264StapA([h264Nal(7, 12), h264Nal(8, 4)])).flags).toBe(H264_SPS | H264_PPS);
    expect(inspect(h264StapA([h264Nal(6, 3), h264Nal(1, 30)])).flags).toBe(H264_SLICE);
  });

  it('reads the fragmented type only from the FU-A start fragment', () => {
    expect(inspect(h264FuA(5, { start: true })).flags).toBe(H264_IDR);
    expect(inspect(h264FuA(5)).flags).toBe(0);
    expect(inspect(h264FuA(5, { end: true })).flags).toBe(0);
    expect(inspect(h264FuA(1, { start: true })).flags).toBe(H264_SLICE);
  });

  it('counts and refuses payloads that are not packetization-mode 1 or do not fit', () => {
    const before = malformedCounts.h264;
    const bad = [
      Buffer.alloc(0), // empty
      Buffer.from([0x60 | 25, 0, 1, 0x65]), // STAP-B (interleaved mode)
      Buffer.from([0x60 | 29, 0x85, 1]), // FU-B
      Buffer.from([0x60]), // type 0
      Buffer.from([0x60 | 31, 1]), // reserved
      Buffer.from([0x60 | 28, 0x85]), // FU-A without fragment bytes
      h264FuA(5, { start: true, end: true }), // S and E both set
      Buffer.from([0x60 | 24]), // STAP-A with no unit
      Buffer.from([0x60 | 24, 0x00]), // size cut short
      Buffer.from([0x60 | 24, 0x00, 0x00, 0x65]), // size 0
      Buffer.from([0x60 | 24, 0x00, 0x05, 0x67, 1, 2]), // size past the payload
      Buffer.concat([h264StapA([h264Nal(7, 4)]), Buffer.from([0x00])]), // trailing half size
    ];
    for (const body of bad) expect(inspect(body).flags).toBe(H264_MALFORMED);
    expect(malformedCounts.h264).toBe(before + bad.length);
  });

  it('never reads past the RTP padding', () => {
    const buf = buildRtp({ pt: 102, body: Buffer.from([0x60 | 24, 0x00, 0x04, 0x67]), padding: 4 });
    const info = newRtpInfo();
    parseRtp(buf, info);
    // The size (4) would reach into the padding bytes: refused.
    expect(inspectH264(buf, info)).toBe(H264_MALFORMED);
  });
});

describe('H.264 keyframe start', () => {
  /** Run packets (body, ts, marker) through one access-unit state; the keyframe flags. */
  function run(packets: [Buffer, number, boolean][]): boolean[] {
    const au = newAccessUnitState();
    return packets.map(([body, ts, marker]) => {
      const { flags, info } = inspect(body, { ts, marker });
      return h264KeyframeStart(flags, info, au);
    });
  }

  it('is the STAP-A with SPS/PPS at the start of an access unit, not the IDR fragments after it', () => {
    expect(
      run([
        [h264FuA(1, { start: true }), 100, false],
        [h264FuA(1, { end: true }), 100, true],
        [h264StapA([h264Nal(7, 12), h264Nal(8, 4)]), 200, false],
        [h264FuA(5, { start: true }), 200, false],
        [h264FuA(5), 200, false],
        [h264FuA(5, { end: true }), 200, true],
        [h264Nal(1), 300, true],
      ]),
    ).toEqual([false, false, true, false, false, false, false]);
  });

  it('is a lone SPS packet that opens the access unit (SPS, PPS, IDR as single NAL units)', () => {
    expect(
      run([
        [h264Nal(1), 100, true],
        [h264Nal(7), 200, false],
        [h264Nal(8), 200, false],
        [h264Nal(5), 200, true],
      ]),
    ).toEqual([false, true, false, false]);
  });

  it('is an IDR that opens its access unit with no parameter sets in front (out of band)', () => {
    expect(
      run([
        [h264Nal(1), 100, true],
        [h264Nal(5), 200, true],
        [h264FuA(5, { start: true }), 300, false],
      ]),
    ).toEqual([false, true, true]);
  });

  it('starts a new access unit when the marker packet was lost (timestamp changed)', () => {
    expect(
      run([
        [h264FuA(1, { start: true }), 100, false],
        // the marker packet of ts 100 is missing
        [h264StapA([h264Nal(7, 12), h264Nal(8, 4), h264Nal(5, 30)]), 200, true],
      ]),
    ).toEqual([false, true]);
  });

  it('is not a packet with SPS next to a non-IDR slice, nor one in the middle of an access unit', () => {
    expect(
      run([
        [h264StapA([h264Nal(7, 12), h264Nal(8, 4), h264Nal(1, 30)]), 100, true],
        [h264Nal(6), 200, false],
        [h264Nal(7), 200, false],
        [h264Nal(5), 200, true],
      ]),
    ).toEqual([false, false, false, false]);
  });
});

describe('H.264 inspection on random bytes (property)', () => {
  it('never throws, never reports more than the payload, and refuses what does not fit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.integer({ min: 0, max: 40 }), fc.boolean(), (bytes, payloadLen, marker) => {
        const body = Buffer.from(bytes);
        const buf = buildRtp({ pt: 102, body, marker });
        const info = newRtpInfo();
        if (!parseRtp(buf, info)) return;
        // A payload length that claims less than the packet, as padding would.
        info.payloadLength = Math.min(info.payloadLength, payloadLen);
        const guard = Buffer.concat([buf.subarray(0, info.payloadOffset + info.payloadLength)]);
        const flags = inspectH264(guard, info);
        expect(flags === H264_MALFORMED || (flags >= 0 && flags <= 15)).toBe(true);
        const au = newAccessUnitState();
        expect(typeof h264KeyframeStart(flags, info, au)).toBe('boolean');
        if (info.payloadLength === 0) expect(flags).toBe(H264_MALFORMED);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses a payload claimed past the end of the buffer instead of reading it', () => {
    const buf = buildRtp({ pt: 102, body: h264StapA([h264Nal(7, 10)]) });
    const info = newRtpInfo();
    parseRtp(buf, info);
    info.payloadLength += 5;
    expect(inspectH264(buf, info)).toBe(H264_MALFORMED);
  });
});
