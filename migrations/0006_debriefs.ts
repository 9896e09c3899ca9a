import { type Kysely, sql } from 'kysely';

// Frozen in time: this migration imports nothing from src/ and must never change once landed.
const statements = [
  `
    -- One debrief meeting per incident (SPEC 6). 'proposed': slots were offered, none picked yet;
    -- 'scheduled': a time was chosen (proposals may be open again to move it); 'cancelled', 'skipped'
    -- (with skip_reason) and 'held' (the meeting's time has passed). Times are UTC. participants and
    -- proposals are JSON written through the service; proposal_round numbers each set of proposals so
    -- that a button from an older set is recognised as stale, and proposals_open says whether a slot
    -- of the current set may still be picked. sequence is the .ics SEQUENCE: one more per reschedule.
    create table debriefs (
      id serial primary key,
      incident_id integer not null unique references incidents(id),
      status text not null check (status in ('proposed', 'scheduled', 'cancelled', 'skipped', 'held')),
      starts_at timestamptz,
      ends_at timestamptz,
      minutes integer not null,
      facilitator_id text,
      participants text not null default '[]',
      proposals text not null default '[]',
      proposal_round integer not null default 0,
      proposals_open boolean not null default false,
      skip_reason text,
      recording_url text,
      decisions text,
      sequence integer not null default 0,
      scheduled_by text,
      -- When the current time was chosen: the draft goes out again 24 h before only when that was further ahead.
      scheduled_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      version integer not null default 1
    )
  `,
  `create index debriefs_scheduled_by_start on debriefs (starts_at) where status = 'scheduled'`,
  `
    -- The draft again 24 h before (kind 'pre_read', required people) and the reminder one hour before
    -- (kind 'one_hour', everyone): one row per debrief, kind, meeting start and person, claimed before
    -- the DM is sent, so N replicas and overlapping sweeps send each once. A moved meeting has a new
    -- start and so new reminders. 'claimed' is kept when the outcome is unknown (a missed reminder is
    -- cheaper than a double); 'failed' is a definite Slack refusal that a later sweep claims again.
    create table debrief_reminders (
      debrief_id integer not null references debriefs(id),
      kind text not null check (kind in ('pre_read', 'one_hour')),
      starts_at timestamptz not null,
      user_id text not null,
      state text not null check (state in ('claimed', 'sent', 'failed')),
      claimed_at timestamptz not null,
      sent_at timestamptz,
      attempts integer not null default 1,
      last_error text,
      primary key (debrief_id, kind, starts_at, user_id)
    )
  `,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table debrief_reminders').execute(db);
  await sql.raw('drop table debriefs').execute(db);
}
