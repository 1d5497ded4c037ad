/**
 * Log verification shared by the CLI and the web page (browser-safe; I/O is injected):
 * signed tree head against the pinned key, consistency with the last verified checkpoint,
 * then every entry (recomputed root) or a random sample (inclusion proofs).
 */
import {
  canonicalJson,
  ConsistencyResponse,
  EntriesResponse,
  MAX_ENTRIES_PER_CALL,
  ProofByHashResponse,
  SthResponse,
  WellKnownResponse,
} from '../../protocol/transparency.js';
import { bytesEqual, fromBase64, fromUtf8, toBase64, utf8 } from './bytes.js';
import { pureHasher, type Hasher } from './hasher.js';
import { MerkleTree, RootAccumulator, verifyConsistency, verifyInclusion } from './merkle.js';
import { keyHash, parseCheckpointBody, parseSignedNote } from './note.js';
import { cosignersOf, satisfiesQuorum, type WitnessPolicy } from './witness-policy.js';

/** What a verifier remembers between runs (pinned key, last verified checkpoint). */
export interface VerifierState {
  origin: string;
  keyName: string;
  /** Base64 raw Ed25519 public key, pinned on first use. */
  publicKey: string;
  treeSize: number;
  /** Base64 root hash of `treeSize`. */
  rootHash: string;
  checkpoint: string;
  verifiedAt: number;
}

export interface VerifierIo {
  /** GET `path` (e.g. `/transparency/v1/get-sth?…`) relative to the log's base URL, parsed JSON; throw on HTTP errors. */
  fetchJson(path: string): Promise<unknown>;
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  hasher?: Hasher;
  random?: () => number;
  now?: () => number;
  onProgress?: (done: number, total: number) => void;
}

export interface VerifyOptions {
  state: VerifierState | null;
  /** Check this many random entries by inclusion proof; undefined = recompute the root over all. */
  sample?: number | undefined;
  /** Refuse a checkpoint whose cosignatures do not meet this policy's quorum. */
  policy?: WitnessPolicy | undefined;
}

/**
 * Why verification failed: `fork` (the checkpoint is not consistent with the one verified
 * before, or smaller: someone is shown another history), `quorum` (too few witnesses of the
 * policy cosigned), `key` (the pinned key or origin changed), `entries` (an entry or proof is
 * wrong), `network` (could not complete).
 */
export type VerifyFailure = 'fork' | 'quorum' | 'key' | 'entries' | 'network';

export type VerifyResult =
  | { ok: true; treeSize: number; message: string; state: VerifierState; witnessed?: { cosigned: number; of: number } }
  | { ok: false; message: string; index?: number; kind: VerifyFailure };

class VerifyError extends Error {
  constructor(
    message: string,
    readonly index?: number,
    readonly kind: VerifyFailure = 'entries',
  ) {
    super(message);
  }
}

const V1 = '/transparency/v1';

function b64(text: string, what: string, len?: number): Uint8Array {
  const bytes = fromBase64(text);
  if (!bytes || (len !== undefined && bytes.length !== len)) throw new VerifyError(`${what} is not valid base64${len ? ` of ${len} bytes` : ''}`);
  return bytes;
}

/** Verify a log; never throws (network errors become a failed result). */
export async function verifyLog(io: VerifierIo, opts: VerifyOptions): Promise<VerifyResult> {
  try {
    return await run(io, opts);
  } catch (err) {
    if (err instanceof VerifyError)
      return err.index === undefined
        ? { ok: false, message: err.message, kind: err.kind }
        : { ok: false, message: err.message, index: err.index, kind: err.kind };
    return { ok: false, message: `could not complete verification: ${err instanceof Error ? err.message : String(err)}`, kind: 'network' };
  }
}

