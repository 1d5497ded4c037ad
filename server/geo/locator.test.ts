import { describe, expect, it } from 'vitest';
import { createLocator } from './locator.js';
import { buildLogger, embeddedDatabases, WELL_KNOWN } from './test-helpers.js';

const locator = createLocator({ logger: buildLogger() });

describe('createLocator with the embedded database', () => {
  it('locates well-known public resolvers in their countries', () => {
    for (const [country, ip] of Object.entries(WELL_KNOWN)) {
      expect(locator.locate(ip), ip).toMatchObject({ country, status: 'known', address: ip });
    }
  });

  it('places CN, HK, MO and TW addresses in four distinct jurisdictions', () => {
    const codes = [WELL_KNOWN.CN, WELL_KNOWN.HK, WELL_KNOWN.MO, WELL_KNOWN.TW].map((ip) => locator.locate(ip).country);
    expect(codes).toEqual(['CN', 'HK', 'MO', 'TW']);
    expect(new Set(codes).size).toBe(4);
  });

  it('attaches the database name and build date as evidence', () => {
    const loc = locator.locate(WELL_KNOWN.US);
    expect(loc.database.name).toBe('country ipvAll');
    expect(loc.database.buildDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const info = locator.info();
    expect(info).toMatchObject({ name: loc.database.name, buildDate: loc.database.buildDate, path: embeddedDatabases().all, ipVersion: 6, testMapEntries: 0 });
    expect(Date.parse(info.loadedAt)).not.toBeNaN();
  });

  it('answers private and reserved ranges as unknown/private-range', () => {
    for (const ip of [
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.1.1',
      '100.64.0.1',
      '0.0.0.0',
      '192.0.2.5',
      '198.51.100.1',
      '203.0.113.9',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '2001:db8::1',
      'ff02::1',
    ]) {
      expect(locator.locate(ip), ip).toMatchObject({ country: null, status: 'unknown', reason: 'private-range' });
    }
  });

  it('answers garbage as unknown/invalid-address without throwing', () => {
    for (const ip of ['', 'garbage', '1.2.3.256', '8.8.8.8:53', ' 8.8.8.8', '[::1]', 'x'.repeat(10_000)]) {
      const loc = locator.locate(ip);
      expect(loc).toMatchObject({ country: null, status: 'unknown', reason: 'invalid-address' });
      expect(loc.address.length).toBeLessThanOrEqual(64);
    }
    expect(locator.locate(undefined as unknown as string).reason).toBe('invalid-address');
  });

  it('locates an IPv6 address and prints it in canonical form', () => {
    expect(locator.locate('2001:4860:4860:0:0:0:0:8888')).toMatchObject({ country: 'US', status: 'known', address: '2001:4860:4860::8888' });
  });

  it('normalises an IPv4-mapped IPv6 address to IPv4 before looking it up', () => {
    expect(locator.locate(`::ffff:${WELL_KNOWN.HK}`)).toMatchObject({ country: 'HK', status: 'known', address: WELL_KNOWN.HK });
    expect(locator.locate('::ffff:10.0.0.1')).toMatchObject({ reason: 'private-range', address: '10.0.0.1' });
  });

  it('does not say anything about anonymisers when the database does not', () => {
    expect(locator.locate(WELL_KNOWN.US)).not.toHaveProperty('anonymiser');
  });

  it('never returns test-mapping when no test map is configured', () => {
    for (const ip of ['127.0.0.2', '127.0.0.3', '10.9.0.1', WELL_KNOWN.CN]) expect(locator.locate(ip).reason).not.toBe('test-mapping');
  });

  it('does not ask an IPv4-only database about IPv6 addresses', () => {
    const v4 = createLocator({ dbPath: embeddedDatabases().ipv4, logger: buildLogger() });
    expect(v4.locate('2001:4860:4860::8888')).toMatchObject({ status: 'unknown', reason: 'not-in-database', database: { name: 'country ipv4' } });
    expect(v4.locate(WELL_KNOWN.TW).country).toBe('TW');
  });

  it('fails start-up with GEO_DB_INVALID for a missing database', () => {
    expect(() => createLocator({ dbPath: '/nonexistent/x.mmdb', logger: buildLogger() })).toThrow(expect.objectContaining({ code: 'GEO_DB_INVALID' }));
  });
});

describe('createLocator with a test map', () => {
  it('maps configured addresses and blocks, warns loudly, and labels the evidence test-mapping', () => {
    const logger = buildLogger();
    const l = createLocator({ testMap: '127.0.0.2=CN,127.0.0.3=HK,10.9.0.0/16=TW,fd00:1::/32=MO', logger });
    expect(logger.warn).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/GEO_TEST_MAP IS SET/));
    expect(l.locate('127.0.0.2')).toMatchObject({ country: 'CN', status: 'known', reason: 'test-mapping', database: { name: 'test-mapping' } });
    expect(l.locate('::ffff:127.0.0.3').country).toBe('HK');
    expect(l.locate('10.9.200.1').country).toBe('TW');
    expect(l.locate('fd00:1:2::3').country).toBe('MO');
    expect(l.locate('127.0.0.4')).toMatchObject({ reason: 'private-range' });
    expect(l.locate(WELL_KNOWN.US)).toMatchObject({ country: 'US', database: { name: 'country ipvAll' } });
    expect(l.info().testMapEntries).toBe(4);
  });

  it('stays off, without a warning, for an empty GEO_TEST_MAP', () => {
    const logger = buildLogger();
    const l = createLocator({ testMap: '', logger });
    expect(logger.warn).not.toHaveBeenCalled();
    expect(l.locate('127.0.0.2').reason).toBe('private-range');
  });
});
