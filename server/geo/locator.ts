/**
 * The Locator: country-level location of an IP address from an in-memory MaxMind-format
 * database, swappable at run time without a lookup ever failing.
 */
import { isCountryCode } from '../../protocol/countries.js';
import { AppError, toAppError } from '../../protocol/errors.js';
import { defaultDatabasePath, openDatabase, openDatabaseSync, type LoadedDatabase } from './database.js';
import { formatCidr } from './cidr.js';
import { formatIp, parseIp } from './ip.js';
import { readRecord } from './record.js';
import { isReservedAddress } from './reserved.js';
import { parseTestMap, type TestMap } from './test-map.js';
import type { GeoDatabaseInfo, GeoLogger, Location, ReloadActor, SwapGate } from './types.js';

/** Called after every successful reload, so live participants can be re-located. */
export type ReloadListener = (current: GeoDatabaseInfo, previous: GeoDatabaseInfo) => void | Promise<void>;

export interface LocatorOptions {
  /** A MaxMind-format country database; default: the embedded CC0 database. */
  dbPath?: string | undefined;
  /** GEO_TEST_MAP from server config (or a parsed map). Off when absent or empty. */
  testMap?: string | TestMap | undefined;
  logger?: GeoLogger | undefined;
}

export interface Locator {
  /** Synchronous, in-memory; never throws. */
  locate(ip: string): Location;
  /**
   * Opens and validates `newPath` (default: the current path, re-read), passes it through the
   * swap gate (the write-ahead log entry), then swaps; throws AppError('GEO_DB_INVALID') (or the
   * gate's error) and keeps the old one on failure.
   */
  reload(newPath?: string, actor?: ReloadActor): Promise<GeoDatabaseInfo>;
  /** Install the gate every swap passes first (one; a later call replaces it). */
  setSwapGate(gate: SwapGate | null): void;
  info(): GeoDatabaseInfo;
  /** Subscribes to successful reloads; returns the unsubscribe function. */
  onReload(cb: ReloadListener): () => void;
}

const noop = (): void => undefined;
const consoleLogger: GeoLogger = {
  info: noop,
  warn: (obj, msg) => console.warn(msg ?? '', obj),
  error: (obj, msg) => console.error(msg ?? '', obj),
};

const TEST_MAPPING_NAME = 'test-mapping';
const MAX_ECHO = 64;

/** Opens the database synchronously (throws AppError('GEO_DB_INVALID') when it is unusable). */
export function createLocator(options: LocatorOptions = {}): Locator {
  const logger = options.logger ?? consoleLogger;
  const testMap = typeof options.testMap === 'string' ? parseTestMap(options.testMap) : options.testMap;
  const mapping = testMap !== undefined && testMap.entries.length > 0 ? testMap : null;
  const mapEntries = mapping?.entries.length ?? 0;
  let current: LoadedDatabase = openDatabaseSync(options.dbPath ?? defaultDatabasePath(), mapEntries);
  const testEvidence = Object.freeze({ name: TEST_MAPPING_NAME, buildDate: current.info.loadedAt });
  const listeners = new Set<ReloadListener>();
  let queue: Promise<unknown> = Promise.resolve();
  let gate: SwapGate | null = null;

  if (mapping !== null) {
    logger.warn(
      { geoTestMap: mapping.entries.map((e) => `${formatCidr(e.cidr)}=${e.country}`) },
      `GEO_TEST_MAP IS SET: ${mapEntries} address block(s) get FAKE locations. This is for tests and demos only; never run a real instance with it.`,
    );
  }
  logger.info({ geoDatabase: current.info }, 'location database loaded');

  function locate(ip: string): Location {
    const db = current; // one snapshot per lookup, so a concurrent swap cannot mix databases
    const parsed = typeof ip === 'string' ? parseIp(ip) : null;
    if (parsed === null) {
      const echo = typeof ip === 'string' ? ip.slice(0, MAX_ECHO) : '';
      return { country: null, status: 'unknown', reason: 'invalid-address', address: echo, database: db.evidence };
    }
    const address = formatIp(parsed);
    if (mapping !== null) {
      const mapped = mapping.lookup(parsed);
      if (mapped !== null) return { country: mapped, status: 'known', reason: 'test-mapping', address, database: testEvidence };
    }
    if (isReservedAddress(parsed)) return { country: null, status: 'unknown', reason: 'private-range', address, database: db.evidence };
    // An IPv4-only database answers IPv6 queries with nonsense, so do not ask it.
    if (parsed.version === 6 && db.info.ipVersion === 4) {
      return { country: null, status: 'unknown', reason: 'not-in-database', address, database: db.evidence };
    }
    let record: unknown;
    try {
      record = db.reader.get(address);
    } catch (err) {
      logger.error({ err, address, geoDatabase: db.info.path }, 'location lookup failed');
      record = null;
    }
    const reading = readRecord(record);
    const loc: Location = { country: null, status: 'unknown', address, database: db.evidence };
    if (reading.anonymiser !== undefined) loc.anonymiser = reading.anonymiser;
    if (reading.anonymiser === true) loc.reason = 'anonymiser';
    else if (isCountryCode(reading.country)) {
      loc.country = reading.country;
      loc.status = 'known';
    } else loc.reason = 'not-in-database';
    return loc;
  }

  async function swap(newPath: string | undefined, actor: ReloadActor): Promise<GeoDatabaseInfo> {
    const path = newPath ?? current.info.path;
    let next: LoadedDatabase;
    try {
      next = await openDatabase(path, mapEntries);
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('GEO_DB_INVALID', undefined, { path, cause: toAppError(err).code });
      logger.warn({ err: e.toBody(), kept: current.info }, 'location database reload failed; keeping the current one');
      throw e;
    }
    if (gate) await gate(next.info, actor); // on the record before it is used; a failure keeps the old one
    const previous = current;
    current = next;
    logger.info({ geoDatabase: next.info, previous: previous.info }, 'location database reloaded');
    for (const cb of listeners) notify(cb, next.info, previous.info);
    return next.info;
  }

  function notify(cb: ReloadListener, info: GeoDatabaseInfo, previous: GeoDatabaseInfo): void {
    try {
      const r = cb(info, previous);
      if (r instanceof Promise) r.catch((err: unknown) => logger.error({ err }, 'geo reload listener failed'));
    } catch (err) {
      logger.error({ err }, 'geo reload listener failed');
    }
  }

  return {
    locate,
    reload(newPath, actor = { trigger: 'signal' }) {
      const run = queue.then(() => swap(newPath, actor)); // reloads run one at a time, in order
      queue = run.catch(noop);
      return run;
    },
    info: () => ({ ...current.info }),
    setSwapGate(g) {
      gate = g;
    },
    onReload(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
  };
}