async function run(io: VerifierIo, opts: VerifyOptions): Promise<VerifyResult> {
  const hasher = io.hasher ?? pureHasher;
  const wk = WellKnownResponse.parse(await io.fetchJson('/.well-known/parley-transparency.json'));
  const pinned = opts.state;
  if (pinned && pinned.publicKey !== wk.public_key) {
    throw new VerifyError(`the log's public key changed (pinned ${pinned.publicKey}, now ${wk.public_key}); refusing to trust it`, undefined, 'key');
  }
  if (pinned && (pinned.origin !== wk.origin || pinned.keyName !== wk.key_name)) {
    throw new VerifyError(`the log's origin changed (pinned ${pinned.origin}, now ${wk.origin})`, undefined, 'key');
  }
  const publicKey = b64(wk.public_key, 'public_key', 32);
  const sth = SthResponse.parse(await io.fetchJson(`${V1}/get-sth`));
  const { treeSize, rootHash } = await checkSignedHead(io, wk, publicKey, sth);
  let witnessed: { text: string; cosigned: number; of: number } | null = null;
  let short: VerifyError | null = null;
  try {
    witnessed = opts.policy ? await checkQuorum(io, opts.policy, sth.checkpoint, treeSize) : null;
  } catch (err) {
    if (!(err instanceof VerifyError)) throw err;
    short = err;
  }
  // A fork is named as one even when the quorum is short too (a forked view usually is).
  if (pinned) {
    try {
      await checkConsistencyWithPinned(io, hasher, pinned, treeSize, rootHash);
    } catch (err) {
      if (err instanceof VerifyError && short) throw new VerifyError(`${err.message}; and ${short.message}`, err.index, 'fork');
      throw err;
    }
  }
  if (short) throw short;
  if (treeSize > 0) {
    if (opts.sample === undefined) await checkAll(io, hasher, treeSize, rootHash);
    else await checkSample(io, hasher, treeSize, rootHash, opts.sample);
  }
  const state: VerifierState = {
    origin: wk.origin,
    keyName: wk.key_name,
    publicKey: wk.public_key,
    treeSize,
    rootHash: toBase64(rootHash),
    checkpoint: sth.checkpoint,
    verifiedAt: (io.now ?? Date.now)(),
  };
  const how = opts.sample === undefined ? 'all entries' : `${Math.min(opts.sample, treeSize)} sampled entries`;
  const message =
    (treeSize === 0 ? 'verified: the log is empty (tree size 0)' : `verified up to entry ${treeSize - 1} (tree size ${treeSize}, ${how})`) +
    (witnessed?.text ?? '');
  return witnessed
    ? { ok: true, treeSize, message, state, witnessed: { cosigned: witnessed.cosigned, of: witnessed.of } }
    : { ok: true, treeSize, message, state };
}

async function checkSignedHead(
  io: VerifierIo,
  wk: WellKnownResponse,
  publicKey: Uint8Array,
  sth: SthResponse,
): Promise<{ treeSize: number; rootHash: Uint8Array }> {
  const note = parseSignedNote(sth.checkpoint);
  if (!note) throw new VerifyError('the checkpoint is not a signed note');
  const kh = keyHash(wk.key_name, publicKey);
  const sig = note.signatures.find((s) => s.keyName === wk.key_name && bytesEqual(s.keyHash, kh));
  if (!sig) throw new VerifyError(`the checkpoint carries no signature by ${wk.key_name}`);
  if (!(await io.verifyEd25519(publicKey, utf8(note.body), sig.signature))) {
    throw new VerifyError(`the checkpoint signature does not verify with the ${wk.key_name} key`);
  }
  const cp = parseCheckpointBody(note.body);
  if (!cp) throw new VerifyError('the checkpoint body is malformed');
  if (cp.origin !== wk.origin) throw new VerifyError(`the checkpoint is for origin ${cp.origin}, expected ${wk.origin}`);
  if (cp.treeSize !== sth.tree_size || toBase64(cp.rootHash) !== sth.sha256_root_hash) {
    throw new VerifyError('get-sth fields disagree with the signed checkpoint');
  }
  return { treeSize: cp.treeSize, rootHash: cp.rootHash };
}

