import type { Kysely } from 'kysely';

/**
 * The second-person desk in the database (server/policy/commands.ts): commands one operator
 * requested that wait for a second (kind, summary, details as JSON, who, when, expiry: 24 h),
 * and who requested or approved each role grant (the link rule: a sock puppet is never the
 * second person of whoever made it). Before this they lived in one process's memory: a restart
 * lost them, and another node of a cluster never saw them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pending_commands')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pending_commands_expires').on('pending_commands').column('expires_at').execute();
  await db.schema
    .createTable('role_grant_links')
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('granter', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('role_grant_links_pk', ['account', 'granter'])
    .execute();
}
