import type { Db } from '../db/connect';
import {
  findActiveIncidentInChannel,
  findIncidentById,
  findIncidentByNumber,
  findLatestIncidentInChannel,
  findRepeatedDeclaration,
  insertIncident,
  loadIncidentSummary,
  lockIncident,
  setMilestone,
  setRole,
  updateIncident,
} from '../db/incidents';
import type { IncidentRow, TimelineEntryRow } from '../db/schema';
import { insertNoteInChannel } from '../db/timeline';
import { inTransaction } from '../db/transaction';
import { allocateIncidentNumber, lockWorkspace } from '../db/workspaces';
import { type Actor, incidentAuthority, readOnlyReason } from '../domain/permissions';
import { peakSeverity } from '../domain/policy';
import { storableText } from '../domain/redact';
import type { IncidentSummary, MilestoneKind, Role, Severity } from '../domain/types';
import type { ActionContext, Scope } from './context';
import { NotInIncidentChannelError, PermissionDeniedError, UserFacingError } from './errors';
import { recordAudit, recordSystemEntry } from './records';

export type { ActionContext } from './context';

export interface IncidentInChannel {
  row: IncidentRow;
  summary: IncidentSummary;
}

/** The channel's active incident, or the most recent one when `includeClosed`. */
export async function incidentInChannel(
  context: Pick<Scope, 'db' | 'workspaceId'>,
  channelId: string,
  options: { includeClosed?: boolean; example: string },
): Promise<IncidentInChannel> {
  const row = await incidentRowInChannel(context, channelId, options);
  return { row, summary: await loadIncidentSummary(context.db, row) };
}

/** The same incident without its roles and milestones, for changes that need neither (a timeline note). */
export async function incidentRowInChannel(
  context: Pick<Scope, 'db' | 'workspaceId'>,
  channelId: string,
  options: { includeClosed?: boolean; example: string },
): Promise<IncidentRow> {
  const row = options.includeClosed
    ? await findLatestIncidentInChannel(context.db, context.workspaceId, channelId)
    : await findActiveIncidentInChannel(context.db, context.workspaceId, channelId);
  if (row) return row;
  const closed = options.includeClosed
    ? undefined
    : await findLatestIncidentInChannel(context.db, context.workspaceId, channelId);
  if (closed) {
    throw new UserFacingError(
      `Incident #${closed.number} in this channel is ${closed.status.replace('_', ' ')}. Reopen it first with \`/incident reopen\`.`,
    );
  }
  throw new NotInIncidentChannelError(options.example);
}

/** An incident by id within the workspace, for buttons and modals that carry its id. */
export async function incidentById(
  context: Pick<Scope, 'db' | 'workspaceId'>,
  incidentId: number,
): Promise<IncidentInChannel> {
  const row = await findIncidentById(context.db, context.workspaceId, incidentId);
  if (!row) throw new UserFacingError('That incident no longer exists in this workspace.');
  return { row, summary: await loadIncidentSummary(context.db, row) };
}

export interface DeclareInput {
  title: string;
  severity: Severity;
  isPrivate: boolean;
  /** The channel the command ran in; with `here` the incident lives there. */
  channelId: string;
  here: boolean;
}

/**
 * Someone whose `start` timed out in Slack runs it again: within this window the same person and
 * title mean the incident already declared, not a second one (SPEC 8).
 */
const REPEAT_WINDOW_MS = 10 * 60_000;

/**
 * Records a new incident (or, when the same person retries a declaration whose channel Slack failed
 * to create, returns that one). Nothing in Slack is touched: channel creation follows the commit.
 */
export async function declareIncident(
  context: ActionContext,
  input: DeclareInput,
): Promise<{ incident: IncidentRow; summary: IncidentSummary; retried: boolean }> {
  assertMayChange(context.actor);
  const title = storableText(input.title.trim());
  const declared = await inTransaction(context.db, async (trx) => {
    // The workspace row lock serialises declarations: a repeat sent while the first is still
    // waiting (a slow database, a timed-out answer) finds the first one instead of racing it.
    await lockWorkspace(trx, context.workspaceId);
    if (!input.here) {
      const since = new Date(context.now.getTime() - REPEAT_WINDOW_MS);
      const repeated = await findRepeatedDeclaration(trx, context.workspaceId, context.actor.userId, title, since);
      if (repeated) return { incident: repeated, retried: true };
    }
    if (input.here) {
      const active = await findActiveIncidentInChannel(trx, context.workspaceId, input.channelId);
      if (active) {
        throw new UserFacingError(
          `This channel already has an active incident: #${active.number} ${active.title}. Resolve it first, or declare the new one in its own channel with \`/incident start ${input.severity} ${title}\`.`,
        );
      }
    }
    const number = await allocateIncidentNumber(trx, context.workspaceId);
    const row = await insertIncident(trx, {
      workspace_id: context.workspaceId,
      number,
      title,
      severity: input.severity,
      peak_severity: input.severity,
      channel_id: input.here ? input.channelId : null,
      channel_name: null,
      is_private: input.isPrivate,
      declared_in_channel_id: input.channelId,
      declared_by: context.actor.userId,
      declared_at: context.now,
      summary: null,
      duplicate_of: null,
    });
    await recordSystemEntry(trx, context, row.id, 'declared', `Incident declared (${input.severity}): ${title}`);
    await recordAudit(trx, context, row.id, 'incident.declared', {
      number,
      severity: input.severity,
      here: input.here,
      private: input.isPrivate,
    });
    return { incident: row, retried: false };
  });
  return { ...declared, summary: await loadIncidentSummary(context.db, declared.incident) };
}

