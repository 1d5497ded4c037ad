import { describe, expect, it } from 'vitest';
import { AppError } from '../../protocol/errors.js';
import { parseIp } from './ip.js';
import { parseTestMap } from './test-map.js';

const at = (ip: string) => parseIp(ip)!;

describe('parseTestMap', () => {
  it('parses single addresses and CIDRs for IPv4 and IPv6', () => {
    const map = parseTestMap('127.0.0.2=CN, 127.0.0.3=HK ,10.9.0.0/16=TW,2001:db8::7=MO,fd00::/8=GB,');
    expect(map.entries).toHaveLength(5);
    expect(map.lookup(at('127.0.0.2'))).toBe('CN');
    expect(map.lookup(at('127.0.0.3'))).toBe('HK');
    expect(map.lookup(at('10.9.1.1'))).toBe('TW');
    expect(map.lookup(at('2001:db8::7'))).toBe('MO');
    expect(map.lookup(at('fd12::1'))).toBe('GB');
    expect(map.lookup(at('10.8.0.1'))).toBeNull();
  });

  it('lets the most specific block win', () => {
    const map = parseTestMap('10.0.0.0/8=US,10.9.0.0/16=TW,10.9.9.9=HK');
    expect(map.lookup(at('10.9.9.9'))).toBe('HK');
    expect(map.lookup(at('10.9.9.8'))).toBe('TW');
    expect(map.lookup(at('10.1.1.1'))).toBe('US');
  });

  it('gives an empty map for an empty string', () => {
    expect(parseTestMap('').entries).toHaveLength(0);
    expect(parseTestMap(' , ').entries).toHaveLength(0);
  });

  it.each([
    ['127.0.0.2', /entry 1 "127\.0\.0\.2": expected ADDRESS=CC/],
    ['127.0.0.2=CN,127.0.0.999=HK', /entry 2 "127\.0\.0\.999=HK": "127\.0\.0\.999" is not an IPv4\/IPv6 address/],
    ['127.0.0.2=UK', /"UK" is not an assigned ISO 3166-1 alpha-2 code/],
    ['127.0.0.2=cn', /"cn" is not an assigned/],
    ['10.9.0.1/16=TW', /not an IPv4\/IPv6 address or a CIDR without host bits/],
    ['127.0.0.2=CN,127.0.0.2=HK', /already mapped to CN/],
  ])('rejects %j with a clear message', (spec, message) => {
    expect(() => parseTestMap(spec)).toThrow(message);
    expect(() => parseTestMap(spec)).toThrow(AppError);
  });
});
