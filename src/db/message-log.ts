import { sql } from 'kysely';
import { type Db, prepared } from './connect';
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
 * The ingestion fast path. Message events are written in ONE statement each, and events that
 * arrive while earlier ones are being written share their statement: one round trip and one commit
 * for a whole batch (see MessageLogWriter). Each caller still gets its own event's outcome, only
 * once the statement holding it has committed, so "answered 200 means stored" holds per event.
 */
export function logChannelMessageOnce(db: Db, message: ChannelMessageToLog): Promise<ChannelMessageLogged> {
  // Inside a transaction the message belongs to that transaction's commit, not to a shared batch.
  if (db.isTransaction) return logChannelMessages(db, [message]).then((results) => results[0]!);
  let writer = writers.get(db);
  if (!writer) {
    writer = new MessageLogWriter(db);
    writers.set(db, writer);
  }
  return writer.log(message);
}

/** One writer per database handle (its pool): batches never mix databases. */
const writers = new WeakMap<Db, MessageLogWriter>();

/**
 * One batch statement in flight at a time, so the messages that arrive meanwhile all go in the next
 * one, and the rest of the pool stays free for everything else. With two in flight the batches were
 * half as big and Postgres spent a third more CPU per event, which the app then lacks on a small
 * machine (measured on 2 cores, Node 22: 56 against 42 µs per event at the maximum rate, 170 against
 * 121 at 2,500 events/s; the app's own CPU per event and the latency were no better).
 */
const MAX_IN_FLIGHT = 1;
/** Rows per statement: bounds the statement's size and the work a failed batch repeats. */
const MAX_BATCH = 256;

interface Waiting {
  message: ChannelMessageToLog;
  resolve: (logged: ChannelMessageLogged) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for message events. A message that finds no statement in flight is written at once (no timer:
 * no added latency when traffic is light); messages that arrive while it is busy wait and
 * go together in the next statement. Under load a batch holds roughly the events that arrived
 * during one commit, so the database does one round trip and one fsync for many events.
 */
class MessageLogWriter {
  private waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly db: Db) {}

  log(message: ChannelMessageToLog): Promise<ChannelMessageLogged> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ message, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      const results = await logChannelMessages(
        this.db,
        batch.map((w) => w.message),
      );
      for (const [i, w] of batch.entries()) w.resolve(results[i]!);
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      // A batch fails as a whole. Written one by one, only the message at fault fails (and is
      // redelivered by Slack); the others are stored and answered as if they had come alone.
      await Promise.all(
        batch.map((w) =>
          logChannelMessages(this.db, [w.message]).then(
            (results) => w.resolve(results[0]!),
            (single: unknown) => w.reject(single),
          ),
        ),
      );
    }
  }
}

/**
 * Messages in one statement, so one round trip and one commit; atomic, so the promises of
 * commitOnce hold without a transaction. Its text never changes (the messages travel as arrays), so
 * Postgres parses and plans it once per connection (prepared). For each message (an `input` row, numbered `n`):
 * - `capturing`: the channel's latest incident, kept only if it still captures: a dedicated
 *   channel (channel_name set) always, a `--here` incident (channel_name null) only while
 *   investigating (SPEC 2). Same rule as capturingIncident in services/capture.ts: keep them alike.
 * - `claim`: the event id, claimed only when there is something to capture (messages in other
 *   channels write nothing). ON CONFLICT DO NOTHING returns no row for a retry of committed work,
 *   and waits for a concurrent delivery of the same event to commit or roll back; the same event
 *   twice in one batch is claimed once and stored once.
 * - `logged`: the message, unless claimed by no one (a retry) or deleted in Slack before it arrived
 *   (deleted_messages); ON CONFLICT keeps one row per (channel, ts) in each incident: in a shared
 *   channel another installation's incident keeps its own row (migration 0007).
 * A claim commits with its message or not at all: a failure rolls back the statement and the
 * callers' errors reach Slack as non-2xx answers, so Slack delivers those events again.
 */
async function logChannelMessages(db: Db, messages: ChannelMessageToLog[]): Promise<ChannelMessageLogged[]> {
  const column = <T>(pick: (m: ChannelMessageToLog) => T) => messages.map(pick);
  const { rows } = await sql<{ captured: boolean; claimed: boolean; logged: boolean }>`${prepared('message-log-batch')}
    with input as (
      select * from unnest(
        ${column((m) => m.workspaceId)}::integer[], ${column((m) => m.channelId)}::text[],
        ${column((m) => m.ts)}::text[], ${column((m) => m.threadTs)}::text[], ${column((m) => m.userId)}::text[],
        ${column((m) => m.text)}::text[], ${column((m) => m.postedAt.toISOString())}::timestamptz[],
        ${column((m) => m.claim?.eventId ?? null)}::text[], ${column((m) => m.claim?.teamId ?? null)}::text[]
      ) with ordinality as t(workspace_id, channel_id, ts, thread_ts, user_id, text, posted_at, event_id, claim_team, n)
    ),
    capturing as (
      select input.n, latest.id as incident_id
      from input cross join lateral (
        select id, channel_name, status from incidents
        where workspace_id = input.workspace_id and channel_id = input.channel_id
        order by id desc
        limit 1
      ) latest
      where latest.channel_name is not null or latest.status = 'investigating'
    ),
    claim as (
      insert into processed_events (event_id, team_id)
      select input.event_id, input.claim_team from input join capturing using (n)
      where input.event_id is not null
      on conflict (event_id) do nothing
      returning event_id
    ),
    logged as (
      insert into message_log (incident_id, channel_id, ts, thread_ts, user_id, text, posted_at)
      select capturing.incident_id, input.channel_id, input.ts, input.thread_ts, input.user_id, input.text, input.posted_at
      from input join capturing using (n)
      where (input.event_id is null or input.event_id in (select event_id from claim))
        and not exists (
          select 1 from deleted_messages d
          where d.workspace_id = input.workspace_id and d.channel_id = input.channel_id and d.ts = input.ts
        )
      on conflict (channel_id, ts, incident_id) do nothing
      returning incident_id, channel_id, ts
    )
    select capturing.n is not null as captured,
      capturing.n is not null and (input.event_id is null or input.event_id in (select event_id from claim)) as claimed,
      exists (
        select 1 from logged
        where logged.incident_id = capturing.incident_id and logged.channel_id = input.channel_id and logged.ts = input.ts
      ) as logged
    from input left join capturing using (n)
    order by input.n
  `.execute(db);
  if (rows.length !== messages.length)
    throw new Error(`message log: ${rows.length} results for ${messages.length} messages`);
  return rows.map((row) => ({
    captured: row.captured === true,
    claimed: row.claimed === true,
    logged: row.logged === true,
  }));
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
