/**
 * Restore checks: the restored log must verify entry by entry, be signed with the instance's
 * key, and contain the last checkpoint the instance published. A restore never silently rolls
 * the public log back: one that ends before the published checkpoint is refused (witnesses and
 * verifiers that saw the newer checkpoint would see a fork) unless the operator says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Storage } from '../storage/index.js';
import { createTransparencyLog, fileKeyStore, type VerifierState } from '../transparency/index.js';

/** The checkpoint the instance last published, as a verifier saved it (`parley verify --state`). */
export type PublishedCheckpoint = Pick<VerifierState, 'origin' | 'publicKey' | 'treeSize' | 'rootHash'>;

export type RestoreCheck =
  { ok: true; treeSize: number; rootHash: string; message: string } | { ok: false; rollback: boolean; treeSize: number; rootHash: string; message: string };

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/**
 * Open the restored log (which re-hashes every entry) with the restored keys — `<dataDir>/keys`
 * when the backup carried them, else the database's `meta` (older instances) — and compare it
 * with what was published.
 */
export async function checkRestoredLog(
  storage: Storage,
  dataDir: string,
  published: PublishedCheckpoint,
  opts: { allowRollback?: boolean } = {},
): Promise<RestoreCheck> {
  const keyDir = path.join(dataDir, 'keys');
  const log = await createTransparencyLog({
    db: storage.db,
    dialect: storage.dialect,
    sqlite: storage.sqlite,
    origin: published.origin,
    checkpointIntervalMs: 0,
    keys: fs.existsSync(keyDir) ? fileKeyStore(keyDir, storage.db) : undefined,
  });
  try {
    const size = log.size();
    const root = b64(log.rootHash(size));
    const at = `entry ${size} (root ${root})`;
    const integrity = log.integrity();
    if (!integrity.ok)
      return {
        ok: false,
        rollback: false,
        treeSize: size,
        rootHash: root,
        message: `the backup's log does not verify: ${integrity.reason}${integrity.index !== undefined ? ` at entry ${integrity.index}` : ''}`,
      };
    if (b64(log.publicKey) !== published.publicKey)
      return {
        ok: false,
        rollback: false,
        treeSize: size,
        rootHash: root,
        message: "the backup's log is signed with another key than the published one: it is not this instance's backup",
      };
    if (size < published.treeSize) {
      const message =
        `the backup ends at ${at}, before the published checkpoint at entry ${published.treeSize} (root ${published.rootHash}). ` +
        `Restoring it rolls the public log back: every witness and verifier that saw entry ${published.treeSize} will see a fork once this instance appends again.`;
      return opts.allowRollback
        ? { ok: true, treeSize: size, rootHash: root, message: `WARNING: ${message}` }
        : { ok: false, rollback: true, treeSize: size, rootHash: root, message };
    }
    const publishedRoot = b64(log.rootHash(published.treeSize));
    if (publishedRoot !== published.rootHash)
      return {
        ok: false,
        rollback: false,
        treeSize: size,
        rootHash: root,
        message: `the backup's log is inconsistent with the published checkpoint: its first ${published.treeSize} entries have root ${publishedRoot}, the instance published ${published.rootHash}`,
      };
    return {
      ok: true,
      treeSize: size,
      rootHash: root,
      message: `the restored log verifies and ends at ${at}, containing the published checkpoint at entry ${published.treeSize}`,
    };
  } finally {
    await log.close();
  }
}
