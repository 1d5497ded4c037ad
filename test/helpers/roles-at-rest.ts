/**
 * Scene set-up for tests against a server process: operator roles written straight into its
 * SQLite database. Not an operator path — the CLI only bootstraps the first admin and every
 * later change waits for a second admin (docs/powers.md) — but tests that are about something
 * else need a compliance officer and an approver without playing that out each time. The
 * server reads roles per request, so the next request acts with them.
 */
import path from 'node:path';
import Database from 'better-sqlite3';

/** Give the account with `email` exactly `roles` (added to those it holds). */
export function grantRolesAtRest(dataDir: string, email: string, roles: readonly string[]): void {
  const db = new Database(path.join(dataDir, 'parley.db'));
  try {
    db.pragma('busy_timeout = 5000');
    const row = db.prepare('select roles from users where email = ?').get(email.toLowerCase()) as { roles: string } | undefined;
    if (!row) throw new Error(`no account with email ${email}`);
    const next = [...new Set([...(JSON.parse(row.roles) as string[]), ...roles])];
    db.prepare('update users set roles = ? where email = ?').run(JSON.stringify(next), email.toLowerCase());
  } finally {
    db.close();
  }
}
