import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtpRewriter, seqNewer } from './rewriter.js';
import { newRtpInfo, parseRtp, parseVp8, readPicId } from './rtp.js';
import { buildRtp } from './test-packets.js';

/** Three simulcast layers with independent random starting seq/ts/picture ids. */
interface LayerGen {
  ssrc: number;
  seq: number;
  ts: number;
  pic: number;
  tl0: number;
}

function step(l: LayerGen, keyframe: boolean): Buffer {
  l.seq = (l.seq + 1) & 0xffff;
  l.ts = (l.ts + 3000) >>> 0;
  l.pic = (l.pic + 1) & 0x7fff;
  l.tl0 = (l.tl0 + 1) & 0xff;
  return buildRtp({ ssrc: l.ssrc, seq: l.seq, ts: l.ts, vp8: { picId: l.pic, tl0: l.tl0, keyframe } });
}

describe('RtpRewriter across layer switches', () => {
  it('keeps outgoing sequence numbers, timestamps and picture ids strictly consecutive/monotonic', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 30 })), { minLength: 1, maxLength: 20 }),
        (starts, plan) => {
          const layers: LayerGen[] = starts.map((s, i) => ({ ssrc: 100 + i, seq: s, ts: s * 7919, pic: s & 0x7fff, tl0: s & 0xff }));
          const rw = new RtpRewriter(0xabc, 90000);
          const info = newRtpInfo();
          let now = 1000;
          let lastSeq = -1;
          let lastTs = -1;
          let lastPic = -1;
          for (const [layerIdx, count] of plan) {
            const l = layers[layerIdx] as LayerGen;
            for (let k = 0; k < count; k++) {
              now += 33;
              const buf = step(l, k === 0);
              parseRtp(buf, info);
              parseVp8(buf, info);
              if (info.ssrc !== rw.source) rw.switchTo(info, buf, now);
              rw.rewrite(buf, info, 96, now);
              parseRtp(buf, info);
              parseVp8(buf, info);
              expect(info.ssrc).toBe(0xabc);
              if (lastSeq >= 0) {
                expect(info.seq).toBe((lastSeq + 1) & 0xffff);
                expect((info.ts - lastTs) >>> 0 > 0 && (info.ts - lastTs) >>> 0 < 0x80000000).toBe(true);
                expect(readPicId(buf, info)).toBe((lastPic + 1) & 0x7fff);
              }
              lastSeq = info.seq;
              lastTs = info.ts;
              lastPic = readPicId(buf, info);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('closes the sequence gap left by a dropped padding packet', () => {
    const rw = new RtpRewriter(1, 90000);
    const info = newRtpInfo();
    const l: LayerGen = { ssrc: 5, seq: 10, ts: 0, pic: 0, tl0: 0 };
    const out: number[] = [];
    for (let i = 0; i < 4; i++) {
      const buf = step(l, i === 0);
      parseRtp(buf, info);
      parseVp8(buf, info);
      if (i === 0) rw.switchTo(info, buf, 0);
      if (i === 2) {
        rw.skip(info);
        continue;
      }
      rw.rewrite(buf, info, 96, i);
      out.push(rw.outSeq);
    }
    expect(out).toEqual([11, 12, 13]);
  });

  it('compares sequence numbers across wrap-around', () => {
    expect(seqNewer(1, 65535)).toBe(true);
    expect(seqNewer(65535, 1)).toBe(false);
    expect(seqNewer(5, 5)).toBe(false);
  });
});
