/**
 * Leaf hash → first leaf index, in memory: open addressing over a Uint32Array keyed by the
 * first 4 bytes of the hash, each hit confirmed against the tree. ~8 bytes per leaf (16 MB at
 * 1,000,000), so get-proof-by-hash never touches the database and trusts only the tree.
 */
import { bytesEqual } from './bytes.js';
import type { MerkleTree } from './merkle.js';

const EMPTY = 0xffffffff;

export class LeafIndex {
  readonly #tree: MerkleTree;
  #slots = new Uint32Array(1 << 16).fill(EMPTY);
  #count = 0;

  constructor(tree: MerkleTree) {
    this.#tree = tree;
  }

  /** Record leaf `index` (call in index order); duplicates keep the first index. */
  add(index: number): void {
    if ((this.#count + 1) * 2 > this.#slots.length) this.#grow();
    if (this.#insert(index)) this.#count++;
  }

  /** Lowest index whose leaf hash is `hash`, or undefined. */
  find(hash: Uint8Array): number | undefined {
    if (hash.length !== 32) return undefined;
    const mask = this.#slots.length - 1;
    for (let s = this.#start(hash) & mask; ; s = (s + 1) & mask) {
      const idx = this.#slots[s]!;
      if (idx === EMPTY) return undefined;
      if (bytesEqual(this.#tree.leafHash(idx), hash)) return idx;
    }
  }

  #start(hash: Uint8Array): number {
    return ((hash[0]! << 24) | (hash[1]! << 16) | (hash[2]! << 8) | hash[3]!) >>> 0;
  }

  #insert(index: number): boolean {
    const hash = this.#tree.leafHash(index);
    const mask = this.#slots.length - 1;
    for (let s = this.#start(hash) & mask; ; s = (s + 1) & mask) {
      const idx = this.#slots[s]!;
      if (idx === EMPTY) {
        this.#slots[s] = index;
        return true;
      }
      if (bytesEqual(this.#tree.leafHash(idx), hash)) return false;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2).fill(EMPTY);
    const indexes = [...old.filter((v) => v !== EMPTY)].sort((a, b) => a - b);
    for (const idx of indexes) this.#insert(idx);
  }
}
