/** The transparency log's public shape: options, results and the TransparencyLog interface. */
import type { LogEntry, PseudonymKind } from '../../protocol/transparency.js';
import type { Db, DialectName } from '../storage/index.js';
import type { SignedCheckpoint } from './checkpoint.js';
import type { KeyStore } from './keys.js';
import type { TileAddress } from './tiles.js';
import type { WitnessConfig } from './witness-client.js';
import type { WitnessAlarm, WitnessStatus } from './witness-status.js';
import type { TransparencyReport } from './report.js';

/** pino-compatible subset. */
export interface LogLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface TransparencyLogOptions {
  db: Db;
  dialect: DialectName;
  /** Checkpoint origin and signing-key name, e.g. `parley.example.org/transparency`. */
  origin: string;
  logger?: LogLogger;
  /** Clock (ms); tests pin it. */
  now?: () => number;
  /** How long an append waits for company before its batch commits; 0 = end of this tick. */
  batchWindowMs?: number;
  /** Most entries per transaction. */
  maxBatch?: number;
  /** SQLite only: the raw handle under `db` (Storage.sqlite); rows are then inserted with one prepared statement. */
  sqlite?: { prepare(sql: string): { run(...params: unknown[]): unknown } } | null;
  /** Where the signing key and pseudonym secret live; default the database (`meta`). Production: fileKeyStore. */
  keys?: KeyStore | undefined;
  /** Witnesses each new checkpoint is submitted to (C2SP tlog-witness); default none. */
  witnesses?: readonly WitnessConfig[];
  /** Told when a witness refuses or fails (besides the error log line). */
  onWitnessAlarm?: (witness: string, reason: string) => void;
  /** Checkpoint cadence; default 2000 ms. 0 disables the timer (call publishNow). */
  checkpointIntervalMs?: number;
  /**
   * Test-only fault injection: runs inside the append transaction after the rows are inserted
   * and before commit; throwing rolls the batch back, exactly like a failing disk.
   */
  faults?: { beforeCommit?: (entries: readonly LogEntry[]) => void | Promise<void> };
}

export interface AppendResult {
  /** Zero-based leaf index. */
  index: number;
  /** Base64 SHA-256(0x00 ‖ canonical entry), as get-proof-by-hash takes it. */
  leafHash: string;
}

/**
 * Whether the stored log is intact. `index`: the first row that did not match its stored leaf
 * hash (or was missing); the tree stops before it and nothing at or after it is served.
 */
export type Integrity = { ok: true } | { ok: false; reason: string; index?: number };

export interface TransparencyLog {
  /**
   * Write-ahead append. Resolves only after the entry is committed to the database; the caller
   * takes the action it records only after that. If it rejects — `AppError('VALIDATION_FAILED')`
   * for a malformed entry, `AppError('LOG_APPEND_FAILED')` when it could not be stored — the
   * action MUST NOT happen. Concurrent appends share one transaction (group commit); indexes
   * are gap-free and follow call order.
   */
  append(entry: LogEntry): Promise<AppendResult>;
  /** Like `append`, for several entries stored atomically (all or none), in order. */
  appendMany(entries: readonly LogEntry[]): Promise<AppendResult[]>;
  /** Number of committed entries. */
  size(): number;
  /** Canonical JSON of entries start..end inclusive (at most 1000, clipped to the size). */
  getEntries(start: number, end: number): Promise<{ index: number; entry: string }[]>;
  /** RFC 9162 audit path for a leaf index or a base64 leaf hash, in the tree of `treeSize`. */
  inclusionProof(leaf: number | string, treeSize: number): Promise<{ leafIndex: number; auditPath: Uint8Array[] }>;
  /** RFC 9162 consistency proof between two tree sizes. */
  consistencyProof(first: number, second: number): Uint8Array[];
  /** Root hash of the tree of `treeSize` entries (default: all). */
  rootHash(treeSize?: number): Uint8Array;
  latestCheckpoint(): SignedCheckpoint | null;
  /**
   * The checkpoint to serve: the newest whose witness round finished, its note carrying the
   * cosignatures it got (without witnesses: the latest checkpoint).
   */
  servedCheckpoint(): SignedCheckpoint | null;
  /** A C2SP tlog-tiles tile or entry bundle; null until the tree holds all of it (then it never changes). */
  tile(address: TileAddress): Promise<Uint8Array | null>;
  /** Configured witnesses: what each last cosigned and its alarms. */
  witnesses(): WitnessStatus[];
  /** The latest witness alarms, newest first (at most 100, since start). */
  witnessAlarms(): WitnessAlarm[];
  /** The witness policy this instance suggests to verifiers (a majority of WITNESSES), null without witnesses. */
  suggestedWitnessPolicy(): string | null;
  /** Appends rejected with LOG_APPEND_FAILED since start (each append or appendMany call counts once). */
  appendFailures(): number;
  /** Sign a checkpoint for the current size now (tests, shutdown). */
  publishNow(): Promise<SignedCheckpoint>;
  /** HMAC pseudonym for the public log; scope = demand id unlinks people across demands. */
  pseudonym(kind: PseudonymKind, id: string, scope: string): string;
  /** The report over every committed entry. */
  report(): TransparencyReport;
  /** Whether every stored entry matched its hash and the signed checkpoints; appends are refused when not. */
  integrity(): Integrity;
  readonly origin: string;
  readonly keyName: string;
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** C2SP verifier key `<name>+<hash>+<key>`. */
  readonly verifierKey: string;
  /** Stop the checkpoint timer and wait for pending appends; the db stays open. */
  close(): Promise<void>;
  /**
   * [cluster] Adopt entries other nodes committed since this one last read the store, so reads,
   * proofs, checkpoints and the report include them. Appends do this themselves. Returns the size.
   */
  sync(): Promise<number>;
}
