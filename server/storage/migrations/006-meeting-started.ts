import type { Kysely } from 'kysely';

/**
 * `meetings.started_at`: when the first person got past the join checks. From then on the
 * meeting's `e2ee` setting is fixed (E2EE_FIXED): a host or a coerced server cannot switch
 * end-to-end encryption off under the participants (docs/security.md). Meetings that already
 * ended are marked started at their creation time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('meetings').addColumn('started_at', 'bigint').execute();
  await db
    .updateTable('meetings')
    .set((eb) => ({ started_at: eb.ref('created_at') }))
    .where('ended_at', 'is not', null)
    .execute();
}
