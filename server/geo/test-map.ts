/**
 * The test-and-demo mapping ("127.0.0.2=CN,10.9.0.0/16=TW"): fake locations for chosen
 * addresses so that a demo or test can put a participant in any jurisdiction. It comes only
 * from server configuration (GEO_TEST_MAP); nothing a client sends can switch it on.
 */
import { isCountryCode, type CountryCode } from '../../protocol/countries.js';
import { AppError } from '../../protocol/errors.js';
import { cidrContains, formatCidr, parseCidr, type Cidr } from './cidr.js';
import type { ParsedIp } from './ip.js';

export interface TestMapEntry {
  readonly cidr: Cidr;
  readonly country: CountryCode;
}

export interface TestMap {
  /** Entries, most specific first. */
  readonly entries: readonly TestMapEntry[];
  /** The country of the most specific entry containing the (normalised) address, or null. */
  lookup(ip: ParsedIp): CountryCode | null;
}

function fail(message: string, index: number, item: string): never {
  throw new AppError('VALIDATION_FAILED', `GEO_TEST_MAP entry ${index + 1} "${item}": ${message}`, { entry: index + 1, value: item });
}

/**
 * Parses "ADDRESS_OR_CIDR=CC,..." (IPv4 and IPv6). Throws AppError('VALIDATION_FAILED') naming
 * the entry and the problem. An empty string gives an empty map (the mapping stays off).
 */
export function parseTestMap(spec: string): TestMap {
  const entries: TestMapEntry[] = [];
  const seen = new Map<string, CountryCode>();
  spec.split(',').forEach((raw, index) => {
    const item = raw.trim();
    if (item === '') return;
    const eq = item.lastIndexOf('=');
    if (eq < 0) fail('expected ADDRESS=CC or CIDR=CC, e.g. 127.0.0.2=CN', index, item);
    const target = item.slice(0, eq).trim();
    const country = item.slice(eq + 1).trim();
    const cidr = parseCidr(target);
    if (cidr === null) fail(`"${target}" is not an IPv4/IPv6 address or a CIDR without host bits`, index, item);
    if (!isCountryCode(country)) {
      fail(`"${country}" is not an assigned ISO 3166-1 alpha-2 code (uppercase, e.g. CN, HK, MO, TW, GB)`, index, item);
    }
    const key = formatCidr(cidr);
    const previous = seen.get(key);
    if (previous !== undefined && previous !== country) fail(`${key} is already mapped to ${previous}`, index, item);
    seen.set(key, country);
    entries.push({ cidr, country });
  });
  entries.sort((a, b) => b.cidr.prefix - a.cidr.prefix || a.cidr.version - b.cidr.version);
  return {
    entries,
    lookup(ip) {
      for (const e of entries) if (cidrContains(e.cidr, ip)) return e.country;
      return null;
    },
  };
}
