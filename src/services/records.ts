import { appendAudit } from '../db/audit';
import type { Db } from '../db/connect';
import { insertTimelineEntry } from '../db/timeline';
import type { ActionContext } from './context';

/**
 * What every change leaves behind: a system entry in the incident's timeline (declarations, roles,
 * milestones, owners, meetings …) and a line in the append-only audit log (who, what, when).
 */

/** A system entry by the acting person, at `occurredAt` (default: now). */
export async function recordSystemEntry(
  db: Db,
  context: ActionContext,
  incidentId: number,
  kind: string,
  text: string,
  occurredAt: Date = context.now,
): Promise<void> {
  await insertTimelineEntry(db, {
    incident_id: incidentId,
    source: 'system',
    kind,
    author_id: context.actor.userId,
    text,
    occurred_at: occurredAt,
    recorded_at: context.now,
    message_channel_id: null,
    message_ts: null,
    message_author_id: null,
  });
}

/** An audit line: who did what to which incident, and when. */
export async function recordAudit(
  db: Db,
  context: ActionContext,
  incidentId: number,
  action: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await appendAudit(db, {
    workspaceId: context.workspaceId,
    incidentId,
    actorId: context.actor.userId,
    action,
    detail,
    at: context.now,
  });
}
