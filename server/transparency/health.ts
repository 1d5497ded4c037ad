/** The log's part of `/healthz`: an intact, writable log or LOG_INTEGRITY_FAILED with the reason. */
import { AppError } from '../../protocol/errors.js';
import type { TransparencyLog } from './log-types.js';

/** Throw LOG_INTEGRITY_FAILED (503, with the first bad index when known) unless the log is intact. */
export function assertLogIntact(log: Pick<TransparencyLog, 'integrity'>): void {
  const integrity = log.integrity();
  if (integrity.ok) return;
  throw new AppError('LOG_INTEGRITY_FAILED', integrity.reason, integrity.index === undefined ? undefined : { index: integrity.index });
}

/** Refuse a read that reaches `size` or beyond when the tree stopped there because of a bad row. */
export function assertServable(log: Pick<TransparencyLog, 'integrity' | 'size'>, upTo: number): void {
  if (upTo >= log.size()) assertLogIntact(log);
}
