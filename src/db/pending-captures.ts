import type { Db } from './connect';

export interface PendingCapture {
  channelId: string;
  ts: string;
  threadTs: string | null;
  userId: string;
  text: string;
}

export async function savePendingCapture(
  db: Db,
  workspaceId: number,
  pickedBy: string,
  message: PendingCapture,
  at: Date,
): Promise<number> {
  const row = await db
    .insertInto('pending_captures')
    .values({
      workspace_id: workspaceId,
      picked_by: pickedBy,
      channel_id: message.channelId,
      ts: message.ts,
      thread_ts: message.threadTs,
      author_id: message.userId,
      text: message.text,
      created_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The pending capture, only for the person who picked it in the same workspace. */
export async function findPendingCapture(
  db: Db,
  workspaceId: number,
  pickedBy: string,
  id: number,
): Promise<PendingCapture | undefined> {
  const row = await db
    .selectFrom('pending_captures')
    .selectAll()
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .where('picked_by', '=', pickedBy)
    .executeTakeFirst();
  return (
    row && { channelId: row.channel_id, ts: row.ts, threadTs: row.thread_ts, userId: row.author_id, text: row.text }
  );
}

export async function deletePendingCapture(db: Db, id: number): Promise<void> {
  await db.deleteFrom('pending_captures').where('id', '=', id).execute();
}

/** Pending captures abandoned (the modal closed without a pick) hold people's words: they go after a day. */
export async function purgePendingCapturesBefore(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('pending_captures').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
