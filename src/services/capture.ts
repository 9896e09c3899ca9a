import { findIncidentById, findLatestIncidentInChannel, listActiveIncidents } from '../db/incidents';
import {
  editLoggedMessage,
  eraseLoggedMessage,
  findLoggedMessage,
  logChannelMessageOnce,
  rememberDeletion,
} from '../db/message-log';
import { deletePendingCapture, findPendingCapture, savePendingCapture } from '../db/pending-captures';
import type { IncidentRow, TimelineEntryRow } from '../db/schema';
import {
  eraseEntriesForMessage,
  findEntriesForMessage,
  insertTimelineEntry,
  removeTimelineEntry,
  restoreTimelineEntry,
  reviseTimelineEntry,
} from '../db/timeline';
import { readOnlyReason } from '../domain/permissions';
import { storableText } from '../domain/redact';
import { noteDuplicate } from '../observability/request-scope';
import { type ActionContext, actorInIncidentChannel, actorOf, commitOnce, type Scope } from './context';
import { PermissionDeniedError, UserFacingError } from './errors';
import type { Notice, SlackMessage } from './slack-port';

export type { SlackMessage };

/** Slack's message ts is seconds since the epoch with a sequence suffix. */
export function tsToDate(ts: string): Date {
  return new Date(Math.floor(Number(ts) * 1000));
}

/**
 * The incident that new messages and pushpins in a channel belong to. A dedicated incident channel
 * keeps its incident until archived; a `--here` incident shares its channel with everyday talk, so
 * once it is closed the channel's new messages no longer go to it (SPEC 2). logChannelMessageOnce
 * (db/message-log.ts) applies the same rule in SQL for message events: change both together.
 */
async function capturingIncident(scope: Scope, channelId: string): Promise<IncidentRow | undefined> {
  const incident = await findLatestIncidentInChannel(scope.db, scope.workspaceId, channelId);
  if (!incident) return undefined;
  const declaredHere = incident.channel_name === null;
  if (declaredHere && incident.status !== 'investigating') return undefined;
  return incident;
}

/**
 * Stores a message posted in an incident channel (once, even when Slack redelivers it). Every
 * message in every channel the bot is in arrives here, so this is Debrief's hottest path: one SQL
 * statement (shared by the messages that arrive at the same moment) finds the capturing incident,
 * claims the event, checks that Slack has not deleted the message and logs it (see
 * logChannelMessageOnce). Being one statement it commits atomically, as commitOnce would: the claim
 * never commits without the message, and a retry changes nothing.
 */
export async function logChannelMessage(scope: Scope, message: SlackMessage): Promise<void> {
  const logged = await logChannelMessageOnce(scope.db, {
    workspaceId: scope.workspaceId,
    // commitOnce's claim, keyed the same way.
    claim: scope.eventId === undefined ? undefined : { eventId: scope.eventId, teamId: String(scope.workspaceId) },
    channelId: message.channelId,
    ts: message.ts,
    threadTs: message.threadTs,
    userId: message.userId,
    text: storableText(message.text),
    postedAt: tsToDate(message.ts),
  });
  if (scope.eventId !== undefined && logged.captured && !logged.claimed) noteDuplicate('claim');
}

export interface CaptureResult {
  entry: TimelineEntryRow;
  /** False when the message was already in the timeline. */
  created: boolean;
}

/**
 * A :pushpin: added by `reactorId`: the message joins its channel's incident timeline at its own
 * time. Returns what to tell the person privately, if anything (a guest's pin is refused). Pins in
 * other channels cost nothing: the person is looked up only for an incident channel.
 */
export async function captureReaction(
  scope: Scope,
  reactorId: string,
  pinned: { channelId: string; ts: string },
): Promise<Notice | undefined> {
  const incident = await capturingIncident(scope, pinned.channelId);
  if (!incident) return undefined;
  const context: ActionContext = {
    ...scope,
    actor: actorOf(await scope.slack.lookupUser(scope.workspace, reactorId), scope.workspace),
  };
  const refusal = readOnlyReason(context.actor);
  if (refusal) return { kind: 'refused', message: `Your :pushpin: was not added to the timeline. ${refusal}` };
  const message =
    (await loggedMessage(context, pinned.channelId, pinned.ts)) ??
    (await context.slack.fetchMessage(context.workspace, pinned.channelId, pinned.ts));
  if (!message) return undefined;
  await commitOnce(context, (db) => captureMessage({ ...context, db }, incident.id, 'reaction', message));
  return undefined;
}

