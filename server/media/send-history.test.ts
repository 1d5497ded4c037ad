import { describe, expect, it } from 'vitest';
import { HISTORY_SIZE, SendHistory } from './send-history.js';

describe('SendHistory (NACK cache)', () => {
  it('returns a packet by outgoing sequence number with the values it was sent with', () => {
    const h = new SendHistory();
    const buf = Buffer.from([1, 2, 3]);
    h.put(buf, 65535, 1234, 77, 9, 1000);
    const i = h.find(65535, 1100);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(h.buffer(i)).toBe(buf);
    expect([h.ts(i), h.pic(i), h.tl0(i)]).toEqual([1234, 77, 9]);
  });

  it('forgets packets that were overwritten or are too old', () => {
    const h = new SendHistory();
    h.put(Buffer.alloc(1), 1, 0, -1, -1, 0);
    h.put(Buffer.alloc(1), 1 + HISTORY_SIZE, 0, -1, -1, 0);
    expect(h.find(1, 0)).toBe(-1);
    expect(h.find(1 + HISTORY_SIZE, 0)).toBeGreaterThanOrEqual(0);
    expect(h.find(1 + HISTORY_SIZE, 5000)).toBe(-1);
    h.clear();
    expect(h.find(1 + HISTORY_SIZE, 0)).toBe(-1);
  });
});
