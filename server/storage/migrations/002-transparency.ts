import type { Kysely } from 'kysely';
import type { DialectName } from '../index.js';

/** The transparency log (server/transparency/): entries by leaf index, and signed checkpoints. */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('log_entries')
    .addColumn('idx', 'bigint', (c) => c.primaryKey())
    .addColumn('entry', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // No index on leaf_hash: lookups by hash use the in-memory index built from the tree.
  await db.schema
    .createTable('checkpoints')
    .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('tree_size', 'bigint', (c) => c.notNull())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .execute();
  // One signed head per size: two different roots for one size would be a fork.
  await db.schema.createIndex('checkpoints_tree_size').on('checkpoints').column('tree_size').unique().execute();
}