/**
 * A :pushpin: removed: once none is left, entries that a pushpin created leave the timeline.
 * Entries added with the shortcut stay, because someone chose them on purpose.
 */
export async function releasePushpin(
  context: Scope,
  unpinned: { channelId: string; ts: string; removedBy: string },
): Promise<number> {
  if ((await context.slack.pushpinCount(context.workspace, unpinned.channelId, unpinned.ts)) > 0) return 0;
  const removed = await commitOnce(context, async (db) => {
    const entries = await findEntriesForMessage(db, context.workspaceId, unpinned.channelId, unpinned.ts);
    let count = 0;
    for (const entry of entries.filter((e) => e.source === 'reaction' && e.removed_at === null)) {
      if (await removeTimelineEntry(db, { entryId: entry.id, removedBy: unpinned.removedBy, at: context.now })) count++;
    }
    return count;
  });
  return removed ?? 0;
}

/** What the shortcut does: capture at once in an incident channel, or ask which incident. */
export type ShortcutOutcome =
  | { kind: 'captured'; notice: Notice }
  | { kind: 'pick'; pendingId: number; publicIncidents: IncidentRow[]; privateIncidents: IncidentRow[] };

/**
 * The "Add to incident timeline" shortcut. Outside an incident channel the message is kept whole
 * (a modal's metadata holds 3,000 characters) while the person picks the incident.
 */
export async function captureFromShortcut(context: ActionContext, message: SlackMessage): Promise<ShortcutOutcome> {
  const refusal = readOnlyReason(context.actor);
  const incident = await findLatestIncidentInChannel(context.db, context.workspaceId, message.channelId);
  if (incident) {
    if (refusal) throw new PermissionDeniedError(refusal);
    const result = await captureInTransaction(context, incident, message);
    return { kind: 'captured', notice: captureNotice(context, incident, result, null) };
  }
  const active = await listActiveIncidents(context.db, context.workspaceId);
  const pendingId = await savePendingCapture(
    context.db,
    context.workspaceId,
    context.actor.userId,
    message,
    context.now,
  );
  return {
    kind: 'pick',
    pendingId,
    publicIncidents: active.filter((i) => !i.is_private),
    privateIncidents: active.filter((i) => i.is_private),
  };
}

/** Private incidents are shown only to members of their channel (SPEC 2), wherever they are listed. */
export async function visiblePrivateIncidents(
  context: ActionContext,
  incidents: IncidentRow[],
): Promise<IncidentRow[]> {
  const visible: IncidentRow[] = [];
  for (const incident of incidents) {
    if (await isMemberOfIncident(context, incident)) visible.push(incident);
  }
  return visible;
}

/** The picker's submission: the pending message goes into the chosen incident's timeline. */
export async function capturePending(
  context: ActionContext,
  pick: { pendingId: number; incidentId: number },
): Promise<{ notice: Notice; incidentChannelId: string | null }> {
  const refusal = readOnlyReason(context.actor);
  if (refusal) throw new PermissionDeniedError(refusal, { field: 'incident' });
  const incident = await findIncidentById(context.db, context.workspaceId, pick.incidentId);
  if (!incident || !(await isMemberOfIncident(context, incident))) {
    throw new UserFacingError(
      'Pick one of the listed incidents; you can only add to incidents whose channel you are in.',
      {
        field: 'incident',
      },
    );
  }
  const message = await findPendingCapture(context.db, context.workspaceId, context.actor.userId, pick.pendingId);
  if (!message) {
    throw new UserFacingError('This form is out of date; run the shortcut on the message again.', {
      field: 'incident',
    });
  }
  const result = await captureInTransaction(context, incident, message, pick.pendingId);
  return {
    notice: captureNotice(context, incident, result, message.channelId),
    incidentChannelId: incident.channel_id,
  };
}

async function isMemberOfIncident(context: ActionContext, incident: IncidentRow): Promise<boolean> {
  return !incident.is_private || actorInIncidentChannel(context, incident);
}

