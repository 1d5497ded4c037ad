/** An in-memory PolicyLog for property tests: validates every entry like the real log, keeps order. */
import { LogEntry } from '../../protocol/transparency.js';
import { createPseudonymizer } from '../transparency/index.js';
import type { PolicyLog } from './types.js';

export interface MemoryLog extends PolicyLog {
  readonly entries: LogEntry[];
  /** When set, appends reject (as a failing disk would). */
  failing: boolean;
}

export function createMemoryLog(): MemoryLog {
  const entries: LogEntry[] = [];
  const pseudonym = createPseudonymizer(new Uint8Array(32).fill(7));
  const log: MemoryLog = {
    entries,
    failing: false,
    pseudonym,
    append(entry) {
      return log.appendMany([entry]);
    },
    appendMany(list) {
      if (log.failing) return Promise.reject(new Error('log down'));
      const parsed = list.map((e) => LogEntry.parse(e)); // all or none, like the real log
      entries.push(...parsed);
      return Promise.resolve(parsed.length);
    },
  };
  return log;
}