/** Records the channel Slack created for the incident. */
export async function attachChannel(db: Db, incidentId: number, channelId: string, channelName: string) {
  return updateIncident(db, incidentId, { channel_id: channelId, channel_name: channelName });
}

/**
 * `/incident timeline <when> <text>` in a channel: the note joins the channel's latest incident (a
 * closed one too: its timeline stays open for corrections) in one round trip; outside incident
 * channels, the same refusal as every other subcommand.
 */
export async function addTimelineNoteInChannel(
  context: ActionContext,
  channelId: string,
  note: { text: string; occurredAt: Date; example: string },
): Promise<{ entry: TimelineEntryRow; incidentNumber: number }> {
  assertMayChange(context.actor);
  const added = await insertNoteInChannel(
    context.db,
    { workspaceId: context.workspaceId, channelId },
    {
      authorId: context.actor.userId,
      text: storableText(note.text),
      occurredAt: note.occurredAt,
      recordedAt: context.now,
    },
  );
  if (added) return added;
  throw new NotInIncidentChannelError(note.example);
}

export async function recordMilestone(
  context: ActionContext,
  incident: IncidentInChannel,
  milestone: MilestoneKind,
  occurredAt: Date,
) {
  assertMayChange(context.actor);
  await inTransaction(context.db, async (trx) => {
    await markMilestone(trx, context, incident.row.id, milestone, occurredAt, `Milestone: ${milestone}`);
    await recordAudit(trx, context, incident.row.id, 'milestone.set', {
      milestone,
      occurredAt: occurredAt.toISOString(),
    });
  });
}

export async function resolveIncident(
  context: ActionContext,
  incident: IncidentInChannel,
  resolution: { occurredAt: Date; summary: string },
) {
  const summary = storableText(resolution.summary.trim());
  await inTransaction(context.db, async (trx) => {
    await claimCommandIfFree(trx, context, incident, await requireAuthority(trx, context, incident));
    await updateIncident(trx, incident.row.id, {
      status: 'resolved',
      summary: summary || incident.row.summary,
      closed_at: context.now,
    });
    await markMilestone(
      trx,
      context,
      incident.row.id,
      'resolved',
      resolution.occurredAt,
      summary ? `Resolved: ${summary}` : 'Resolved',
    );
    await recordAudit(trx, context, incident.row.id, 'incident.resolved', {
      occurredAt: resolution.occurredAt.toISOString(),
    });
  });
}

/** Closes an incident that needs no postmortem: a false alarm or a duplicate of another. */
export async function closeWithoutPostmortem(
  context: ActionContext,
  incident: IncidentInChannel,
  closure: { kind: 'false_alarm'; summary: string } | { kind: 'duplicate'; duplicateOf: number; summary: string },
) {
  assertMayChange(context.actor);
  const summary = storableText(closure.summary.trim());
  let original: IncidentRow | undefined;
  if (closure.kind === 'duplicate') {
    original = await findIncidentByNumber(context.db, context.workspaceId, closure.duplicateOf);
    if (!original || original.id === incident.row.id) {
      throw new UserFacingError(
        `There is no other incident #${closure.duplicateOf}. Give the number of the incident this one duplicates, e.g. \`/incident resolve --duplicate-of #${Math.max(1, incident.row.number - 1)}\`.`,
      );
    }
  }
  const text =
    closure.kind === 'false_alarm'
      ? `Closed as a false alarm${summary ? `: ${summary}` : ''}`
      : `Closed as a duplicate of #${original!.number} ${original!.title}${summary ? `: ${summary}` : ''}`;
  await inTransaction(context.db, async (trx) => {
    await claimCommandIfFree(trx, context, incident, await requireAuthority(trx, context, incident));
    await updateIncident(trx, incident.row.id, {
      status: closure.kind,
      summary: summary || incident.row.summary,
      duplicate_of: original?.id ?? null,
      closed_at: context.now,
    });
    await recordSystemEntry(trx, context, incident.row.id, closure.kind, text);
    await recordAudit(trx, context, incident.row.id, `incident.${closure.kind}`, { duplicateOf: original?.number });
  });
  return { text };
}

