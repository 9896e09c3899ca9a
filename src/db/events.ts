import type { Db } from './connect';

/** Claims a Slack event id; false when it was already processed (a Slack retry). */
export async function claimEvent(db: Db, eventId: string, teamId: string): Promise<boolean> {
  const inserted = await db
    .insertInto('processed_events')
    .values({ event_id: eventId, team_id: teamId })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Forgets event ids processed before `cutoff`; Slack stops retrying an event within the hour. */
export async function forgetEventsBefore(db: Db, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('processed_events').where('processed_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Whether an event id was already processed: lets a retry skip its Slack calls before any work. */
export async function isEventProcessed(db: Db, eventId: string): Promise<boolean> {
  const row = await db
    .selectFrom('processed_events')
    .select('event_id')
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row !== undefined;
}
