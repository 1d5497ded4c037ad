import type { Kysely } from 'kysely';

/**
 * Chat in end-to-end encrypted meetings is stored as the sender sealed it: `sealed` holds the
 * opaque envelope and `text` stays empty, so the server never has the words (docs/security.md).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('chat_messages').addColumn('sealed', 'text').execute();
}
