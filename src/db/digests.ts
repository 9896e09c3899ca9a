import { type SqlBool, sql } from 'kysely';
import type { Db } from './connect';

/** Which digest: one per workspace, person and local date. */
export interface DigestClaimKey {
  workspaceId: number;
  userId: string;
  /** `YYYY-MM-DD` in the recipient's zone. */
  localDate: string;
}

/**
 * Digests of the workspace on these local dates that are claimed or sent: the planner never plans them
 * again. A failed one is left out, so that a later sweep retries it.
 */
export async function listClaimedDigests(
  db: Db,
  workspaceId: number,
  localDates: readonly string[],
): Promise<{ user_id: string; local_date: string }[]> {
  if (localDates.length === 0) return [];
  return db
    .selectFrom('reminder_digests')
    .select(['user_id', 'local_date'])
    .where('workspace_id', '=', workspaceId)
    .where('local_date', 'in', [...localDates])
    .where('state', 'in', ['claimed', 'sent'])
    .execute();
}

/**
 * Claims a digest before it is sent: true for exactly one caller across processes (see `claimDigests`).
 */
export async function claimDigest(db: Db, key: DigestClaimKey, at: Date): Promise<boolean> {
  return (await claimDigests(db, [key], at)).length === 1;
}

/**
 * Claims digests before they are sent, in one statement: each key is won by exactly one caller across
 * processes, and the keys won are returned. A new row is inserted; a row that failed earlier is taken
 * again (Postgres locks the row for the conflicting update, so two sweeps retrying it at once cannot both
 * see it as failed). A claimed or sent row is never taken. Rows go in key order, so that two sweeps
 * claiming overlapping batches wait on each other's rows in the same order instead of deadlocking.
 */
export async function claimDigests(db: Db, keys: readonly DigestClaimKey[], at: Date): Promise<DigestClaimKey[]> {
  if (keys.length === 0) return [];
  const rows = [...keys].sort(compareKeys).map((key) => ({
    workspace_id: key.workspaceId,
    user_id: key.userId,
    local_date: key.localDate,
    state: 'claimed' as const,
    claimed_at: at,
  }));
  const won = await db
    .insertInto('reminder_digests')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'user_id', 'local_date'])
        .doUpdateSet((eb) => ({
          state: 'claimed',
          claimed_at: at,
          attempts: eb('reminder_digests.attempts', '+', 1),
        }))
        .where('reminder_digests.state', '=', 'failed'),
    )
    .returning(['workspace_id', 'user_id', 'local_date'])
    .execute();
  return won.map((row) => ({ workspaceId: row.workspace_id, userId: row.user_id, localDate: row.local_date }));
}

/**
 * Gives back claims that were never sent at all (a sweep stopped by a rate limit before their turn): as if
 * never claimed, so that the attempt count stays honest — a first claim's row goes, a retried one is
 * failed again as before. Only claims still held are touched.
 */
export async function unclaimDigests(db: Db, keys: readonly DigestClaimKey[]): Promise<void> {
  if (keys.length === 0) return;
  const held = inKeys(keys);
  await db
    .deleteFrom('reminder_digests')
    .where('state', '=', 'claimed')
    .where('attempts', '=', 1)
    .where(held)
    .execute();
  await db
    .updateTable('reminder_digests')
    .set((eb) => ({ state: 'failed', attempts: eb('attempts', '-', 1) }))
    .where('state', '=', 'claimed')
    .where('attempts', '>', 1)
    .where(held)
    .execute();
}

function compareKeys(a: DigestClaimKey, b: DigestClaimKey): number {
  return (
    a.workspaceId - b.workspaceId ||
    (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0) ||
    (a.localDate < b.localDate ? -1 : a.localDate > b.localDate ? 1 : 0)
  );
}

/** These digests went out (one statement for a batch of them). */
export async function markDigestsSent(db: Db, keys: readonly DigestClaimKey[], at: Date): Promise<void> {
  if (keys.length === 0) return;
  await db
    .updateTable('reminder_digests')
    .set({ state: 'sent', sent_at: at, last_error: null })
    .where('state', '=', 'claimed')
    .where(inKeys(keys))
    .execute();
}

