/**
 * Adversary A3 with a copy of the database only: the log signing key and the pseudonym key
 * live in files apart from it (0600), and an instance whose keys were in the database moves
 * them out on its first start. The copied database file holds neither; the log keeps its key.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEntry } from '../../server/transparency/factories.js';
import { META_PSEUDONYM_SECRET, META_SIGNING_KEY } from '../../server/transparency/keys.js';
import { openTestLog } from '../../server/transparency/test-helpers.js';
import { runParley, startParley, type Proc } from './transparency-harness.js';

const ORIGIN = 'parley.test/transparency';
const running: Proc[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
});

describe('log keys apart from the data', () => {
  it('moves the keys out of the database into 0600 files on start, and the log keeps signing with the same key', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-keys-'));
    const dbFile = path.join(dir, 'parley.db');
    const seeded = await openTestLog(dbFile, { origin: ORIGIN }); // an instance from before: keys in meta
    await seeded.log.appendMany(Array.from({ length: 5 }, (_, i) => buildEntry(i)));
    await seeded.log.publishNow();
    const vkey = seeded.log.verifierKey;
    const secrets = (
      await seeded.storage.db.selectFrom('meta').select(['key', 'value']).where('key', 'in', [META_SIGNING_KEY, META_PSEUDONYM_SECRET]).execute()
    ).map((r) => r.value);
    expect(secrets).toHaveLength(2);
    await seeded.close();
    const state = path.join(dir, 'state.json');

    const server = await startParley(dir, { LOG_ORIGIN: ORIGIN });
    running.push(server);
    const wk = (await (await fetch(`${server.url}/.well-known/parley-transparency.json`)).json()) as { verifier_key: string };
    expect(wk.verifier_key).toBe(vkey);
    expect((await runParley(['verify', server.url, '--state', state])).code).toBe(0);
    await server.stop();

    for (const name of [META_SIGNING_KEY, META_PSEUDONYM_SECRET]) {
      const file = path.join(dir, 'keys', name);
      expect(fs.statSync(file).mode & 0o777, name).toBe(0o600);
      expect(secrets).toContain(fs.readFileSync(file, 'utf8').trim());
    }
    expect(fs.statSync(path.join(dir, 'keys')).mode & 0o777).toBe(0o700);
    const db = new Database(dbFile, { readonly: true });
    expect(db.prepare('select key from meta where key in (?, ?)').all(META_SIGNING_KEY, META_PSEUDONYM_SECRET)).toEqual([]);
    db.close();
    // Not in the file's bytes either (deleted rows leave no copy: secure_delete), nor in a WAL.
    for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('parley.db'))) {
      const bytes = fs.readFileSync(path.join(dir, f));
      for (const s of secrets) expect(bytes.includes(Buffer.from(s)), `${f} holds a secret`).toBe(false);
    }

    // Restarted from the files, the log still signs with its key: the pinned verifier agrees.
    const again = await startParley(dir, { LOG_ORIGIN: ORIGIN });
    running.push(again);
    expect((await runParley(['verify', again.url, '--state', state])).code).toBe(0);
  }, 120_000);
});
