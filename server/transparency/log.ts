/**
 * The transparency log, composed: the tree (`log-tree.ts`: tree, leaf index, report and the one
 * `adopt(rows)` loop used at start-up and in cluster catch-up), group commit
 * (`group-commit.ts`) and the store (`log-store.ts`), plus keys, signed checkpoints, witnesses
 * and proofs. Entries are validated and canonical before they queue.
 */
import { AppError } from '../../protocol/errors.js';
import { canonicalJson, LogEntry } from '../../protocol/transparency.js';
import type { Db, Tx } from '../storage/index.js';
import { fromBase64, fromUtf8, toBase64, toHex, utf8 } from './bytes.js';
import { createCheckpointer, type SignedCheckpoint } from './checkpoint.js';
import { nodeVerifyEd25519 } from './ed25519-node.js';
import { createCosigner } from './witness-client.js';
import { dbCosignatureStore } from './cosignature-store.js';
import { suggestedPolicy } from './witness-status.js';
import { entryBundle, TILE_WIDTH, tileBytes, tileExists } from './tiles.js';
import { leafHashOfText, nodeHasher } from './hash-node.js';
import { dbKeyStore, loadPseudonymSecret, loadSigner } from './keys.js';
import { createGroupCommit, type Pending } from './group-commit.js';
import { createLogStore } from './log-store.js';
import { LogTree } from './log-tree.js';
import { isValidKeyName, verifierKey } from './note.js';
import { createPseudonymizer } from './pseudonym.js';
import { fastAccepts, fastCanonical } from './fast-accept.js';

export type { AppendResult, Integrity, LogLogger, TransparencyLog, TransparencyLogOptions } from './log-types.js';
import type { AppendResult, TransparencyLog, TransparencyLogOptions } from './log-types.js';

function validate(entry: unknown): { entry: LogEntry; json: string } {
  if (fastAccepts(entry)) return { entry, json: fastCanonical(entry) }; // what zod would accept unchanged
  const parsed = LogEntry.safeParse(entry);
  if (!parsed.success) {
    const details = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new AppError('VALIDATION_FAILED', 'The log entry failed validation.', details);
  }
  return { entry: parsed.data, json: canonicalJson(parsed.data) };
}

const LOAD_PAGE = 5000;

