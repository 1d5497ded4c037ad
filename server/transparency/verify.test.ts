/**
 * Tamper evidence end to end: a real Fastify app on a localhost port, the verifier CLI's
 * `runVerify`, and SQLite rows edited directly underneath.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../protocol/transparency.js';
import { toHex, utf8 } from './bytes.js';
import { runVerify } from './cli.js';
import { buildEntry } from './factories.js';
import { nodeHasher } from './hash-node.js';
import { buildTestApp, openTestLog, tempDir } from './test-helpers.js';

type Opened = Awaited<ReturnType<typeof openTestLog>>;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(file: string, entries = 0): Promise<{ t: Opened; url: string; app: FastifyInstance }> {
  const t = await openTestLog(file);
  if (entries > 0) {
    const base = t.log.size();
    await t.log.appendMany(Array.from({ length: entries }, (_, i) => buildEntry(base + i)));
    await t.log.publishNow();
  }
  const app = await buildTestApp(t.log);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const stop = async (): Promise<void> => {
    await app.close();
    await t.close();
  };
  cleanups.push(stop);
  return { t, url, app };
}

function setup(): { file: string; state: string } {
  const dir = tempDir();
  return { file: path.join(dir, 'db.sqlite'), state: path.join(dir, 'state.json') };
}

async function shutdown(s: { app: FastifyInstance; t: Opened }): Promise<void> {
  cleanups.splice(cleanups.length - 1, 1);
  await s.app.close();
  await s.t.close();
}

describe('parley verify against a live log', () => {
  it('verifies all entries, then a sample, and pins the key and checkpoint', async () => {
    const { file, state } = setup();
    const s = await serve(file, 10);
    expect(await runVerify([s.url, '--state', state])).toEqual({ code: 0, message: expect.stringContaining('verified up to entry 9') as unknown });
    const saved = JSON.parse(fs.readFileSync(state, 'utf8')) as { treeSize: number; publicKey: string };
    expect(saved.treeSize).toBe(10);
    expect(saved.publicKey).toBe(Buffer.from(s.t.log.publicKey).toString('base64'));
    await s.t.log.appendMany([buildEntry(100), buildEntry(101)]);
    await s.t.log.publishNow();
    expect((await runVerify([s.url, '--state', state, '--sample', '3'])).message).toMatch(/verified up to entry 11/);
  });

  it('names a changed entry, in full and in sample mode', async () => {
    const { file, state } = setup();
    const s = await serve(file, 40);
    await s.t.storage.db
      .updateTable('log_entries')
      .set({ entry: canonicalJson(buildEntry(999)) })
      .where('idx', '=', 17)
      .execute();
    const full = await runVerify([s.url, '--state', state]);
    expect(full.code).toBe(1);
    expect(full.message).toMatch(/entry 17 does not match the signed tree/);
    const sample = await runVerify([s.url, '--state', state, '--sample', '40']);
    expect(sample.message).toMatch(/entry 17 is not in the signed tree/);
    expect(fs.existsSync(state)).toBe(false);
    await s.t.storage.db
      .updateTable('log_entries')
      .set({ entry: JSON.stringify(buildEntry(17), null, 1) })
      .where('idx', '=', 17)
      .execute();
    expect((await runVerify([s.url, '--state', state])).message).toMatch(/entry 17 is not canonical JSON/);
  });

  it('names a deleted entry', async () => {
    const { file, state } = setup();
    const s = await serve(file, 12);
    await s.t.storage.db.deleteFrom('log_entries').where('idx', '=', 5).execute();
    expect((await runVerify([s.url, '--state', state])).message).toMatch(/entry 5 is missing/);
    expect((await runVerify([s.url, '--state', state, '--sample', '12'])).message).toMatch(/entry 5 is missing/);
  });

  it('names reordered entries', async () => {
    const { file, state } = setup();
    const s = await serve(file, 12);
    const db = s.t.storage.db;
    const rows = await db.selectFrom('log_entries').selectAll().where('idx', 'in', [3, 4]).orderBy('idx').execute();
    await db.updateTable('log_entries').set({ entry: rows[1]!.entry, leaf_hash: rows[1]!.leaf_hash }).where('idx', '=', 3).execute();
    await db.updateTable('log_entries').set({ entry: rows[0]!.entry, leaf_hash: rows[0]!.leaf_hash }).where('idx', '=', 4).execute();
    expect((await runVerify([s.url, '--state', state])).message).toMatch(/entry 3 does not match/);
    expect((await runVerify([s.url, '--state', state, '--sample', '12'])).message).toMatch(/entry 3 /);
  });

  it('names an inserted entry', async () => {
    const { file, state } = setup();
    const s = await serve(file, 12);
    const db = s.t.storage.db;
    await db
      .updateTable('log_entries')
      .set((eb) => ({ idx: eb('idx', '+', 1000) }))
      .where('idx', '>=', 6)
      .execute();
    await db
      .updateTable('log_entries')
      .set((eb) => ({ idx: eb('idx', '-', 999) }))
      .where('idx', '>=', 1000)
      .execute();
    const extra = canonicalJson(buildEntry(555));
    await db
      .insertInto('log_entries')
      .values({ idx: 6, entry: extra, leaf_hash: toHex(nodeHasher.leaf(utf8(extra))), created_at: 1 })
      .execute();
    expect((await runVerify([s.url, '--state', state])).message).toMatch(/entry 6 does not match/);
  });

  it('detects a log rolled back to an earlier size', async () => {
    const { file, state } = setup();
    const s = await serve(file, 10);
    expect((await runVerify([s.url, '--state', state])).code).toBe(0);
    await s.t.storage.db.deleteFrom('log_entries').where('idx', '>=', 6).execute();
    await s.t.storage.db.deleteFrom('checkpoints').execute();
    await shutdown(s);
    const again = await serve(file); // re-signs a checkpoint for the 6 entries that are left
    const r = await runVerify([again.url, '--state', state]);
    expect(r.code).toBe(1);
    expect(r.message).toMatch(/rolled back: entries up to 9 were verified before, now it signs only 6/);
  });

  it('detects two inconsistent checkpoints (a forked history signed with the same key)', async () => {
    const { file, state } = setup();
    const s = await serve(file, 10);
    expect((await runVerify([s.url, '--state', state])).code).toBe(0);
    const forged = canonicalJson(buildEntry(777));
    await s.t.storage.db
      .updateTable('log_entries')
      .set({ entry: forged, leaf_hash: toHex(nodeHasher.leaf(utf8(forged))) })
      .where('idx', '=', 2)
      .execute();
    await s.t.storage.db.deleteFrom('checkpoints').execute();
    await shutdown(s);
    const fork = await serve(file, 3);
    expect(fork.t.log.latestCheckpoint()?.treeSize).toBe(13);
    const r = await runVerify([fork.url, '--state', state]);
    expect(r.code).toBe(1);
    expect(r.message).toMatch(/checkpoint 13 is not consistent with checkpoint 10 verified earlier/);
  });

  it('says it cannot locate a change the log proves nothing about, rather than naming a wrong entry', async () => {
    const { file, state } = setup();
    const s = await serve(file, 10);
    const forged = canonicalJson(buildEntry(777));
    await s.t.storage.db
      .updateTable('log_entries')
      .set({ entry: forged, leaf_hash: toHex(nodeHasher.leaf(utf8(forged))) })
      .where('idx', '=', 4)
      .execute();
    await shutdown(s);
    const again = await serve(file); // rebuilt from the forged rows: its proofs are for another tree
    expect(again.t.log.integrity().ok).toBe(false);
    const r = await runVerify([again.url, '--state', state]);
    expect(r.code).toBe(1);
    expect(r.message).toMatch(/cannot be located/);
    expect(r.message).not.toMatch(/entry \d/);
  });

  it('refuses a log whose signing key changed since it was pinned', async () => {
    const { file, state } = setup();
    const s = await serve(file, 2);
    expect((await runVerify([s.url, '--state', state])).code).toBe(0);
    await s.t.storage.db.deleteFrom('meta').where('key', '=', 'transparency_signing_key').execute();
    await s.t.storage.db.deleteFrom('checkpoints').execute();
    await shutdown(s);
    const rekeyed = await serve(file);
    expect((await runVerify([rekeyed.url, '--state', state])).message).toMatch(/public key changed/);
  });

  it('rejects a checkpoint whose signature does not verify', async () => {
    const { file, state } = setup();
    const s = await serve(file, 2);
    const cp = s.t.log.latestCheckpoint()!;
    const lines = cp.note.split('\n');
    lines[1] = '3';
    await s.t.storage.db.deleteFrom('checkpoints').execute();
    await s.t.storage.db
      .insertInto('checkpoints')
      .values({ tree_size: 3, root_hash: toHex(cp.rootHash), timestamp: 1, note: lines.join('\n') })
      .execute();
    await shutdown(s);
    const bad = await serve(file);
    expect((await runVerify([bad.url, '--state', state])).message).toMatch(/signature does not verify/);
  });
});

describe('public API errors', () => {
  it('answers bad parameters with stable codes', async () => {
    const t = await openTestLog();
    cleanups.push(() => t.close());
    await t.log.appendMany([buildEntry(1), buildEntry(2)]);
    await t.log.publishNow();
    const app = await buildTestApp(t.log);
    cleanups.push(() => app.close());
    const get = async (url: string) => {
      const r = await app.inject({ method: 'GET', url });
      return { status: r.statusCode, body: r.json<{ error?: { code: string } }>() };
    };
    expect((await get('/transparency/v1/get-entries?start=1&end=0')).body.error?.code).toBe('BAD_REQUEST');
    expect((await get('/transparency/v1/get-entries?start=x&end=0')).body.error?.code).toBe('BAD_REQUEST');
    expect((await get('/transparency/v1/get-entries?start=5&end=9')).body.error?.code).toBe('BAD_REQUEST');
    expect((await get('/transparency/v1/get-sth-consistency?first=1&second=3')).body.error?.code).toBe('BAD_REQUEST');
    expect((await get('/transparency/v1/get-proof-by-hash?hash=nope&tree_size=2')).body.error?.code).toBe('BAD_REQUEST');
    const missing = await get(`/transparency/v1/get-proof-by-hash?hash=${encodeURIComponent(Buffer.alloc(32).toString('base64'))}&tree_size=2`);
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    const sth = await get('/transparency/v1/get-sth');
    expect(sth.status).toBe(200);
    expect(sth.body).toMatchObject({ tree_size: 2 });
    const wk = await app.inject({ method: 'GET', url: '/.well-known/parley-transparency.json' });
    expect(wk.json()).toMatchObject({ origin: 'parley.test/transparency', key_name: 'parley.test/transparency' });
    const csv = await app.inject({ method: 'GET', url: '/transparency/v1/report.csv' });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\r\n')[0]).toMatch(/^period,jurisdiction,demands_received/);
  });
});
