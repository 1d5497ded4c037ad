import { describe, expect, it } from 'vitest';
import { PROBE_AFTER_MS, chooseLayer } from './layer-select.js';

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
