/**
 * Adversaries A2/A4: the operator, holding the database and the key files, rewrites history and
 * re-signs it with the log key. Three `parley witness` processes follow the log over HTTP; the Parley
 * server submits each checkpoint to them (WITNESSES). The witnesses refuse the fork (409 for
 * the same size with another root, 422 for an extension without a valid proof), the server
 * raises alarms, and a verifier with a 2-of-3 witness policy refuses the forked view that a
 * verifier without one accepts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../protocol/transparency.js';
import { toHex, utf8 } from '../../server/transparency/bytes.js';
import { buildEntry } from '../../server/transparency/factories.js';
import { nodeHasher } from '../../server/transparency/hash-node.js';
import { fileKeyStore } from '../../server/transparency/key-store.js';
import { openTestLog } from '../../server/transparency/test-helpers.js';
import { formatAddCheckpoint } from '../../server/transparency/witness.js';
import { freePort, runParley, startParley, startProcess, type Proc } from './transparency-harness.js';

const ORIGIN = 'parley.test/transparency';
const running: Proc[] = [];
afterEach(async () => {
  for (const p of running.splice(0).reverse()) await p.stop();
});

interface WitnessProc extends Proc {
  name: string;
  vkey: string;
}

/** `parley witness` (the entry bin/parley.mjs runs) following the log with verifier key `logKey`. */
async function startWitness(dir: string, name: string, logKey: string): Promise<WitnessProc> {
  const port = await freePort();
  const args = [
    'server/transparency/cli.ts',
    'witness',
    '--name',
    name,
    '--data',
    path.join(dir, name.replace(/\W/g, '_')),
    '--log',
    logKey,
    '--port',
    String(port),
  ];
  const proc = await startProcess(args, {}, 'listening at', port);
  running.push(proc);
  const vkey = /Parley witness (\S+)/.exec(proc.output())![1]!;
  return { ...proc, name, vkey };
}

