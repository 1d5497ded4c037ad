/** Opening and fully validating a MaxMind-format (mmdb) country database. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Reader, type Response } from 'maxmind';
import { isCountryCode } from '../../protocol/countries.js';
import { AppError } from '../../protocol/errors.js';
import { readRecord } from './record.js';
import type { GeoDatabaseInfo } from './types.js';

/** A database that passed validation, ready to answer lookups. */
export interface LoadedDatabase {
  readonly reader: Reader<Response>;
  readonly info: Readonly<GeoDatabaseInfo>;
  /** The evidence attached to every Location it answers. */
  readonly evidence: Readonly<{ name: string; buildDate: string }>;
}

/** Well-known, long-lived public addresses; a country database must place at least one. */
const PROBES_V4 = ['8.8.8.8', '1.1.1.1', '9.9.9.9', '193.0.14.129', '114.114.114.114', '168.95.1.1'];
const PROBES_V6 = ['2001:4860:4860::8888', '2606:4700:4700::1111', '2001:7fd::1'];

/** The embedded CC0 database from @ip-location-db/geo-whois-asn-country-mmdb. */
export function defaultDatabasePath(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/package.json');
  return join(dirname(pkg), 'geo-whois-asn-country.mmdb');
}

/**
 * Decoded records keyed by their offset in the data section. A country database has a few
 * hundred distinct records, so this turns most lookups into a tree walk; the bound keeps a
 * City-sized database from growing it without limit. Cached records are never mutated.
 */
function recordCache(max = 50_000): { get(key: string | number): unknown; set(key: string | number, value: unknown): void } {
  const map = new Map<string | number, unknown>();
  return {
    get: (key) => map.get(key),
    set(key, value) {
      if (map.size >= max) map.clear();
      map.set(key, value);
    },
  };
}

function invalid(path: string, why: string): AppError {
  return new AppError('GEO_DB_INVALID', `The location database ${path} could not be loaded: ${why}`, { path, reason: why });
}

function describe(err: unknown): string {
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ?? err.message;
  return String(err);
}

/** Validates metadata and probe lookups; throws AppError('GEO_DB_INVALID') on any failure. */
export function loadDatabase(path: string, buffer: Buffer, testMapEntries = 0): LoadedDatabase {
  if (buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) throw invalid(path, 'the file is gzip-compressed; decompress it first');
  let reader: Reader<Response>;
  try {
    reader = new Reader<Response>(buffer, { cache: recordCache() });
  } catch (err) {
    throw invalid(path, `not a MaxMind DB file (${describe(err)})`);
  }
  const m = reader.metadata;
  if (m.binaryFormatMajorVersion !== 2) throw invalid(path, `unsupported binary format ${String(m.binaryFormatMajorVersion)}`);
  if (typeof m.databaseType !== 'string' || m.databaseType === '') throw invalid(path, 'metadata has no databaseType');
  if (!(m.buildEpoch instanceof Date) || Number.isNaN(m.buildEpoch.getTime())) throw invalid(path, 'metadata has no valid buildEpoch');
  if (m.ipVersion !== 4 && m.ipVersion !== 6) throw invalid(path, `unsupported ipVersion ${String(m.ipVersion)}`);
  if (!(m.nodeCount > 0) || m.searchTreeSize >= buffer.length) throw invalid(path, 'the search tree is empty or truncated');
  const probes = m.ipVersion === 6 ? [...PROBES_V4, ...PROBES_V6] : PROBES_V4;
  let placed = 0;
  for (const ip of probes) {
    try {
      if (isCountryCode(readRecord(reader.get(ip)).country)) placed++;
    } catch (err) {
      throw invalid(path, `probe lookup of ${ip} failed (${describe(err)})`);
    }
  }
  if (placed === 0) throw invalid(path, 'it places none of the probe addresses in a country; is it a country database?');
  const buildDate = m.buildEpoch.toISOString();
  return {
    reader,
    info: Object.freeze({
      name: m.databaseType,
      buildDate,
      path,
      loadedAt: new Date().toISOString(),
      ipVersion: m.ipVersion,
      testMapEntries,
      sha256: createHash('sha256').update(buffer).digest('hex'),
    }),
    evidence: Object.freeze({ name: m.databaseType, buildDate }),
  };
}

/** Reads and validates at start-up (synchronous, so the server never runs without one). */
export function openDatabaseSync(path: string, testMapEntries = 0): LoadedDatabase {
  const abs = resolve(path);
  let buffer: Buffer;
  try {
    buffer = readFileSync(abs);
  } catch (err) {
    throw invalid(abs, `cannot read the file (${describe(err)})`);
  }
  return loadDatabase(abs, buffer, testMapEntries);
}

/** Reads and validates off the event loop's critical path (for reloads). */
export async function openDatabase(path: string, testMapEntries = 0): Promise<LoadedDatabase> {
  const abs = resolve(path);
  let buffer: Buffer;
  try {
    buffer = await readFile(abs);
  } catch (err) {
    throw invalid(abs, `cannot read the file (${describe(err)})`);
  }
  return loadDatabase(abs, buffer, testMapEntries);
}
