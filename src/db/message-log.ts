import type { Db } from './connect';
import type { MessageLogRow } from './schema';
import { incidentsOf } from './timeline';

export interface LoggedMessage {
  incidentId: number;
  channelId: string;
  ts: string;
  threadTs: string | null;
  userId: string;
  text: string;
  postedAt: Date;
}

/** Records a message once; a redelivered event changes nothing. */
export async function logMessage(db: Db, message: LoggedMessage): Promise<void> {
  await db
    .insertInto('message_log')
    .values({
      incident_id: message.incidentId,
      channel_id: message.channelId,
      ts: message.ts,
      thread_ts: message.threadTs,
      user_id: message.userId,
      text: message.text,
      posted_at: message.postedAt,
    })
    .onConflict((oc) => oc.columns(['channel_id', 'ts']).doNothing())
    .execute();
}

export async function findLoggedMessage(
  db: Db,
  workspaceId: number,
  channelId: string,
  ts: string,
): Promise<MessageLogRow | undefined> {
  return db
    .selectFrom('message_log')
    .selectAll()
    .where('incident_id', 'in', incidentsOf(db, workspaceId))
    .where('channel_id', '=', channelId)
    .where('ts', '=', ts)
    .executeTakeFirst();
}

export async function editLoggedMessage(
  db: Db,
  workspaceId: number,
  channelId: string,
  ts: string,
  text: string,
  at: Date,
) {
  await db
    .updateTable('message_log')
    .set({ text, edited_at: at })
    .where('incident_id', 'in', incidentsOf(db, workspaceId))
    .where('channel_id', '=', channelId)
    .where('ts', '=', ts)
    .where('deleted_at', 'is', null)
    .execute();
}

/** Erases a message deleted in Slack, keeping only who spoke and when. */
export async function eraseLoggedMessage(db: Db, workspaceId: number, channelId: string, ts: string, at: Date) {
  await db
    .updateTable('message_log')
    .set({ text: '', deleted_at: at })
    .where('incident_id', 'in', incidentsOf(db, workspaceId))
    .where('channel_id', '=', channelId)
    .where('ts', '=', ts)
    .execute();
}

/** Deletes the message logs of incidents closed before `closedBefore`; returns how many messages went. */
export async function purgeMessageLogs(db: Db, closedBefore: Date): Promise<number> {
  const result = await db
    .deleteFrom('message_log')
    .where('incident_id', 'in', (eb) =>
      eb
        .selectFrom('incidents')
        .select('id')
        .where('status', '!=', 'investigating')
        .where('closed_at', '<', closedBefore),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Remembers that Slack deleted a message, so a late delivery of it (or of an edit) stores nothing. */
export async function rememberDeletion(db: Db, workspaceId: number, channelId: string, ts: string, at: Date) {
  await db
    .insertInto('deleted_messages')
    .values({ workspace_id: workspaceId, channel_id: channelId, ts, deleted_at: at })
    .onConflict((oc) => oc.columns(['workspace_id', 'channel_id', 'ts']).doNothing())
    .execute();
}

export async function wasDeleted(db: Db, workspaceId: number, channelId: string, ts: string): Promise<boolean> {
  const row = await db
    .selectFrom('deleted_messages')
    .select('ts')
    .where('workspace_id', '=', workspaceId)
    .where('channel_id', '=', channelId)
    .where('ts', '=', ts)
    .executeTakeFirst();
  return row !== undefined;
}
