/** Server-side hasher on node:crypto (several times faster than the portable one). */
import crypto from 'node:crypto';
import type { Hasher } from './hasher.js';

// One-shot crypto.hash (Node ≥ 20.12) avoids a Hash object per call; fall back to createHash.
const oneShot = (crypto as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Buffer }).hash;

/** SHA-256 over the concatenation of `parts`, via OpenSSL. */
export function nodeSha256(...parts: Uint8Array[]): Uint8Array {
  if (oneShot) return oneShot('sha256', parts.length === 1 ? parts[0]! : Buffer.concat(parts), 'buffer');
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

// Scratch space for the hash inputs: hashing is synchronous, so one buffer serves every call
// (an enforcement pass hashes ~3,000 leaves and interior nodes before anyone is removed).
let scratch = Buffer.allocUnsafe(4096);
function room(n: number): Buffer {
  if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  return scratch;
}

/** RFC 9162 leaf hash of an entry given as text: SHA-256(0x00 ‖ UTF-8(text)). */
export function leafHashOfText(text: string): Uint8Array {
  const buf = room(1 + text.length * 3); // UTF-8 never takes more than 3 bytes per UTF-16 unit
  buf[0] = 0x00;
  const n = buf.write(text, 1, 'utf8');
  return nodeSha256(buf.subarray(0, 1 + n));
}

/** RFC 9162 hasher on node:crypto. */
export const nodeHasher: Hasher = {
  empty: nodeSha256(),
  leaf(entry) {
    const buf = room(1 + entry.length);
    buf[0] = 0x00;
    buf.set(entry, 1);
    return nodeSha256(buf.subarray(0, 1 + entry.length));
  },
  node(left, right) {
    const buf = room(1 + left.length + right.length);
    buf[0] = 0x01;
    buf.set(left, 1);
    buf.set(right, 1 + left.length);
    return nodeSha256(buf.subarray(0, 1 + left.length + right.length));
  },
};
