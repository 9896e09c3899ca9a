import { appendAudit } from '../db/audit';
import { deleteMilestone, setMilestone } from '../db/incidents';
import {
  findIncidentIdOfEntry,
  findTimelineEntry,
  findTimelineEntryView,
  listRevisions,
  listTimeline,
  removeTimelineEntry,
  reviseTimelineEntry,
  toView,
} from '../db/timeline';
import { inTransaction } from '../db/transaction';
import { type Actor, canCorrectEntry } from '../domain/permissions';
import { storableText } from '../domain/redact';
import { type IncidentSummary, isMilestoneKind, type RevisionChange, type TimelineEntryView } from '../domain/types';
import type { ActionContext, Scope } from './context';
import { EditConflictError, PermissionDeniedError, UserFacingError } from './errors';
import { incidentById } from './incidents';

/** The visible timeline of an incident already resolved in this scope, in chronological order. */
export async function listTimelineOf(scope: Scope, incidentId: number): Promise<TimelineEntryView[]> {
  return listTimeline(scope.db, incidentId);
}

/** An incident's visible timeline, for the paginated view. */
export async function incidentTimeline(
  scope: Scope,
  incidentId: number,
): Promise<{ incident: IncidentSummary; entries: TimelineEntryView[] }> {
  const incident = await incidentById(scope, incidentId);
  return { incident: incident.summary, entries: await listTimeline(scope.db, incident.row.id) };
}

export interface EntryRevision {
  text: string;
  occurredAt: Date;
  change: RevisionChange;
  changedBy: string;
  changedAt: Date;
}

/**
 * What the Edit or Delete modal shows, for someone allowed to change the entry. Runs before
 * views.open, so only the database is asked; the submission checks everything again.
 */
export async function entryForCorrection(
  scope: Scope,
  actor: Actor,
  entryId: number,
): Promise<{ incidentId: number; entry: TimelineEntryView; history: EntryRevision[] }> {
  const incidentId = await findIncidentIdOfEntry(scope.db, scope.workspaceId, entryId);
  const entry = incidentId === undefined ? undefined : await findTimelineEntryView(scope.db, incidentId, entryId);
  if (incidentId === undefined || !entry) {
    throw new UserFacingError('That entry no longer exists. Run `/incident timeline` again.');
  }
  const incident = await incidentById(scope, incidentId);
  if (!canCorrectEntry(entry, incident.summary, actor)) throw new PermissionDeniedError(CORRECTORS_ONLY);
  const revisions = await listRevisions(scope.db, entry.id);
  return {
    incidentId,
    entry,
    history: revisions.map((r) => ({
      text: r.text,
      occurredAt: r.occurred_at,
      change: r.change,
      changedBy: r.changed_by,
      changedAt: r.changed_at,
    })),
  };
}

const CORRECTORS_ONLY = 'Only the person who added this entry, or the incident commander, can change it.';

/**
 * Corrects an entry's text and time; refuses when someone else changed it since it was shown. A
 * milestone's system entry moves the milestone with it.
 */
export async function correctEntry(
  context: ActionContext,
  correction: { incidentId: number; entryId: number; expectedVersion: number; text: string; occurredAt: Date },
): Promise<TimelineEntryView> {
  const incident = await incidentById(context, correction.incidentId);
  const entry = await requireCorrectableEntry(context, incident.summary, correction.entryId);
  if (entry.erasedInSlack) {
    throw new UserFacingError('This entry’s message was deleted in Slack, so its words are gone and cannot be edited.');
  }
  return inTransaction(context.db, async (trx) => {
    const revised = await reviseTimelineEntry(trx, {
      entryId: correction.entryId,
      expectedVersion: correction.expectedVersion,
      text: storableText(correction.text),
      occurredAt: correction.occurredAt,
      change: 'edited',
      changedBy: context.actor.userId,
      at: context.now,
    });
    if (!revised) throw await conflict(trx, incident.row.id, correction.entryId);
    const milestone = milestoneOf(entry);
    if (milestone) {
      await setMilestone(trx, {
        incidentId: incident.row.id,
        kind: milestone,
        occurredAt: correction.occurredAt,
        setBy: context.actor.userId,
        at: context.now,
      });
    }
    await audit(trx, context, incident.row.id, 'timeline.edited', correction.entryId);
    return toView(revised, entry.editCount + 1);
  });
}

/**
 * Deletes an entry if it is still the version the modal showed. Deleting a milestone's system entry
 * unsets the milestone: the document must not keep a time its timeline no longer shows.
 */
export async function deleteEntry(
  context: ActionContext,
  deletion: { incidentId: number; entryId: number; expectedVersion: number },
): Promise<void> {
  const incident = await incidentById(context, deletion.incidentId);
  const entry = await requireCorrectableEntry(context, incident.summary, deletion.entryId);
  await inTransaction(context.db, async (trx) => {
    const removed = await removeTimelineEntry(trx, {
      entryId: deletion.entryId,
      expectedVersion: deletion.expectedVersion,
      removedBy: context.actor.userId,
      at: context.now,
    });
    if (!removed) throw await conflict(trx, incident.row.id, deletion.entryId);
    const milestone = milestoneOf(entry);
    if (milestone) await deleteMilestone(trx, incident.row.id, milestone);
    await audit(trx, context, incident.row.id, 'timeline.deleted', deletion.entryId);
  });
}

async function conflict(db: Scope['db'], incidentId: number, entryId: number): Promise<EditConflictError> {
  const current = await findTimelineEntry(db, incidentId, entryId);
  return new EditConflictError(
    current
      ? `Someone changed this entry while you had it open. It now reads: “${current.text}”. Close this and try again.`
      : 'This entry was deleted while you had it open.',
    { field: 'text' },
  );
}

function milestoneOf(entry: TimelineEntryView) {
  if (entry.source !== 'system' || !entry.kind.startsWith('milestone:')) return undefined;
  const kind = entry.kind.slice('milestone:'.length);
  return isMilestoneKind(kind) ? kind : undefined;
}

async function requireCorrectableEntry(context: ActionContext, incident: IncidentSummary, entryId: number) {
  const entry = await findTimelineEntryView(context.db, incident.id, entryId);
  if (!entry) {
    throw new UserFacingError('That timeline entry no longer exists. Run `/incident timeline` to see the current one.');
  }
  if (!canCorrectEntry(entry, incident, context.actor)) throw new PermissionDeniedError(CORRECTORS_ONLY);
  return entry;
}

async function audit(db: Scope['db'], context: ActionContext, incidentId: number, action: string, entryId: number) {
  await appendAudit(db, {
    workspaceId: context.workspaceId,
    incidentId,
    actorId: context.actor.userId,
    action,
    detail: { entryId },
    at: context.now,
  });
}
