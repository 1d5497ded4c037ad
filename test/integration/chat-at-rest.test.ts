/**
 * A3 (whoever holds the database or a backup) must never read chat. Chat is relayed, never
 * stored: after a meeting with chat has ended, neither the SQLite file nor its WAL holds the
 * words (or a sealed envelope), and the migration that removed the old table left none behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, Migrator, SqliteDialect, type Migration } from 'kysely';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { testConfig } from '../../server/config/index.js';
import { openStorage, type Storage } from '../../server/storage/index.js';
import { migrations } from '../../server/storage/migrations/index.js';
import { createMeeting, signUp, WsClient, type TestServer } from '../helpers/app.js';
import { createNullMedia } from '../helpers/null-media.js';

const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-chat-'));
  dirs.push(dir);
  return path.join(dir, 'parley.db');
}

/** Every file SQLite keeps for `file` (the database, its WAL and shared-memory index), as bytes. */
function atRest(file: string): { name: string; bytes: Buffer }[] {
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]
    .filter((f) => fs.existsSync(f))
    .map((f) => ({ name: path.basename(f), bytes: fs.readFileSync(f) }));
}

/** Where `needle` occurs at rest, as UTF-8 or UTF-16LE (SQLite stores text in either). */
function findAtRest(file: string, needle: string): string[] {
  const hits: string[] = [];
  for (const { name, bytes } of atRest(file)) {
    if (bytes.includes(Buffer.from(needle, 'utf8'))) hits.push(`${name} (utf-8)`);
    if (bytes.includes(Buffer.from(needle, 'utf16le'))) hits.push(`${name} (utf-16)`);
  }
  return hits;
}

async function startFileServer(file: string): Promise<TestServer & { storage: Storage }> {
  const storage = await openStorage({ sqlitePath: file });
  const config = testConfig({ COOKIE_SECURE: 'false' });
  const built = await buildApp({ config, storage, createMedia: createNullMedia });
  const address = await built.app.listen({ port: 0, host: '127.0.0.1' });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await built.app.close();
    await storage.close();
  };
  closers.push(close);
  return { app: built.app, services: built.services, url: address, wsUrl: address.replace(/^http/, 'ws') + '/ws', storage, close };
}

describe('chat at rest', () => {
  it('leaves no chat words in the SQLite file or its WAL after a meeting with plain and sealed chat ends', async () => {
    const file = tempDb();
    const server = await startFileServer(file);
    const words = 'candlelight-vigil-victoria-park-1989';
    const sealed = 'v1.0.AAAAAAAAAAAAAAAA.c2VhbGVkLWVudmVsb3BlLW5ldmVyLXN0b3JlZA';

    const host = await signUp(server);
    const plain = await createMeeting(server, host.cookie);
    const secret = await createMeeting(server, host.cookie, { e2ee: true });
    for (const [m, payload] of [
      [plain, { text: `${words} (plain)` }],
      [secret, { sealed }],
    ] as const) {
      const h = await WsClient.open(server.wsUrl, { cookie: host.cookie });
      await h.request('join', { meetingId: m.id, displayName: 'Host' });
      const a = await WsClient.open(server.wsUrl);
      await a.request('join', { meetingId: m.id, displayName: 'Ann' });
      const sent = await a.request<{ messageId: string }>('chat.send', payload);
      const got = await h.waitEvent('chat.message', (d: { messageId: string }) => d.messageId === sent.messageId);
      expect(JSON.stringify(got)).toContain('text' in payload ? words : sealed); // relayed live
      await h.request('host.end', {});
      a.close();
      h.close();
    }

    // While the server still runs (the WAL is there), then after it closed (checkpointed).
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    expect(findAtRest(file, words)).toEqual([]);
    expect(findAtRest(file, sealed)).toEqual([]);
    await server.close();
    expect(findAtRest(file, words)).toEqual([]);
    expect(findAtRest(file, sealed)).toEqual([]);
  });

  it('removes chat stored by an older version: no row, no table, and no words left in the file or WAL', async () => {
    const file = tempDb();
    const words = 'memorial-words-stored-before-the-upgrade';
    const sealed = 'v1.7.BBBBBBBBBBBBBBBB.b2xkLXNlYWxlZC1lbnZlbG9wZS1yb3c';

    // A database as version 004 left it, with chat in it.
    const raw = new SQLite(file);
    raw.pragma('journal_mode = WAL');
    const old = new Kysely<any>({ dialect: new SqliteDialect({ database: raw }) });
    const upTo004: Record<string, Migration> = {};
    for (const [name, m] of Object.entries(migrations)) if (name < '005') upTo004[name] = { up: (d) => m.up(d, 'sqlite') };
    const { error } = await new Migrator({ db: old, provider: { getMigrations: () => Promise.resolve(upTo004) } }).migrateToLatest();
    expect(error).toBeUndefined();
    await old.insertInto('users').values({ id: 'u1', email: 'h@example.org', password_hash: 'x', display_name: 'Host', created_at: 1 }).execute();
    await old.insertInto('meetings').values({ id: 'm1', host_user_id: 'u1', title: 'Memorial', created_at: 1 }).execute();
    for (let i = 0; i < 50; i++) {
      await old
        .insertInto('chat_messages')
        .values({
          id: `c${i}`,
          meeting_id: 'm1',
          participant_id: 'p1',
          display_name: 'Ann',
          text: `${words} ${i}`,
          sealed: i % 2 ? sealed : null,
          created_at: 1,
        })
        .execute();
    }
    await old.destroy();
    expect(findAtRest(file, words)).not.toEqual([]); // the fixture really holds the words

    const storage = await openStorage({ sqlitePath: file });
    closers.push(() => storage.close());
    const tables = storage.sqlite?.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    expect(tables.map((t) => t.name)).not.toContain('chat_messages');
    expect(findAtRest(file, words)).toEqual([]);
    expect(findAtRest(file, sealed)).toEqual([]);
    await closers.pop()?.();
    expect(findAtRest(file, words)).toEqual([]);
    expect(findAtRest(file, sealed)).toEqual([]);
  });
});
