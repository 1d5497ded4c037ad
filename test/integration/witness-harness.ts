/**
 * Witnesses for transparency tests: the code `parley witness` runs (createWitness + serveWitness,
 * key and state files in a directory), in this process, on a loopback port; and a seeded log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseVerifierKey } from '../../server/transparency/cosignature.js';
import { nodeVerifyEd25519 } from '../../server/transparency/ed25519-node.js';
import { canonicalJson } from '../../protocol/transparency.js';
import { toHex, utf8 } from '../../server/transparency/bytes.js';
import { buildEntry } from '../../server/transparency/factories.js';
import { nodeHasher } from '../../server/transparency/hash-node.js';
import { fileKeyStore } from '../../server/transparency/key-store.js';
import { openTestLog } from '../../server/transparency/test-helpers.js';
import { createWitness } from '../../server/transparency/witness.js';
import { serveWitness } from '../../server/transparency/witness-server.js';
import { loadOrCreateKey, openWitnessStore } from '../../server/transparency/witness-store.js';

export const ORIGIN = 'parley.test/transparency';

export interface LocalWitness {
  name: string;
  /** cosignature/v1 verifier key. */
  vkey: string;
  url: string;
  stop(): Promise<void>;
}

/** A witness named `name` following the log with verifier key `logKey`; state under `dir`. */
export async function startLocalWitness(dir: string, name: string, logKey: string): Promise<LocalWitness> {
  const data = path.join(dir, name.replace(/\W/g, '_'));
  fs.mkdirSync(data, { recursive: true });
  const key = parseVerifierKey(logKey);
  if (!key) throw new Error(`not a verifier key: ${logKey}`);
  const witness = createWitness({
    name,
    ...loadOrCreateKey(path.join(data, 'witness.key')),
    logs: [{ origin: key.name, keys: [key] }],
    store: openWitnessStore(path.join(data, 'witness-state.json')),
    verifyEd25519: nodeVerifyEd25519,
  });
  const server = await serveWitness(witness, { port: 0, host: '127.0.0.1' });
  const a = server.address();
  let stopped = false;
  return {
    name,
    vkey: witness.verifierKey,
    url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** `WITNESSES` for these witnesses. */
export function witnessesEnv(witnesses: readonly LocalWitness[]): string {
  return JSON.stringify(witnesses.map((w) => ({ name: w.name, key: w.vkey, url: w.url })));
}

/** A policy file's text: every witness, `k` of them. */
export function policyText(witnesses: readonly LocalWitness[], k: number | 'all'): string {
  const names = witnesses.map((_, i) => `w${i + 1}`);
  return [...witnesses.map((w, i) => `witness ${names[i]!} ${w.vkey}`), `group g ${k} ${names.join(' ')}`, 'quorum g', ''].join('\n');
}

/** Seed `<dir>/parley.db` with `n` entries and a checkpoint; returns the log's verifier key. */
export async function seedLog(dir: string, n: number): Promise<string> {
  const seeded = await openTestLog(path.join(dir, 'parley.db'), { origin: ORIGIN });
  await seeded.log.appendMany(Array.from({ length: n }, (_, i) => buildEntry(i)));
  await seeded.log.publishNow();
  const key = seeded.log.verifierKey;
  await seeded.close();
  return key;
}

/**
 * The operator's fork at rest (the database and key files): entry `index` rewritten with a
 * matching leaf hash and the checkpoints dropped, so the next start re-signs another tree of the
 * same size with the same key. The other view of one database.
 */
export async function forkAtRest(dir: string, index: number): Promise<void> {
  const forged = canonicalJson(buildEntry(1000 + index));
  const t = await openTestLog(path.join(dir, 'parley.db'), { origin: ORIGIN, keys: fileKeyStore(path.join(dir, 'keys')) });
  await t.storage.db
    .updateTable('log_entries')
    .set({ entry: forged, leaf_hash: toHex(nodeHasher.leaf(utf8(forged))) })
    .where('idx', '=', index)
    .execute();
  await t.storage.db.deleteFrom('checkpoints').execute();
  await t.close();
}
