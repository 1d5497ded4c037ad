/**
 * RFC 9162 §2.1 Merkle tree: append leaf hashes, produce roots (§2.1.1), inclusion proofs
 * (§2.1.3.1) and consistency proofs (§2.1.4.1) for the current or any earlier tree size.
 *
 * Storage: level h keeps every *complete* aligned subtree of 2^h leaves, packed 32 bytes each
 * in one growable buffer (≈ 64 MB for 1,000,000 leaves). Complete subtrees never change once
 * written, so any historical tree size is served from the same arrays, and every hash a proof
 * needs is either stored or the hash of an incomplete right edge (O(log² n) node hashes worst
 * case). Pure: no node: imports; the hasher is injected.
 */
import type { Hasher } from './hasher.js';
import { splitPoint } from './merkle-verify.js';

export { RootAccumulator, isPowerOfTwo, splitPoint, verifyConsistency, verifyInclusion } from './merkle-verify.js';

const HASH = 32;

class Level {
  buf = new Uint8Array(HASH * 1024);
  count = 0;

  get(i: number): Uint8Array {
    return this.buf.subarray(i * HASH, i * HASH + HASH);
  }

  push(hash: Uint8Array): void {
    if ((this.count + 1) * HASH > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf.set(hash, this.count * HASH);
    this.count++;
  }
}

/** An append-only RFC 9162 tree held in memory. */
export class MerkleTree {
  readonly #hasher: Hasher;
  readonly #levels: Level[] = [new Level()];

  constructor(hasher: Hasher) {
    this.#hasher = hasher;
  }

  /** Number of leaves. */
  get size(): number {
    return this.#levels[0]!.count;
  }

  /** Leaf hash at `index` (a view; copy it before keeping it). */
  leafHash(index: number): Uint8Array {
    this.#checkIndex(index, this.size);
    return this.#levels[0]!.get(index);
  }

  /** Append an already computed leaf hash, SHA-256(0x00 ‖ entry). */
  appendLeafHash(leafHash: Uint8Array): number {
    if (leafHash.length !== HASH) throw new RangeError('leaf hash must be 32 bytes');
    const index = this.size;
    this.#levels[0]!.push(leafHash);
    let i = index;
    let h = 0;
    while (i % 2 === 1) {
      const lvl = this.#levels[h]!;
      const parent = this.#hasher.node(lvl.get(i - 1), lvl.get(i));
      h++;
      i = (i - 1) / 2;
      const up = this.#levels[h] ?? (this.#levels[h] = new Level());
      up.push(parent);
    }
    return index;
  }

  /** Append an entry (hashing it as a leaf); returns its index. */
  appendEntry(entry: Uint8Array): number {
    return this.appendLeafHash(this.#hasher.leaf(entry));
  }

  /** MTH of the `index`-th complete aligned subtree of 2^height leaves (a view), or null while it is incomplete. */
  subtreeHash(height: number, index: number): Uint8Array | null {
    const level = this.#levels[height];
    return level && Number.isSafeInteger(index) && index >= 0 && index < level.count ? level.get(index) : null;
  }

  /** MTH(D[0:treeSize]) — the root at any size up to the current one. */
  root(treeSize: number = this.size): Uint8Array {
    this.#checkSize(treeSize);
    if (treeSize === 0) return this.#hasher.empty;
    return this.#range(0, treeSize);
  }

  /** PATH(index, D[0:treeSize]), RFC 9162 §2.1.3.1, deepest sibling first. */
  inclusionProof(index: number, treeSize: number = this.size): Uint8Array[] {
    this.#checkSize(treeSize);
    this.#checkIndex(index, treeSize);
    const out: Uint8Array[] = [];
    this.#path(index, 0, treeSize, out);
    return out;
  }

  /** PROOF(first, D[0:second]), RFC 9162 §2.1.4.1; empty when first is 0 or equals second. */
  consistencyProof(first: number, second: number = this.size): Uint8Array[] {
    this.#checkSize(second);
    if (!Number.isSafeInteger(first) || first < 0 || first > second) {
      throw new RangeError(`first (${first}) must be between 0 and second (${second})`);
    }
    const out: Uint8Array[] = [];
    if (first > 0 && first < second) this.#subproof(first, 0, second, true, out);
    return out;
  }

  /** MTH(D[start:end]) for a range the RFC recursion produces (start aligned to its split). */
  #range(start: number, end: number): Uint8Array {
    const n = end - start;
    if (n === 1) return this.#levels[0]!.get(start);
    let h = 0;
    let p = 1;
    while (p < n) {
      p *= 2;
      h++;
    }
    if (p === n && start % n === 0) return this.#levels[h]!.get(start / n);
    const k = splitPoint(n);
    return this.#hasher.node(this.#range(start, start + k), this.#range(start + k, end));
  }

  #path(m: number, start: number, end: number, out: Uint8Array[]): void {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < start + k) {
      this.#path(m, start, start + k, out);
      out.push(this.#range(start + k, end));
    } else {
      this.#path(m, start + k, end, out);
      out.push(this.#range(start, start + k));
    }
  }

  /** SUBPROOF(m, D[start:end], b) with m counted from `start`. */
  #subproof(m: number, start: number, end: number, b: boolean, out: Uint8Array[]): void {
    const n = end - start;
    if (m === n) {
      if (!b) out.push(this.#range(start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      this.#subproof(m, start, start + k, b, out);
      out.push(this.#range(start + k, end));
    } else {
      this.#subproof(m - k, start + k, end, false, out);
      out.push(this.#range(start, start + k));
    }
  }

  #checkSize(treeSize: number): void {
    if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > this.size) {
      throw new RangeError(`tree size ${treeSize} is outside 0..${this.size}`);
    }
  }

  #checkIndex(index: number, treeSize: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
      throw new RangeError(`leaf index ${index} is outside 0..${treeSize - 1}`);
    }
  }
}
