import { appendAudit } from '../db/audit';
import {
  findTimelineEntry,
  findTimelineEntryView,
  listTimeline,
  removeTimelineEntry,
  reviseTimelineEntry,
  toView,
} from '../db/timeline';
import { canCorrectEntry } from '../domain/permissions';
import { storableText } from '../domain/redact';
import type { TimelineEntryView } from '../domain/types';
import { EditConflictError, PermissionDeniedError, UserFacingError } from './errors';
import type { ActionContext, IncidentInChannel } from './incidents';

export { listTimeline };

/** Corrects an entry's text and time; refuses when someone else changed it since it was shown. */
export async function correctEntry(
  context: ActionContext,
  incident: IncidentInChannel,
  correction: { entryId: number; expectedVersion: number; text: string; occurredAt: Date },
): Promise<TimelineEntryView> {
  const entry = await requireCorrectableEntry(context, incident, correction.entryId);
  if (entry.erasedInSlack) {
    throw new UserFacingError('This entry’s message was deleted in Slack, so its words are gone and cannot be edited.');
  }
  const revised = await reviseTimelineEntry(context.db, {
    entryId: correction.entryId,
    expectedVersion: correction.expectedVersion,
    text: storableText(correction.text),
    occurredAt: correction.occurredAt,
    change: 'edited',
    changedBy: context.actor.userId,
    at: context.now,
  });
  if (!revised) {
    const current = await findTimelineEntry(context.db, incident.row.id, correction.entryId);
    throw new EditConflictError(
      current
        ? `Someone changed this entry while you were editing. It now reads: “${current.text}”. Close this and edit again.`
        : 'This entry was deleted while you were editing it.',
    );
  }
  await appendAudit(context.db, {
    workspaceId: context.workspaceId,
    incidentId: incident.row.id,
    actorId: context.actor.userId,
    action: 'timeline.edited',
    detail: { entryId: correction.entryId },
    at: context.now,
  });
  return toView(revised, entry.editCount + 1);
}

export async function deleteEntry(context: ActionContext, incident: IncidentInChannel, entryId: number) {
  await requireCorrectableEntry(context, incident, entryId);
  const removed = await removeTimelineEntry(context.db, { entryId, removedBy: context.actor.userId, at: context.now });
  if (!removed) throw new UserFacingError('That entry was already deleted.');
  await appendAudit(context.db, {
    workspaceId: context.workspaceId,
    incidentId: incident.row.id,
    actorId: context.actor.userId,
    action: 'timeline.deleted',
    detail: { entryId },
    at: context.now,
  });
}

async function requireCorrectableEntry(context: ActionContext, incident: IncidentInChannel, entryId: number) {
  const entry = await findTimelineEntryView(context.db, incident.row.id, entryId);
  if (!entry)
    throw new UserFacingError('That timeline entry no longer exists. Run `/incident timeline` to see the current one.');
  if (!canCorrectEntry(entry, incident.summary, context.actor)) {
    throw new PermissionDeniedError('Only the person who added this entry, or the incident commander, can change it.');
  }
  return entry;
}
