import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocator } from './locator.js';
import { buildMmdb } from './mmdb-fixture.js';
import { buildLogger } from './test-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-geoip2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fixture(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('a GeoIP2-shaped database', () => {
  const path = fixture(
    'geoip2.mmdb',
    buildMmdb(
      { country: { iso_code: 'US' }, registered_country: { iso_code: 'US' }, traits: { is_anonymous_proxy: true } },
      { country: { iso_code: 'TW' }, registered_country: { iso_code: 'CN' } },
    ),
  );
  const locator = createLocator({ dbPath: path, logger: buildLogger() });

  it('reads country.iso_code and reports the metadata as evidence', () => {
    expect(locator.locate('168.95.1.1')).toEqual({
      country: 'TW',
      status: 'known',
      address: '168.95.1.1',
      database: { name: 'GeoIP2-Country', buildDate: new Date(1_750_000_000_000).toISOString() },
    });
  });

  it('answers an address the database flags as an anonymiser as unknown/anonymiser, recording the flag', () => {
    expect(locator.locate('8.8.8.8')).toMatchObject({ country: null, status: 'unknown', reason: 'anonymiser', anonymiser: true });
  });

  it('rejects a well-formed database that places nothing in a country', async () => {
    const asn = fixture('asn.mmdb', buildMmdb({ autonomous_system_number: 15169 }, { autonomous_system_number: 3462 }, 'GeoLite2-ASN'));
    expect(() => createLocator({ dbPath: asn, logger: buildLogger() })).toThrow(/places none of the probe addresses/);
    await expect(locator.reload(asn)).rejects.toMatchObject({ code: 'GEO_DB_INVALID' });
    expect(locator.info().path).toBe(path);
  });

  it('answers a code that is not an assigned ISO 3166-1 code as unknown/not-in-database', () => {
    const eu = createLocator({
      dbPath: fixture('eu.mmdb', buildMmdb({ country: { iso_code: 'EU' } }, { country: { iso_code: 'HK' } })),
      logger: buildLogger(),
    });
    expect(eu.locate('8.8.8.8')).toMatchObject({ country: null, status: 'unknown', reason: 'not-in-database' });
    expect(eu.locate('203.198.7.66').country).toBe('HK');
  });
});