/** The policy's quorum of witnesses must have cosigned the checkpoint; returns the summary. */
async function checkQuorum(
  io: VerifierIo,
  policy: WitnessPolicy,
  checkpoint: string,
  treeSize: number,
): Promise<{ text: string; cosigned: number; of: number }> {
  const note = parseSignedNote(checkpoint);
  if (!note) throw new VerifyError('the checkpoint is not a signed note');
  const cosigned = await cosignersOf(policy, note.body, note.signatures, (k, m, sig) => io.verifyEd25519(k, m, sig));
  const names = [...cosigned].join(', ') || 'none';
  const of = `${cosigned.size} of ${policy.witnesses.size}`;
  if (!satisfiesQuorum(policy, cosigned)) {
    throw new VerifyError(
      `checkpoint ${treeSize} is cosigned by ${of} witnesses of the policy (${names}), short of its quorum "${policy.quorum}": no quorum of independent witnesses saw this tree, so others may be shown a different one`,
      undefined,
      'quorum',
    );
  }
  return { text: `, witnessed by ${of} (${names})`, cosigned: cosigned.size, of: policy.witnesses.size };
}

async function checkConsistencyWithPinned(io: VerifierIo, hasher: Hasher, pinned: VerifierState, treeSize: number, rootHash: Uint8Array): Promise<void> {
  if (treeSize < pinned.treeSize) {
    throw new VerifyError(
      `the log was rolled back: entries up to ${pinned.treeSize - 1} were verified before, now it signs only ${treeSize}`,
      treeSize,
      'fork',
    );
  }
  const oldRoot = b64(pinned.rootHash, 'saved root hash', 32);
  let path: Uint8Array[] = [];
  if (pinned.treeSize > 0 && pinned.treeSize < treeSize) {
    const res = ConsistencyResponse.parse(await io.fetchJson(`${V1}/get-sth-consistency?first=${pinned.treeSize}&second=${treeSize}`));
    path = res.consistency.map((p) => b64(p, 'consistency proof node', 32));
  }
  if (!verifyConsistency(hasher, pinned.treeSize, treeSize, oldRoot, rootHash, path)) {
    throw new VerifyError(
      `checkpoint ${treeSize} is not consistent with checkpoint ${pinned.treeSize} verified earlier: history before entry ${pinned.treeSize} was changed`,
      undefined,
      'fork',
    );
  }
}

function leafOf(hasher: Hasher, index: number, leafInput: string): Uint8Array {
  const bytes = b64(leafInput, `entry ${index}`);
  let text: string;
  try {
    text = fromUtf8(bytes);
    if (canonicalJson(JSON.parse(text)) !== text) throw new Error();
  } catch {
    throw new VerifyError(`entry ${index} is not canonical JSON`, index);
  }
  return hasher.leaf(bytes);
}

async function fetchEntries(io: VerifierIo, start: number, end: number): Promise<{ index: number; leaf_input: string }[]> {
  return EntriesResponse.parse(await io.fetchJson(`${V1}/get-entries?start=${start}&end=${end}`)).entries;
}

