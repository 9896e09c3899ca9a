import type { Updateable } from 'kysely';
import type { Db } from './connect';
import type { ActionItemRow, PostmortemRow, PostmortemsTable } from './schema';

/** The incident's postmortem, if one was started. */
export async function findPostmortem(db: Db, incidentId: number): Promise<PostmortemRow | undefined> {
  return db.selectFrom('postmortems').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();
}

/** Locks the postmortem's row until the transaction ends: concurrent assignments and edits queue. */
export async function findPostmortemForUpdate(db: Db, incidentId: number): Promise<PostmortemRow | undefined> {
  return db.selectFrom('postmortems').selectAll().where('incident_id', '=', incidentId).forUpdate().executeTakeFirst();
}

/** Creates the postmortem unless it exists (a concurrent creator wins); returns the stored one. */
export async function insertPostmortemIfMissing(
  db: Db,
  postmortem: { incidentId: number; sections: string; authorship: string; dueDate: string | null; at: Date },
): Promise<PostmortemRow> {
  await db
    .insertInto('postmortems')
    .values({
      incident_id: postmortem.incidentId,
      sections: postmortem.sections,
      authorship: postmortem.authorship,
      due_date: postmortem.dueDate,
      created_at: postmortem.at,
      updated_at: postmortem.at,
    })
    .onConflict((oc) => oc.column('incident_id').doNothing())
    .execute();
  const row = await findPostmortem(db, postmortem.incidentId);
  if (!row) throw new Error('the postmortem vanished after it was created');
  return row;
}

/**
 * Applies a change if the postmortem is still at `expectedVersion` (or at any version when none is
 * given); returns the new row, or undefined when someone else changed it first.
 */
export async function updatePostmortem(
  db: Db,
  postmortemId: number,
  patch: Omit<Updateable<PostmortemsTable>, 'id' | 'incident_id' | 'version'>,
  at: Date,
  expectedVersion?: number,
): Promise<PostmortemRow | undefined> {
  let query = db
    .updateTable('postmortems')
    .set((eb) => ({ ...patch, updated_at: at, version: eb('version', '+', 1) }))
    .where('id', '=', postmortemId);
  if (expectedVersion !== undefined) query = query.where('version', '=', expectedVersion);
  return query.returningAll().executeTakeFirst();
}

export async function listReviewers(db: Db, postmortemId: number) {
  return db
    .selectFrom('postmortem_reviewers')
    .selectAll()
    .where('postmortem_id', '=', postmortemId)
    .orderBy('requested_at')
    .orderBy('user_id')
    .execute();
}

export async function requestReviews(
  db: Db,
  postmortemId: number,
  reviewerIds: readonly string[],
  requestedBy: string,
  at: Date,
): Promise<void> {
  if (reviewerIds.length === 0) return;
  await db
    .insertInto('postmortem_reviewers')
    .values(
      reviewerIds.map((userId) => ({
        postmortem_id: postmortemId,
        user_id: userId,
        requested_by: requestedBy,
        requested_at: at,
      })),
    )
    .onConflict((oc) => oc.columns(['postmortem_id', 'user_id']).doNothing())
    .execute();
}

/** Records an approval; false when that person had already approved. */
export async function recordApproval(db: Db, postmortemId: number, userId: string, requestedBy: string, at: Date) {
  await requestReviews(db, postmortemId, [userId], requestedBy, at);
  const approved = await db
    .updateTable('postmortem_reviewers')
    .set({ approved_at: at })
    .where('postmortem_id', '=', postmortemId)
    .where('user_id', '=', userId)
    .where('approved_at', 'is', null)
    .returning('user_id')
    .executeTakeFirst();
  return approved !== undefined;
}

export async function listActionItems(db: Db, incidentId: number): Promise<ActionItemRow[]> {
  return db.selectFrom('action_items').selectAll().where('incident_id', '=', incidentId).orderBy('number').execute();
}

/** Who posted in the incident channel, with their first message and how many: responders and participants. */
export async function listChannelSpeakers(db: Db, incidentId: number) {
  return db
    .selectFrom('message_log')
    .select((eb) => ['user_id', eb.fn.min('posted_at').as('first_at'), eb.fn.countAll<number>().as('messages')])
    .where('incident_id', '=', incidentId)
    .groupBy('user_id')
    .execute();
}

/** Other incidents that name this one as their original (duplicates), for "related incidents". */
export async function listDuplicatesOf(db: Db, incidentId: number) {
  return db
    .selectFrom('incidents')
    .select(['number', 'title', 'is_private'])
    .where('duplicate_of', '=', incidentId)
    .orderBy('number')
    .execute();
}

/** Postmortems whose owner was assigned before `assignedBefore`, has not accepted, and was not nudged yet. */
export async function listUnacceptedAssignments(db: Db, assignedBefore: Date) {
  return db
    .selectFrom('postmortems')
    .innerJoin('incidents', 'incidents.id', 'postmortems.incident_id')
    .select([
      'postmortems.id',
      'postmortems.incident_id',
      'postmortems.owner_id',
      'postmortems.assigned_by',
      'postmortems.assigned_at',
      'incidents.workspace_id',
      'incidents.number',
    ])
    .where('postmortems.owner_id', 'is not', null)
    .where('postmortems.owner_accepted_at', 'is', null)
    .where('postmortems.owner_nudged_at', 'is', null)
    .where('postmortems.assigned_at', '<=', assignedBefore)
    .where('postmortems.status', 'in', ['drafting', 'in_review'])
    .execute();
}

/**
 * Claims the one nudge an owner who has not accepted gets: only the first sweep (on any replica)
 * to claim it sends it; a concurrent sweep finds it claimed.
 */
export async function claimOwnerNudge(db: Db, postmortemId: number, ownerId: string, at: Date): Promise<boolean> {
  const claimed = await db
    .updateTable('postmortems')
    .set({ owner_nudged_at: at })
    .where('id', '=', postmortemId)
    .where('owner_id', '=', ownerId)
    .where('owner_nudged_at', 'is', null)
    .where('owner_accepted_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** Postmortems a person owns that are not finished (the Home tab), most urgent first. */
export async function listPostmortemsOwnedBy(db: Db, workspaceId: number, ownerId: string, limit: number) {
  return db
    .selectFrom('postmortems')
    .innerJoin('incidents', 'incidents.id', 'postmortems.incident_id')
    .select([
      'postmortems.id',
      'postmortems.incident_id',
      'postmortems.status',
      'postmortems.due_date',
      'incidents.number',
      'incidents.title',
      'incidents.is_private',
    ])
    .where('incidents.workspace_id', '=', workspaceId)
    .where('postmortems.owner_id', '=', ownerId)
    .where('postmortems.status', 'in', ['drafting', 'in_review', 'published'])
    .orderBy((eb) => eb.fn.coalesce('postmortems.due_date', eb.val('9999-12-31')))
    .orderBy('incidents.number')
    .limit(limit)
    .execute();
}
