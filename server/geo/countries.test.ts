import { describe, expect, it } from 'vitest';
import { assertCountryCode, COUNTRY_CODES, countryName, CountryCodeSchema, isCountryCode } from '../../protocol/countries.js';
import { AppError } from '../../protocol/errors.js';

describe('protocol/countries', () => {
  it('lists exactly the 249 officially assigned ISO 3166-1 alpha-2 codes, each once', () => {
    expect(COUNTRY_CODES).toHaveLength(249);
    expect(new Set(COUNTRY_CODES).size).toBe(249);
    for (const c of COUNTRY_CODES) expect(c).toMatch(/^[A-Z]{2}$/);
  });

  it('keeps mainland China, Hong Kong, Macau and Taiwan as four distinct jurisdictions', () => {
    const four = ['CN', 'HK', 'MO', 'TW'];
    for (const c of four) expect(isCountryCode(c)).toBe(true);
    expect(new Set(four.map((c) => countryName(c))).size).toBe(4);
  });

  it('rejects unassigned, reserved, lowercase and non-string codes', () => {
    for (const bad of ['XX', 'UK', 'EU', 'XK', 'ZZ', 'cn', 'Cn', 'CHN', '', ' CN', 'constructor', 'to', null, 42, undefined]) {
      expect(isCountryCode(bad)).toBe(false);
      expect(CountryCodeSchema.safeParse(bad).success).toBe(false);
      expect(() => assertCountryCode(bad)).toThrow(AppError);
    }
  });

  it('throws INVALID_COUNTRY from assertCountryCode and accepts GB', () => {
    expect(assertCountryCode('GB')).toBe('GB');
    try {
      assertCountryCode('UK');
      expect.unreachable();
    } catch (err) {
      expect((err as AppError).code).toBe('INVALID_COUNTRY');
    }
  });

  it('parses assigned codes with the zod schema', () => {
    expect(CountryCodeSchema.parse('TW')).toBe('TW');
    expect(CountryCodeSchema.parse('MO')).toBe('MO');
  });

  it('names countries in English from its own table and in other locales through Intl.DisplayNames', () => {
    expect(countryName('GB')).toBe('United Kingdom');
    expect(countryName('HK', 'en-GB')).toBe('Hong Kong');
    expect(countryName('DE', 'de')).toBe('Deutschland');
    expect(countryName('FR', 'not a locale!!')).toBe('France');
    expect(() => countryName('XX')).toThrow(AppError);
  });
});
