import type { IncidentSummary, MilestoneKind, Role } from '../domain/types';
import type { Db } from './connect';
import type { IncidentRow, IncidentUpdate, NewIncident } from './schema';

export async function insertIncident(db: Db, incident: NewIncident): Promise<IncidentRow> {
  return db.insertInto('incidents').values(incident).returningAll().executeTakeFirstOrThrow();
}

export async function updateIncident(db: Db, incidentId: number, patch: IncidentUpdate): Promise<IncidentRow> {
  return db
    .updateTable('incidents')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', incidentId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findActiveIncidentInChannel(
  db: Db,
  workspaceId: number,
  channelId: string,
): Promise<IncidentRow | undefined> {
  return db
    .selectFrom('incidents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('channel_id', '=', channelId)
    .where('status', '=', 'investigating')
    .executeTakeFirst();
}

/** The channel's most recent incident, whatever its status: messages after resolution still belong to it. */
export async function findLatestIncidentInChannel(
  db: Db,
  workspaceId: number,
  channelId: string,
): Promise<IncidentRow | undefined> {
  return db
    .selectFrom('incidents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('channel_id', '=', channelId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findIncidentById(db: Db, workspaceId: number, incidentId: number) {
  return db
    .selectFrom('incidents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', incidentId)
    .executeTakeFirst();
}

export async function findIncidentByNumber(db: Db, workspaceId: number, number: number) {
  return db
    .selectFrom('incidents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('number', '=', number)
    .executeTakeFirst();
}

/**
 * An open incident this user declared with this title that is either still waiting for its channel
 * or was declared since `since`: running the same `start` again means the same incident.
 */
export async function findRepeatedDeclaration(
  db: Db,
  workspaceId: number,
  declaredBy: string,
  title: string,
  since: Date,
) {
  return db
    .selectFrom('incidents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('declared_by', '=', declaredBy)
    .where('title', '=', title)
    .where((eb) => eb.or([eb('channel_id', 'is', null), eb('declared_at', '>=', since)]))
    .where('status', '=', 'investigating')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function listActiveIncidents(db: Db, workspaceId: number): Promise<IncidentRow[]> {
  return db
    .selectFrom('incidents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'investigating')
    .where('channel_id', 'is not', null)
    .orderBy('number', 'desc')
    .execute();
}

export async function setRole(
  db: Db,
  assignment: { incidentId: number; role: Role; userId: string; assignedBy: string; at: Date },
): Promise<void> {
  await db
    .insertInto('incident_roles')
    .values({
      incident_id: assignment.incidentId,
      role: assignment.role,
      user_id: assignment.userId,
      assigned_by: assignment.assignedBy,
      assigned_at: assignment.at,
    })
    .onConflict((oc) =>
      oc.columns(['incident_id', 'role']).doUpdateSet((eb) => ({
        user_id: eb.ref('excluded.user_id'),
        assigned_by: eb.ref('excluded.assigned_by'),
        assigned_at: eb.ref('excluded.assigned_at'),
      })),
    )
    .execute();
}

export async function setMilestone(
  db: Db,
  milestone: { incidentId: number; kind: MilestoneKind; occurredAt: Date; setBy: string; at: Date },
): Promise<void> {
  await db
    .insertInto('milestones')
    .values({
      incident_id: milestone.incidentId,
      kind: milestone.kind,
      occurred_at: milestone.occurredAt,
      set_by: milestone.setBy,
      set_at: milestone.at,
    })
    .onConflict((oc) =>
      oc.columns(['incident_id', 'kind']).doUpdateSet((eb) => ({
        occurred_at: eb.ref('excluded.occurred_at'),
        set_by: eb.ref('excluded.set_by'),
        set_at: eb.ref('excluded.set_at'),
      })),
    )
    .execute();
}

/** The incident with its roles and milestones, as the Slack surfaces show it. */
export async function loadIncidentSummary(db: Db, incident: IncidentRow): Promise<IncidentSummary> {
  const [roles, milestones] = await Promise.all([
    db.selectFrom('incident_roles').select(['role', 'user_id']).where('incident_id', '=', incident.id).execute(),
    db.selectFrom('milestones').select(['kind', 'occurred_at']).where('incident_id', '=', incident.id).execute(),
  ]);
  return {
    id: incident.id,
    number: incident.number,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    channelId: incident.channel_id,
    isPrivate: incident.is_private,
    declaredBy: incident.declared_by,
    declaredAt: incident.declared_at,
    roles: Object.fromEntries(roles.map((r) => [r.role, r.user_id])),
    milestones: Object.fromEntries(milestones.map((m) => [m.kind, m.occurred_at])),
  };
}

/** Locks the incident's row until the transaction ends: concurrent changes to it are serialised. */
export async function lockIncident(db: Db, incidentId: number): Promise<void> {
  await db.selectFrom('incidents').select('id').where('id', '=', incidentId).forUpdate().execute();
}

export async function deleteMilestone(db: Db, incidentId: number, kind: MilestoneKind): Promise<void> {
  await db.deleteFrom('milestones').where('incident_id', '=', incidentId).where('kind', '=', kind).execute();
}
