/**
 * Where the log keeps the witness cosignatures it received (`log_cosignatures`, migration 009):
 * one line per checkpoint (size, root) and witness key. They survive a restart, so the served
 * checkpoint keeps its cosignatures and each witness is sent the right old size.
 */
import type { Db } from '../storage/index.js';

/** One stored cosignature line (without its newline) for the checkpoint `treeSize`/`rootHash` (hex). */
export interface StoredCosignature {
  treeSize: number;
  rootHash: string;
  /** The witness's cosignature/v1 verifier key, as configured in WITNESSES. */
  witnessKey: string;
  line: string;
}

export interface CosignatureStore {
  /** Every stored cosignature for the checkpoint `treeSize` with `rootHash` (hex). */
  forCheckpoint(treeSize: number, rootHash: string): Promise<StoredCosignature[]>;
  /** Highest size each witness key cosigned (any root: it is what that witness holds). */
  lastCosigned(): Promise<Map<string, number>>;
  /** Keep `c` (a newer line from the same witness for the same checkpoint replaces the old). */
  save(c: StoredCosignature, at: number): Promise<void>;
}

// A type alias (not an interface): withTables needs an index-signature-compatible record.
type CosignatureTable = {
  log_cosignatures: { tree_size: number; root_hash: string; witness_key: string; line: string; created_at: number };
};

/** The store over the log's database (SQLite or PostgreSQL). */
export function dbCosignatureStore(db: Db): CosignatureStore {
  const q = db.withTables<CosignatureTable>();
  return {
    async forCheckpoint(treeSize, rootHash) {
      const rows = await q
        .selectFrom('log_cosignatures')
        .select(['tree_size', 'root_hash', 'witness_key', 'line'])
        .where('tree_size', '=', treeSize)
        .where('root_hash', '=', rootHash)
        .execute();
      return rows.map((r) => ({ treeSize: Number(r.tree_size), rootHash: r.root_hash, witnessKey: r.witness_key, line: r.line }));
    },
    async lastCosigned() {
      const rows = await q
        .selectFrom('log_cosignatures')
        .select((eb) => ['witness_key', eb.fn.max('tree_size').as('size')])
        .groupBy('witness_key')
        .execute();
      return new Map(rows.map((r) => [r.witness_key, Number(r.size)]));
    },
    async save(c, at) {
      await q
        .insertInto('log_cosignatures')
        .values({ tree_size: c.treeSize, root_hash: c.rootHash, witness_key: c.witnessKey, line: c.line, created_at: at })
        .onConflict((oc) => oc.columns(['tree_size', 'root_hash', 'witness_key']).doUpdateSet({ line: c.line, created_at: at }))
        .execute();
    },
  };
}
