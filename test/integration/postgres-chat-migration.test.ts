/**
 * Migration 005 on PostgreSQL: chat stored by an older version is deleted and its table
 * dropped (the SQLite side, with a scan of the file and WAL, is in chat-at-rest.test.ts).
 */
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, sql, type Migration } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../server/storage/index.js';
import { migrations } from '../../server/storage/migrations/index.js';
import { services, TestDatabases, type PgHandle } from '../cluster/services.js';

let pgHandle: PgHandle | null = null;
let dbs: TestDatabases;

beforeAll(async () => {
  pgHandle = await (await services()).ensurePostgres();
  if (!pgHandle) throw new Error('PostgreSQL could not be started (see the message above)');
  dbs = new TestDatabases(pgHandle.url);
}, 60_000);

afterAll(async () => {
  await dbs.drop();
  pgHandle?.stop();
});

describe('migration 005 on PostgreSQL', () => {
  it('deletes every stored chat message and drops the table', async () => {
    const url = await dbs.create();
    const old = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
    const upTo004: Record<string, Migration> = {};
    for (const [name, m] of Object.entries(migrations)) if (name < '005') upTo004[name] = { up: (d) => m.up(d, 'postgres') };
    const { error } = await new Migrator({ db: old, provider: { getMigrations: () => Promise.resolve(upTo004) } }).migrateToLatest();
    expect(error).toBeUndefined();
    await old.insertInto('users').values({ id: 'u1', email: 'h@example.org', password_hash: 'x', display_name: 'Host', created_at: 1 }).execute();
    await old.insertInto('meetings').values({ id: 'm1', host_user_id: 'u1', title: 'Memorial', created_at: 1 }).execute();
    await old
      .insertInto('chat_messages')
      .values([
        { id: 'c1', meeting_id: 'm1', participant_id: 'p1', display_name: 'Ann', text: 'words stored before the upgrade', sealed: null, created_at: 1 },
        {
          id: 'c2',
          meeting_id: 'm1',
          participant_id: 'p1',
          display_name: 'Ann',
          text: '',
          sealed: 'v1.0.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA',
          created_at: 2,
        },
      ])
      .execute();
    await old.destroy();

    const storage = await openStorage({ databaseUrl: url });
    try {
      const tables = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'chat_messages'`.execute(storage.db);
      expect(tables.rows[0]?.n).toBe(0);
      const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(storage.db);
      expect(applied.rows.map((r) => r.name)).toContain('005-no-stored-chat');
    } finally {
      await storage.close();
    }
  });
});
