import { type Kysely, sql } from 'kysely';

// Frozen in time: this migration imports nothing from src/ and must never change once landed.
const statements = [
  `
    -- The postmortem policy follows the highest severity an incident reached, and a reopened
    -- incident requires a postmortem whatever its severity (SPEC 4).
    alter table incidents add column peak_severity text
  `,
  `update incidents set peak_severity = severity`,
  `alter table incidents alter column peak_severity set not null`,
  `alter table incidents add column reopen_count integer not null default 0`,
  `
    -- One postmortem per incident. The sections are JSON written through the domain's model;
    -- version increases on every change so that a concurrent edit is refused, never lost.
    create table postmortems (
      id serial primary key,
      incident_id integer not null unique references incidents(id),
      status text not null default 'drafting',
      owner_id text,
      assigned_by text,
      assigned_at timestamptz,
      owner_accepted_at timestamptz,
      owner_nudged_at timestamptz,
      due_date text,
      sections text not null,
      authorship text not null default '{}',
      mitigated_not_applicable text,
      closing_reason text,
      published_at timestamptz,
      version integer not null default 1,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )
  `,
  `
    create table postmortem_reviewers (
      postmortem_id integer not null references postmortems(id),
      user_id text not null,
      requested_by text not null,
      requested_at timestamptz not null,
      approved_at timestamptz,
      nudged_at timestamptz,
      primary key (postmortem_id, user_id)
    )
  `,
  `
    create table action_items (
      id serial primary key,
      incident_id integer not null references incidents(id),
      number integer not null,
      text text not null,
      owner_id text not null,
      due_date text,
      priority text not null,
      type text not null,
      status text not null default 'open',
      cancel_reason text,
      ticket_url text,
      muted boolean not null default false,
      snooze_count integer not null default 0,
      created_by text not null,
      created_at timestamptz not null,
      done_at timestamptz,
      version integer not null default 1,
      unique (incident_id, number)
    )
  `,
  `create index action_items_open_by_owner on action_items (owner_id) where status = 'open'`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table action_items').execute(db);
  await sql.raw('drop table postmortem_reviewers').execute(db);
  await sql.raw('drop table postmortems').execute(db);
  await sql.raw('alter table incidents drop column reopen_count').execute(db);
  await sql.raw('alter table incidents drop column peak_severity').execute(db);
}
