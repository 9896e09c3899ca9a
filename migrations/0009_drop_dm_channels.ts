import { type Kysely, sql } from 'kysely';

// Frozen in time: this migration imports nothing from src/ and must never change once landed.
//
// Direct messages are posted to the person's user id (Slack answers with the DM channel), so the
// table of opened DM channels (0008) has been neither read nor written since the release before this
// one. It was kept for that release's rolling deploy, when replicas of the one before it still read
// it; none does now.

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table if exists dm_channels').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // As 0008 made it; the channels it held are not brought back (they are learnt again on use).
  await sql
    .raw(`
      create table dm_channels (
        workspace_id integer not null references workspaces(id) on delete cascade,
        user_id text not null,
        channel_id text not null,
        opened_at timestamptz not null default now(),
        primary key (workspace_id, user_id)
      )
    `)
    .execute(db);
}
