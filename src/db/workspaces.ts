import type { Db } from './connect';

/** The tenant a Slack request belongs to; every query is scoped by its row id. */
export interface WorkspaceRef {
  /** The team id, or the organisation id for an org-wide Enterprise Grid install. */
  teamId: string;
  enterpriseId?: string | null;
  isEnterpriseInstall?: boolean;
}

/** Returns the workspace's id, creating the row on first contact. */
export async function ensureWorkspace(db: Db, ref: WorkspaceRef): Promise<number> {
  const row = await db
    .insertInto('workspaces')
    .values({
      team_id: ref.teamId,
      enterprise_id: ref.enterpriseId ?? null,
      is_enterprise_install: ref.isEnterpriseInstall ?? false,
    })
    .onConflict((oc) =>
      oc.column('team_id').doUpdateSet((eb) => ({
        enterprise_id: eb.fn.coalesce('excluded.enterprise_id', 'workspaces.enterprise_id'),
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The workspace row's installation key, for work outside a request (scheduler, CLI). */
export async function findWorkspace(db: Db, workspaceId: number) {
  return db
    .selectFrom('workspaces')
    .select(['id', 'team_id', 'enterprise_id', 'is_enterprise_install'])
    .where('id', '=', workspaceId)
    .executeTakeFirst();
}

/** Hands out the next per-workspace incident number; the row lock serialises concurrent declarations. */
export async function allocateIncidentNumber(db: Db, workspaceId: number): Promise<number> {
  const row = await db
    .updateTable('workspaces')
    .set((eb) => ({ last_incident_number: eb('last_incident_number', '+', 1) }))
    .where('id', '=', workspaceId)
    .returning('last_incident_number')
    .executeTakeFirstOrThrow();
  return row.last_incident_number;
}

/** Every workspace row (the CLI picks the only one, or the one named with --team). */
export async function listWorkspaces(db: Db) {
  return db.selectFrom('workspaces').select(['id', 'team_id', 'enterprise_id']).orderBy('id').execute();
}

/** Locks the workspace's row until the transaction ends (declarations in one workspace queue). */
export async function lockWorkspace(db: Db, workspaceId: number): Promise<void> {
  await db.selectFrom('workspaces').select('id').where('id', '=', workspaceId).forUpdate().execute();
}
