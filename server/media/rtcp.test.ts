import { describe, expect, it } from 'vitest';
import { buildNack, buildPli, buildRemb, parseRtcp } from './rtcp.js';
import { malformedCounts } from './rtp.js';
import { buildReceiverReport, buildSenderReport } from './test-packets.js';

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

  it('stops at a sub-packet whose length field lies, counting it, after reporting what came before', () => {
    const keys: number[] = [];
    const lying = buildNack(1, 42, [7]);
    lying.writeUInt16BE(0x4000, 2);
    const before = malformedCounts.rtcp;
    let nacks = 0;
    const ok = parseRtcp(Buffer.concat([buildReceiverReport(1, [42]), buildPli(1, 42), lying]), { keyframe: (s) => keys.push(s), nack: () => nacks++ });
    expect(ok).toBe(false);
    expect(malformedCounts.rtcp).toBe(before + 1);
    expect(keys).toEqual([42]);
    expect(nacks).toBe(0);
  });

  it('refuses a wrong version, a 3-byte tail and a too-short buffer; accepts SR and RR', () => {
    const v1 = buildPli(1, 42);
    v1[0] = 0x41;
    expect(parseRtcp(v1, {})).toBe(false);
    expect(parseRtcp(Buffer.concat([buildPli(1, 42), Buffer.from([0x80, 0xc9, 0])]), {})).toBe(false);
    expect(parseRtcp(Buffer.from([0x80, 0xc9, 0, 0]), {})).toBe(false);
    expect(parseRtcp(Buffer.concat([buildSenderReport(1, 5), buildReceiverReport(1, [2, 3])]), {})).toBe(true);
  });
});
