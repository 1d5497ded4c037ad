/**
 * C2SP tlog-cosignature (Ed25519, `cosignature/v1`) and signed-note verifier keys. Formatting,
 * parsing and the exact signed message; the Ed25519 operation itself is injected. Browser-safe.
 *
 *   signed message: "cosignature/v1\ntime <POSIX seconds>\n" ‖ checkpoint body
 *   signature line: "— <name> base64(key ID ‖ u64 big-endian timestamp ‖ 64-byte signature)"
 *   key ID:         SHA-256(<name> ‖ "\n" ‖ 0x04 ‖ 32-byte public key)[:4]
 */
import { bytesEqual, concatBytes, fromBase64, toBase64, toHex, utf8 } from './bytes.js';
import { ED25519_ALG, isValidKeyName, type NoteSignature } from './note.js';
import { sha256 } from './sha256.js';

/** Signature-type byte of Ed25519 cosignatures (cosignature/v1). */
export const COSIGNATURE_ALG = 0x04;
const EM_DASH = '\u2014';

/** A public key as a signed-note verifier key names it. */
export interface VerifierKey {
  name: string;
  alg: number;
  publicKey: Uint8Array;
  keyId: Uint8Array;
}

/** SHA-256(name ‖ "\n" ‖ alg ‖ key)[:4], the key ID of every signed-note key type. */
export function keyId(name: string, alg: number, publicKey: Uint8Array): Uint8Array {
  return sha256(utf8(name), new Uint8Array([0x0a, alg]), publicKey).subarray(0, 4);
}

/** `<name>+<hex key ID>+<base64(alg ‖ key)>`. */
export function formatVerifierKey(name: string, alg: number, publicKey: Uint8Array): string {
  return `${name}+${toHex(keyId(name, alg, publicKey))}+${toBase64(concatBytes(new Uint8Array([alg]), publicKey))}`;
}

/** Parse a verifier key of type Ed25519 (0x01) or Ed25519 cosignature (0x04); null when malformed or the ID disagrees. */
export function parseVerifierKey(text: string): VerifierKey | null {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text.trim());
  if (!m || !isValidKeyName(m[1]!)) return null;
  const raw = fromBase64(m[3]!);
  if (!raw || raw.length !== 33 || (raw[0] !== ED25519_ALG && raw[0] !== COSIGNATURE_ALG)) return null;
  const key: VerifierKey = { name: m[1]!, alg: raw[0], publicKey: raw.subarray(1), keyId: keyId(m[1]!, raw[0], raw.subarray(1)) };
  return toHex(key.keyId) === m[2] ? key : null;
}

/** The exact bytes a cosigner signs for `body` (a checkpoint body, final newline included) at `timestamp` (s). */
export function cosignedMessage(body: string, timestamp: number): Uint8Array {
  return utf8(`cosignature/v1\ntime ${timestamp}\n${body}`);
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** One note signature line (with its newline) carrying a cosignature. */
export function formatCosignatureLine(name: string, publicKey: Uint8Array, timestamp: number, signature: Uint8Array): string {
  return `${EM_DASH} ${name} ${toBase64(concatBytes(keyId(name, COSIGNATURE_ALG, publicKey), u64(timestamp), signature))}\n`;
}

/** A cosignature found in a note: who, when (POSIX seconds) and the raw signature. */
export interface Cosignature {
  name: string;
  timestamp: number;
  signature: Uint8Array;
}

/** The cosignature `key` made among a note's signatures, if any line has its name and key ID. */
export function findCosignature(signatures: readonly NoteSignature[], key: VerifierKey): Cosignature | null {
  for (const s of signatures) {
    if (s.keyName !== key.name || !bytesEqual(s.keyHash, key.keyId) || s.signature.length !== 8 + 64) continue;
    const ts = new DataView(s.signature.buffer, s.signature.byteOffset, 8).getBigUint64(0);
    if (ts > BigInt(Number.MAX_SAFE_INTEGER)) continue;
    return { name: s.keyName, timestamp: Number(ts), signature: s.signature.subarray(8) };
  }
  return null;
}

/** Check `key`'s cosignature on a checkpoint body; false when absent or invalid. */
export async function verifyCosignature(
  body: string,
  signatures: readonly NoteSignature[],
  key: VerifierKey,
  verifyEd25519: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean>,
): Promise<boolean> {
  if (key.alg !== COSIGNATURE_ALG) return false;
  const c = findCosignature(signatures, key);
  return c !== null && (await verifyEd25519(key.publicKey, cosignedMessage(body, c.timestamp), c.signature));
}
