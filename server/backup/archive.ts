/**
 * The backup file: a consistent SQLite copy of the instance database (SQLite online backup API,
 * one step, so writers carry on and the copy is one snapshot) that also carries every other file
 * of the data directory (keys and state kept outside the database) in a `parley_backup_files`
 * table, and what it holds in `parley_backup_info`. The log's keys (`keys/…`) go to a second
 * file, `<file>.keys`, so that the two can be kept apart as the running instance keeps them: the
 * database alone can neither re-sign the log nor map its pseudonyms back to accounts.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';

export const DB_FILE = 'parley.db';
const FILES_TABLE = 'parley_backup_files';
const INFO_TABLE = 'parley_backup_info';
/** The database and its journals are copied through the backup API, never as files. */
const DB_FILES = new Set([DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, `${DB_FILE}-journal`]);

export interface BackupInfo {
  createdAt: string;
  parleyVersion: string;
  /** Names of the data-directory files carried besides the database. */
  files: string[];
  /** Names of the key files written to `<file>.keys` (none when the keys are in the database). */
  keyFiles: string[];
  /** Log entries in the copy and the base64 SHA-256 leaf hash of the last (null when empty). */
  logSize: number;
}

/** Files of the data directory other than the database (relative paths), depth-first. */
function dataFiles(dir: string, exclude: ReadonlySet<string>, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const name = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...dataFiles(dir, exclude, name));
    else if (e.isFile() && !DB_FILES.has(name) && !exclude.has(path.resolve(dir, name))) out.push(name);
  }
  return out.sort();
}

/** Write a backup of `dataDir` to `file` (mode 0600: it holds the instance's keys). */
export async function createBackup(dataDir: string, file: string, parleyVersion: string, keyDir?: string): Promise<BackupInfo> {
  const dbPath = path.join(dataDir, DB_FILE);
  if (!fs.existsSync(dbPath)) throw new Error(`no database at ${dbPath} (is DATA_DIR right?)`);
  const target = path.resolve(file);
  if (fs.existsSync(target)) throw new Error(`${target} exists; a backup never overwrites a file`);
  const tmp = `${target}.partial-${process.pid}`;
  const src = new SQLite(dbPath, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    // All pages in one step: one read transaction, one snapshot, while Parley keeps writing (WAL).
    await src.backup(tmp, { progress: ({ totalPages }) => Math.max(totalPages, 1) * 2 });
  } finally {
    src.close();
  }
  fs.chmodSync(tmp, 0o600);
  try {
    const out = new SQLite(tmp);
    try {
      const check = out.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed SQLite's integrity check: ${String(check)}`);
      out.pragma('journal_mode = DELETE');
      const files = dataFiles(dataDir, new Set([target, tmp])).map((name) => ({ name, from: path.join(dataDir, name) }));
      if (keyDir) {
        if (files.some((f) => f.name.startsWith(`keys${path.sep}`)))
          throw new Error(`${dataDir}/keys exists besides LOG_KEY_DIR=${keyDir}: which are the keys?`);
        files.push(...dataFiles(keyDir, new Set()).map((name) => ({ name: path.join('keys', name), from: path.join(keyDir, name) })));
      }
      const logSize = (out.prepare('SELECT count(*) AS n FROM log_entries').get() as { n: number }).n;
      const isKey = (f: { name: string }) => f.name.startsWith(`keys${path.sep}`);
      const keyFiles = files.filter(isKey);
      const info: BackupInfo = {
        createdAt: new Date().toISOString(),
        parleyVersion,
        files: files.filter((f) => !isKey(f)).map((f) => f.name),
        keyFiles: keyFiles.map((f) => f.name),
        logSize,
      };
      out.exec(`CREATE TABLE ${FILES_TABLE} (name TEXT PRIMARY KEY, mode INTEGER NOT NULL, content BLOB NOT NULL);
                CREATE TABLE ${INFO_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
      const put = out.prepare(`INSERT INTO ${FILES_TABLE} (name, mode, content) VALUES (?, ?, ?)`);
      for (const f of files.filter((x) => !isKey(x))) put.run(f.name, fs.statSync(f.from).mode & 0o777, fs.readFileSync(f.from));
      if (keyFiles.length > 0) {
        const bundle = keyFiles.map((f) => ({ name: f.name, mode: fs.statSync(f.from).mode & 0o777, content: fs.readFileSync(f.from).toString('base64') }));
        fs.writeFileSync(`${target}.keys`, `${JSON.stringify({ parleyBackupKeys: 1, files: bundle })}\n`, { mode: 0o600, flag: 'wx' });
      }
      out.prepare(`INSERT INTO ${INFO_TABLE} (key, value) VALUES ('info', ?)`).run(JSON.stringify(info));
      out.close();
      const fd = fs.openSync(tmp, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(tmp, target);
      return info;
    } catch (err) {
      if (out.open) out.close();
      throw err;
    }
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    if (!fs.existsSync(target)) fs.rmSync(`${target}.keys`, { force: true });
    throw err;
  }
}

/**
 * Unpack `file` into `dataDir` (which must not hold a database): the database without the
 * backup tables, and the carried files with their modes. Returns what the backup said it held.
 */
export function extractBackup(file: string, dataDir: string, keysFile?: string): BackupInfo {
  const dbPath = path.join(dataDir, DB_FILE);
  if (fs.existsSync(dbPath)) throw new Error(`${dbPath} exists; restore into an empty data directory (move the old one away first)`);
  const probe = new SQLite(file, { readonly: true, fileMustExist: true });
  let info: BackupInfo;
  try {
    const row = probe.prepare(`SELECT value FROM ${INFO_TABLE} WHERE key = 'info'`).get() as { value: string } | undefined;
    if (!row) throw new Error('no backup information');
    info = JSON.parse(row.value) as BackupInfo;
  } catch (err) {
    throw new Error(`${file} is not a Parley backup (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  } finally {
    probe.close();
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${dbPath}.restoring`;
  fs.copyFileSync(file, tmp);
  fs.chmodSync(tmp, 0o600);
  const db = new SQLite(tmp);
  try {
    const rows = db.prepare(`SELECT name, mode, content FROM ${FILES_TABLE}`).all() as { name: string; mode: number; content: Buffer }[];
    if (keysFile) {
      const bundle = JSON.parse(fs.readFileSync(keysFile, 'utf8')) as { parleyBackupKeys?: number; files?: { name: string; mode: number; content: string }[] };
      if (bundle.parleyBackupKeys !== 1 || !Array.isArray(bundle.files)) throw new Error(`${keysFile} is not a Parley key file`);
      rows.push(
        ...bundle.files
          .filter((k) => k.name.startsWith(`keys${path.sep}`))
          .map((k) => ({ name: k.name, mode: k.mode, content: Buffer.from(k.content, 'base64') })),
      );
    }
    for (const r of rows) {
      const dest = path.resolve(dataDir, r.name);
      if (!dest.startsWith(path.resolve(dataDir) + path.sep) || DB_FILES.has(r.name)) throw new Error(`refusing to write ${r.name} outside the data directory`);
      fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o700 });
      fs.writeFileSync(dest, r.content, { mode: r.mode, flag: 'wx' });
    }
    db.exec(`DROP TABLE ${FILES_TABLE}; DROP TABLE ${INFO_TABLE};`);
    db.exec('VACUUM');
  } finally {
    db.close();
  }
  fs.renameSync(tmp, dbPath);
  return info;
}
