/**
 * Adversary A3 (whoever holds the database file): one byte of a log entry is changed in the
 * SQLite file while the server is down. After a restart the server must not build on the
 * changed row, must say so on /healthz (503 LOG_INTEGRITY_FAILED with the index), and
 * `npx parley verify` must name that entry — never entry 0.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../protocol/transparency.js';
import { buildEntry } from '../../server/transparency/factories.js';
import { openTestLog } from '../../server/transparency/test-helpers.js';
import { runParley, startParley, type Proc } from './transparency-harness.js';

const ORIGIN = 'parley.test/transparency';
const running: Proc[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
});

async function seed(dir: string, n: number): Promise<void> {
  const t = await openTestLog(path.join(dir, 'parley.db'), { origin: ORIGIN });
  await t.log.appendMany(Array.from({ length: n }, (_, i) => buildEntry(i)));
  await t.log.publishNow();
  await t.close();
}

/** Change one byte of entry `index`'s JSON inside the database file itself (not through SQL). */
function flipByteAtRest(file: string, index: number): void {
  const json = canonicalJson(buildEntry(index));
  const marker = `"at":${buildEntry(index).at}`;
  const bytes = fs.readFileSync(file);
  const at = bytes.indexOf(Buffer.from(json));
  expect(at, 'entry found in the file').toBeGreaterThan(0);
  expect(bytes.indexOf(Buffer.from(json), at + 1), 'entry stored once').toBe(-1);
  const digit = at + json.indexOf(marker) + marker.length - 1; // last digit of the timestamp
  bytes[digit] = bytes[digit] === 0x39 ? 0x38 : bytes[digit]! + 1;
  fs.writeFileSync(file, bytes);
  // The edit is what SQLite now reads (no WAL page hides it).
  const db = new Database(file, { readonly: true });
  const row = db.prepare('select entry from log_entries where idx = ?').get(index) as { entry: string };
  db.close();
  expect(row.entry).not.toBe(json);
  expect(row.entry.length).toBe(json.length);
}

describe('a log entry changed at rest, then a restart', () => {
  it('stops the tree at the changed entry, answers /healthz 503 with its index, and verify names it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-tamper-'));
    const state = path.join(dir, 'verify-state.json');
    await seed(dir, 40);

    const before = await startParley(dir, { LOG_ORIGIN: ORIGIN });
    running.push(before);
    expect((await fetch(`${before.url}/healthz`)).status).toBe(200);
    const ok = await runParley(['verify', before.url, '--state', state]);
    expect(ok.stdout).toMatch(/verified up to entry 39/);
    await before.stop();

    flipByteAtRest(path.join(dir, 'parley.db'), 17);

    const after = await startParley(dir, { LOG_ORIGIN: ORIGIN });
    running.push(after);
    const health = await fetch(`${after.url}/healthz`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { error: { code: string; message: string; details?: { index?: number } } };
    expect(body.error.code).toBe('LOG_INTEGRITY_FAILED');
    expect(body.error.message).toMatch(/entry 17 /);
    expect(body.error.details?.index).toBe(17);

    // Nothing from the changed row on is served; what comes before it still is.
    expect((await fetch(`${after.url}/transparency/v1/get-entries?start=16&end=16`)).status).toBe(200);
    const withheld = await fetch(`${after.url}/transparency/v1/get-entries?start=17&end=17`);
    expect(withheld.status).toBe(503);

    // A fresh verifier and the one that verified before both name entry 17, never entry 0.
    for (const args of [
      ['verify', after.url, '--state', path.join(dir, 'fresh.json')],
      ['verify', after.url, '--state', state],
    ]) {
      const r = await runParley(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/entry 17\b/);
      expect(r.stderr).not.toMatch(/entry 0\b/);
    }
  }, 120_000);
});
