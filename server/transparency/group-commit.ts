/**
 * Group commit for the log: appends queue up and commit together, one transaction per batch
 * (≤ maxBatch entries, whole calls only), in call order. A batch commits on the next loop turn
 * (so concurrent appends share it), on the next tick when it is already big, or after a window.
 * What a commit is, and what to do when one fails, belong to the caller.
 */
import { AppError } from '../../protocol/errors.js';
import type { LogEntry } from '../../protocol/transparency.js';
import type { AppendResult } from './log-types.js';

/** One append or appendMany call waiting for its batch. */
export interface Pending {
  entries: LogEntry[];
  json: string[];
  resolve: (r: AppendResult[]) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  maxBatch: number;
  /** How long an append waits for company; 0 = end of this tick. */
  batchWindowMs: number;
  /** Commit the batch and resolve each pending (only after the commit). Throws when nothing was committed. */
  commit(batch: Pending[]): Promise<void>;
  /** Null when appends may commit; otherwise why they are refused (LOG_APPEND_FAILED). */
  refusal(): string | null;
  /** After a failed commit (the batch is rejected already): log, recheck the store. */
  failed(cause: unknown, batch: readonly Pending[]): Promise<void>;
}

export interface GroupCommit {
  /** Queue validated entries; resolves with their results once committed. */
  enqueue(entries: LogEntry[], json: string[]): Promise<AppendResult[]>;
  /** Calls rejected with LOG_APPEND_FAILED so far. */
  failures(): number;
  /** Resolves when nothing is queued or committing. */
  idle(): Promise<void>;
}

/** Queued entries from which a batch commits on the next tick rather than the next loop turn. */
const FLUSH_NOW = 256;

export function createGroupCommit(opts: GroupCommitOptions): GroupCommit {
  const queue: Pending[] = [];
  let flushing: Promise<void> | null = null;
  let scheduled = false;
  let failures = 0;

  function reject(batch: readonly Pending[], err: AppError): void {
    failures += batch.length;
    for (const p of batch) p.reject(err);
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      let take = 0;
      let n = 0;
      while (take < queue.length && (n === 0 || n + queue[take]!.entries.length <= opts.maxBatch)) n += queue[take++]!.entries.length;
      const batch = queue.splice(0, take);
      const refusal = opts.refusal();
      if (refusal !== null) {
        reject(batch, new AppError('LOG_APPEND_FAILED', undefined, { cause: refusal }));
        continue;
      }
      try {
        await opts.commit(batch);
      } catch (cause) {
        reject(batch, new AppError('LOG_APPEND_FAILED', undefined, { cause: cause instanceof Error ? cause.message : String(cause) }));
        await opts.failed(cause, batch);
      }
    }
  }

  function schedule(): void {
    if (scheduled || flushing) return;
    scheduled = true;
    const run = (): void => {
      scheduled = false;
      flushing = drain().finally(() => {
        flushing = null;
        if (queue.length > 0) schedule();
      });
    };
    if (opts.batchWindowMs > 0) setTimeout(run, opts.batchWindowMs);
    // A batch this big gains nothing by waiting a loop turn for company (an enforcement pass:
    // the removals wait on it); smaller ones wait so concurrent appends share a transaction.
    else if (queue.reduce((k, p) => k + p.entries.length, 0) >= FLUSH_NOW) process.nextTick(run);
    else setImmediate(run);
  }

  return {
    enqueue(entries, json) {
      if (entries.length === 0) return Promise.resolve([]);
      return new Promise((resolve, reject) => {
        queue.push({ entries, json, resolve, reject });
        schedule();
      });
    },
    failures: () => failures,
    async idle() {
      while (flushing || queue.length > 0 || scheduled) {
        await (flushing ?? new Promise((r) => setImmediate(r)));
      }
    },
  };
}
