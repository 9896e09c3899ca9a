import { type Kysely, sql } from 'kysely';

// Frozen in time: this migration imports nothing from src/ and must never change once landed.
const statements = [
  `
    -- OAuth multi-workspace mode: one row per installation of the app. A workspace install has a
    -- team_id (and its enterprise_id on Enterprise Grid); an org-wide Grid install has only enterprise_id.
    -- The installation itself, bot token included, is stored encrypted (v1:<iv>:<tag>:<ciphertext>);
    -- the plain columns beside it hold nothing secret.
    create table slack_installations (
      id serial primary key,
      team_id text,
      enterprise_id text,
      is_enterprise_install boolean not null default false,
      bot_user_id text,
      bot_id text,
      bot_scopes text not null default '',
      installation_encrypted text not null,
      installed_by text,
      installed_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (team_id is not null or enterprise_id is not null)
    )
  `,
  `
    create unique index slack_installations_one_per_workspace
      on slack_installations ((coalesce(enterprise_id, '')), (coalesce(team_id, '')))
  `,
  `
    create index slack_installations_by_team on slack_installations (team_id) where team_id is not null
  `,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table slack_installations`.execute(db);
}
