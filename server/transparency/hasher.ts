/**
 * RFC 9162 §2.1 domain-separated hashing over a pluggable SHA-256, so the same Merkle code runs
 * on node:crypto (fast, server) and on the pure-TypeScript SHA-256 (browser, sync).
 */
import { sha256 as pureSha256 } from './sha256.js';

/** A SHA-256 over the concatenation of its arguments. */
export type Sha256 = (...parts: Uint8Array[]) => Uint8Array;

/** Leaf and interior-node hashing of RFC 9162 §2.1.1. */
export interface Hasher {
  /** MTH({}) = SHA-256() — the root of the empty tree. */
  readonly empty: Uint8Array;
  /** SHA-256(0x00 ‖ entry). */
  leaf(entry: Uint8Array): Uint8Array;
  /** SHA-256(0x01 ‖ left ‖ right). */
  node(left: Uint8Array, right: Uint8Array): Uint8Array;
}

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** Build the RFC 9162 hasher from a SHA-256 implementation. */
export function makeHasher(sha256: Sha256): Hasher {
  return {
    empty: sha256(),
    leaf: (entry) => sha256(LEAF_PREFIX, entry),
    node: (left, right) => sha256(NODE_PREFIX, left, right),
  };
}

/** Browser-safe hasher backed by the pure-TypeScript SHA-256. */
export const pureHasher: Hasher = makeHasher(pureSha256);
