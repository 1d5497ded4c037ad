import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCidrSet } from './cidr.js';
import { clientAddress, createClientAddressResolver, type HeaderBag } from './client-address.js';
import { formatIp, parseIp } from './ip.js';

const trustedProxies = createCidrSet(['10.0.0.0/8', '2001:db8:ffff::/48']);
/** Behind a proxy that sets X-Forwarded-For (FORWARDED_HEADER=x-forwarded-for) … */
const via = (socketAddress: string, headers: HeaderBag) => clientAddress({ socketAddress, headers, trustedProxies, header: 'x-forwarded-for' });
/** … and behind one that sets Forwarded (FORWARDED_HEADER=forwarded). */
const viaF = (socketAddress: string, headers: HeaderBag) => clientAddress({ socketAddress, headers, trustedProxies, header: 'forwarded' });

describe('clientAddress', () => {
  it('ignores forwarding headers from an untrusted peer (spoof attempt)', () => {
    expect(via('198.51.100.7', { 'x-forwarded-for': '114.114.114.114' })).toBe('198.51.100.7');
    expect(viaF('198.51.100.7', { forwarded: 'for=168.95.1.1' })).toBe('198.51.100.7');
  });

  it('ignores headers entirely when no proxy is trusted', () => {
    expect(clientAddress({ socketAddress: '10.0.0.1', headers: { 'x-forwarded-for': '8.8.8.8' }, trustedProxies: [] })).toBe('10.0.0.1');
  });

  it('honours X-Forwarded-For from a trusted proxy', () => {
    expect(via('10.0.0.1', { 'x-forwarded-for': '8.8.8.8' })).toBe('8.8.8.8');
    expect(via('::ffff:10.0.0.1', { 'x-forwarded-for': ' 8.8.8.8 ' })).toBe('8.8.8.8');
  });

  it('walks multiple hops from the right, skipping trusted proxies, ignoring what the client prepended', () => {
    expect(via('10.0.0.1', { 'x-forwarded-for': '1.1.1.1, 8.8.8.8, 10.0.0.2, 10.0.0.3' })).toBe('8.8.8.8');
    expect(viaF('10.0.0.1', { forwarded: 'for=1.1.1.1, for=8.8.8.8;proto=https, for=10.0.0.2' })).toBe('8.8.8.8');
    expect(via('10.0.0.1', { 'x-forwarded-for': ['1.1.1.1', '8.8.8.8, 10.0.0.5'] })).toBe('8.8.8.8');
  });

  it('reads only the configured header; the other kind, which a client can write, is never read', () => {
    const headers = { forwarded: 'for=9.9.9.9', 'x-forwarded-for': '8.8.8.8' };
    expect(via('10.0.0.1', headers)).toBe('8.8.8.8');
    expect(viaF('10.0.0.1', headers)).toBe('9.9.9.9');
    expect(via('10.0.0.1', { forwarded: 'for=9.9.9.9' })).toBe('10.0.0.1');
    expect(viaF('10.0.0.1', { 'x-forwarded-for': '8.8.8.8' })).toBe('10.0.0.1');
  });

  it('believes no header at all when none is configured, even from a trusted proxy', () => {
    const headers = { forwarded: 'for=9.9.9.9', 'x-forwarded-for': '8.8.8.8' };
    expect(clientAddress({ socketAddress: '10.0.0.1', headers, trustedProxies })).toBe('10.0.0.1');
    expect(clientAddress({ socketAddress: '10.0.0.1', headers, trustedProxies, header: null })).toBe('10.0.0.1');
  });

  it('returns the leftmost hop when every hop is a trusted proxy', () => {
    expect(via('10.0.0.1', { 'x-forwarded-for': '10.0.0.9, 10.0.0.2' })).toBe('10.0.0.9');
  });

  it('falls back to the last trusted hop on malformed values, never throwing', () => {
    expect(via('10.0.0.1', { 'x-forwarded-for': 'garbage' })).toBe('10.0.0.1');
    expect(via('10.0.0.1', { 'x-forwarded-for': '8.8.8.8, not-an-ip, 10.0.0.2' })).toBe('10.0.0.2');
    expect(via('10.0.0.1', { 'x-forwarded-for': '8.8.8.8,,' })).toBe('10.0.0.1');
    expect(viaF('10.0.0.1', { forwarded: 'for=unknown' })).toBe('10.0.0.1');
    expect(viaF('10.0.0.1', { forwarded: 'for=_hidden, for=10.0.0.4' })).toBe('10.0.0.4');
    expect(viaF('10.0.0.1', { forwarded: 'proto=https' })).toBe('10.0.0.1');
    expect(viaF('10.0.0.1', { forwarded: 'for="[2001:db8::1' })).toBe('10.0.0.1');
    expect(via('10.0.0.1', { 'x-forwarded-for': `8.8.8.8,${'1'.repeat(10_000)}` })).toBe('10.0.0.1');
    expect(via('10.0.0.1', { 'x-forwarded-for': '' })).toBe('10.0.0.1');
  });

  it('reads IPv6 forms: quoted and bracketed with a port in Forwarded, bare and bracketed in X-Forwarded-For', () => {
    expect(viaF('10.0.0.1', { forwarded: 'for="[2001:4860:4860::8888]:4711"' })).toBe('2001:4860:4860::8888');
    expect(viaF('10.0.0.1', { forwarded: 'For="[2001:4860:4860::8888]";proto=http;by=10.0.0.1' })).toBe('2001:4860:4860::8888');
    expect(viaF('10.0.0.1', { forwarded: 'for="8.8.8.8:53"' })).toBe('8.8.8.8');
    expect(via('2001:db8:ffff::1', { 'x-forwarded-for': '2001:4860:4860::8888' })).toBe('2001:4860:4860::8888');
    expect(via('2001:db8:ffff::1', { 'x-forwarded-for': '[2001:4860:4860::8888]:443, 2001:db8:ffff::2' })).toBe('2001:4860:4860::8888');
    expect(via('2001:db8:ffff::1', { 'x-forwarded-for': '::ffff:8.8.8.8' })).toBe('8.8.8.8');
    expect(via('2001:db8:ffff:0:0:0:0:1', {})).toBe('2001:db8:ffff::1');
  });

  it('accepts the configured list of CIDRs as strings', () => {
    expect(
      clientAddress({ socketAddress: '10.1.1.1', headers: { 'x-forwarded-for': '8.8.8.8' }, trustedProxies: ['10.0.0.0/8'], header: 'x-forwarded-for' }),
    ).toBe('8.8.8.8');
  });

  it('returns an unusable socket address as given', () => {
    expect(via('', { 'x-forwarded-for': '8.8.8.8' })).toBe('');
    expect(clientAddress({ socketAddress: undefined, headers: { 'x-forwarded-for': '8.8.8.8' }, trustedProxies })).toBe('');
  });

  it('always returns the socket address of an untrusted peer, whatever the headers say', () => {
    const untrustedPeer = fc.oneof(fc.ipV4(), fc.ipV6()).filter((ip) => {
      const p = parseIp(ip);
      return p !== null && !trustedProxies.has(p);
    });
    const headerValue = fc.oneof(
      fc.string(),
      fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string())).map((a) => a.join(', ')),
      fc.array(fc.string()),
    );
    const headers = fc.dictionary(fc.constantFrom('forwarded', 'x-forwarded-for', 'x-real-ip', 'via'), headerValue);
    fc.assert(
      fc.property(untrustedPeer, headers, (peer, h) => {
        expect(via(peer, h)).toBe(formatIp(parseIp(peer)!));
        expect(viaF(peer, h)).toBe(formatIp(parseIp(peer)!));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws and always returns an address for a trusted peer, whatever the headers say', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('forwarded', 'x-forwarded-for'), fc.oneof(fc.string(), fc.array(fc.string()))), (h) => {
        expect(parseIp(via('10.0.0.1', h))).not.toBeNull();
        expect(parseIp(viaF('10.0.0.1', h))).not.toBeNull();
      }),
      { numRuns: 500 },
    );
  });
});

