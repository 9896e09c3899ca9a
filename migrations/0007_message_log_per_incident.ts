import { type Kysely, sql } from 'kysely';

// Frozen in time: this migration imports nothing from src/ and must never change once landed.
const statements = [
  `
    -- Shared channels (Slack Connect, or a Grid channel shared by several workspaces): the same
    -- channel id and message ts can be seen by several installations of Debrief, each a tenant with
    -- its own incidents. An event belongs to the workspace of the installation Slack delivered it to
    -- (the envelope's authorizations), and goes to that workspace's incident only; another
    -- installation's incident in the same channel keeps its own copy of the message. So a message is
    -- logged once per incident, never once per channel: with unique (channel_id, ts) the second
    -- installation's row was silently dropped by ON CONFLICT. channel_id and ts lead the index, so
    -- the lookups by message (edits, deletions, pushpins) still use it. timeline_entries is already
    -- unique per (incident, channel, ts), deleted_messages per (workspace, channel, ts), and
    -- pending_captures is per workspace.
    alter table message_log drop constraint message_log_channel_id_ts_key
  `,
  `
    alter table message_log
      add constraint message_log_one_per_incident unique (channel_id, ts, incident_id)
  `,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Going back keeps one row per message (the lowest id) before restoring the old key.
  await sql
    .raw(
      `delete from message_log a using message_log b
       where a.channel_id = b.channel_id and a.ts = b.ts and a.id > b.id`,
    )
    .execute(db);
  await sql.raw('alter table message_log drop constraint message_log_one_per_incident').execute(db);
  await sql
    .raw('alter table message_log add constraint message_log_channel_id_ts_key unique (channel_id, ts)')
    .execute(db);
}
