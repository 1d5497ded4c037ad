/**
 * Signed checkpoints (C2SP tlog-checkpoint in a C2SP signed note, Ed25519). A new one is
 * published when the tree has grown, at most every 2 s, and only after proving it consistent
 * with the previous one: this instance never signs two inconsistent tree heads.
 */
import { AppError } from '../../protocol/errors.js';
import type { Db } from '../storage/index.js';
import { fromBase64, fromHex, toHex, utf8 } from './bytes.js';
import type { Hasher } from './hasher.js';
import type { Signer } from './keys.js';
import { type MerkleTree, verifyConsistency } from './merkle.js';
import { formatCheckpointBody, formatSignedNote, keyHash, parseSignedNote } from './note.js';

/** One published tree head. */
export interface SignedCheckpoint {
  treeSize: number;
  rootHash: Uint8Array;
  /** When it was signed (ms). Not covered by the signature. */
  timestamp: number;
  /** The full signed note text. */
  note: string;
  /** The raw 64-byte Ed25519 signature over the checkpoint body. */
  signature: Uint8Array;
}

export interface CheckpointerOptions {
  db: Db;
  tree: MerkleTree;
  hasher: Hasher;
  signer: Signer;
  origin: string;
  intervalMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
  /** Called with each newly signed checkpoint once it is stored (witness submission). */
  onPublished?: (cp: SignedCheckpoint) => void;
}

export interface Checkpointer {
  latest(): SignedCheckpoint | null;
  /** Publish a checkpoint for the current tree if it grew (or none exists yet). */
  publishNow(): Promise<SignedCheckpoint>;
  /** Check the in-memory tree against the latest stored checkpoint (start-up). */
  check(): void;
  start(): void;
  stop(): void;
}

function fromRow(row: { tree_size: number; root_hash: string; timestamp: number; note: string }): SignedCheckpoint {
  const parsed = parseSignedNote(row.note);
  const root = fromHex(row.root_hash);
  if (!parsed || !parsed.signatures[0] || !root) throw new AppError('LOG_INCONSISTENT', 'a stored checkpoint is malformed');
  return {
    treeSize: Number(row.tree_size),
    rootHash: root,
    timestamp: Number(row.timestamp),
    note: row.note,
    signature: parsed.signatures[0].signature,
  };
}

/** Load the latest stored checkpoint and return a publisher bound to the tree. */
export async function createCheckpointer(opts: CheckpointerOptions): Promise<Checkpointer> {
  const { db, tree, hasher, signer, origin } = opts;
  const now = opts.now ?? Date.now;
  const kh = keyHash(origin, signer.publicKey);
  const row = await db
    .selectFrom('checkpoints')
    .select(['tree_size', 'root_hash', 'timestamp', 'note'])
    .orderBy('tree_size', 'desc')
    .limit(1)
    .executeTakeFirst();
  let latest: SignedCheckpoint | null = row ? fromRow(row) : null;
  let chain: Promise<unknown> = Promise.resolve();
  let timer: ReturnType<typeof setInterval> | null = null;

  function check(): void {
    if (!latest) return;
    if (tree.size < latest.treeSize) {
      throw new AppError('LOG_INCONSISTENT', `the log has ${tree.size} entries but checkpoint ${latest.treeSize} was signed`);
    }
    const proof = tree.consistencyProof(latest.treeSize, tree.size);
    if (!verifyConsistency(hasher, latest.treeSize, tree.size, latest.rootHash, tree.root(), proof)) {
      throw new AppError('LOG_INCONSISTENT', `the stored entries do not match signed checkpoint ${latest.treeSize}`);
    }
  }

  async function publish(): Promise<SignedCheckpoint> {
    const size = tree.size;
    if (latest && latest.treeSize === size) return latest;
    const root = tree.root(size);
    if (latest) {
      const proof = tree.consistencyProof(latest.treeSize, size);
      if (!verifyConsistency(hasher, latest.treeSize, size, latest.rootHash, root, proof)) {
        throw new AppError('LOG_INCONSISTENT', `tree ${size} is not consistent with signed checkpoint ${latest.treeSize}`);
      }
    }
    const body = formatCheckpointBody({ origin, treeSize: size, rootHash: root });
    const signature = signer.sign(utf8(body));
    const note = formatSignedNote(body, [{ keyName: origin, keyHash: kh, signature }]);
    const cp: SignedCheckpoint = { treeSize: size, rootHash: new Uint8Array(root), timestamp: now(), note, signature };
    await db
      .insertInto('checkpoints')
      .values({ tree_size: size, root_hash: toHex(root), timestamp: cp.timestamp, note })
      // [cluster] Another node may have signed this same tree size first: same key, same root.
      .onConflict((oc) => oc.column('tree_size').doNothing())
      .execute();
    latest = cp;
    opts.onPublished?.(cp);
    return cp;
  }

  return {
    latest: () => latest,
    check,
    publishNow() {
      const next = chain.then(publish);
      chain = next.catch(() => undefined);
      return next;
    },
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (latest && latest.treeSize === tree.size) return;
        const next = chain.then(publish);
        chain = next.catch(() => undefined);
        next.catch((err: unknown) => opts.onError?.(err));
      }, opts.intervalMs ?? 2000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/** Decode a base64 root from the wire (used by routes and tests). */
export function decodeRoot(b64: string): Uint8Array | null {
  const r = fromBase64(b64);
  return r && r.length === 32 ? r : null;
}
