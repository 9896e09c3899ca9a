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

/**
 * Remembers DM channels (a newer channel replaces an older one; the same one again writes nothing).
 * One statement whatever their number: the channels travel as two arrays (a list of parameters stops
 * at 65,535).
 */
export async function rememberDmChannels(db: Db, workspaceId: number, channels: readonly DmChannel[]): Promise<void> {
  if (channels.length === 0) return;
  await sql`
    insert into dm_channels (workspace_id, user_id, channel_id)
    select ${workspaceId}, c.user_id, c.channel_id
    from unnest(${channels.map((c) => c.userId)}::text[], ${channels.map((c) => c.channelId)}::text[])
      as c(user_id, channel_id)
    on conflict (workspace_id, user_id) do update set channel_id = excluded.channel_id, opened_at = now()
      where dm_channels.channel_id <> excluded.channel_id
  `.execute(db);
}

/** Forgets channels Slack refused to post into (closed, archived, gone): the next message opens a DM afresh. */
export async function forgetDmChannels(db: Db, workspaceId: number, channels: readonly DmChannel[]): Promise<void> {
  if (channels.length === 0) return;
  // Only the channel that was refused: another sweep may have stored a newer one meanwhile.
  await sql`
    delete from dm_channels
    where workspace_id = ${workspaceId}
      and (user_id, channel_id) in (
        select * from unnest(${channels.map((c) => c.userId)}::text[], ${channels.map((c) => c.channelId)}::text[])
      )
  `.execute(db);
}
