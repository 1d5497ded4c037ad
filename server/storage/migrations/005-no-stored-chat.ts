import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../index.js';

/**
 * Chat is relayed, never stored (issue 12; docs/retention.md). Versions up to 004 wrote every
 * message to `chat_messages` (plain text, or the sealed envelope with sender and time) and
 * nothing ever read it back. This migration deletes every existing row and drops the table.
 *
 * Notes for operators:
 * - SQLite: the rows are deleted with `secure_delete` on (their bytes are overwritten), the
 *   file is vacuumed and the WAL checkpointed and truncated, so no word remains in the data
 *   directory. Backups taken before the upgrade still hold the chat: delete them.
 * - PostgreSQL: the rows are deleted and the table dropped (its files are unlinked at
 *   commit). Older WAL segments, WAL archives, replicas' history and base backups taken
 *   before the upgrade still hold the rows until they are rotated out: purge them.
 * The number of rows removed is written to stderr.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const counted = await db
    .selectFrom('chat_messages')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  const n = Number(counted?.n ?? 0);
  if (dialect === 'sqlite') await sql`PRAGMA secure_delete = ON`.execute(db);
  await db.deleteFrom('chat_messages').execute();
  await db.schema.dropIndex('chat_meeting').ifExists().execute();
  await db.schema.dropTable('chat_messages').execute();
  if (dialect === 'sqlite') {
    // Not in a transaction on SQLite (Kysely runs SQLite migrations without one), so both run.
    await sql`VACUUM`.execute(db);
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
  }
  if (n > 0) process.stderr.write(`migration 005-no-stored-chat: deleted ${n} stored chat message(s) and dropped chat_messages\n`);
}