describe('createClientAddressResolver', () => {
  const logger = () => {
    const warnings: string[] = [];
    return { warnings, warn: (_o: object, msg?: string) => void warnings.push(msg ?? '') };
  };

  it('warns at start when proxies are trusted but no header is named, and then believes none', () => {
    const log = logger();
    const resolve = createClientAddressResolver({ trustedProxies: ['10.0.0.0/8'], header: undefined, logger: log });
    expect(log.warnings).toEqual([expect.stringContaining('FORWARDED_HEADER is not')]);
    expect(resolve('10.0.0.1', { 'x-forwarded-for': '8.8.8.8' })).toBe('10.0.0.1');
    expect(createClientAddressResolver({ trustedProxies: [], header: undefined, logger: log }) && log.warnings).toHaveLength(1);
  });

  it('warns about forwarding headers from an untrusted peer at most once per interval', () => {
    const log = logger();
    let t = 0;
    const resolve = createClientAddressResolver({ trustedProxies: ['10.0.0.0/8'], header: 'x-forwarded-for', logger: log, warnEveryMs: 60_000, now: () => t });
    expect(resolve('198.51.100.7', { forwarded: 'for=8.8.8.8' })).toBe('198.51.100.7');
    expect(resolve('198.51.100.7', { 'x-forwarded-for': '8.8.8.8' })).toBe('198.51.100.7');
    expect(resolve('10.0.0.1', { 'x-forwarded-for': '8.8.8.8' })).toBe('8.8.8.8');
    expect(resolve('198.51.100.8', {})).toBe('198.51.100.8');
    expect(log.warnings).toHaveLength(1);
    t = 60_000;
    resolve('198.51.100.9', { 'x-real-ip': '8.8.8.8' });
    expect(log.warnings).toHaveLength(2);
    expect(log.warnings[1]).toContain('not in TRUSTED_PROXIES');
  });
});
