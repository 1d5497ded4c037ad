/**
 * A C2SP tlog-witness: `add-checkpoint` with every check the spec gives, in its order, and the
 * check-then-persist step atomic per origin (two racing requests cannot roll a log back).
 * Transport-free: witness-server.ts puts it on HTTP, witness-cli.ts runs it (`parley witness`).
 *
 *   404 unknown origin · 403 no trusted signature verifies · 400 malformed or old size > size
 *   409 old size ≠ the size last cosigned (body "<size>\n", text/x.tlog.size)
 *   422 consistency proof does not verify (or is not empty for old size 0)
 *   409 old size = size but the root differs · 200 cosignature lines, after the state is stored
 */
import { bytesEqual, fromBase64, toBase64, utf8 } from './bytes.js';
import { COSIGNATURE_ALG, formatCosignatureLine, formatVerifierKey, type VerifierKey, cosignedMessage } from './cosignature.js';
import { nodeHasher } from './hash-node.js';
import { verifyConsistency } from './merkle.js';
import { parseCheckpointBody, parseSignedNote, type Checkpoint, type NoteSignature } from './note.js';

/** A log this witness follows: its origin and the keys that may sign its checkpoints. */
export interface FollowedLog {
  origin: string;
  keys: VerifierKey[];
}

/** What the witness remembers per origin: the latest checkpoint it cosigned. */
export interface CosignedState {
  size: number;
  /** Base64 root hash. */
  root: string;
}

export interface WitnessStore {
  get(origin: string): CosignedState | null;
  /** Durably store the new state; resolves only once it is on disk. */
  put(origin: string, state: CosignedState): Promise<void>;
}

export interface WitnessOptions {
  name: string;
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
  logs: readonly FollowedLog[];
  store: WitnessStore;
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** Clock in ms (tests pin it). */
  now?: () => number;
  /** Told about requests that prove misbehaviour (a signed checkpoint that fails a check). */
  onConflict?: (event: { origin: string; status: number; reason: string; request: string }) => void;
}

export interface WitnessResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface Witness {
  readonly verifierKey: string;
  addCheckpoint(requestBody: string): Promise<WitnessResponse>;
}

const MAX_PROOF_LINES = 63;

const text = (status: number, body: string): WitnessResponse => ({ status, contentType: 'text/plain; charset=utf-8', body });

interface Submission {
  oldSize: number;
  proof: Uint8Array[];
  body: string;
  checkpoint: Checkpoint;
  signatures: NoteSignature[];
}

/** The add-checkpoint request body: old size line, proof lines, empty line, signed checkpoint. */
export function formatAddCheckpoint(oldSize: number, proof: readonly Uint8Array[], note: string): string {
  return `old ${oldSize}\n${proof.map((h) => `${toBase64(h)}\n`).join('')}\n${note}`;
}

/** Parse "old N\n" proof-lines "\n" signed-checkpoint; a string says what is malformed. */
export function parseAddCheckpoint(req: string): Submission | string {
  const m = /^old (0|[1-9][0-9]{0,15})\n/.exec(req);
  if (!m) return 'the first line must be "old <size>"';
  const oldSize = Number(m[1]);
  let rest = req.slice(m[0].length);
  const proof: Uint8Array[] = [];
  for (;;) {
    const nl = rest.indexOf('\n');
    if (nl < 0) return 'the proof lines must end with an empty line';
    const line = rest.slice(0, nl);
    rest = rest.slice(nl + 1);
    if (line === '') break;
    const hash = fromBase64(line);
    if (!hash || hash.length !== 32) return 'a consistency proof line is not a base64 SHA-256 hash';
    if (proof.push(hash) > MAX_PROOF_LINES) return `more than ${MAX_PROOF_LINES} consistency proof lines`;
  }
  const note = parseSignedNote(rest);
  if (!note) return 'the checkpoint is not a signed note';
  const checkpoint = parseCheckpointBody(note.body);
  if (!checkpoint) return 'the checkpoint body is malformed';
  return { oldSize, proof, body: note.body, checkpoint, signatures: note.signatures };
}

/** Build a witness over its key, the logs it follows and its store. */
export function createWitness(opts: WitnessOptions): Witness {
  const logs = new Map(opts.logs.map((l) => [l.origin, l]));
  const now = opts.now ?? Date.now;
  const locks = new Map<string, Promise<unknown>>();

  function serialised<T>(origin: string, fn: () => Promise<T>): Promise<T> {
    const run = (locks.get(origin) ?? Promise.resolve()).then(fn);
    locks.set(
      origin,
      run.catch(() => undefined),
    );
    return run;
  }

  async function trusted(log: FollowedLog, sub: Submission): Promise<boolean> {
    const message = utf8(sub.body);
    for (const key of log.keys) {
      const sig = sub.signatures.find((s) => s.keyName === key.name && bytesEqual(s.keyHash, key.keyId));
      if (sig && (await opts.verifyEd25519(key.publicKey, message, sig.signature))) return true;
    }
    return false; // signatures from keys it does not know are ignored
  }

  async function decide(log: FollowedLog, sub: Submission, req: string): Promise<WitnessResponse> {
    const { oldSize, proof, checkpoint } = sub;
    if (oldSize > checkpoint.treeSize) return text(400, 'the old size exceeds the checkpoint size\n');
    const known = opts.store.get(log.origin);
    const knownSize = known?.size ?? 0;
    if (oldSize !== knownSize) return { status: 409, contentType: 'text/x.tlog.size', body: `${knownSize}\n` };
    const conflict = (status: number, reason: string): WitnessResponse => {
      opts.onConflict?.({ origin: log.origin, status, reason, request: req });
      return text(status, `${reason}\n`);
    };
    if (known && oldSize === checkpoint.treeSize) {
      if (proof.length > 0) return conflict(422, 'the consistency proof must be empty for equal sizes');
      if (known.root !== toBase64(checkpoint.rootHash)) return conflict(409, `a different root hash for tree size ${oldSize} was cosigned before`);
    } else if (oldSize === 0 || !known) {
      if (proof.length > 0) return conflict(422, 'the consistency proof must be empty when the old size is 0');
    } else {
      const oldRoot = fromBase64(known.root)!;
      if (!verifyConsistency(nodeHasher, oldSize, checkpoint.treeSize, oldRoot, checkpoint.rootHash, proof)) {
        return conflict(422, `the consistency proof from ${oldSize} to ${checkpoint.treeSize} does not verify`);
      }
    }
    await opts.store.put(log.origin, { size: checkpoint.treeSize, root: toBase64(checkpoint.rootHash) });
    const timestamp = Math.floor(now() / 1000);
    const signature = opts.sign(cosignedMessage(sub.body, timestamp));
    return text(200, formatCosignatureLine(opts.name, opts.publicKey, timestamp, signature));
  }

  return {
    verifierKey: formatVerifierKey(opts.name, COSIGNATURE_ALG, opts.publicKey),
    async addCheckpoint(req) {
      const sub = parseAddCheckpoint(req);
      if (typeof sub === 'string') return text(400, `${sub}\n`);
      const log = logs.get(sub.checkpoint.origin);
      if (!log) return text(404, 'unknown log origin\n');
      if (!(await trusted(log, sub))) return text(403, 'no signature by a key this witness trusts for that origin verifies\n');
      return serialised(log.origin, () => decide(log, sub, req));
    },
  };
}
