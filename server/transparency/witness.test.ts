/**
 * The witness over real HTTP (node:http on a loopback port), fed checkpoints signed by a real
 * log: every status code C2SP tlog-witness gives, the cosignature format, state that survives
 * a restart, and check-then-store that two racing requests cannot interleave.
 */
import { createPrivateKey, sign } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toBase64, utf8 } from './bytes.js';
import { nodeVerifyEd25519 } from './cli.js';
import { parseVerifierKey, verifyCosignature } from './cosignature.js';
import { buildEntry } from './factories.js';
import { META_SIGNING_KEY } from './keys.js';
import { formatCheckpointBody, formatSignedNote, keyHash, parseSignedNote } from './note.js';
import { openTestLog, tempDir, TEST_ORIGIN } from './test-helpers.js';
import { createWitness, formatAddCheckpoint } from './witness.js';
import { serveWitness } from './witness-server.js';
import { loadOrCreateKey, openWitnessStore } from './witness-store.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Opened = Awaited<ReturnType<typeof openTestLog>>;

async function startWitness(dir: string, logVkey: string): Promise<{ url: string; vkey: string; stop(): Promise<void> }> {
  const key = loadOrCreateKey(path.join(dir, 'witness.key'));
  const witness = createWitness({
    name: 'witness.test/w1',
    ...key,
    logs: [{ origin: TEST_ORIGIN, keys: [parseVerifierKey(logVkey)!] }],
    store: openWitnessStore(path.join(dir, 'state.json')),
    verifyEd25519: nodeVerifyEd25519,
  });
  const server: http.Server = await serveWitness(witness, { port: 0, host: '127.0.0.1' });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const stop = (): Promise<void> => new Promise((r) => server.close(() => r()));
  cleanups.push(stop);
  return { url: `http://127.0.0.1:${port}/add-checkpoint`, vkey: witness.verifierKey, stop };
}

