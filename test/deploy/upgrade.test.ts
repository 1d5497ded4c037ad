/**
 * Upgrades: this release started on a database kept from a previous one (fixtures/parley-*.sql,
 * made by make-upgrade-fixture.ts through the real interfaces). Migrations run at start, after
 * a copy of the database was taken; accounts, meetings and the log come through, and the log
 * verifies from scratch. The release before 006-meeting-started is the fixture with that
 * migration undone, so the copy-then-migrate path runs today, not only once a 007 exists.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { FIXTURE_ENV, FIXTURE_HOST } from './fixtures/upgrade-fixture.js';
import { root } from './services.js';
import { loadSqlite } from './sqlite-dump.js';

const fixtures = fs.readdirSync(path.join(root, 'test/deploy/fixtures')).filter((f) => /^parley-.*\.sql$/.test(f));
const running: ServerProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of running) await s.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function dataDirFrom(fixture: string, edit?: (db: SQLite.Database) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-upgrade-'));
  dirs.push(dir);
  const file = path.join(dir, 'parley.db');
  loadSqlite(fs.readFileSync(path.join(root, 'test/deploy/fixtures', fixture), 'utf8'), file);
  if (edit) {
    const db = new SQLite(file);
    edit(db);
    db.close();
  }
  return dir;
}

const rows = (file: string, sql: string) => {
  const db = new SQLite(file, { readonly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
};

/** Start this release on `dir`, sign in as the fixture's host, list their meetings, verify the log. */
async function startAndCheck(dir: string) {
  const server = await startServerProcess({ ...FIXTURE_ENV, DATA_DIR: dir });
  running.push(server);
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(FIXTURE_HOST),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .find((c) => c.startsWith('parley_session='))!
    .split(';')[0]!;
  const meetings = (await (await fetch(`${server.url}/api/meetings`, { headers: { cookie } })).json()) as { meetings: { title: string }[] };
  const state = path.join(dir, '..', `${path.basename(dir)}-verify.json`);
  dirs.push(state);
  const verify = spawnSync(process.execPath, [path.join(root, 'bin/parley.mjs'), 'verify', server.url, '--state', state], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  return { server, titles: meetings.meetings.map((m) => m.title).sort(), verified: verify.stdout };
}

describe.each(fixtures)('upgrading from %s', (fixture) => {
  it('starts on it: the host signs in, their meetings are there, the log verifies from scratch', async () => {
    const dir = dataDirFrom(fixture);
    const logSize = rows(path.join(dir, 'parley.db'), 'SELECT count(*) AS n FROM log_entries')[0]!.n as number;
    const { server, titles, verified } = await startAndCheck(dir);
    expect(titles).toEqual(['Memorial', 'Weekly']);
    expect(logSize).toBeGreaterThan(0);
    expect(verified).toContain(`(tree size ${logSize},`);
    await server.stop();
  });

  it('takes a copy before migrating a database from the release before 006-meeting-started, then migrates it', async () => {
    const dir = dataDirFrom(fixture, (db) => {
      db.exec("ALTER TABLE meetings DROP COLUMN started_at; DELETE FROM kysely_migration WHERE name = '006-meeting-started';");
    });
    const { server, titles } = await startAndCheck(dir);
    expect(titles).toEqual(['Memorial', 'Weekly']);
    expect(server.output()).toContain('pending database migrations; the database was copied to');
    await server.stop();
    const copy = path.join(dir, 'parley.db.pre-006-meeting-started.backup');
    expect(fs.statSync(copy).mode & 0o777).toBe(0o600);
    // The copy is the database as it was: no started_at, 006 not applied, the same log.
    expect(rows(copy, 'PRAGMA table_info(meetings)').map((c) => c.name)).not.toContain('started_at');
    expect(rows(copy, "SELECT name FROM kysely_migration WHERE name = '006-meeting-started'")).toEqual([]);
    const db = path.join(dir, 'parley.db');
    expect(rows(copy, 'SELECT count(*) AS n FROM log_entries')[0]!.n).toBe(rows(db, 'SELECT count(*) AS n FROM log_entries')[0]!.n);
    // The migrated database: the ended meeting counts as started at its creation.
    expect(rows(db, "SELECT started_at = created_at AS same FROM meetings WHERE title = 'Weekly'")).toEqual([{ same: 1 }]);
  });
});
