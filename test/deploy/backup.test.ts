/**
 * `npx parley backup` / `npx parley restore` against a real Parley process (SQLite): a backup
 * taken while meetings are joined and demands are approved and enforced, restored into a fresh
 * data directory; the log verifies, a verifier's saved state accepts the restored instance, and
 * restores that would roll the published log back, or whose log was edited, are refused.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts } from '../../server/accounts/index.js';
import { openStorage } from '../../server/storage/index.js';
import { approveAt, createMeetingAt, demandBody, recordDemandAt, signUpAt } from '../cluster/http.js';
import { WsClient } from '../helpers/app.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { root } from './services.js';

const CN = '127.0.0.2';
const HK = '127.0.0.3';
const ENV = { GEO_TEST_MAP: `${CN}=CN,${HK}=HK`, LOG_ORIGIN: 'backup.parley.test/transparency' };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-backup-test-'));
const f = (name: string) => path.join(tmp, name);

/** Run the `parley` launcher as an operator would (npx parley … = node bin/parley.mjs …). */
function parley(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/parley.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The same without blocking this process, so the enforcement traffic it drives goes on meanwhile. */
function parleyAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [path.join(root, 'bin/parley.mjs'), ...args], { cwd: root, env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

let live: ServerProcess;
let restored: ServerProcess | undefined;
const sockets: WsClient[] = [];

/** One round of enforcement traffic: a meeting with people in CN and HK, a demand, its approval. */
async function enforcementRound(host: string, compliance: string, approver: string): Promise<void> {
  const meetingId = await createMeetingAt(live.url, host);
  for (const [from, name] of [
    [CN, 'Li'],
    [HK, 'Wing'],
  ] as const) {
    const c = await WsClient.open(live.wsUrl, {}, true, from);
    sockets.push(c);
    await c.request('join', { meetingId, displayName: name });
  }
  const id = await recordDemandAt(live.url, compliance, demandBody([meetingId]));
  await approveAt(live.url, approver, id);
}

let backupInfo = '';
beforeAll(async () => {
  live = await startServerProcess(ENV);
  fs.writeFileSync(path.join(live.dataDir, 'instance-extra.key'), 'kept outside the database\n', { mode: 0o600 });
  const host = await signUpAt(live.url, 'Host');
  const compliance = await signUpAt(live.url, 'Compliance');
  const approver = await signUpAt(live.url, 'Approver');
  // Roles straight in the database, as `npx parley grant-role` does.
  const s = await openStorage({ sqlitePath: path.join(live.dataDir, 'parley.db') });
  await createAccounts(s.db).setRoles(compliance.id, ['compliance']);
  await createAccounts(s.db).setRoles(approver.id, ['approver']);
  await s.close();
  await enforcementRound(host.cookie, compliance.cookie, approver.cookie);
  await new Promise((r) => setTimeout(r, 2500)); // a checkpoint is published every 2 s
  // What a verifier saw before the backup…
  const v1 = parley(['verify', live.url, '--state', f('before.json')]);
  expect(v1.code, v1.out).toBe(0);
  // …then the backup, taken while rounds of enforcement keep writing to the log.
  let stop = false;
  const traffic = (async () => {
    while (!stop) await enforcementRound(host.cookie, compliance.cookie, approver.cookie);
  })();
  await new Promise((r) => setTimeout(r, 300));
  const b = await parleyAsync(['backup', f('parley.backup')], { DATA_DIR: live.dataDir });
  backupInfo = b.out;
  expect(b.code, b.out).toBe(0);
  await enforcementRound(host.cookie, compliance.cookie, approver.cookie);
  stop = true;
  await traffic;
  await new Promise((r) => setTimeout(r, 2500));
  // …and what a verifier saw after it: more than the backup holds.
  const v2 = parley(['verify', live.url, '--state', f('after.json')]);
  expect(v2.code, v2.out).toBe(0);
}, 240_000);

afterAll(async () => {
  sockets.forEach((c) => c.close());
  await restored?.stop();
  await live?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const state = (name: string) => JSON.parse(fs.readFileSync(f(name), 'utf8')) as { treeSize: number; rootHash: string };

describe('parley backup and restore', () => {
  it('backs up a running instance with its log, keys and data-directory files (mode 0600)', () => {
    expect(backupInfo).toMatch(/Backup written .* with \d+ log entries and instance-extra\.key/);
    expect(fs.statSync(f('parley.backup')).mode & 0o777).toBe(0o600);
    const db = new SQLite(f('parley.backup'), { readonly: true });
    const n = (db.prepare('SELECT count(*) AS n FROM log_entries').get() as { n: number }).n;
    // The log's keys are kept apart, as the instance keeps them: not in the backup, in <file>.keys.
    const inBackup = [
      ...db.prepare("SELECT key AS name FROM meta WHERE key IN ('transparency_signing_key', 'pseudonym_secret')").all(),
      ...db.prepare("SELECT name FROM parley_backup_files WHERE name LIKE 'keys/%'").all(),
    ];
    expect(inBackup).toEqual([]);
    expect(fs.statSync(f('parley.backup.keys')).mode & 0o777).toBe(0o600);
    const keys = (JSON.parse(fs.readFileSync(f('parley.backup.keys'), 'utf8')) as { files: { name: string }[] }).files.map((k) => k.name).sort();
    const enforced = (db.prepare("SELECT count(*) AS n FROM log_entries WHERE entry LIKE '%enforcement%'").get() as { n: number }).n;
    db.close();
    expect(n).toBeGreaterThan(state('before.json').treeSize);
    expect(n).toBeLessThan(state('after.json').treeSize);
    expect(keys).toEqual(['keys/pseudonym_secret', 'keys/transparency_signing_key']);
    expect(enforced).toBeGreaterThan(0);
  });

  it('restores into a fresh data directory; the log verifies and the saved verifier state accepts the restored instance', async () => {
    const dir = f('restored');
    const r = parley(['restore', f('parley.backup'), '--published', f('before.json'), '--data', dir]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/the restored log verifies and ends at entry \d+/);
    expect(fs.readFileSync(path.join(dir, 'instance-extra.key'), 'utf8')).toBe('kept outside the database\n');
    expect(fs.statSync(path.join(dir, 'instance-extra.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'keys', 'transparency_signing_key')).mode & 0o777).toBe(0o600);
    restored = await startServerProcess({ ...ENV, DATA_DIR: dir });
    fs.copyFileSync(f('before.json'), f('before-copy.json'));
    const v = parley(['verify', restored.url, '--state', f('before-copy.json')]);
    expect(v.code, v.out).toBe(0);
    expect(state('before-copy.json').treeSize).toBeGreaterThan(state('before.json').treeSize);
  });

  it('refuses a restore that would roll the published log back, and says witnesses will see a fork', () => {
    const r = parley(['restore', f('parley.backup'), '--published', f('after.json'), '--data', f('rollback')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/restore REFUSED: the backup ends at entry \d+ .* before the published checkpoint at entry \d+/);
    expect(r.out).toContain('will see a fork');
    expect(fs.existsSync(f('rollback'))).toBe(false);
    const forced = parley(['restore', f('parley.backup'), '--published', f('after.json'), '--data', f('rollback'), '--allow-rollback']);
    expect(forced.code, forced.out).toBe(0);
    expect(forced.out).toContain('WARNING');
  });

  it('refuses a backup whose log was edited', () => {
    fs.copyFileSync(f('parley.backup'), f('edited.backup'));
    const db = new SQLite(f('edited.backup'));
    const changed = db
      .prepare('UPDATE log_entries SET entry = replace(entry, \'"CN"\', \'"HK"\') WHERE idx = (SELECT min(idx) FROM log_entries WHERE entry LIKE \'%"CN"%\')')
      .run().changes;
    db.close();
    expect(changed).toBe(1);
    const r = parley(['restore', f('edited.backup'), '--published', f('before.json'), '--data', f('edited')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/restore REFUSED: the backup's log does not verify/);
    expect(fs.existsSync(f('edited'))).toBe(false);
  });

  it('refuses a backup without its key file: the restored log would be signed by a new key', () => {
    fs.copyFileSync(f('parley.backup'), f('keyless.backup'));
    const r = parley(['restore', f('keyless.backup'), '--published', f('before.json'), '--data', f('keyless')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('signed with another key than the published one');
  });

  it('refuses a file that is not a backup and never restores over an existing database', () => {
    const bad = parley(['restore', path.join(root, 'package.json'), '--published', f('before.json'), '--data', f('x')]);
    expect(bad.code).toBe(2);
    const over = parley(['restore', f('parley.backup'), '--published', f('before.json'), '--data', live.dataDir]);
    expect(over.code).toBe(2);
    expect(over.out).toMatch(/not empty/);
  });
});
