import { type Kysely, sql } from 'kysely';

// Frozen in time: this migration imports nothing from src/ and must never change once landed.
const statements = [
  `
    -- Each person's direct-message channel with Debrief, as conversations.open answered it. Known, a
    -- reminder digest is one chat.postMessage; unknown, it first needs conversations.open, which Slack
    -- limits per workspace (Tier 3). Kept here rather than only in a process's memory, so that a
    -- restart or another replica does not open every DM again. A channel Slack refuses is forgotten.
    create table dm_channels (
      workspace_id integer not null references workspaces(id) on delete cascade,
      user_id text not null,
      channel_id text not null,
      opened_at timestamptz not null default now(),
      primary key (workspace_id, user_id)
    )
  `,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table dm_channels').execute(db);
}
