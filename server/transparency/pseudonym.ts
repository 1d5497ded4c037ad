/**
 * Pseudonyms for the public log: HMAC-SHA256 under the instance secret over
 * (kind, scope, id), truncated to 80 bits and written in base32 with a kind prefix (`p_…`).
 * With scope = a demand id, one person is linkable across the entries of that demand and
 * unlinkable across demands; nobody without the secret can test a guess.
 */
import { createHmac } from 'node:crypto';
import { PSEUDONYM_PREFIX, type PseudonymKind } from '../../protocol/transparency.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31]!;
  return out;
}

/** `pseudonym(kind, id, scope)` → e.g. `p_3f9akq…` (16 base32 chars, 80 bits). */
export type Pseudonymizer = (kind: PseudonymKind, id: string, scope: string) => string;

/** Build the pseudonym function for one instance secret. */
export function createPseudonymizer(secret: Uint8Array): Pseudonymizer {
  return (kind, id, scope) => {
    const mac = createHmac('sha256', secret);
    // Length-prefixed fields: ("ab","c") and ("a","bc") must not collide.
    for (const field of [kind, scope, id]) {
      const bytes = Buffer.from(field, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(bytes.length);
      mac.update(len).update(bytes);
    }
    return `${PSEUDONYM_PREFIX[kind]}_${base32(mac.digest().subarray(0, 10))}`;
  };
}
