/** One query layer (Kysely) over SQLite (default) or PostgreSQL (DATABASE_URL). */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrate.js';
import { migrations } from './migrations/index.js';
import { backupBeforeMigrating } from './pre-migration-backup.js';

export type { Database, DemandsTable, MeetingsTable, UsersTable } from './schema.js';
export { purgeExpired, startRetention, DAY_MS, type PurgeCounts, type RetentionJob, type RetentionPolicy } from './retention.js';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type DialectName = 'sqlite' | 'postgres';

export interface Storage {
  db: Db;
  dialect: DialectName;
  /**
   * The better-sqlite3 handle under `db` (SQLite only), for the few hot paths that prepare a
   * statement once instead of building SQL per call (the log's bulk insert). Use it only
   * inside a Kysely transaction on `db`: there is one connection, so it is the same one.
   */
  sqlite: SQLite.Database | null;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** postgres://… selects PostgreSQL; otherwise a SQLite file path or ':memory:'. */
  databaseUrl?: string | undefined;
  sqlitePath?: string | undefined;
}

// int8 columns come back as strings from pg by default; our ids and times fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** Open the database and run every pending migration. */
export async function openStorage(opts: StorageOptions): Promise<Storage> {
  const url = opts.databaseUrl;
  let db: Db;
  let dialect: DialectName;
  let raw: SQLite.Database | null = null;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    dialect = 'postgres';
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client's connection can end under us (PostgreSQL restart, failover, admin
    // termination). pg then emits 'error' on the pool; unhandled, that would end the process.
    // The pool drops that client and the next query opens a new one.
    pool.on('error', (err) => {
      process.stderr.write(`PostgreSQL connection lost (idle client; will reconnect): ${err.message}\n`);
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    dialect = 'sqlite';
    const file = opts.sqlitePath ?? ':memory:';
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // Deleted rows (purged sessions, bans, documents) are overwritten, not left in free pages.
    sqlite.pragma('secure_delete = ON');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    raw = sqlite;
    if (file !== ':memory:') {
      const copy = await backupBeforeMigrating(sqlite, file, Object.keys(migrations));
      if (copy) process.stderr.write(`Parley: pending database migrations; the database was copied to ${copy} first\n`);
    }
  }
  await migrateToLatest(db, dialect);
  return { db, dialect, sqlite: raw, close: () => db.destroy() };
}

/** Open an empty in-memory SQLite database (tests). */
export function openMemoryStorage(): Promise<Storage> {
  return openStorage({ sqlitePath: ':memory:' });
}
