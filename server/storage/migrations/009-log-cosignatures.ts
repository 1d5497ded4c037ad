import type { Kysely } from 'kysely';

/**
 * `log_cosignatures`: the witness cosignatures the transparency log received (C2SP
 * tlog-cosignature lines), one per checkpoint (size and root) and witness key. The log serves
 * its checkpoint with them after a restart, and the highest size per witness is what that
 * witness last cosigned (the old size of the next submission, C2SP tlog-witness).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('log_cosignatures')
    .addColumn('tree_size', 'bigint', (c) => c.notNull())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('witness_key', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('log_cosignatures_pk', ['tree_size', 'root_hash', 'witness_key'])
    .execute();
}
