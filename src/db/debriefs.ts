import type { Insertable } from 'kysely';
import type { Db } from './connect';
import type { DebriefReminderKind, DebriefRow, DebriefsTable, DebriefUpdate } from './schema';

/** The incident's debrief, if one was ever proposed, scheduled or skipped. */
export async function findDebrief(db: Db, incidentId: number): Promise<DebriefRow | undefined> {
  return db.selectFrom('debriefs').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();
}

/**
 * The incident's debrief, locked until the transaction ends, created first when missing (a concurrent
 * creator wins and this one locks theirs): picks, reschedules and cancels of one meeting queue here.
 */
export async function lockDebrief(
  db: Db,
  incidentId: number,
  initial: Omit<Insertable<DebriefsTable>, 'incident_id'>,
): Promise<{ row: DebriefRow; created: boolean }> {
  const inserted = await db
    .insertInto('debriefs')
    .values({ ...initial, incident_id: incidentId })
    .onConflict((oc) => oc.column('incident_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  const row = await db
    .selectFrom('debriefs')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new Error('the debrief vanished after it was created');
  return { row, created: inserted !== undefined };
}

/** Applies a change to a debrief (locked by the caller) and returns the new row. */
export async function updateDebrief(
  db: Db,
  debriefId: number,
  patch: Omit<DebriefUpdate, 'id' | 'incident_id' | 'version'>,
  at: Date,
): Promise<DebriefRow> {
  return db
    .updateTable('debriefs')
    .set((eb) => ({ ...patch, updated_at: at, version: eb('version', '+', 1) }))
    .where('id', '=', debriefId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A scheduled debrief with what a reminder needs to say where it speaks. */
export interface DueDebrief {
  id: number;
  incident_id: number;
  starts_at: Date;
  ends_at: Date;
  scheduled_at: Date;
  participants: string;
  workspace_id: number;
  number: number;
  title: string;
  is_private: boolean;
  channel_id: string | null;
}

/** Scheduled debriefs starting after `from` and no later than `until`, with their incident. */
export async function listScheduledDebriefs(db: Db, from: Date, until: Date): Promise<DueDebrief[]> {
  const rows = await db
    .selectFrom('debriefs')
    .innerJoin('incidents', 'incidents.id', 'debriefs.incident_id')
    .select([
      'debriefs.id',
      'debriefs.incident_id',
      'debriefs.starts_at',
      'debriefs.ends_at',
      'debriefs.scheduled_at',
      'debriefs.participants',
      'incidents.workspace_id',
      'incidents.number',
      'incidents.title',
      'incidents.is_private',
      'incidents.channel_id',
    ])
    .where('debriefs.status', '=', 'scheduled')
    .where('debriefs.starts_at', '>', from)
    .where('debriefs.starts_at', '<=', until)
    .orderBy('debriefs.starts_at')
    .execute();
  return rows.flatMap((r) =>
    r.starts_at && r.ends_at
      ? [{ ...r, starts_at: r.starts_at, ends_at: r.ends_at, scheduled_at: r.scheduled_at ?? r.starts_at }]
      : [],
  );
}

/** Scheduled debriefs whose time has passed become held; returns how many. */
export async function markDebriefsHeld(db: Db, now: Date): Promise<number> {
  const rows = await db
    .updateTable('debriefs')
    .set((eb) => ({ status: 'held', updated_at: now, version: eb('version', '+', 1) }))
    .where('status', '=', 'scheduled')
    .where('ends_at', '<=', now)
    .returning('id')
    .execute();
  return rows.length;
}

/** Which reminder: one per debrief, kind, meeting start and person. */
export interface DebriefReminderKey {
  debriefId: number;
  kind: DebriefReminderKind;
  startsAt: Date;
  userId: string;
}

/**
 * Claims a reminder before it is sent: true for exactly one caller across processes (INSERT … ON
 * CONFLICT). A row that failed for certain earlier is taken again (the conflicting update locks it, so
 * two sweeps retrying it at once cannot both take it); a claimed or sent row is never taken.
 */
export async function claimDebriefReminder(db: Db, key: DebriefReminderKey, at: Date): Promise<boolean> {
  const claimed = await db
    .insertInto('debrief_reminders')
    .values({
      debrief_id: key.debriefId,
      kind: key.kind,
      starts_at: key.startsAt,
      user_id: key.userId,
      state: 'claimed',
      claimed_at: at,
    })
    .onConflict((oc) =>
      oc
        .columns(['debrief_id', 'kind', 'starts_at', 'user_id'])
        .doUpdateSet((eb) => ({
          state: 'claimed',
          claimed_at: at,
          attempts: eb('debrief_reminders.attempts', '+', 1),
        }))
        .where('debrief_reminders.state', '=', 'failed'),
    )
    .returning('user_id')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** The reminder went out. */
export async function markDebriefReminderSent(db: Db, key: DebriefReminderKey, at: Date): Promise<void> {
  await whereKey(db.updateTable('debrief_reminders').set({ state: 'sent', sent_at: at, last_error: null }), key)
    .where('state', '=', 'claimed')
    .execute();
}

/** Slack refused the reminder (it certainly did not arrive): a later sweep claims it again. */
export async function releaseDebriefReminder(db: Db, key: DebriefReminderKey, slackError: string): Promise<void> {
  await whereKey(db.updateTable('debrief_reminders').set({ state: 'failed', last_error: slackError }), key)
    .where('state', '=', 'claimed')
    .execute();
}

/** Every claim of a debrief, for tests and the operator. */
export async function listDebriefReminders(db: Db, debriefId: number) {
  return db
    .selectFrom('debrief_reminders')
    .selectAll()
    .where('debrief_id', '=', debriefId)
    .orderBy('kind')
    .orderBy('starts_at')
    .orderBy('user_id')
    .execute();
}

function whereKey<Q extends { where: (...args: any[]) => Q }>(query: Q, key: DebriefReminderKey): Q {
  return query
    .where('debrief_id', '=', key.debriefId)
    .where('kind', '=', key.kind)
    .where('starts_at', '=', key.startsAt)
    .where('user_id', '=', key.userId);
}