export async function reopenIncident(context: ActionContext, incident: IncidentInChannel, occurredAt: Date) {
  if (incident.row.status === 'investigating') {
    throw new UserFacingError(`Incident #${incident.row.number} is still open; there is nothing to reopen.`);
  }
  await inTransaction(context.db, async (trx) => {
    const becomesCommander = await requireAuthority(trx, context, incident);
    const clash = incident.row.channel_id
      ? await findActiveIncidentInChannel(trx, context.workspaceId, incident.row.channel_id)
      : undefined;
    if (clash) {
      throw new UserFacingError(
        `This channel already has an active incident, #${clash.number}. Resolve it before reopening #${incident.row.number}.`,
      );
    }
    await claimCommandIfFree(trx, context, incident, becomesCommander);
    await updateIncident(trx, incident.row.id, {
      status: 'investigating',
      closed_at: null,
      reopen_count: incident.row.reopen_count + 1,
    });
    await trx
      .deleteFrom('milestones')
      .where('incident_id', '=', incident.row.id)
      .where('kind', '=', 'resolved')
      .execute();
    await recordSystemEntry(trx, context, incident.row.id, 'reopened', 'Incident reopened', occurredAt);
    await recordAudit(trx, context, incident.row.id, 'incident.reopened', { occurredAt: occurredAt.toISOString() });
  });
}

export async function changeSeverity(context: ActionContext, incident: IncidentInChannel, severity: Severity) {
  const previous = incident.row.severity;
  if (previous === severity) throw new UserFacingError(`Incident #${incident.row.number} is already ${severity}.`);
  await inTransaction(context.db, async (trx) => {
    await claimCommandIfFree(trx, context, incident, await requireAuthority(trx, context, incident));
    await updateIncident(trx, incident.row.id, {
      severity,
      peak_severity: peakSeverity(incident.row.peak_severity, [severity]),
    });
    await recordSystemEntry(
      trx,
      context,
      incident.row.id,
      'severity',
      `Severity changed from ${previous} to ${severity}`,
    );
    await recordAudit(trx, context, incident.row.id, 'incident.severity', { from: previous, to: severity });
  });
  return { previous };
}

export async function assignRole(context: ActionContext, incident: IncidentInChannel, role: Role, userId: string) {
  const target = await context.slack.lookupUser(context.workspace, userId);
  if (target.isBot || target.deleted) {
    throw new UserFacingError(
      `That account cannot hold a role (a bot or a deactivated account). Pick a person, e.g. \`/incident role ${role} @alex\`.`,
    );
  }
  let becomesCommander = false;
  await inTransaction(context.db, async (trx) => {
    becomesCommander = await requireAuthority(trx, context, incident);
    if (role !== 'commander') await claimCommandIfFree(trx, context, incident, becomesCommander);
    await setRole(trx, {
      incidentId: incident.row.id,
      role,
      userId,
      assignedBy: context.actor.userId,
      at: context.now,
    });
    await recordSystemEntry(trx, context, incident.row.id, 'role', `<@${userId}> is now ${role}`);
    await recordAudit(trx, context, incident.row.id, 'incident.role', { role, userId });
  });
  return { becameCommander: becomesCommander && role !== 'commander' };
}

export async function postStatusUpdate(context: ActionContext, incident: IncidentInChannel, text: string) {
  assertMayChange(context.actor);
  const status = storableText(text.trim());
  await inTransaction(context.db, async (trx) => {
    await recordSystemEntry(trx, context, incident.row.id, 'status', `Status update: ${status}`);
    await recordAudit(trx, context, incident.row.id, 'incident.status', {});
  });
  return status;
}

function assertMayChange(actor: Actor): void {
  const reason = readOnlyReason(actor);
  if (reason) throw new PermissionDeniedError(reason);
}

/**
 * Checks the actor may steer the incident, inside the transaction that acts, with the incident row
 * locked: two people acting at once are serialised, so only one of them becomes commander.
 */
async function requireAuthority(trx: Db, context: ActionContext, incident: IncidentInChannel): Promise<boolean> {
  await lockIncident(trx, incident.row.id);
  const current = await loadIncidentSummary(trx, incident.row);
  const authority = incidentAuthority(current, context.actor);
  if (!authority.allowed) throw new PermissionDeniedError(authority.reason);
  return authority.becomesCommander;
}

/** While nobody commands the incident, the first person to steer it becomes commander. */
async function claimCommandIfFree(
  db: Db,
  context: ActionContext,
  incident: IncidentInChannel,
  becomesCommander: boolean,
) {
  if (!becomesCommander) return;
  await setRole(db, {
    incidentId: incident.row.id,
    role: 'commander',
    userId: context.actor.userId,
    assignedBy: context.actor.userId,
    at: context.now,
  });
  await recordSystemEntry(db, context, incident.row.id, 'role', `<@${context.actor.userId}> is now commander`);
}

/** Sets a milestone and marks it in the timeline at the milestone's own time. */
async function markMilestone(
  db: Db,
  context: ActionContext,
  incidentId: number,
  kind: MilestoneKind,
  occurredAt: Date,
  text: string,
) {
  await setMilestone(db, { incidentId, kind, occurredAt, setBy: context.actor.userId, at: context.now });
  await recordSystemEntry(db, context, incidentId, `milestone:${kind}`, text, occurredAt);
}
