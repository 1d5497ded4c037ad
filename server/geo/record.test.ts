import { describe, expect, it } from 'vitest';
import { readRecord } from './record.js';

describe('readRecord', () => {
  it('reads the ip-location-db shape', () => {
    expect(readRecord({ country_code: 'tw' })).toEqual({ country: 'TW' });
  });

  it('reads the GeoIP2 shape, preferring country over registered_country', () => {
    expect(readRecord({ country: { iso_code: 'HK' }, registered_country: { iso_code: 'CN' } })).toEqual({ country: 'HK' });
    expect(readRecord({ registered_country: { iso_code: 'MO' } })).toEqual({ country: 'MO' });
  });

  it('records anonymiser traits only when the database carries traits', () => {
    expect(readRecord({ country: { iso_code: 'US' }, traits: { is_anonymous_proxy: true } })).toEqual({ country: 'US', anonymiser: true });
    expect(readRecord({ country: { iso_code: 'US' }, traits: { is_tor_exit_node: true } }).anonymiser).toBe(true);
    expect(readRecord({ country: { iso_code: 'US' }, traits: { is_hosting_provider: true } }).anonymiser).toBe(false);
    expect(readRecord({ country: { iso_code: 'US' } })).not.toHaveProperty('anonymiser');
  });

  it('returns no country for empty or odd records', () => {
    for (const r of [null, undefined, 'US', 1, {}, { country: 'US' }, { country: { iso_code: 7 } }]) expect(readRecord(r).country).toBeNull();
  });
});
