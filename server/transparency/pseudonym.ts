/**
 * Pseudonyms for the public log: HMAC-SHA256 under the instance secret over
 * (kind, scope, id), truncated to 80 bits and written in base32 with a kind prefix (`p_…`).
 * With scope = a demand id, one person is linkable across the entries of that demand and
 * unlinkable across demands; nobody without the secret can test a guess.
 */
import { PSEUDONYM_PREFIX, type PseudonymKind } from '../../protocol/transparency.js';
import { nodeSha256 as sha256 } from './hash-node.js';

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

/**
 * Build the pseudonym function for one instance secret. Standard HMAC-SHA256 (RFC 2104) with
 * the key's inner and outer pad blocks computed once, then two one-shot hashes per call: an
 * enforcement pass makes thousands of pseudonyms and a Hmac object per call cost ~3× more.
 * pseudonym.test.ts checks it against node:crypto's createHmac.
 */
export function createPseudonymizer(secret: Uint8Array): Pseudonymizer {
  const BLOCK = 64;
  const key = secret.length > BLOCK ? sha256(secret) : secret;
  const ipad = Buffer.alloc(BLOCK, 0x36);
  const opad = Buffer.alloc(BLOCK, 0x5c);
  for (let i = 0; i < key.length; i++) {
    ipad[i]! ^= key[i]!;
    opad[i]! ^= key[i]!;
  }
  const outer = Buffer.alloc(BLOCK + 32);
  opad.copy(outer);
  // ipad ‖ len‖kind ‖ len‖scope is the same for every id in one scope (an enforcement pass
  // makes a pseudonym per participant in one demand's scope): build it once per (kind, scope).
  const prefixes = new Map<string, Buffer>();
  const prefixOf = (kind: string, scope: string): Buffer => {
    const key = `${kind}\u0000${scope}`;
    let prefix = prefixes.get(key);
    if (!prefix) {
      const k = Buffer.from(kind, 'utf8');
      const s = Buffer.from(scope, 'utf8');
      prefix = Buffer.alloc(BLOCK + 8 + k.length + s.length);
      ipad.copy(prefix);
      prefix.writeUInt32BE(k.length, BLOCK);
      k.copy(prefix, BLOCK + 4);
      prefix.writeUInt32BE(s.length, BLOCK + 4 + k.length);
      s.copy(prefix, BLOCK + 8 + k.length);
      if (prefixes.size >= 64) prefixes.clear();
      prefixes.set(key, prefix);
    }
    return prefix;
  };
  return (kind, id, scope) => {
    // Length-prefixed fields: ("ab","c") and ("a","bc") must not collide.
    const prefix = prefixOf(kind, scope);
    const idLength = Buffer.byteLength(id, 'utf8');
    const inner = Buffer.allocUnsafe(prefix.length + 4 + idLength);
    prefix.copy(inner);
    inner.writeUInt32BE(idLength, prefix.length);
    inner.write(id, prefix.length + 4, 'utf8');
    outer.set(sha256(inner), BLOCK);
    return `${PSEUDONYM_PREFIX[kind]}_${base32(sha256(outer).subarray(0, 10))}`;
  };
}
