import type { Db } from '../db/connect';
import { findLatestIncidentInChannel } from '../db/incidents';
import { editLoggedMessage, eraseLoggedMessage, findLoggedMessage, logMessage } from '../db/message-log';
import type { IncidentRow, TimelineEntryRow } from '../db/schema';
import {
  eraseEntriesForMessage,
  findEntriesForMessage,
  insertTimelineEntry,
  removeTimelineEntry,
  restoreTimelineEntry,
  reviseTimelineEntry,
} from '../db/timeline';
import { storableText } from '../domain/redact';

/** A Slack message as Debrief keeps it. */
export interface SlackMessage {
  channelId: string;
  ts: string;
  threadTs: string | null;
  userId: string;
  text: string;
}

interface Scope {
  db: Db;
  workspaceId: number;
}

/** Slack's message ts is seconds since the epoch with a sequence suffix. */
export function tsToDate(ts: string): Date {
  return new Date(Math.floor(Number(ts) * 1000));
}

/** Stores a message posted in an incident channel; returns the incident or undefined when the channel has none. */
export async function logChannelMessage(scope: Scope, message: SlackMessage): Promise<IncidentRow | undefined> {
  const incident = await findLatestIncidentInChannel(scope.db, scope.workspaceId, message.channelId);
  if (!incident) return undefined;
  await logMessage(scope.db, {
    incidentId: incident.id,
    channelId: message.channelId,
    ts: message.ts,
    threadTs: message.threadTs,
    userId: message.userId,
    text: storableText(message.text),
    postedAt: tsToDate(message.ts),
  });
  return incident;
}

/** A message we logged, or undefined: spares a Slack round trip when capturing it. */
export async function loggedMessage(scope: Scope, channelId: string, ts: string): Promise<SlackMessage | undefined> {
  const row = await findLoggedMessage(scope.db, scope.workspaceId, channelId, ts);
  if (!row || row.deleted_at) return undefined;
  return { channelId, ts, threadTs: row.thread_ts, userId: row.user_id, text: row.text };
}

export interface CaptureResult {
  entry: TimelineEntryRow;
  /** False when the message was already in the timeline. */
  created: boolean;
}

/** Adds a Slack message to an incident's timeline at the message's own time, once. */
export async function captureMessage(
  scope: Scope,
  capture: {
    incidentId: number;
    source: 'reaction' | 'shortcut';
    capturedBy: string;
    message: SlackMessage;
    now: Date;
  },
): Promise<CaptureResult> {
  const { message } = capture;
  const inserted = await insertTimelineEntry(scope.db, {
    incident_id: capture.incidentId,
    source: capture.source,
    author_id: capture.capturedBy,
    text: storableText(message.text),
    occurred_at: tsToDate(message.ts),
    recorded_at: capture.now,
    message_channel_id: message.channelId,
    message_ts: message.ts,
    message_author_id: message.userId,
  });
  if (inserted) return { entry: inserted, created: true };
  const existing = (await findEntriesForMessage(scope.db, scope.workspaceId, message.channelId, message.ts)).find(
    (entry) => entry.incident_id === capture.incidentId,
  );
  if (!existing) throw new Error('captured message vanished between insert and lookup');
  if (existing.removed_at) {
    const restored = await restoreTimelineEntry(scope.db, existing.id, capture.capturedBy, capture.now);
    return { entry: restored ?? existing, created: true };
  }
  return { entry: existing, created: false };
}

/**
 * Called when a pushpin is removed: once no pushpin is left, entries that a pushpin created leave the
 * timeline. Entries added with the shortcut stay, because someone chose them on purpose.
 */
export async function releasePinnedMessage(
  scope: Scope,
  release: { channelId: string; ts: string; pushpinsLeft: number; removedBy: string; now: Date },
): Promise<number> {
  if (release.pushpinsLeft > 0) return 0;
  const entries = await findEntriesForMessage(scope.db, scope.workspaceId, release.channelId, release.ts);
  let removed = 0;
  for (const entry of entries.filter((e) => e.source === 'reaction' && e.removed_at === null)) {
    if (await removeTimelineEntry(scope.db, { entryId: entry.id, removedBy: release.removedBy, at: release.now })) {
      removed++;
    }
  }
  return removed;
}

/** A message edited in Slack: the log and every timeline entry captured from it follow, keeping the old text. */
export async function followMessageEdit(
  scope: Scope,
  edit: { channelId: string; ts: string; text: string; editedBy: string; at: Date },
): Promise<number> {
  const text = storableText(edit.text);
  await editLoggedMessage(scope.db, scope.workspaceId, edit.channelId, edit.ts, text, edit.at);
  let followed = 0;
  for (const entry of await findEntriesForMessage(scope.db, scope.workspaceId, edit.channelId, edit.ts)) {
    if (entry.text === text || entry.erased_in_slack_at) continue;
    const revised = await reviseTimelineEntry(scope.db, {
      entryId: entry.id,
      expectedVersion: entry.version,
      text,
      occurredAt: entry.occurred_at,
      change: 'edited_in_slack',
      changedBy: edit.editedBy,
      at: edit.at,
    });
    if (revised) followed++;
  }
  return followed;
}

/** A message deleted in Slack: its words are erased everywhere we kept them, leaving who and when. */
export async function eraseDeletedMessage(scope: Scope, deletion: { channelId: string; ts: string; at: Date }) {
  await eraseLoggedMessage(scope.db, scope.workspaceId, deletion.channelId, deletion.ts, deletion.at);
  return eraseEntriesForMessage(scope.db, scope.workspaceId, deletion.channelId, deletion.ts, deletion.at);
}
