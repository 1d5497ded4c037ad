import { describe, expect, it } from 'vitest';
import { ReceptionStats, buildReceiverReport } from './receiver-report.js';

function block(stats: ReceptionStats, now: number): { fraction: number; lost: number; extMax: number; jitter: number; lsr: number; dlsr: number } {
  const b = buildReceiverReport(1, [[42, stats]], now);
  expect(b[1]).toBe(201);
  expect(b[0]).toBe(0x81);
  expect(b.length).toBe(32);
  expect(b.readUInt32BE(8)).toBe(42);
  const w = b.readUInt32BE(12);
  const lost24 = w & 0xffffff;
  return {
    fraction: w >>> 24,
    lost: lost24 & 0x800000 ? lost24 - 0x1000000 : lost24,
    extMax: b.readUInt32BE(16),
    jitter: b.readUInt32BE(20),
    lsr: b.readUInt32BE(24),
    dlsr: b.readUInt32BE(28),
  };
}

describe('receiver reports (RFC 3550)', () => {
  it('reports loss per interval and in total, across a sequence wrap', () => {
    const s = new ReceptionStats();
    let seq = 65_500;
    for (let i = 0; i < 100; i++) {
      // lose every 10th packet
      if (i % 10 !== 9) s.onPacket(seq & 0xffff, i * 3000, i * 33, 90_000, false);
      seq++;
    }
    const r = block(s, 4000);
    expect(r.lost).toBe(9); // the last one lost is not yet known (nothing after it)
    expect(r.extMax).toBe(0x10000 + ((65_500 + 98) & 0xffff));
    expect(r.fraction).toBe(Math.floor((9 * 256) / 99));
    // Next interval: no new loss.
    for (let i = 0; i < 50; i++) s.onPacket(seq++ & 0xffff, (100 + i) * 3000, (100 + i) * 33, 90_000, false);
    const r2 = block(s, 6000);
    expect(r2.fraction).toBe(Math.floor(256 / 51)); // the 100th packet, known lost once the next arrived
    expect(r2.lost).toBe(10);
  });

  it('a retransmission fills the loss it repairs', () => {
    const s = new ReceptionStats();
    s.onPacket(1, 0, 0, 90_000, false);
    s.onPacket(3, 0, 10, 90_000, false);
    expect(block(s, 20).lost).toBe(1);
    s.onPacket(2, 0, 30, 90_000, true);
    expect(block(s, 40).lost).toBe(0);
  });

  it('measures jitter in timestamp units and echoes the last sender report', () => {
    const s = new ReceptionStats();
    // 20 ms audio packets (960 ticks at 48 kHz) arriving alternately 0 and 10 ms late.
    for (let i = 0; i < 200; i++) s.onPacket(i, i * 960, i * 20 + (i % 2) * 10, 48_000, false);
    const j = block(s, 5000).jitter;
    expect(j).toBeGreaterThan(400); // → 480 ticks (10 ms)
    expect(j).toBeLessThanOrEqual(480);
    s.onSenderReport(0x12345678 + 0xabcd / 65536, 1000);
    const r = block(s, 1500);
    expect(r.lsr).toBe(((0x5678 << 16) | 0xabcd) >>> 0);
    expect(r.dlsr).toBe(32768); // 0.5 s in 1/65536 s
  });
});
