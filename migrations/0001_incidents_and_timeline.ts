import { type Kysely, sql } from 'kysely';

// Frozen in time: this migration imports nothing from src/ and must never change once landed.
const statements = [
  `
    create table workspaces (
      id serial primary key,
      team_id text not null unique,
      enterprise_id text,
      last_incident_number integer not null default 0,
      created_at timestamptz not null default now()
    )
  `,
  `
    create table incidents (
      id serial primary key,
      workspace_id integer not null references workspaces(id),
      number integer not null,
      title text not null,
      severity text not null check (severity in ('sev1','sev2','sev3','sev4')),
      status text not null default 'investigating'
        check (status in ('investigating','resolved','false_alarm','duplicate')),
      channel_id text,
      channel_name text,
      is_private boolean not null default false,
      declared_in_channel_id text,
      declared_by text not null,
      declared_at timestamptz not null,
      summary text,
      duplicate_of integer,
      -- When it was resolved or closed without a postmortem; the message log's retention counts from here.
      closed_at timestamptz,
      updated_at timestamptz not null default now(),
      unique (workspace_id, number)
    )
  `,
  `
    -- A channel holds at most one active incident.
    create unique index incidents_one_active_per_channel
      on incidents (workspace_id, channel_id) where status = 'investigating' and channel_id is not null
  `,
  `
    create index incidents_by_channel on incidents (workspace_id, channel_id)
  `,
  `
    create table incident_roles (
      incident_id integer not null references incidents(id) on delete cascade,
      role text not null check (role in ('commander','comms','scribe')),
      user_id text not null,
      assigned_by text not null,
      assigned_at timestamptz not null,
      primary key (incident_id, role)
    )
  `,
  `
    create table milestones (
      incident_id integer not null references incidents(id) on delete cascade,
      kind text not null check (kind in ('started','detected','acknowledged','mitigated','resolved')),
      occurred_at timestamptz not null,
      set_by text not null,
      set_at timestamptz not null,
      primary key (incident_id, kind)
    )
  `,
  `
    create table timeline_entries (
      id serial primary key,
      incident_id integer not null references incidents(id) on delete cascade,
      source text not null check (source in ('command','reaction','shortcut','system')),
      kind text not null default 'note',
      author_id text not null,
      text text not null,
      occurred_at timestamptz not null,
      recorded_at timestamptz not null,
      message_channel_id text,
      message_ts text,
      message_author_id text,
      removed_at timestamptz,
      removed_by text,
      erased_in_slack_at timestamptz,
      version integer not null default 1
    )
  `,
  `
    -- A Slack message enters an incident's timeline once, however it was captured.
    create unique index timeline_entries_one_per_message
      on timeline_entries (incident_id, message_channel_id, message_ts)
      where message_ts is not null
  `,
  `
    create index timeline_entries_by_incident on timeline_entries (incident_id, occurred_at)
  `,
  `
    create index timeline_entries_by_message on timeline_entries (message_channel_id, message_ts)
      where message_ts is not null
  `,
  `
    create table timeline_entry_revisions (
      id serial primary key,
      entry_id integer not null references timeline_entries(id) on delete cascade,
      text text not null,
      occurred_at timestamptz not null,
      change text not null check (change in ('edited','edited_in_slack','removed','restored')),
      changed_by text not null,
      changed_at timestamptz not null
    )
  `,
  `
    create index timeline_entry_revisions_by_entry on timeline_entry_revisions (entry_id, id)
  `,
  `
    create table message_log (
      id serial primary key,
      incident_id integer not null references incidents(id) on delete cascade,
      channel_id text not null,
      ts text not null,
      thread_ts text,
      user_id text not null,
      text text not null,
      posted_at timestamptz not null,
      edited_at timestamptz,
      deleted_at timestamptz,
      unique (channel_id, ts)
    )
  `,
  `
    create index message_log_by_incident on message_log (incident_id, posted_at)
  `,
  `
    create table processed_events (
      event_id text primary key,
      team_id text not null,
      processed_at timestamptz not null default now()
    )
  `,
  `
    create table audit_log (
      id bigserial primary key,
      workspace_id integer not null references workspaces(id),
      incident_id integer references incidents(id) on delete set null,
      actor_id text not null,
      action text not null,
      detail jsonb not null default '{}'::jsonb,
      at timestamptz not null default now()
    )
  `,
  `
    create index audit_log_by_incident on audit_log (incident_id, at)
  `,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table audit_log, processed_events, message_log, timeline_entry_revisions,
      timeline_entries, milestones, incident_roles, incidents, workspaces;
  `.execute(db);
}
