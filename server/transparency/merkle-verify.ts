/**
 * Pure RFC 9162 verification: inclusion (§2.1.3.2) and consistency (§2.1.4.2) proofs, and a
 * streaming root computation. No node: imports — the web page bundles this file.
 * Sizes and indexes are plain numbers (exact up to 2^53); shifts are done arithmetically.
 */
import { bytesEqual } from './bytes.js';
import type { Hasher } from './hasher.js';

/** Largest power of two strictly less than n (n ≥ 2): the RFC 9162 split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/**
 * RFC 9162 §2.1.3.2: does `path` prove that `leafHash` is leaf `index` of the tree of
 * `treeSize` leaves with root `root`?
 */
export function verifyInclusion(hasher: Hasher, index: number, treeSize: number, leafHash: Uint8Array, path: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = hasher.node(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hasher.node(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(r, root);
}

/**
 * RFC 9162 §2.1.4.2: does `path` prove the tree of `first` leaves with root `firstRoot` is a
 * prefix of the tree of `second` leaves with root `secondRoot`? first = 0 is trivially
 * consistent (empty path); first = second needs an empty path and equal roots.
 */
export function verifyConsistency(
  hasher: Hasher,
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  path: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return false;
  if (first === 0) return path.length === 0;
  if (first === second) return path.length === 0 && bytesEqual(firstRoot, secondRoot);
  if (path.length === 0) return false;
  const proof = isPowerOfTwo(first) ? [firstRoot, ...path] : [...path];
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = proof[0]!;
  let sr = proof[0]!;
  for (let i = 1; i < proof.length; i++) {
    const c = proof[i]!;
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = hasher.node(c, fr);
      sr = hasher.node(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hasher.node(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return bytesEqual(fr, firstRoot) && bytesEqual(sr, secondRoot) && sn === 0;
}

/** True for 1, 2, 4, 8, … */
export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/**
 * Streaming MTH: push leaf hashes in order, read the root of everything pushed so far.
 * Keeps one perfect subtree per set bit of the size, so memory is O(log n).
 */
export class RootAccumulator {
  readonly #hasher: Hasher;
  /** Perfect subtrees, largest first: [leafCount, hash]. */
  readonly #stack: [number, Uint8Array][] = [];
  #size = 0;

  constructor(hasher: Hasher) {
    this.#hasher = hasher;
  }

  get size(): number {
    return this.#size;
  }

  push(leafHash: Uint8Array): void {
    let entry: [number, Uint8Array] = [1, leafHash];
    for (let top = this.#stack.at(-1); top !== undefined && top[0] === entry[0]; top = this.#stack.at(-1)) {
      this.#stack.pop();
      entry = [top[0] * 2, this.#hasher.node(top[1], entry[1])];
    }
    this.#stack.push(entry);
    this.#size++;
  }

  /** MTH of the leaves pushed so far (SHA-256() when none). */
  root(): Uint8Array {
    const last = this.#stack.at(-1);
    if (last === undefined) return this.#hasher.empty;
    let h = last[1];
    for (let i = this.#stack.length - 2; i >= 0; i--) h = this.#hasher.node(this.#stack[i]![1], h);
    return h;
  }
}