/** `(workspace_id, user_id, local_date)` is one of the keys: three array parameters, whatever their number. */
function inKeys(keys: readonly DigestClaimKey[]) {
  return sql<SqlBool>`(workspace_id, user_id, local_date) in (select * from unnest(
    ${keys.map((k) => k.workspaceId)}::integer[], ${keys.map((k) => k.userId)}::text[], ${keys.map((k) => k.localDate)}::text[]))`;
}

/** Slack refused the digest (definitely not delivered): a later sweep claims it again. */
export async function releaseDigest(db: Db, key: DigestClaimKey, slackError: string): Promise<void> {
  await whereKey(db.updateTable('reminder_digests').set({ state: 'failed', last_error: slackError }), key)
    .where('state', '=', 'claimed')
    .execute();
}

export async function findDigest(db: Db, key: DigestClaimKey) {
  return whereKey(db.selectFrom('reminder_digests').selectAll(), key).executeTakeFirst();
}

function whereKey<Q extends { where: (...args: any[]) => Q }>(query: Q, key: DigestClaimKey): Q {
  return query
    .where('workspace_id', '=', key.workspaceId)
    .where('user_id', '=', key.userId)
    .where('local_date', '=', key.localDate);
}

/** Drafts with an owner and a due date, for the digest of drafts past their due date. */
export async function listDraftsForDigest(db: Db, workspaceId: number) {
  return db
    .selectFrom('postmortems')
    .innerJoin('incidents', 'incidents.id', 'postmortems.incident_id')
    .select([
      'postmortems.id',
      'postmortems.incident_id',
      'postmortems.owner_id',
      'postmortems.due_date',
      'postmortems.status',
      'postmortems.draft_reminders_sent',
      'incidents.number as incident_number',
      'incidents.title as incident_title',
      'incidents.is_private as incident_is_private',
      'incidents.peak_severity',
      'incidents.reopen_count',
    ])
    .where('incidents.workspace_id', '=', workspaceId)
    .where('postmortems.status', '=', 'drafting')
    .where('postmortems.owner_id', 'is not', null)
    .where('postmortems.due_date', 'is not', null)
    .execute();
}

/** Reviews asked for and neither answered nor nudged, of postmortems still in review. */
export async function listWaitingReviews(db: Db, workspaceId: number) {
  return db
    .selectFrom('postmortem_reviewers')
    .innerJoin('postmortems', 'postmortems.id', 'postmortem_reviewers.postmortem_id')
    .innerJoin('incidents', 'incidents.id', 'postmortems.incident_id')
    .select([
      'postmortem_reviewers.postmortem_id',
      'postmortem_reviewers.user_id',
      'postmortem_reviewers.requested_at',
      'postmortem_reviewers.nudged_at',
      'postmortems.incident_id',
      'incidents.number as incident_number',
      'incidents.title as incident_title',
      'incidents.is_private as incident_is_private',
    ])
    .where('incidents.workspace_id', '=', workspaceId)
    .where('postmortems.status', '=', 'in_review')
    .where('postmortem_reviewers.approved_at', 'is', null)
    .where('postmortem_reviewers.nudged_at', 'is', null)
    .execute();
}

/** A digest listed these drafts past their due date. */
export async function countDraftReminders(db: Db, postmortemIds: readonly number[]): Promise<void> {
  if (postmortemIds.length === 0) return;
  await db
    .updateTable('postmortems')
    .set((eb) => ({ draft_reminders_sent: eb('draft_reminders_sent', '+', 1) }))
    .where('id', 'in', [...postmortemIds])
    .execute();
}

/** A digest carried the one nudge of these reviews. */
export async function markReviewsNudged(
  db: Db,
  reviews: readonly { postmortemId: number; userId: string }[],
  at: Date,
): Promise<void> {
  if (reviews.length === 0) return;
  await db
    .updateTable('postmortem_reviewers')
    .set({ nudged_at: at })
    .where(
      sql<SqlBool>`(postmortem_id, user_id) in (select * from unnest(
        ${reviews.map((r) => r.postmortemId)}::integer[], ${reviews.map((r) => r.userId)}::text[]))`,
    )
    .where('nudged_at', 'is', null)
    .execute();
}
