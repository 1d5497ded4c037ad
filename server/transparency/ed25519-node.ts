/** Ed25519 signature checks on node:crypto from a raw 32-byte public key. */
import { createPublicKey, verify as edVerify } from 'node:crypto';

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Verify `signature` over `message`; false (never a throw) for a malformed key or signature. */
export function nodeVerifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
    return Promise.resolve(edVerify(null, message, key, signature));
  } catch {
    return Promise.resolve(false);
  }
}
