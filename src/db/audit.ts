import type { Db } from './connect';

export interface AuditRecord {
  workspaceId: number;
  incidentId: number | null;
  actorId: string;
  action: string;
  detail?: Record<string, unknown>;
  at: Date;
}

/** Appends to the audit log (who, what, when); nothing updates or deletes it. */
export async function appendAudit(db: Db, record: AuditRecord): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      workspace_id: record.workspaceId,
      incident_id: record.incidentId,
      actor_id: record.actorId,
      action: record.action,
      detail: JSON.stringify(record.detail ?? {}),
      at: record.at,
    })
    .execute();
}
