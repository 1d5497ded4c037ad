import type { Kysely } from 'kysely';

/**
 * `meetings.event`: the meeting was created as a large event (issue 15): hosts and panelists
 * publish, attendees join receive-only. Fixed at creation; existing meetings are not events.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('meetings')
    .addColumn('event', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
