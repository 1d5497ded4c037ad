import { describe, expect, it } from 'vitest';
import { PROBE_AFTER_MS, PROBE_HOLD_MS, chooseLayer, probeVerdict } from './layer-select.js';

const RATES = [150_000, 500_000, 1_200_000];
const base = { preferred: 2, rates: RATES, budget: Infinity, current: -1, headroomMs: 0 };

describe('chooseLayer', () => {
  it('picks the preferred layer when the budget is unknown', () => {
    expect(chooseLayer(base)).toBe(2);
    expect(chooseLayer({ ...base, preferred: 0 })).toBe(0);
  });

  it('moves down when the REMB budget drops below the current layer', () => {
    expect(chooseLayer({ ...base, current: 2, budget: 700_000 })).toBe(1);
    expect(chooseLayer({ ...base, current: 2, budget: 200_000 })).toBe(0);
    expect(chooseLayer({ ...base, current: 1, budget: 50_000 })).toBe(0);
  });

  it('moves up again only with margin, or after sustained headroom (probe)', () => {
    expect(chooseLayer({ ...base, current: 0, budget: 520_000 })).toBe(0);
    expect(chooseLayer({ ...base, current: 0, budget: 600_000 })).toBe(1);
    expect(chooseLayer({ ...base, current: 1, budget: 800_000 })).toBe(1);
    expect(chooseLayer({ ...base, current: 1, budget: 800_000, headroomMs: PROBE_AFTER_MS })).toBe(2);
  });

  it('skips layers that are not arriving and returns -1 when none are', () => {
    expect(chooseLayer({ ...base, rates: [150_000, 0, 0] })).toBe(0);
    expect(chooseLayer({ ...base, preferred: 0, rates: [0, 0, 1_200_000] })).toBe(2);
    expect(chooseLayer({ ...base, rates: [0, 0, 0] })).toBe(-1);
  });
});

describe('probeVerdict (holding a probe while the receiver estimate grows into it)', () => {
  it('holds while the estimate rises toward the layer, and is done once it covers it', () => {
    const p = { to: 2, since: 0, peak: 700_000 };
    expect(probeVerdict(p, 1000, 760_000, RATES)).toBe('hold');
    expect(p.peak).toBe(760_000);
    expect(probeVerdict(p, 6000, 1_100_000, RATES)).toBe('hold');
    expect(probeVerdict(p, 9000, 1_250_000, RATES)).toBe('done');
  });

  it('fails when the estimate falls below 85 % of its peak (queuing delay) or never gets there', () => {
    const p = { to: 2, since: 0, peak: 900_000 };
    expect(probeVerdict(p, 1000, 800_000, RATES)).toBe('hold');
    expect(probeVerdict(p, 1500, 760_000, RATES)).toBe('failed');
    const slow = { to: 2, since: 0, peak: 700_000 };
    expect(probeVerdict(slow, PROBE_HOLD_MS + 1, 800_000, RATES)).toBe('failed');
  });

  it('fails when the probed layer stopped arriving', () => {
    expect(probeVerdict({ to: 2, since: 0, peak: 700_000 }, 100, 700_000, [150_000, 500_000, 0])).toBe('failed');
  });

  it('waits longer before probing after failures (probeAfterMs)', () => {
    const up = { ...base, current: 1, budget: 800_000, headroomMs: PROBE_AFTER_MS };
    expect(chooseLayer({ ...up, probeAfterMs: 2 * PROBE_AFTER_MS })).toBe(1);
    expect(chooseLayer({ ...up, headroomMs: 2 * PROBE_AFTER_MS, probeAfterMs: 2 * PROBE_AFTER_MS })).toBe(2);
  });
});
