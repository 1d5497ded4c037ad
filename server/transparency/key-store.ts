/**
 * The log's secrets as files apart from the database (`<dir>/<name>`, mode 0600, directory
 * 0700), so a copy of the database alone can neither re-sign the log nor reverse pseudonyms.
 * A secret still in the database's `meta` table (instances from before) is moved out on first
 * start: written and fsynced here, then deleted from the table.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../storage/index.js';
import type { KeyStore } from './keys.js';

function writeSecret(file: string, value: string): void {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, `${value}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

/** Files under `dir`; `db` is only read to move old secrets out of `meta`, then cleared of them. */
export function fileKeyStore(dir: string, db?: Db): KeyStore {
  return {
    async getOrCreate(name, make) {
      if (!/^[a-z_]+$/.test(name)) throw new Error(`bad key name ${name}`);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, name);
      const legacy = db ? await db.selectFrom('meta').select('value').where('key', '=', name).executeTakeFirst() : undefined;
      if (!fs.existsSync(file)) writeSecret(file, legacy?.value ?? make());
      if (legacy && db) await db.deleteFrom('meta').where('key', '=', name).execute(); // the file holds it now
      const mode = fs.statSync(file).mode & 0o777;
      if (mode & 0o077) throw new Error(`${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
      return fs.readFileSync(file, 'utf8').trim();
    },
  };
}

/**
 * The store an instance uses: LOG_KEY_DIR when set (`database` keeps the secrets in `meta`),
 * else `<DATA_DIR>/keys` for a single node; cluster nodes and in-memory test instances keep
 * them in the database, which their nodes share (undefined = the database).
 */
export function configuredKeyStore(opts: { keyDir?: string | undefined; dataDir: string; cluster: boolean; db: Db }): KeyStore | undefined {
  if (opts.keyDir === 'database') return undefined;
  if (opts.keyDir) return fileKeyStore(opts.keyDir, opts.db);
  if (opts.cluster || opts.dataDir === ':memory:') return undefined;
  return fileKeyStore(path.join(opts.dataDir, 'keys'), opts.db);
}
