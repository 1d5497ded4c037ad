import { describe, expect, it } from 'vitest';
import { addressKey, createFailureLimiter } from './rate-limit.js';

describe('addressKey', () => {
  it('keeps IPv4 addresses and groups IPv6 addresses by /64', () => {
    expect(addressKey('198.51.100.7')).toBe('198.51.100.7');
    expect(addressKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:ffff:eeee:dddd:cccc')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressKey('not an address')).toBe('not an address');
  });
});

describe('createFailureLimiter', () => {
  it('lets `free` misses through, then doubles the wait per miss up to the cap, and forgets after a quiet spell', () => {
    let t = 0;
    const l = createFailureLimiter({ free: 3, baseMs: 1000, maxMs: 4000, forgetMs: 60_000, now: () => t });
    l.fail('k');
    l.fail('k');
    expect(l.retryAfterMs('k')).toBe(0);
    l.fail('k');
    expect(l.retryAfterMs('k')).toBe(1000);
    t += 1000;
    l.fail('k');
    expect(l.retryAfterMs('k')).toBe(2000);
    l.fail('k');
    l.fail('k');
    expect(l.retryAfterMs('k')).toBe(4000);
    expect(l.retryAfterMs('other')).toBe(0);
    t += 61_000;
    expect(l.retryAfterMs('k')).toBe(0);
    l.fail('k');
    expect(l.retryAfterMs('k')).toBe(0);
    l.reset('k');
    expect(l.retryAfterMs('k')).toBe(0);
  });

  it('holds a bounded number of keys', () => {
    const l = createFailureLimiter({ free: 1, baseMs: 1000, maxMs: 1000, forgetMs: 60_000, maxKeys: 2 });
    l.fail('a');
    l.fail('b');
    l.fail('c');
    expect(l.retryAfterMs('a')).toBe(0);
    expect(l.retryAfterMs('c')).toBeGreaterThan(0);
  });
});
