/** Server-side hasher on node:crypto (several times faster than the portable one). */
import crypto from 'node:crypto';
import { makeHasher, type Hasher } from './hasher.js';

// One-shot crypto.hash (Node ≥ 20.12) avoids a Hash object per call; fall back to createHash.
const oneShot = (crypto as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Buffer }).hash;

/** SHA-256 over the concatenation of `parts`, via OpenSSL. */
export function nodeSha256(...parts: Uint8Array[]): Uint8Array {
  if (oneShot) return oneShot('sha256', parts.length === 1 ? parts[0]! : Buffer.concat(parts), 'buffer');
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** RFC 9162 hasher on node:crypto. */
export const nodeHasher: Hasher = makeHasher(nodeSha256);
