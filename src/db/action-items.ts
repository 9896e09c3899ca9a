import { sql, type Updateable } from 'kysely';
import type { DigestItem } from '../domain/reminders';
import type { Db } from './connect';
import type { ActionItemRow, ActionItemsTable } from './schema';

/** An action item with the incident and postmortem it belongs to, as lists, digests and the Home tab show it. */
export interface ActionItemInContext extends ActionItemRow {
  incident_number: number;
  incident_title: string;
  incident_is_private: boolean;
  incident_channel_id: string | null;
  postmortem_owner_id: string | null;
}

/**
 * The next item number of an incident (`#1`, `#2` …). The incident's row is locked until the
 * transaction ends, so concurrent `/postmortem action` commands get distinct numbers.
 */
export async function allocateItemNumber(db: Db, incidentId: number): Promise<number> {
  await db.selectFrom('incidents').select('id').where('id', '=', incidentId).forUpdate().execute();
  const row = await db
    .selectFrom('action_items')
    .select((eb) => eb.fn.max('number').as('last'))
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}

export async function insertActionItem(
  db: Db,
  item: Omit<ActionItemRow, 'id' | 'version' | 'muted' | 'snooze_count'>,
): Promise<ActionItemRow> {
  return db.insertInto('action_items').values(item).returningAll().executeTakeFirstOrThrow();
}

/** The workspace's items joined to their incident and, when there is one, its postmortem. */
function itemsOfWorkspace(db: Db, workspaceId: number) {
  return db
    .selectFrom('action_items')
    .innerJoin('incidents', 'incidents.id', 'action_items.incident_id')
    .leftJoin('postmortems', 'postmortems.incident_id', 'action_items.incident_id')
    .where('incidents.workspace_id', '=', workspaceId);
}

function inContext(db: Db, workspaceId: number) {
  return itemsOfWorkspace(db, workspaceId)
    .selectAll('action_items')
    .select([
      'incidents.number as incident_number',
      'incidents.title as incident_title',
      'incidents.is_private as incident_is_private',
      'incidents.channel_id as incident_channel_id',
      'postmortems.owner_id as postmortem_owner_id',
    ]);
}

/** An item by its database id (the buttons' value), only within the workspace. */
export async function findActionItemById(
  db: Db,
  workspaceId: number,
  itemId: number,
): Promise<ActionItemInContext | undefined> {
  return inContext(db, workspaceId).where('action_items.id', '=', itemId).executeTakeFirst();
}

/** An item by its incident and number (`/postmortem done 3`). */
export async function findActionItemByNumber(
  db: Db,
  workspaceId: number,
  incidentId: number,
  number: number,
): Promise<ActionItemInContext | undefined> {
  return inContext(db, workspaceId)
    .where('action_items.incident_id', '=', incidentId)
    .where('action_items.number', '=', number)
    .executeTakeFirst();
}

/** Locks the item's row until the transaction ends: concurrent clicks on one item queue. */
export async function lockActionItem(db: Db, itemId: number): Promise<ActionItemRow | undefined> {
  return db.selectFrom('action_items').selectAll().where('id', '=', itemId).forUpdate().executeTakeFirst();
}

/**
 * Applies a change if the item is still at `expectedVersion` (any version when none is given); returns
 * the new row, or undefined when someone changed it first.
 */
export async function updateActionItem(
  db: Db,
  itemId: number,
  patch: Omit<Updateable<ActionItemsTable>, 'id' | 'incident_id' | 'number' | 'version' | 'created_by' | 'created_at'>,
  expectedVersion?: number,
): Promise<ActionItemRow | undefined> {
  let query = db
    .updateTable('action_items')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1) }))
    .where('id', '=', itemId);
  if (expectedVersion !== undefined) query = query.where('version', '=', expectedVersion);
  return query.returningAll().executeTakeFirst();
}

/** Every item of an incident, by number, with its context. */
export async function listIncidentItems(db: Db, workspaceId: number, incidentId: number) {
  return inContext(db, workspaceId)
    .where('action_items.incident_id', '=', incidentId)
    .orderBy('action_items.number')
    .execute();
}

/**
 * Open, unmuted items of the workspace, for the reminder sweep: only the columns the planner reads, already
 * in its shape (a sweep reads every open item and lists few), in no particular order (the planner sorts
 * what it lists). Muted items are never reminded (SPEC 5); low and undated ones still are, to reassign.
 */
export async function listOpenItems(db: Db, workspaceId: number): Promise<DigestItem[]> {
  return itemsOfWorkspace(db, workspaceId)
    .select([
      'action_items.id',
      'action_items.number',
      'action_items.owner_id as ownerId',
      'action_items.due_date as dueDate',
      'action_items.priority',
      'action_items.status',
      'action_items.muted',
      'action_items.snooze_count as snoozeCount',
      'incidents.number as incidentNumber',
      'postmortems.owner_id as postmortemOwnerId',
    ])
    .where('action_items.status', '=', 'open')
    .where('action_items.muted', '=', false)
    .execute();
}

/** Items by id with their context, only within the workspace: what the digests that list them say. */
export async function listItemsInContext(
  db: Db,
  workspaceId: number,
  itemIds: readonly number[],
): Promise<ActionItemInContext[]> {
  if (itemIds.length === 0) return [];
  return inContext(db, workspaceId)
    .where('action_items.id', '=', sql<number>`any(${[...itemIds]}::int[])`)
    .execute();
}

/** A person's open items (the Home tab), earliest due first, undated last. */
export async function listOpenItemsOwnedBy(
  db: Db,
  workspaceId: number,
  ownerId: string,
  limit: number,
): Promise<ActionItemInContext[]> {
  return inContext(db, workspaceId)
    .where('action_items.status', '=', 'open')
    .where('action_items.owner_id', '=', ownerId)
    .orderBy((eb) => eb.fn.coalesce('action_items.due_date', eb.val('9999-12-31')))
    .orderBy('incidents.number')
    .orderBy('action_items.number')
    .limit(limit)
    .execute();
}

/** How many items of an incident are still open (a published postmortem closes when none are). */
export async function countOpenItems(db: Db, incidentId: number): Promise<number> {
  const row = await db
    .selectFrom('action_items')
    .select((eb) => eb.fn.countAll<string>().as('open'))
    .where('incident_id', '=', incidentId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(row?.open ?? 0);
}
