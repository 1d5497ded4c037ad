/**
 * Before a SQLite database that already holds data is migrated, a copy of it is taken next to it
 * (`parley.db.pre-<first pending migration>.backup`, mode 0600, SQLite's online backup API), so an
 * upgrade that goes wrong can be undone with `npx parley restore` (docs/operations.md, Upgrades).
 */
import fs from 'node:fs';
import type SQLite from 'better-sqlite3';

/** Migration names not yet applied to this database; empty for a fresh one (nothing to keep). */
export function pendingMigrations(sqlite: SQLite.Database, all: readonly string[]): string[] {
  const table = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'").get();
  if (!table) return [];
  const done = new Set((sqlite.prepare('SELECT name FROM kysely_migration').all() as { name: string }[]).map((r) => r.name));
  if (done.size === 0) return [];
  return all.filter((n) => !done.has(n));
}

/** Copy the database to `<file>.pre-<migration>.backup` when migrations are pending; returns the copy's path or null. */
export async function backupBeforeMigrating(sqlite: SQLite.Database, file: string, all: readonly string[]): Promise<string | null> {
  const pending = pendingMigrations(sqlite, all);
  if (pending.length === 0) return null;
  const target = `${file}.pre-${pending[0]!}.backup`;
  if (fs.existsSync(target)) return target; // an earlier start took it and then failed to migrate: keep the original
  const tmp = `${target}.partial`;
  await sqlite.backup(tmp, { progress: ({ totalPages }) => Math.max(totalPages, 1) * 2 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, target);
  return target;
}