/** Open the log over migrated storage: load keys, rebuild and check the tree, start checkpoints. */
export async function createTransparencyLog(opts: TransparencyLogOptions): Promise<TransparencyLog> {
  const { db, origin, logger } = opts;
  if (!isValidKeyName(origin)) throw new AppError('BAD_REQUEST', 'The log origin must be non-empty, without spaces or "+".');
  const now = opts.now ?? Date.now;
  const maxBatch = opts.maxBatch ?? 2000;
  const state = new LogTree();
  const tree = state.tree;
  const store = createLogStore({ db, dialect: opts.dialect, sqlite: opts.sqlite });
  const keys = opts.keys ?? dbKeyStore(db);
  const secret = await loadPseudonymSecret(keys);
  const signer = await loadSigner(keys);
  const fail = (reason: string): void => {
    const first = state.integrity().ok;
    state.fail(reason);
    if (first) logger?.error({ reason }, 'transparency log integrity failure: appends and checkpoints are refused');
  };

  /**
   * Adopt every stored row after the tree (start-up, and rows other nodes committed), re-hashing
   * each: an edited row stops the tree before it, so nothing is built or served on top of it.
   * Throws LOG_INCONSISTENT when a row does not continue the tree. Returns the entries adopted.
   */
  async function adoptStored(q: Db | Tx): Promise<string[]> {
    const adopted: string[] = [];
    for (;;) {
      const rows = await store.rowsFrom(q, tree.size, LOAD_PAGE);
      const before = state.integrity().ok;
      const step = state.adopt(rows);
      adopted.push(...step.adopted);
      const integrity = state.integrity();
      if (!integrity.ok) {
        if (before) logger?.error({ reason: integrity.reason, index: integrity.index }, 'transparency log integrity failure: the tree stops here');
        throw new AppError('LOG_INCONSISTENT', integrity.reason);
      }
      if (rows.length < LOAD_PAGE) return adopted;
    }
  }

  try {
    await adoptStored(db);
  } catch (err) {
    if (state.integrity().ok) throw err; // the database failed, not the rows
  }

  const cosigner = createCosigner({
    witnesses: opts.witnesses ?? [],
    consistencyProof: (a, b) => tree.consistencyProof(a, b),
    verifyEd25519: nodeVerifyEd25519,
    logger,
    onAlarm: opts.onWitnessAlarm,
    store: dbCosignatureStore(db),
    now,
  });
  const submit = (cp: SignedCheckpoint): void => void cosigner.submit(cp);

  const checkpoints = await createCheckpointer({
    db,
    tree,
    hasher: nodeHasher,
    signer,
    origin,
    now,
    intervalMs: opts.checkpointIntervalMs ?? 2000,
    onPublished: submit,
    onError: (err) => {
      if (err instanceof AppError && err.code === 'LOG_INCONSISTENT') fail(err.message);
      else logger?.error({ err }, 'checkpoint publication failed');
    },
  });
  try {
    checkpoints.check();
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const stored = checkpoints.latest();
  try {
    await cosigner.restore(stored);
  } catch (err) {
    logger?.error({ err }, 'could not load stored cosignatures; witnesses are asked again');
  }
  if (state.integrity().ok && !stored)
    await checkpoints.publishNow(); // submitted to the witnesses when signed
  // Ask again for the stored checkpoint's cosignatures (witnesses re-cosign the size they hold).
  else if (state.integrity().ok && stored) submit(stored);
  if (state.integrity().ok && (opts.checkpointIntervalMs ?? 2000) > 0) checkpoints.start();

  const pseudonym = createPseudonymizer(secret);

  // [cluster] One tree mutation at a time: appends and sync() both extend the tree.
  let treeMutex: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = treeMutex.then(fn);
    treeMutex = run.catch(() => undefined);
    return run;
  }

  async function commit(batch: Pending[]): Promise<void> {
    const entries = batch.flatMap((p) => p.entries);
    const json = batch.flatMap((p) => p.json);
    const leaves = json.map((j) => leafHashOfText(j));
    const at = now();
    await exclusive(() =>
      store.appending(async (trx) => {
        await adoptStored(trx);
        await store.insert(trx, tree.size, json, leaves, at);
        await opts.faults?.beforeCommit?.(entries);
      }),
    );
    // Committed: only now does the entry exist for proofs, checkpoints and callers.
    let i = 0;
    for (const p of batch) {
      const out: AppendResult[] = [];
      for (const e of p.entries) {
        const leaf = leaves[i++]!;
        out.push({ index: state.appendCommitted(leaf, e), leafHash: toBase64(leaf) });
      }
      p.resolve(out);
    }
  }

  // After a failed commit, make sure the database did not keep rows the tree does not have
  // (e.g. a commit whose acknowledgement was lost); if it did, stop appending until restart.
  // [cluster] Rows other nodes added are adopted first (under the append lock); only a row of the
  // failed batch itself, or a count that still differs, means the store kept what the tree lacks.
  async function recheckStore(failed: readonly string[] = []): Promise<void> {
    try {
      await exclusive(() =>
        store.appending(async (trx) => {
          const adopted = await adoptStored(trx);
          const mine = new Set(failed);
          if (adopted.some((e) => mine.has(e))) fail('an append reported as failed was stored; restart to reload');
          const n = await store.count(trx);
          if (n !== tree.size) fail(`the store has ${n} entries but the tree ${tree.size}; restart to reload`);
        }),
      );
    } catch {
      // The database is unreachable; the next append will fail and retry this check.
    }
  }

  const group = createGroupCommit({
    maxBatch,
    batchWindowMs: opts.batchWindowMs ?? 0,
    commit,
    refusal: () => {
      const integrity = state.integrity();
      return integrity.ok ? null : integrity.reason;
    },
    async failed(cause, batch) {
      logger?.error({ err: cause, entries: batch.reduce((n, p) => n + p.entries.length, 0) }, 'transparency log append failed; the actions were not taken');
      await recheckStore(batch.flatMap((p) => p.json));
    },
  });

  function enqueue(list: readonly unknown[]): Promise<AppendResult[]> {
    let valid: { entry: LogEntry; json: string }[];
    try {
      valid = list.map(validate);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new AppError('VALIDATION_FAILED'));
    }
    return group.enqueue(
      valid.map((v) => v.entry),
      valid.map((v) => v.json),
    );
  }

  function badRequest(err: unknown): AppError {
    return new AppError('BAD_REQUEST', err instanceof Error ? err.message : undefined);
  }

  return {
    origin,
    keyName: origin,
    publicKey: signer.publicKey,
    verifierKey: verifierKey(origin, signer.publicKey),
    append: async (entry) => (await enqueue([entry]))[0]!,
    appendMany: (entries) => enqueue(entries),
    size: () => tree.size,
    async getEntries(start, end) {
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
        throw new AppError('BAD_REQUEST', 'start and end must be integers with 0 ≤ start ≤ end.');
      }
      const last = Math.min(end, start + 999, tree.size - 1);
      if (last < start) return [];
      return store.entries(start, last);
    },
    // async so errors reject, like a db-backed lookup
    async inclusionProof(leaf, treeSize) {
      let index: number;
      if (typeof leaf === 'number') {
        index = leaf;
      } else {
        const hash = fromBase64(leaf);
        if (!hash || hash.length !== 32) throw new AppError('BAD_REQUEST', 'hash must be a base64 SHA-256.');
        const found = state.find(hash);
        if (found === undefined || found >= treeSize) {
          throw new AppError('NOT_FOUND', 'No entry with that leaf hash in the tree of that size.');
        }
        index = found;
      }
      try {
        return { leafIndex: index, auditPath: tree.inclusionProof(index, treeSize) };
      } catch (err) {
        throw badRequest(err);
      }
    },
    consistencyProof(first, second) {
      try {
        return tree.consistencyProof(first, second);
      } catch (err) {
        throw badRequest(err);
      }
    },
    rootHash(treeSize) {
      try {
        return tree.root(treeSize ?? tree.size);
      } catch (err) {
        throw badRequest(err);
      }
    },
    latestCheckpoint: () => checkpoints.latest(),
    servedCheckpoint() {
      const done = cosigner.cosigned();
      if (!done || (opts.witnesses ?? []).length === 0) return checkpoints.latest();
      return { ...done.checkpoint, note: done.note };
    },
    witnesses: () => cosigner.status(),
    witnessAlarms: () => cosigner.alarms(),
    suggestedWitnessPolicy: () => suggestedPolicy(opts.witnesses ?? []),
    appendFailures: () => group.failures(),
    async tile(address) {
      if (address.level !== 'entries') return tileBytes(tree, { ...address, level: address.level });
      if (!tileExists(tree, address)) return null;
      const first = address.index * TILE_WIDTH;
      const rows = await store.entries(first, first + address.width - 1);
      // Only rows that still match the tree go out (a row edited since start-up would not).
      const bytes = rows.map((r) => utf8(r.entry));
      if (bytes.length !== address.width || bytes.some((b, i) => toHex(nodeHasher.leaf(b)) !== toHex(tree.leafHash(first + i)))) {
        throw new AppError('LOG_INTEGRITY_FAILED', `a stored entry in ${first}..${first + address.width - 1} no longer matches the tree`);
      }
      return entryBundle(bytes);
    },
    publishNow: async () => {
      const integrity = state.integrity();
      if (!integrity.ok) throw new AppError('LOG_INCONSISTENT', integrity.reason);
      return checkpoints.publishNow();
    },
    pseudonym,
    report: () => state.report(),
    integrity: () => state.integrity(),
    sync: () => exclusive(async () => (await adoptStored(db), tree.size)),
    async close() {
      checkpoints.stop();
      cosigner.close();
      await group.idle();
    },
  };
}

/** Decode one stored entry (tests and tools). */
export function decodeLeafInput(b64: string): string | null {
  const bytes = fromBase64(b64);
  if (!bytes) return null;
  try {
    return fromUtf8(bytes);
  } catch {
    return null;
  }
}
