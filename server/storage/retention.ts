/**
 * Purge jobs: personal data Parley keeps only as long as docs/retention.md says. Data that
 * does not exist cannot be seized (THREAT-MODEL.md, A3). Each run deletes, with SQLite's
 * `secure_delete` on (storage/index.ts), so the bytes do not linger in free pages:
 * - sessions whose expiry has passed;
 * - meeting bans (account, browser, token and key hashes) once their meeting ended more than
 *   `banDays` ago;
 * - demand documents (the uploaded file) once the demand was lifted, expired, rejected or
 *   refused more than `demandDocumentDays` ago. The document's SHA-256 stays on the demand
 *   and in the transparency log, so the record can still be checked against a copy.
 * Idempotent, so every node of a cluster may run it.
 */
import type { Logger } from 'pino';
import type { Db } from './index.js';

export const DAY_MS = 24 * 3600 * 1000;

export interface RetentionPolicy {
  /** Days after a meeting ends that its bans are kept (a host may still reopen the link). */
  banDays: number;
  /** Days after a demand ended (lifted, expired, rejected, refused) that its document is kept. */
  demandDocumentDays: number;
}

export interface PurgeCounts {
  sessions: number;
  bans: number;
  demandDocuments: number;
  /** Second-person requests nobody decided within their 24 h (docs/powers.md). */
  pendingCommands: number;
}

/** Delete every row the retention policy says is past its time, as of `now`. */
export async function purgeExpired(db: Db, policy: RetentionPolicy, now = Date.now()): Promise<PurgeCounts> {
  const sessions = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  const banCutoff = now - policy.banDays * DAY_MS;
  const bans = await db
    .deleteFrom('meeting_bans')
    .where('meeting_id', 'in', db.selectFrom('meetings').select('id').where('ended_at', 'is not', null).where('ended_at', '<=', banCutoff))
    .executeTakeFirst();
  const docCutoff = now - policy.demandDocumentDays * DAY_MS;
  const docs = await db
    .deleteFrom('demand_documents')
    .where(
      'demand_id',
      'in',
      db
        .selectFrom('demands')
        .select('id')
        .where('state', 'in', ['lifted', 'expired', 'rejected', 'refused'])
        .where((eb) => eb(eb.fn.coalesce('ended_at', 'decided_at', 'created_at'), '<=', docCutoff)),
    )
    .executeTakeFirst();
  const pending = await db.deleteFrom('pending_commands').where('expires_at', '<=', now).executeTakeFirst();
  return {
    sessions: Number(sessions.numDeletedRows),
    bans: Number(bans.numDeletedRows),
    demandDocuments: Number(docs.numDeletedRows),
    pendingCommands: Number(pending.numDeletedRows),
  };
}

export interface RetentionJob {
  /** Run one purge now (also what the timer does). */
  runNow(): Promise<PurgeCounts>;
  stop(): void;
}

/** Purge at start and then every `intervalMs` (default hourly). */
export function startRetention(db: Db, policy: RetentionPolicy, opts: { logger?: Logger; intervalMs?: number } = {}): RetentionJob {
  let running: Promise<PurgeCounts> | null = null;
  const runNow = (): Promise<PurgeCounts> => {
    running ??= purgeExpired(db, policy).finally(() => {
      running = null;
    });
    return running;
  };
  const tick = (): void => {
    runNow().then(
      (n) => {
        if (n.sessions + n.bans + n.demandDocuments > 0) opts.logger?.info({ purged: n }, 'retention: purged expired personal data');
      },
      (err: unknown) => opts.logger?.warn({ err }, 'retention purge failed; retried at the next run'),
    );
  };
  const timer = setInterval(tick, opts.intervalMs ?? 3600_000);
  timer.unref();
  const first = setTimeout(tick, 0);
  first.unref();
  return {
    runNow,
    stop: () => {
      clearInterval(timer);
      clearTimeout(first);
    },
  };
}
