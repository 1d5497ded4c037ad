import { describe, expect, it } from 'vitest';
import { buildNack, buildPli, buildRemb, parseRtcp } from './rtcp.js';

describe('rtcp parsing', () => {
  it('expands a generic NACK bitmask into sequence numbers, across wrap-around', () => {
    const seen: number[] = [];
    const nack = buildNack(1, 99, [65534]);
    nack.writeUInt16BE(0b101, 14);
    parseRtcp(nack, {
      nack: (ssrc, seq) => {
        expect(ssrc).toBe(99);
        seen.push(seq);
      },
    });
    expect(seen).toEqual([65534, 65535, 1]);
  });

  it('reads REMB mantissa and exponent', () => {
    let bps = 0;
    parseRtcp(buildRemb(1, 1_234_567, [5]), {
      remb: (b) => {
        bps = b;
      },
    });
    expect(bps).toBeGreaterThan(1_234_567 * 0.99);
    expect(bps).toBeLessThanOrEqual(1_234_567);
  });

  it('reports PLI and walks compound packets', () => {
    const keys: number[] = [];
    let bps = 0;
    parseRtcp(Buffer.concat([buildRemb(1, 300_000, [7]), buildPli(1, 42)]), {
      keyframe: (s) => keys.push(s),
      remb: (b) => {
        bps = b;
      },
    });
    expect(keys).toEqual([42]);
    expect(bps).toBe(300_000);
  });

  it('ignores a truncated tail without throwing', () => {
    const keys: number[] = [];
    parseRtcp(buildPli(1, 42).subarray(0, 10), { keyframe: (s) => keys.push(s) });
    expect(keys).toEqual([]);
  });
});
