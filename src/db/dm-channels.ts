import { sql } from 'kysely';
import type { Db } from './connect';

/** A person's DM channel with Debrief in a workspace. */
export interface DmChannel {
  userId: string;
  channelId: string;
}

/** The DM channels already opened with these people: user id → channel id. */
export async function knownDmChannels(
  db: Db,
  workspaceId: number,
  userIds: readonly string[],
): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('dm_channels')
    .select(['user_id', 'channel_id'])
    .where('workspace_id', '=', workspaceId)
    // One array parameter, however many people (a list of parameters stops at 65,535).
    .where(sql<boolean>`user_id = any(${[...userIds]}::text[])`)
    .execute();
  return new Map(rows.map((row) => [row.user_id, row.channel_id]));
}

/** Rows per statement: a statement takes at most 65,535 parameters. */
const CHUNK = 1_000;

function* chunks<T>(items: readonly T[]): Generator<readonly T[]> {
  for (let start = 0; start < items.length; start += CHUNK) yield items.slice(start, start + CHUNK);
}

/** Remembers the channels conversations.open gave (a newer channel replaces an older one). */
export async function rememberDmChannels(db: Db, workspaceId: number, channels: readonly DmChannel[]): Promise<void> {
  for (const chunk of chunks(channels)) await rememberChunk(db, workspaceId, chunk);
}

async function rememberChunk(db: Db, workspaceId: number, channels: readonly DmChannel[]): Promise<void> {
  await db
    .insertInto('dm_channels')
    .values(channels.map((c) => ({ workspace_id: workspaceId, user_id: c.userId, channel_id: c.channelId })))
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'user_id']).doUpdateSet((eb) => ({
        channel_id: eb.ref('excluded.channel_id'),
        opened_at: eb.fn('now'),
      })),
    )
    .execute();
}

/** Forgets channels Slack refused to post into (closed, archived, gone): the next message opens a DM afresh. */
export async function forgetDmChannels(db: Db, workspaceId: number, channels: readonly DmChannel[]): Promise<void> {
  for (const chunk of chunks(channels)) {
    // Only the channel that was refused: another sweep may have stored a newer one meanwhile.
    await db
      .deleteFrom('dm_channels')
      .where('workspace_id', '=', workspaceId)
      .where((eb) =>
        eb.or(chunk.map((c) => eb.and([eb('user_id', '=', c.userId), eb('channel_id', '=', c.channelId)]))),
      )
      .execute();
  }
}
