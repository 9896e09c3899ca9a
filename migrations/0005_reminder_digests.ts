import { type Kysely, sql } from 'kysely';

// Frozen in time: this migration imports nothing from src/ and must never change once landed.
const statements = [
  `
    -- One reminder digest per person and local date (SPEC 5), whatever the number of replicas,
    -- restarts or overlapping sweeps: a sweep claims the row before it sends. 'claimed' is kept
    -- when the outcome of the send is unknown (a timeout, a crash): a missed digest is cheaper than a
    -- double. 'failed' is a definite Slack refusal; a later sweep may claim it again.
    create table reminder_digests (
      workspace_id integer not null references workspaces(id),
      user_id text not null,
      local_date text not null,
      state text not null check (state in ('claimed', 'sent', 'failed')),
      claimed_at timestamptz not null,
      sent_at timestamptz,
      attempts integer not null default 1,
      last_error text,
      primary key (workspace_id, user_id, local_date)
    )
  `,
  `create index reminder_digests_by_date on reminder_digests (local_date)`,
  `
    -- How many digests listed the draft past its due date: optional postmortems (sev3-4) are reminded
    -- only as often as the policy says (once).
    alter table postmortems add column draft_reminders_sent integer not null default 0
  `,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('alter table postmortems drop column draft_reminders_sent').execute(db);
  await sql.raw('drop table reminder_digests').execute(db);
}