async function captureInTransaction(
  context: ActionContext,
  incident: IncidentRow,
  message: SlackMessage,
  pendingId?: number,
): Promise<CaptureResult> {
  const result = await commitOnce(context, async (db) => {
    if (pendingId !== undefined) await deletePendingCapture(db, pendingId);
    return captureMessage({ ...context, db }, incident.id, 'shortcut', message);
  });
  if (!result) throw new Error('a shortcut carries no event id, so it is never a duplicate');
  return result;
}

function captureNotice(
  context: ActionContext,
  incident: IncidentRow,
  result: CaptureResult,
  from: string | null,
): Notice {
  if (!result.created) return { kind: 'capture_exists', incidentNumber: incident.number };
  return {
    kind: 'capture_added',
    incidentNumber: incident.number,
    fromChannelId: from,
    at: result.entry.occurred_at,
    timeZone: context.actor.timeZone,
    now: context.now,
  };
}

/** A message we logged, or undefined: spares a Slack round trip when capturing it. */
async function loggedMessage(scope: Scope, channelId: string, ts: string): Promise<SlackMessage | undefined> {
  const row = await findLoggedMessage(scope.db, scope.workspaceId, channelId, ts);
  if (!row || row.deleted_at) return undefined;
  return { channelId, ts, threadTs: row.thread_ts, userId: row.user_id, text: row.text };
}

/** Adds a Slack message to an incident's timeline at the message's own time, once. */
async function captureMessage(
  context: ActionContext,
  incidentId: number,
  source: 'reaction' | 'shortcut',
  message: SlackMessage,
): Promise<CaptureResult> {
  const { db } = context;
  const inserted = await insertTimelineEntry(db, {
    incident_id: incidentId,
    source,
    author_id: context.actor.userId,
    text: storableText(message.text),
    occurred_at: tsToDate(message.ts),
    recorded_at: context.now,
    message_channel_id: message.channelId,
    message_ts: message.ts,
    message_author_id: message.userId,
  });
  if (inserted) return { entry: inserted, created: true };
  const existing = (await findEntriesForMessage(db, context.workspaceId, message.channelId, message.ts)).find(
    (entry) => entry.incident_id === incidentId,
  );
  if (!existing) throw new Error('captured message vanished between insert and lookup');
  if (existing.removed_at) {
    const restored = await restoreTimelineEntry(db, existing.id, context.actor.userId, context.now);
    return { entry: restored ?? existing, created: true };
  }
  return { entry: existing, created: false };
}

/**
 * A message edited in Slack: the log and every timeline entry captured from it follow, keeping the
 * old text. An edit of a message already deleted changes nothing: its log row and entries are
 * erased, and a deleted message never gets logged again (see logChannelMessage).
 */
export async function followMessageEdit(
  scope: Scope,
  edit: { channelId: string; ts: string; text: string; editedBy: string },
): Promise<number> {
  const text = storableText(edit.text);
  const followed = await commitOnce(scope, async (db) => {
    await editLoggedMessage(db, scope.workspaceId, edit.channelId, edit.ts, text, scope.now);
    let count = 0;
    for (const entry of await findEntriesForMessage(db, scope.workspaceId, edit.channelId, edit.ts)) {
      if (entry.text === text || entry.erased_in_slack_at) continue;
      const revised = await reviseTimelineEntry(db, {
        entryId: entry.id,
        expectedVersion: entry.version,
        text,
        occurredAt: entry.occurred_at,
        change: 'edited_in_slack',
        changedBy: edit.editedBy,
        at: scope.now,
      });
      if (revised) count++;
    }
    return count;
  });
  return followed ?? 0;
}

/**
 * A message deleted in Slack: its words are erased everywhere we kept them, leaving who and when,
 * and the deletion is remembered so that the message arriving late stores nothing.
 */
export async function eraseDeletedMessage(scope: Scope, deletion: { channelId: string; ts: string }): Promise<number> {
  const erased = await commitOnce(scope, async (db) => {
    await rememberDeletion(db, scope.workspaceId, deletion.channelId, deletion.ts, scope.now);
    await eraseLoggedMessage(db, scope.workspaceId, deletion.channelId, deletion.ts, scope.now);
    return eraseEntriesForMessage(db, scope.workspaceId, deletion.channelId, deletion.ts, scope.now);
  });
  return erased ?? 0;
}
