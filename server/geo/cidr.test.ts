import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../protocol/errors.js';
import { createCidrSet, formatCidr, parseCidr } from './cidr.js';
import { formatIp, normaliseAddress, parseIp } from './ip.js';

describe('ip parsing', () => {
  it('accepts canonical IPv4 and rejects malformed or octal-looking forms', () => {
    expect(normaliseAddress('192.0.2.1')).toBe('192.0.2.1');
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1..2.3', '-1.2.3.4']) {
      expect(parseIp(bad)).toBeNull();
    }
  });

  it('accepts IPv6 text forms and prints them in RFC 5952 form', () => {
    expect(normaliseAddress('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normaliseAddress('::')).toBe('::');
    expect(normaliseAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normaliseAddress('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(normaliseAddress('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(normaliseAddress('::FFFF:0102:0304')).toBe('1.2.3.4');
    expect(normaliseAddress('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221');
    for (const bad of [':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', '::1.2.3', '1.2.3.4::', 'fe80::1%', ':1::', '1::2:']) {
      expect(parseIp(bad)).toBeNull();
    }
  });

  it('round-trips every address through format and parse', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        const p = parseIp(ip);
        expect(p).not.toBeNull();
        if (p === null) return;
        expect(parseIp(formatIp(p))).toEqual(p);
      }),
    );
  });
});

describe('cidr', () => {
  it('parses IPv4 and IPv6 blocks and bare addresses', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ version: 4, prefix: 8, start: 0x0a000000, end: 0x0affffff });
    expect(parseCidr('203.0.113.7')).toMatchObject({ version: 4, prefix: 32 });
    expect(parseCidr('2001:db8::/32')).toMatchObject({ version: 6, prefix: 32 });
    expect(formatCidr(parseCidr('::ffff:10.0.0.0/104')!)).toBe('10.0.0.0/8');
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ start: 0, end: 0xffffffff });
  });

  it('rejects host bits, bad prefixes and junk, naming the problem', () => {
    for (const bad of ['10.0.0.1/8', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/08', '::/129', 'x/8', '2001:db8::1/32']) {
      expect(parseCidr(bad)).toBeNull();
    }
    expect(() => createCidrSet(['10.0.0.1/8'])).toThrow(/did you mean 10\.0\.0\.0\/8/);
    expect(() => createCidrSet(['nope'])).toThrow(AppError);
  });

  it('answers membership for both families, normalising IPv4-mapped addresses', () => {
    const set = createCidrSet(['10.0.0.0/8', '192.168.1.0/24', '2001:db8::/32', '::1']);
    expect(set.has('10.255.0.1')).toBe(true);
    expect(set.has('::ffff:10.1.1.1')).toBe(true);
    expect(set.has('192.168.2.1')).toBe(false);
    expect(set.has('2001:db8:ffff::1')).toBe(true);
    expect(set.has('2001:db9::')).toBe(false);
    expect(set.has('::1')).toBe(true);
    expect(set.has('not an ip')).toBe(false);
    expect(createCidrSet([]).has('1.2.3.4')).toBe(false);
  });

  it('agrees with a naive scan for random sets and addresses', () => {
    const block = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([v, p]) => {
      const size = 2 ** (32 - p);
      return `${formatIp({ version: 4, value: v - (v % size) })}/${p}`;
    });
    fc.assert(
      fc.property(fc.array(block, { maxLength: 20 }), fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 20 }), (blocks, addrs) => {
        const set = createCidrSet(blocks);
        const parsed = blocks.map((b) => parseCidr(b)!);
        for (const a of addrs) {
          const naive = parsed.some((c) => c.version === 4 && a >= c.start && a <= c.end);
          expect(set.has({ version: 4, value: a })).toBe(naive);
        }
      }),
    );
  });
});
