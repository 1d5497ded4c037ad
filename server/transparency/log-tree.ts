/**
 * The log's in-memory state: the RFC 9162 tree, the leaf-hash index and the report, grown by
 * exactly one integrity loop (`adopt`) used both at start-up and when catching up with rows
 * other nodes committed. A row that is missing, does not hash to its stored leaf hash, or is
 * not JSON stops the tree before it: nothing after a bad row is ever built on.
 */
import type { LogEntry } from '../../protocol/transparency.js';
import { toHex } from './bytes.js';
import { leafHashOfText, nodeHasher } from './hash-node.js';
import { LeafIndex } from './leaf-index.js';
import type { Integrity } from './log-types.js';
import { MerkleTree } from './merkle.js';
import { ReportBuilder } from './report.js';

/** One stored row as the store returns it. */
export interface StoredRow {
  idx: number | string | bigint;
  entry: string;
  leaf_hash: string;
}

/** Tree, leaf index and report over one prefix of the log, plus why it stopped (if it did). */
export class LogTree {
  readonly tree = new MerkleTree(nodeHasher);
  readonly #leafIndex = new LeafIndex(this.tree);
  readonly #report = new ReportBuilder();
  #integrity: Integrity = { ok: true };

  get size(): number {
    return this.tree.size;
  }

  integrity(): Integrity {
    return this.#integrity;
  }

  /** Lowest index of a leaf hash in the tree, or undefined. */
  find(hash: Uint8Array): number | undefined {
    return this.#leafIndex.find(hash);
  }

  report(): ReturnType<ReportBuilder['build']> {
    return this.#report.build();
  }

  /**
   * Record a failure that is not about one row (a checkpoint mismatch, a lost acknowledgement).
   * The first reason is kept; returns the integrity now in force.
   */
  fail(reason: string, index?: number): Integrity {
    if (this.#integrity.ok) this.#integrity = index === undefined ? { ok: false, reason } : { ok: false, reason, index };
    return this.#integrity;
  }

  /**
   * Append stored rows that continue the tree (rows must start at `size`, in index order).
   * Re-hashes every entry; stops at the first row that breaks the chain and records it.
   * Returns the entries adopted and whether every row was.
   */
  adopt(rows: readonly StoredRow[]): { adopted: string[]; complete: boolean } {
    const adopted: string[] = [];
    if (!this.#integrity.ok) return { adopted, complete: rows.length === 0 };
    for (const row of rows) {
      const idx = Number(row.idx);
      const problem = this.#check(idx, row);
      if (problem) {
        this.fail(problem, this.size);
        return { adopted, complete: false };
      }
      adopted.push(row.entry);
    }
    return { adopted, complete: true };
  }

  /** Append an entry this process just committed (its hash computed from its canonical JSON). */
  appendCommitted(leaf: Uint8Array, entry: LogEntry): number {
    const index = this.tree.appendLeafHash(leaf);
    this.#leafIndex.add(index);
    this.#report.add(entry);
    return index;
  }

  /** Check one row and, when it is sound, add it; returns what is wrong with it otherwise. */
  #check(idx: number, row: StoredRow): string | null {
    if (idx !== this.size) return `entry ${this.size} is missing (next stored is ${idx})`;
    const leaf = leafHashOfText(row.entry);
    if (toHex(leaf) !== row.leaf_hash) return `entry ${idx} does not match its stored leaf hash`;
    let entry: LogEntry;
    try {
      entry = JSON.parse(row.entry) as LogEntry;
    } catch {
      return `entry ${idx} is not JSON`;
    }
    this.appendCommitted(leaf, entry);
    return null;
  }
}
