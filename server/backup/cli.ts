/**
 * `npx parley backup <file>` and `npx parley restore <file> --published <state.json>`.
 *
 * backup: a consistent online copy of the SQLite database and of every other file in DATA_DIR,
 * while Parley runs. With PostgreSQL (DATABASE_URL) it explains pg_dump instead.
 * restore: unpack into an empty data directory, re-verify every log entry, and compare the log
 * with the checkpoint the instance last published (a verifier's saved state, from
 * `npx parley verify <url> --state <file>`); refuse a backup that is inconsistent with it or
 * would roll it back (unless --allow-rollback, which says what witnesses will see).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config/index.js';
import { openStorage } from '../storage/index.js';
import { createBackup, DB_FILE, extractBackup } from './archive.js';
import { checkRestoredLog, type PublishedCheckpoint } from './restore.js';

const PG_GUIDANCE = `DATABASE_URL points at PostgreSQL: back it up with PostgreSQL's own tools, e.g.
  pg_dump --format=custom --file=parley-$(date +%F).dump "$DATABASE_URL"
(a consistent snapshot while Parley runs), and copy DATA_DIR's files (if any) beside it.
Restore with pg_restore into an empty database, then check the log before pointing Parley at it:
  see docs/operations.md, "Backups".`;

function version(): string {
  const pkg = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../package.json');
  return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
}

async function backup(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new Error('usage: parley backup <file>');
  const config = loadConfig();
  if (config.DATABASE_URL && /^postgres(ql)?:\/\//.test(config.DATABASE_URL)) {
    process.stderr.write(`${PG_GUIDANCE}\n`);
    return 2;
  }
  // Log keys kept outside DATA_DIR (LOG_KEY_DIR) travel in the backup as keys/… and are restored there.
  const keyDir = config.LOG_KEY_DIR && config.LOG_KEY_DIR !== 'database' ? path.resolve(config.LOG_KEY_DIR) : undefined;
  const outside = keyDir && !keyDir.startsWith(path.resolve(config.DATA_DIR) + path.sep) ? keyDir : undefined;
  const info = await createBackup(config.DATA_DIR, file, version(), outside);
  const size = fs.statSync(file).size;
  process.stdout.write(
    `Backup written to ${file} (${size} bytes, mode 0600): the database with ${info.logSize} log entries` +
      `${info.files.length ? ` and ${info.files.join(', ')}` : ''}.\n` +
      (info.keyFiles.length
        ? `The log's keys (${info.keyFiles.join(', ')}) are in ${file}.keys (mode 0600): keep it encrypted and apart from the backup, as the server keeps them apart from the database.\n`
        : `The log's keys are in the database (LOG_KEY_DIR=database): this file holds them; keep it encrypted.\n`),
  );
  return 0;
}

function readPublished(file: string): PublishedCheckpoint {
  const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<PublishedCheckpoint>;
  if (typeof s.origin !== 'string' || typeof s.publicKey !== 'string' || typeof s.treeSize !== 'number' || typeof s.rootHash !== 'string')
    throw new Error(`${file} is not a verifier state (make one with: npx parley verify <url> --state ${file})`);
  return { origin: s.origin, publicKey: s.publicKey, treeSize: s.treeSize, rootHash: s.rootHash };
}

async function restore(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { published: { type: 'string' }, data: { type: 'string' }, keys: { type: 'string' }, 'allow-rollback': { type: 'boolean' } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1 || !values.published)
    throw new Error('usage: parley restore <file> --published <verifier-state.json> [--keys <file>.keys] [--data DIR] [--allow-rollback]');
  const published = readPublished(values.published);
  const dataDir = path.resolve(values.data ?? loadConfig().DATA_DIR);
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) throw new Error(`${dataDir} is not empty; restore into an empty data directory`);
  const staging = `${dataDir}.restoring-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    // The key file made beside the backup, unless another one is named.
    const keys = values.keys ?? (fs.existsSync(`${file}.keys`) ? `${file}.keys` : undefined);
    if (!keys) process.stdout.write(`No key file (${file}.keys or --keys): only keys inside the database can be restored.\n`);
    const info = extractBackup(file, staging, keys);
    process.stdout.write(`Backup of ${info.createdAt} (Parley ${info.parleyVersion}), ${info.logSize} log entries; checking the log…\n`);
    // Migrations run here as they would at start, so the check sees the schema Parley will.
    const storage = await openStorage({ sqlitePath: path.join(staging, DB_FILE) });
    let result;
    try {
      result = await checkRestoredLog(storage, staging, published, { allowRollback: values['allow-rollback'] ?? false });
    } finally {
      await storage.close();
    }
    if (!result.ok) {
      process.stderr.write(`restore REFUSED: ${result.message}\n`);
      if (result.rollback) process.stderr.write('Use a newer backup. Only if none exists, repeat with --allow-rollback and tell your witnesses.\n');
      return 1;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.renameSync(staging, dataDir);
    process.stdout.write(`Restored into ${dataDir}: ${result.message}.\n`);
    if (fs.existsSync(path.join(dataDir, 'keys')))
      process.stdout.write(`The log's keys are in ${path.join(dataDir, 'keys')}: unset LOG_KEY_DIR, or move them to where it points.\n`);
    return 0;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export async function runBackupCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'backup') return await backup(rest);
    if (command === 'restore') return await restore(rest);
    throw new Error(`unknown command ${command ?? ''}`);
  } catch (err) {
    process.stderr.write(`parley ${command ?? ''}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  void runBackupCli(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
