import { type Kysely, sql } from 'kysely';

// Frozen in time: this migration imports nothing from src/ and must never change once landed.
const statements = [
  `
    -- An org-wide Enterprise Grid install is one tenant keyed by its organisation: its row keeps the
    -- organisation id in team_id (E…, never a team's T…) and says so here, so that work outside a
    -- request (the scheduler, the CLI) knows which installation to speak through.
    alter table workspaces add column is_enterprise_install boolean not null default false
  `,
  `
    -- Slack does not promise event order: a deletion may arrive before its message or before a
    -- retried edit. Deletions are remembered so what arrives afterwards stores nothing. Only ids are kept.
    create table deleted_messages (
      workspace_id integer not null references workspaces(id),
      channel_id text not null,
      ts text not null,
      deleted_at timestamptz not null,
      primary key (workspace_id, channel_id, ts)
    )
  `,
  `
    -- A message picked with the shortcut outside an incident channel waits here, whole, while its
    -- author picks the incident: a modal's private_metadata holds only 3,000 characters.
    create table pending_captures (
      id serial primary key,
      workspace_id integer not null references workspaces(id),
      picked_by text not null,
      channel_id text not null,
      ts text not null,
      thread_ts text,
      author_id text not null,
      text text not null,
      created_at timestamptz not null
    )
  `,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table pending_captures').execute(db);
  await sql.raw('drop table deleted_messages').execute(db);
  await sql.raw('alter table workspaces drop column is_enterprise_install').execute(db);
}
