/**
 * C2SP signed-note and tlog-checkpoint text formats (formatting and parsing only; signing and
 * signature checks live elsewhere). Browser-safe.
 *
 *   <origin>\n<tree size>\n<base64 root hash>\n      ← checkpoint body (the signed text)
 *   \n
 *   — <key name> <base64(4-byte key hash ‖ 64-byte Ed25519 signature)>\n
 *
 * Key hash (Ed25519): SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)[0:4].
 */
import { concatBytes, fromBase64, toBase64, toHex, utf8 } from './bytes.js';
import { sha256 } from './sha256.js';

/** Signature-type byte for Ed25519 in C2SP signed notes. */
export const ED25519_ALG = 0x01;
const EM_DASH = '\u2014';

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
}

export interface NoteSignature {
  keyName: string;
  keyHash: Uint8Array;
  signature: Uint8Array;
}

/** A key name must be non-empty and contain no whitespace or '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

/** The 4-byte key id that prefixes each signature. */
export function keyHash(keyName: string, publicKey: Uint8Array): Uint8Array {
  return sha256(utf8(keyName), new Uint8Array([0x0a, ED25519_ALG]), publicKey).subarray(0, 4);
}

/** The verifier-key string `<name>+<hex key hash>+<base64(0x01 ‖ public key)>`. */
export function verifierKey(keyName: string, publicKey: Uint8Array): string {
  return `${keyName}+${toHex(keyHash(keyName, publicKey))}+${toBase64(concatBytes(new Uint8Array([ED25519_ALG]), publicKey))}`;
}

/** The checkpoint body: exactly the bytes that are signed. */
export function formatCheckpointBody(cp: Checkpoint): string {
  return `${cp.origin}\n${cp.treeSize}\n${toBase64(cp.rootHash)}\n`;
}

/** Parse a checkpoint body; null when malformed. Extension lines are allowed and ignored. */
export function parseCheckpointBody(body: string): Checkpoint | null {
  if (!body.endsWith('\n')) return null;
  const lines = body.slice(0, -1).split('\n');
  const [origin, size, root] = lines;
  if (origin === undefined || size === undefined || root === undefined || origin === '') return null;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size)) return null;
  const treeSize = Number(size);
  const rootHash = fromBase64(root);
  if (!Number.isSafeInteger(treeSize) || rootHash === null || rootHash.length !== 32) return null;
  return { origin, treeSize, rootHash };
}

/** Append one signature line to a body. */
export function formatSignedNote(body: string, sigs: readonly NoteSignature[]): string {
  const lines = sigs.map((s) => `${EM_DASH} ${s.keyName} ${toBase64(concatBytes(s.keyHash, s.signature))}\n`);
  return `${body}\n${lines.join('')}`;
}

/** Split a signed note into its body and signature lines; null when malformed. */
export function parseSignedNote(text: string): { body: string; signatures: NoteSignature[] } | null {
  if (!text.endsWith('\n')) return null;
  const split = text.lastIndexOf('\n\n');
  if (split < 0) return null;
  const body = text.slice(0, split + 1);
  const sigLines = text.slice(split + 2, -1).split('\n');
  const signatures: NoteSignature[] = [];
  for (const line of sigLines) {
    const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
    if (!m) return null;
    const raw = fromBase64(m[2]!);
    if (raw === null || raw.length < 5) return null;
    signatures.push({ keyName: m[1]!, keyHash: raw.subarray(0, 4), signature: raw.subarray(4) });
  }
  return signatures.length > 0 ? { body, signatures } : null;
}