async function until<T>(what: string, probe: () => Promise<T | null>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const cosignatureLines = (note: string): string[] => note.split('\n').filter((l) => /^\u2014 w\d\.test\/witness /.test(l));

describe('witnesses against a forked log', () => {
  it('cosign the honest log, refuse the re-signed fork (409, 422), and a 2-of-3 policy verifier notices', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-witness-'));
    const db = path.join(dir, 'parley.db');
    const seeded = await openTestLog(db, { origin: ORIGIN });
    await seeded.log.appendMany(Array.from({ length: 10 }, (_, i) => buildEntry(i)));
    await seeded.log.publishNow();
    const logKey = seeded.log.verifierKey;
    await seeded.close();

    const witnesses = await Promise.all(['w1', 'w2', 'w3'].map((w) => startWitness(dir, `${w}.test/witness`, logKey)));
    const env = {
      LOG_ORIGIN: ORIGIN,
      WITNESSES: JSON.stringify(witnesses.map((w) => ({ name: w.name, key: w.vkey, url: w.url }))),
    };
    const policy = path.join(dir, 'policy.txt');
    fs.writeFileSync(policy, [...witnesses.map((w, i) => `witness ${'abc'[i]} ${w.vkey}`), 'group two-of-three 2 a b c', 'quorum two-of-three', ''].join('\n'));

    // The honest log: every witness cosigns; the policy verifier accepts and pins the checkpoint.
    const honest = await startParley(dir, env);
    running.push(honest);
    const note = await until('three cosignatures', async () => {
      const text = await (await fetch(`${honest.url}/transparency/checkpoint`)).text();
      return cosignatureLines(text).length === 3 ? text : null;
    });
    expect(note.split('\n').slice(0, 2)).toEqual([ORIGIN, '10']);
    const state = path.join(dir, 'verify-state.json');
    const ok = await runParley(['verify', honest.url, '--state', state, '--witness-policy', policy]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/verified up to entry 9 .*witnessed by 3 of 3/);
    // A removed person's receipt for entry 3 checks offline: on the record, witnessed by 3 of 3.
    const receipt = path.join(dir, 'receipt.json');
    fs.writeFileSync(receipt, await (await fetch(`${honest.url}/transparency/v1/receipt?index=3`)).text());
    const checked = await runParley(['verify-receipt', receipt, '--log-key', logKey, '--witness-policy', policy]);
    expect(checked.stdout).toMatch(/receipt verified: on the public record of parley\.test\/transparency at entry 3 .*witnessed by 3 of 3/);
    const unknown = await fetch(`${honest.url}/transparency/no-such-tile`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/application\/json/);
    await honest.stop();
    running.splice(running.indexOf(honest), 1);

    // The operator (database and key files) rewrites entry 4 with a matching leaf hash and drops
    // the checkpoints; the restarted server re-signs the forked tree with the log key.
    const forgedEntry = canonicalJson(buildEntry(444));
    const t = await openTestLog(db, { origin: ORIGIN }); // checkpoints of the honest tree make it fail here…
    await t.storage.db
      .updateTable('log_entries')
      .set({ entry: forgedEntry, leaf_hash: toHex(nodeHasher.leaf(utf8(forgedEntry))) })
      .where('idx', '=', 4)
      .execute();
    await t.storage.db.deleteFrom('checkpoints').execute(); // …so they go too
    await t.close();

    const fork = await startParley(dir, env);
    running.push(fork);
    const statuses = await until('an alarm from every witness', async () => {
      const body = (await (await fetch(`${fork.url}/transparency/v1/witnesses`)).json()) as {
        witnesses: { name: string; alarms: number; lastAlarm: string | null; cosignedSize: number }[];
      };
      return body.witnesses.every((w) => w.alarms > 0) ? body.witnesses : null;
    });
    for (const w of statuses) {
      expect(w.cosignedSize).toBe(10); // what it cosigned for the honest log, kept across the restart
      expect(w.lastAlarm).toMatch(/add-checkpoint 10 from 10 answered 409/);
    }
    const forkedNote = await (await fetch(`${fork.url}/transparency/checkpoint`)).text();
    expect(forkedNote.split('\n')[1]).toBe('10');
    expect(forkedNote).not.toBe(note.split('\n\n')[0]);
    expect(cosignatureLines(forkedNote)).toEqual([]);

    // A verifier that has seen the honest checkpoint, and a fresh one with the policy, refuse;
    // a fresh one without a policy is fooled (what witnesses exist to prevent).
    const remembered = await runParley(['verify', fork.url, '--state', state, '--witness-policy', policy]);
    expect(remembered.code).toBe(1);
    expect(remembered.stderr).toMatch(/short of its quorum/);
    const fresh = await runParley(['verify', fork.url, '--state', path.join(dir, 'fresh.json'), '--witness-policy', policy]);
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toMatch(/cosigned by 0 of 3 witnesses/);
    const fooled = await runParley(['verify', fork.url, '--state', path.join(dir, 'no-policy.json')]);
    expect(fooled.code).toBe(0);
    await fork.stop();
    running.splice(running.indexOf(fork), 1);

    // The fork grows: a checkpoint at 12 with a proof from the forked tree is not consistent
    // with what the witness cosigned at 10 (422), and nothing is cosigned.
    const grown = await openTestLog(db, { origin: ORIGIN, keys: fileKeyStore(path.join(dir, 'keys')) });
    expect(grown.log.integrity()).toEqual({ ok: true });
    await grown.log.appendMany([buildEntry(500), buildEntry(501)]);
    const cp12 = await grown.log.publishNow();
    const r = await fetch(`${witnesses[0]!.url}/add-checkpoint`, {
      method: 'POST',
      body: formatAddCheckpoint(10, grown.log.consistencyProof(10, 12), cp12.note),
    });
    expect(r.status).toBe(422);
    const stale = await fetch(`${witnesses[0]!.url}/add-checkpoint`, { method: 'POST', body: formatAddCheckpoint(0, [], cp12.note) });
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toBe('text/x.tlog.size');
    expect(await stale.text()).toBe('10\n');
    await grown.close();
  }, 180_000);
});
