import { sql } from 'kysely';
import type { Db } from './connect';
import type { MessageLogRow } from './schema';
import { incidentsOf } from './timeline';

export interface ChannelMessageToLog {
  workspaceId: number;
  /**
   * The Slack event to claim in processed_events together with the message (see commitOnce), or
   * undefined when the call is not an event delivery (nothing to deduplicate on).
   */
  claim: { eventId: string; teamId: string } | undefined;
  channelId: string;
  ts: string;
  threadTs: string | null;
  userId: string;
  /** Already made storable (redacted). */
  text: string;
  postedAt: Date;
}

export interface ChannelMessageLogged {
  /** The channel has a capturing incident. */
  captured: boolean;
  /** The event was claimed now (false: a retry of committed work, or nothing to capture). */
  claimed: boolean;
  /** A message_log row was written. */
  logged: boolean;
}

/**
 * The ingestion fast path: a message event in ONE statement, so one round trip and one commit.
 * A single statement is atomic, so the promises of commitOnce hold without a transaction:
 * - `latest` / `capturing`: the channel's latest incident, kept only if it still captures: a
 *   dedicated channel (channel_name set) always, a `--here` incident (channel_name null) only while
 *   investigating (SPEC 2). Same rule as capturingIncident in services/capture.ts: keep them alike.
 * - `claim`: the event id, claimed only when there is something to capture (as before: messages
 *   in other channels write nothing). ON CONFLICT DO NOTHING returns no row for a retry of
 *   committed work, and waits for a concurrent delivery of the same event to commit or roll back.
 * - `logged`: the message, unless claimed by no one (a retry) or deleted in Slack before it arrived
 *   (deleted_messages); ON CONFLICT keeps one row per (channel, ts) in each incident: in a shared
 *   channel another installation's incident keeps its own row (migration 0007).
 * The claim commits with the message or not at all: a failure rolls back both and the caller's
 * error reaches Slack as a non-2xx, so Slack delivers the event again.
 */
export async function logChannelMessageOnce(db: Db, message: ChannelMessageToLog): Promise<ChannelMessageLogged> {
  const claim =
    message.claim === undefined
      ? sql`select 1 as claimed from capturing`
      : sql`insert into processed_events (event_id, team_id)
          select ${message.claim.eventId}::text, ${message.claim.teamId}::text from capturing
          on conflict (event_id) do nothing
          returning 1 as claimed`;
  const { rows } = await sql<{ captured: boolean; claimed: boolean; logged: boolean }>`
    with latest as (
      select id, channel_name, status from incidents
      where workspace_id = ${message.workspaceId}::integer and channel_id = ${message.channelId}::text
      order by id desc
      limit 1
    ),
    capturing as (
      select id from latest where channel_name is not null or status = 'investigating'
    ),
    claim as (${claim}),
    logged as (
      insert into message_log (incident_id, channel_id, ts, thread_ts, user_id, text, posted_at)
      select capturing.id, ${message.channelId}::text, ${message.ts}::text, ${message.threadTs}::text,
        ${message.userId}::text, ${message.text}::text, ${message.postedAt}::timestamptz
      from capturing, claim
      where not exists (
        select 1 from deleted_messages
        where workspace_id = ${message.workspaceId}::integer
          and channel_id = ${message.channelId}::text and ts = ${message.ts}::text
      )
      on conflict (channel_id, ts, incident_id) do nothing
      returning 1
    )
    select exists (select 1 from capturing) as captured,
      exists (select 1 from claim) as claimed,
      exists (select 1 from logged) as logged
  `.execute(db);
  const row = rows[0];
  return { captured: row?.captured === true, claimed: row?.claimed === true, logged: row?.logged === true };
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
