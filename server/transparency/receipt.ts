/**
 * A removal receipt: one entry, its inclusion proof, and the (cosigned) checkpoint the proof
 * is against, so a removed person can show offline that their removal is on the public record.
 * Checking it needs only the log's verifier key (and, for "witnessed by", a witness policy).
 * Browser-safe: the Ed25519 operation is injected.
 */
import { z } from 'zod';
import { canonicalJson } from '../../protocol/transparency.js';
import { bytesEqual, fromBase64, utf8 } from './bytes.js';
import { parseVerifierKey } from './cosignature.js';
import type { Hasher } from './hasher.js';
import { verifyInclusion } from './merkle.js';
import { parseCheckpointBody, parseSignedNote } from './note.js';
import { cosignersOf, satisfiesQuorum, type WitnessPolicy } from './witness-policy.js';

export const Receipt = z.object({
  format: z.literal('parley-receipt/v1'),
  /** The log's signed-note verifier key, as the instance states it (pin your own with --log-key). */
  log_key: z.string(),
  index: z.number().int().nonnegative(),
  /** The entry's canonical JSON, exactly as hashed into the tree. */
  entry: z.string(),
  /** RFC 9162 audit path, base64, deepest first. */
  inclusion_proof: z.array(z.string()),
  /** The checkpoint note (C2SP signed note) with the witnesses' cosignatures. */
  checkpoint: z.string(),
});
export type Receipt = z.infer<typeof Receipt>;

export interface ReceiptCheck {
  /** Verifier key to trust for the log; default: the one the receipt names (weaker: say so). */
  logKey?: string | undefined;
  policy?: WitnessPolicy | undefined;
  hasher: Hasher;
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

export type ReceiptResult = { ok: true; message: string; cosigners: string[] } | { ok: false; message: string };

/** Check a receipt offline; never throws. */
export async function verifyReceipt(input: unknown, check: ReceiptCheck): Promise<ReceiptResult> {
  const parsed = Receipt.safeParse(input);
  if (!parsed.success) return { ok: false, message: 'not a Parley receipt (parley-receipt/v1)' };
  const r = parsed.data;
  const key = parseVerifierKey(check.logKey ?? r.log_key);
  if (!key) return { ok: false, message: 'the log key is not a signed-note verifier key' };
  const note = parseSignedNote(r.checkpoint);
  const cp = note && parseCheckpointBody(note.body);
  if (!note || !cp) return { ok: false, message: 'the checkpoint is not a signed checkpoint note' };
  const sig = note.signatures.find((s) => s.keyName === key.name && bytesEqual(s.keyHash, key.keyId));
  if (!sig || !(await check.verifyEd25519(key.publicKey, utf8(note.body), sig.signature))) {
    return { ok: false, message: `the checkpoint carries no valid signature by ${key.name}` };
  }
  let canonical: boolean;
  try {
    canonical = canonicalJson(JSON.parse(r.entry)) === r.entry;
  } catch {
    canonical = false;
  }
  if (!canonical) return { ok: false, message: 'the entry is not canonical JSON' };
  const path = r.inclusion_proof.map((p) => fromBase64(p));
  if (path.some((p) => !p || p.length !== 32)) return { ok: false, message: 'the inclusion proof is malformed' };
  const leaf = check.hasher.leaf(utf8(r.entry));
  if (!verifyInclusion(check.hasher, r.index, cp.treeSize, leaf, path as Uint8Array[], cp.rootHash)) {
    return { ok: false, message: `entry ${r.index} is not in the signed tree of size ${cp.treeSize}: the receipt was altered or is not from this log` };
  }
  let witnessed = '';
  let cosigners: string[] = [];
  if (check.policy) {
    cosigners = [...(await cosignersOf(check.policy, note.body, note.signatures, (k, m, s) => check.verifyEd25519(k, m, s)))];
    const of = `${cosigners.length} of ${check.policy.witnesses.size}`;
    if (!satisfiesQuorum(check.policy, new Set(cosigners))) return { ok: false, message: `the checkpoint is witnessed by ${of}, short of the policy's quorum` };
    witnessed = `, witnessed by ${of} (${cosigners.join(', ')})`;
  }
  const type = (JSON.parse(r.entry) as { type?: unknown }).type;
  const pinned = check.logKey ? '' : ' (log key taken from the receipt itself: pin it with --log-key)';
  return {
    ok: true,
    cosigners,
    message: `on the public record of ${cp.origin} at entry ${r.index} (${String(type)}), tree size ${cp.treeSize}${witnessed}${pinned}`,
  };
}