async function checkAll(io: VerifierIo, hasher: Hasher, treeSize: number, rootHash: Uint8Array): Promise<void> {
  const tree = new MerkleTree(hasher);
  const acc = new RootAccumulator(hasher);
  for (let start = 0; start < treeSize;) {
    const end = Math.min(treeSize - 1, start + MAX_ENTRIES_PER_CALL - 1);
    let page: { index: number; leaf_input: string }[];
    try {
      page = await fetchEntries(io, start, end);
    } catch (err) {
      // The log signed these entries but will not serve them (it may say why: a row changed at rest).
      throw new VerifyError(`entry ${start} is withheld: the log signed ${treeSize} entries but does not serve entry ${start} (${messageOf(err)})`, start);
    }
    for (const e of page) {
      if (e.index !== tree.size) {
        throw new VerifyError(`entry ${tree.size} is missing or out of order (the log returned entry ${e.index} in its place)`, tree.size);
      }
      const leaf = leafOf(hasher, e.index, e.leaf_input);
      tree.appendLeafHash(leaf);
      acc.push(leaf);
      if (tree.size > end) break;
    }
    if (page.length === 0 || tree.size <= start) throw new VerifyError(`entry ${tree.size} is missing: the log signed ${treeSize} entries`, tree.size);
    start = tree.size;
    io.onProgress?.(start, treeSize);
  }
  if (bytesEqual(acc.root(), rootHash)) return;
  const bad = await locateFirstBadEntry(io, hasher, tree, rootHash);
  if (bad === null) {
    throw new VerifyError(
      'the entries do not match the signed tree, and the log proves no prefix of them consistent with it, so the first changed entry cannot be located (the log serves proofs from another tree)',
    );
  }
  throw new VerifyError(`entry ${bad} does not match the signed tree: it was changed, inserted, deleted or reordered`, bad);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Binary search for the first entry that breaks the signed root: the prefix of m recomputed
 * leaves is good when the log proves the signed tree extends it (a consistency proof). Only a
 * proof counts: the answer is the entry right after the longest proven prefix, or null when the
 * log proves none (then nothing says which entry changed, and naming entry 0 would be a guess).
 * With n = 1 the single entry is the culprit: its recomputed root is the signed root's only input.
 */
async function locateFirstBadEntry(io: VerifierIo, hasher: Hasher, tree: MerkleTree, rootHash: Uint8Array): Promise<number | null> {
  const n = tree.size;
  if (n === 1) return 0;
  const good = async (m: number): Promise<boolean> => {
    try {
      const res = ConsistencyResponse.parse(await io.fetchJson(`${V1}/get-sth-consistency?first=${m}&second=${n}`));
      const path = res.consistency.map((p) => b64(p, 'proof node', 32));
      return verifyConsistency(hasher, m, n, tree.root(m), rootHash, path);
    } catch {
      return false;
    }
  };
  let lo = 0; // longest prefix proven (0: none yet)
  let hi = n; // shortest prefix known not to be in the signed tree (n: the recomputed root differs)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await good(mid)) lo = mid;
    else hi = mid;
  }
  return lo === 0 ? null : lo;
}

function pickSample(treeSize: number, n: number, random: () => number): number[] {
  if (n >= treeSize) return Array.from({ length: treeSize }, (_, i) => i);
  const picked = new Set<number>([treeSize - 1]);
  while (picked.size < n) picked.add(Math.floor(random() * treeSize));
  return [...picked].sort((a, b) => a - b);
}

async function checkSample(io: VerifierIo, hasher: Hasher, treeSize: number, rootHash: Uint8Array, n: number): Promise<void> {
  const indexes = pickSample(treeSize, Math.max(1, Math.floor(n)), io.random ?? Math.random);
  let done = 0;
  for (const i of indexes) {
    let entry: { index: number; leaf_input: string } | undefined;
    try {
      [entry] = await fetchEntries(io, i, i);
    } catch (err) {
      throw new VerifyError(`sampled entry ${i} is withheld: the log signed ${treeSize} entries but does not serve it (${messageOf(err)})`, i);
    }
    if (!entry || entry.index !== i) throw new VerifyError(`entry ${i} is missing: the log signed ${treeSize} entries`, i);
    const leaf = leafOf(hasher, i, entry.leaf_input);
    let proof: { leaf_index: number; audit_path: string[] };
    try {
      proof = ProofByHashResponse.parse(await io.fetchJson(`${V1}/get-proof-by-hash?hash=${encodeURIComponent(toBase64(leaf))}&tree_size=${treeSize}`));
    } catch {
      throw new VerifyError(`entry ${i} is not in the signed tree: it was changed or inserted`, i);
    }
    const path = proof.audit_path.map((p) => b64(p, 'audit path node', 32));
    if (!verifyInclusion(hasher, proof.leaf_index, treeSize, leaf, path, rootHash)) {
      throw new VerifyError(`entry ${i}: the inclusion proof does not verify against the signed root`, i);
    }
    if (proof.leaf_index !== i) {
      // The same bytes may legitimately occur twice; otherwise the entry was moved.
      const [other] = await fetchEntries(io, proof.leaf_index, proof.leaf_index);
      if (other?.leaf_input !== entry.leaf_input) throw new VerifyError(`entry ${i} belongs at index ${proof.leaf_index}: the log was reordered`, i);
    }
    io.onProgress?.(++done, indexes.length);
  }
}
