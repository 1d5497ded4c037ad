/**
 * Real processes for the transparency attack tests: a Parley server (`server/main.ts`) over a
 * data directory the test owns (so it can edit the database file between runs), the `parley`
 * CLI, and the `parley witness` server. Each is a child process talking HTTP on loopback,
 * started by the one spawner in test/helpers/server-process.ts.
 */
import { startServerProcess, type Proc } from '../helpers/server-process.js';

export { freePort, ROOT, runParley, startProcess, type Proc } from '../helpers/server-process.js';

/** A Parley server over `dataDir` (SQLite at dataDir/parley.db); the directory stays the test's. */
export function startParley(dataDir: string, env: Record<string, string> = {}): Promise<Proc> {
  return startServerProcess({ ...env, DATA_DIR: dataDir });
}
