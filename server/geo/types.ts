/** Shapes shared across the geo domain. */

/** Why a location is what it is; absent for an ordinary database answer. */
export type LocationReason = 'private-range' | 'not-in-database' | 'anonymiser' | 'invalid-address' | 'test-mapping';

/** Where an address is, with the evidence (which database said so). */
export interface Location {
  /** ISO 3166-1 alpha-2, uppercase, or null when unknown. */
  country: string | null;
  status: 'known' | 'unknown';
  reason?: LocationReason;
  /** Present only when the database itself says whether the address is an anonymiser. */
  anonymiser?: boolean;
  /** Normalised address (IPv4-mapped IPv6 → IPv4; IPv6 in RFC 5952 form); the input when invalid. */
  address: string;
  database: { name: string; buildDate: string };
}

/** The database in use. */
export interface GeoDatabaseInfo {
  /** mmdb metadata databaseType, or 'test-mapping'. */
  name: string;
  /** mmdb metadata buildEpoch as an ISO timestamp. */
  buildDate: string;
  path: string;
  /** When this process loaded it (ISO timestamp). */
  loadedAt: string;
  ipVersion: 4 | 6;
  /** Number of GEO_TEST_MAP entries in force (0: the mapping is off). */
  testMapEntries: number;
  /** SHA-256 (hex) of the file's bytes: what the log records, so anyone can check it against the published file. */
  sha256: string;
}

/** Who asked for a reload: logged with the new file's hash before the swap. */
export interface ReloadActor {
  trigger: 'api' | 'signal';
  /** Operator account ids (API reloads: the requester and the second admin). */
  by?: string;
  approvedBy?: string;
}

/**
 * Runs after a new database is opened and validated and before it replaces the current one
 * (policy/ installs one that appends `geo.database-changed`). If it throws, nothing changes.
 */
export type SwapGate = (next: GeoDatabaseInfo, actor: ReloadActor) => Promise<void>;

/** The slice of a pino logger the geo domain uses. */
export interface GeoLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
