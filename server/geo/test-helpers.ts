/** Factories shared by the geo tests. */
import { dirname, join } from 'node:path';
import { vi, type Mock } from 'vitest';
import { defaultDatabasePath } from './database.js';
import type { GeoLogger } from './types.js';

/** A logger whose calls the test can inspect. */
type LogMock = Mock<(obj: object, msg?: string) => void>;
export function buildLogger(): GeoLogger & { info: LogMock; warn: LogMock; error: LogMock } {
  return { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

/** The three files shipped by @ip-location-db/geo-whois-asn-country-mmdb. */
export function embeddedDatabases(): { all: string; ipv4: string; ipv6: string } {
  const all = defaultDatabasePath();
  const dir = dirname(all);
  return { all, ipv4: join(dir, 'geo-whois-asn-country-ipv4.mmdb'), ipv6: join(dir, 'geo-whois-asn-country-ipv6.mmdb') };
}

/** Long-lived public resolvers, each confirmed against the embedded database. */
export const WELL_KNOWN = {
  US: '8.8.8.8', // Google Public DNS
  CN: '114.114.114.114', // 114DNS
  HK: '203.198.7.66', // PCCW / Netvigator DNS
  MO: '202.175.3.3', // CTM DNS
  TW: '168.95.1.1', // Chunghwa Telecom HiNet DNS
} as const;