async function post(url: string, body: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url, { method: 'POST', body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Sign an arbitrary checkpoint with the log's own key, as whoever holds the database can. */
async function forgeCheckpoint(t: Opened, size: number, root: Uint8Array): Promise<string> {
  const row = await t.storage.db.selectFrom('meta').select('value').where('key', '=', META_SIGNING_KEY).executeTakeFirstOrThrow();
  const key = createPrivateKey({ key: Buffer.from(row.value, 'base64'), format: 'der', type: 'pkcs8' });
  const body = formatCheckpointBody({ origin: TEST_ORIGIN, treeSize: size, rootHash: root });
  const signature = new Uint8Array(sign(null, utf8(body), key));
  return formatSignedNote(body, [{ keyName: TEST_ORIGIN, keyHash: keyHash(TEST_ORIGIN, t.log.publicKey), signature }]);
}

async function setup(entries: number): Promise<{ t: Opened; dir: string; w: Awaited<ReturnType<typeof startWitness>> }> {
  const dir = tempDir();
  const t = await openTestLog(path.join(dir, 'log.db'));
  cleanups.push(() => t.close());
  await t.log.appendMany(Array.from({ length: entries }, (_, i) => buildEntry(i)));
  await t.log.publishNow();
  return { t, dir, w: await startWitness(dir, t.log.verifierKey) };
}

describe('parley witness (C2SP tlog-witness add-checkpoint)', () => {
  it('cosigns a first checkpoint with a cosignature/v1 line that verifies under its key', async () => {
    const { t, w } = await setup(5);
    const note = t.log.latestCheckpoint()!.note;
    const r = await post(w.url, formatAddCheckpoint(0, [], note));
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^\u2014 witness\.test\/w1 [A-Za-z0-9+/]+=*\n$/);
    const cosigned = parseSignedNote(note + r.text)!;
    const key = parseVerifierKey(w.vkey)!;
    expect(key.alg).toBe(0x04);
    expect(await verifyCosignature(cosigned.body, cosigned.signatures, key, nodeVerifyEd25519)).toBe(true);
    // A cosignature over another body does not verify.
    const other = cosigned.body.replace('\n5\n', '\n6\n');
    expect(await verifyCosignature(other, cosigned.signatures, key, nodeVerifyEd25519)).toBe(false);
  });

  it('answers 404 for an unknown origin and 403 when no trusted signature verifies', async () => {
    const { t, w } = await setup(3);
    const note = t.log.latestCheckpoint()!.note;
    expect((await post(w.url, formatAddCheckpoint(0, [], note.replaceAll(TEST_ORIGIN, 'other.test/log')))).status).toBe(404);
    const lines = note.split('\n');
    const sig = Buffer.from(lines.at(-2)!.split(' ')[2]!, 'base64');
    sig[10] = sig[10]! ^ 1;
    lines[lines.length - 2] = `\u2014 ${TEST_ORIGIN} ${sig.toString('base64')}`;
    expect((await post(w.url, formatAddCheckpoint(0, [], lines.join('\n')))).status).toBe(403);
  });

  it('answers 400 for a malformed request and for an old size beyond the checkpoint', async () => {
    const { t, w } = await setup(3);
    const note = t.log.latestCheckpoint()!.note;
    expect((await post(w.url, `old 01\n\n${note}`)).status).toBe(400);
    expect((await post(w.url, `old 0\nnot-base64!\n\n${note}`)).status).toBe(400);
    expect((await post(w.url, formatAddCheckpoint(4, [], note))).status).toBe(400);
  });

  it('answers 409 with the size it last cosigned (text/x.tlog.size) when the old size differs, then takes a consistent extension', async () => {
    const { t, w } = await setup(4);
    expect((await post(w.url, formatAddCheckpoint(0, [], t.log.latestCheckpoint()!.note))).status).toBe(200);
    await t.log.appendMany([buildEntry(10), buildEntry(11), buildEntry(12)]);
    const next = await t.log.publishNow();
    const stale = await post(w.url, formatAddCheckpoint(0, [], next.note));
    expect(stale).toMatchObject({ status: 409, type: 'text/x.tlog.size', text: '4\n' });
    expect((await post(w.url, formatAddCheckpoint(4, t.log.consistencyProof(4, 7), next.note))).status).toBe(200);
  });

  it('answers 422 when the consistency proof does not verify, and cosigns nothing', async () => {
    const { t, w } = await setup(4);
    expect((await post(w.url, formatAddCheckpoint(0, [], t.log.latestCheckpoint()!.note))).status).toBe(200);
    await t.log.appendMany([buildEntry(10), buildEntry(11)]);
    const next = await t.log.publishNow();
    const proof = t.log.consistencyProof(4, 6);
    proof[0] = new Uint8Array(32);
    expect((await post(w.url, formatAddCheckpoint(4, proof, next.note))).status).toBe(422);
    expect((await post(w.url, formatAddCheckpoint(0, [], next.note))).text).toBe('4\n');
    // A proof for old size 0 must be empty.
    const fresh = await setup(2);
    expect((await post(fresh.w.url, formatAddCheckpoint(0, [new Uint8Array(32)], fresh.t.log.latestCheckpoint()!.note))).status).toBe(422);
  });

  it('answers 409 for the same size with a different root (a fork signed by the log key)', async () => {
    const { t, w } = await setup(4);
    expect((await post(w.url, formatAddCheckpoint(0, [], t.log.latestCheckpoint()!.note))).status).toBe(200);
    const forked = await forgeCheckpoint(t, 4, new Uint8Array(32).fill(7));
    const r = await post(w.url, formatAddCheckpoint(4, [], forked));
    expect(r.status).toBe(409);
    // The same checkpoint again is cosigned again (a log that lost its cosignatures can recover them).
    expect((await post(w.url, formatAddCheckpoint(4, [], t.log.latestCheckpoint()!.note))).status).toBe(200);
  });

  it('stores its state before answering: a restarted witness still refuses a rollback', async () => {
    const { t, dir, w } = await setup(6);
    expect((await post(w.url, formatAddCheckpoint(0, [], t.log.latestCheckpoint()!.note))).status).toBe(200);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as Record<string, { size: number; root: string }>;
    expect(saved[TEST_ORIGIN]).toEqual({ size: 6, root: toBase64(t.log.rootHash()) });
    await w.stop();
    const again = await startWitness(dir, t.log.verifierKey);
    expect(again.vkey).toBe(w.vkey); // same key file
    const rolledBack = await forgeCheckpoint(t, 3, t.log.rootHash(3));
    expect((await post(again.url, formatAddCheckpoint(0, [], rolledBack))).text).toBe('6\n');
  });

  it('checks and stores atomically: of two extensions from the same old size only one is cosigned', async () => {
    const { t, w } = await setup(4);
    expect((await post(w.url, formatAddCheckpoint(0, [], t.log.latestCheckpoint()!.note))).status).toBe(200);
    await t.log.appendMany([buildEntry(20)]);
    const a = await t.log.publishNow();
    await t.log.appendMany([buildEntry(21)]);
    const b = await t.log.publishNow();
    const results = await Promise.all([
      post(w.url, formatAddCheckpoint(4, t.log.consistencyProof(4, 6), b.note)),
      post(w.url, formatAddCheckpoint(4, t.log.consistencyProof(4, 5), a.note)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results[0].status === 200 ? 6 : 5;
    expect((await post(w.url, formatAddCheckpoint(0, [], b.note))).text).toBe(`${winner}\n`);
  });
});
