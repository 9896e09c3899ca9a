import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type {
  ActionItemPriority,
  ActionItemStatus,
  ActionItemType,
  PostmortemStatus,
} from '../domain/postmortem/document';
import type { IncidentStatus, MilestoneKind, RevisionChange, Role, Severity, TimelineSource } from '../domain/types';

/** What became of an incident's debrief meeting (SPEC 6). */
export type DebriefStatus = 'proposed' | 'scheduled' | 'cancelled' | 'skipped' | 'held';
/** `pre_read`: the draft again 24 h before, to required people; `one_hour`: the reminder to everyone. */
export type DebriefReminderKind = 'pre_read' | 'one_hour';

/** Timestamps are written as Date and read back as Date on both pg and PGlite. */
type Timestamp = ColumnType<Date, Date, Date>;
type DefaultedTimestamp = ColumnType<Date, Date | undefined, Date>;

export interface WorkspacesTable {
  id: Generated<number>;
  team_id: string;
  enterprise_id: string | null;
  last_incident_number: Generated<number>;
  created_at: DefaultedTimestamp;
  /** An org-wide Enterprise Grid install: team_id then holds the organisation id. */
  is_enterprise_install: Generated<boolean>;
}

export interface IncidentsTable {
  id: Generated<number>;
  workspace_id: number;
  number: number;
  title: string;
  severity: Severity;
  /** The highest severity the incident reached: the postmortem policy follows it. */
  peak_severity: Severity;
  reopen_count: Generated<number>;
  status: ColumnType<IncidentStatus, IncidentStatus | undefined, IncidentStatus>;
  channel_id: string | null;
  channel_name: string | null;
  is_private: Generated<boolean>;
  declared_in_channel_id: string | null;
  declared_by: string;
  declared_at: Timestamp;
  summary: string | null;
  duplicate_of: number | null;
  closed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  updated_at: DefaultedTimestamp;
}

export interface IncidentRolesTable {
  incident_id: number;
  role: Role;
  user_id: string;
  assigned_by: string;
  assigned_at: Timestamp;
}

export interface MilestonesTable {
  incident_id: number;
  kind: MilestoneKind;
  occurred_at: Timestamp;
  set_by: string;
  set_at: Timestamp;
}

export interface TimelineEntriesTable {
  id: Generated<number>;
  incident_id: number;
  source: TimelineSource;
  /** 'note' for people's entries; the change recorded for system entries (declared, milestone:resolved …). */
  kind: ColumnType<string, string | undefined, string>;
  author_id: string;
  text: string;
  occurred_at: Timestamp;
  recorded_at: Timestamp;
  message_channel_id: string | null;
  message_ts: string | null;
  message_author_id: string | null;
  removed_at: Timestamp | null;
  removed_by: string | null;
  erased_in_slack_at: Timestamp | null;
  version: Generated<number>;
}

export interface TimelineEntryRevisionsTable {
  id: Generated<number>;
  entry_id: number;
  text: string;
  occurred_at: Timestamp;
  change: RevisionChange;
  changed_by: string;
  changed_at: Timestamp;
}

export interface MessageLogTable {
  id: Generated<number>;
  incident_id: number;
  channel_id: string;
  ts: string;
  thread_ts: string | null;
  user_id: string;
  text: string;
  posted_at: Timestamp;
  edited_at: Timestamp | null;
  deleted_at: Timestamp | null;
}

export interface ProcessedEventsTable {
  event_id: string;
  team_id: string;
  processed_at: DefaultedTimestamp;
}

/** Messages deleted in Slack, remembered so a late delivery of the message or an edit stores nothing. */
export interface DeletedMessagesTable {
  workspace_id: number;
  channel_id: string;
  ts: string;
  deleted_at: Timestamp;
}

/** A shortcut capture waiting for its incident to be picked (the whole message, beyond modal limits). */
export interface PendingCapturesTable {
  id: Generated<number>;
  workspace_id: number;
  picked_by: string;
  channel_id: string;
  ts: string;
  thread_ts: string | null;
  author_id: string;
  text: string;
  created_at: Timestamp;
}

export interface PostmortemsTable {
  id: Generated<number>;
  incident_id: number;
  status: ColumnType<PostmortemStatus, PostmortemStatus | undefined, PostmortemStatus>;
  owner_id: string | null;
  assigned_by: string | null;
  assigned_at: Timestamp | null;
  owner_accepted_at: Timestamp | null;
  owner_nudged_at: Timestamp | null;
  /** `YYYY-MM-DD` in the owner's zone. */
  due_date: string | null;
  /** PostmortemSections as JSON. */
  sections: string;
  /** Partial<Record<SectionKey, Authorship>> as JSON. */
  authorship: ColumnType<string, string | undefined, string>;
  mitigated_not_applicable: string | null;
  /** Why it was waived (or closed as a false alarm): shown instead of a document. */
  closing_reason: string | null;
  published_at: Timestamp | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Digests that listed the draft past its due date (optional postmortems are reminded once). */
  draft_reminders_sent: Generated<number>;
}

export interface PostmortemReviewersTable {
  postmortem_id: number;
  user_id: string;
  requested_by: string;
  requested_at: Timestamp;
  approved_at: Timestamp | null;
  nudged_at: Timestamp | null;
}

export interface ActionItemsTable {
  id: Generated<number>;
  incident_id: number;
  number: number;
  text: string;
  owner_id: string;
  due_date: string | null;
  priority: ActionItemPriority;
  type: ActionItemType;
  status: ColumnType<ActionItemStatus, ActionItemStatus | undefined, ActionItemStatus>;
  cancel_reason: string | null;
  ticket_url: string | null;
  muted: Generated<boolean>;
  snooze_count: Generated<number>;
  created_by: string;
  created_at: Timestamp;
  done_at: Timestamp | null;
  version: Generated<number>;
}

/** One reminder digest per person and local date: claimed before it is sent (SPEC 5). */
export interface ReminderDigestsTable {
  workspace_id: number;
  user_id: string;
  /** `YYYY-MM-DD` in the recipient's zone. */
  local_date: string;
  state: 'claimed' | 'sent' | 'failed';
  claimed_at: Timestamp;
  sent_at: Timestamp | null;
  attempts: Generated<number>;
  /** Slack's error code of the last definite refusal. */
  last_error: string | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  workspace_id: number;
  incident_id: number | null;
  actor_id: string;
  action: string;
  detail: ColumnType<Record<string, unknown>, string | undefined, string>;
  at: DefaultedTimestamp;
}

/** One debrief meeting per incident (SPEC 6); see migration 0006. */
export interface DebriefsTable {
  id: Generated<number>;
  incident_id: number;
  status: DebriefStatus;
  starts_at: Date | null;
  ends_at: Date | null;
  minutes: number;
  facilitator_id: string | null;
  /** DebriefParticipantRecord[] as JSON. */
  participants: string;
  /** The current proposals, `{ start, end }[]` (ISO-8601 UTC) as JSON. */
  proposals: string;
  proposal_round: Generated<number>;
  proposals_open: Generated<boolean>;
  skip_reason: string | null;
  recording_url: string | null;
  decisions: string | null;
  /** The .ics SEQUENCE: one more for each reschedule. */
  sequence: Generated<number>;
  scheduled_by: string | null;
  /** When the current time was chosen (picked, `at`, or moved). */
  scheduled_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}

/** The draft 24 h before and the reminder an hour before: one claim per debrief, kind, start and person. */
export interface DebriefRemindersTable {
  debrief_id: number;
  kind: DebriefReminderKind;
  starts_at: Timestamp;
  user_id: string;
  state: 'claimed' | 'sent' | 'failed';
  claimed_at: Timestamp;
  sent_at: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
}

/** OAuth mode: one installation of the app per workspace (or Grid organisation); the installation is encrypted. */
export interface SlackInstallationsTable {
  id: Generated<number>;
  team_id: string | null;
  enterprise_id: string | null;
  is_enterprise_install: boolean;
  bot_user_id: string | null;
  bot_id: string | null;
  /** Comma-separated, as Slack writes scopes. */
  bot_scopes: string;
  /** The installation as JSON, encrypted: `v1:<iv>:<tag>:<ciphertext>`. */
  installation_encrypted: string;
  installed_by: string | null;
  installed_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  workspaces: WorkspacesTable;
  incidents: IncidentsTable;
  incident_roles: IncidentRolesTable;
  milestones: MilestonesTable;
  timeline_entries: TimelineEntriesTable;
  timeline_entry_revisions: TimelineEntryRevisionsTable;
  message_log: MessageLogTable;
  processed_events: ProcessedEventsTable;
  audit_log: AuditLogTable;
  slack_installations: SlackInstallationsTable;
  deleted_messages: DeletedMessagesTable;
  pending_captures: PendingCapturesTable;
  debriefs: DebriefsTable;
  debrief_reminders: DebriefRemindersTable;
  postmortems: PostmortemsTable;
  postmortem_reviewers: PostmortemReviewersTable;
  action_items: ActionItemsTable;
  reminder_digests: ReminderDigestsTable;
}

export type IncidentRow = Selectable<IncidentsTable>;
export type NewIncident = Insertable<IncidentsTable>;
export type IncidentUpdate = Updateable<IncidentsTable>;
export type TimelineEntryRow = Selectable<TimelineEntriesTable>;
export type NewTimelineEntry = Insertable<TimelineEntriesTable>;
export type TimelineEntryRevisionRow = Selectable<TimelineEntryRevisionsTable>;
export type MessageLogRow = Selectable<MessageLogTable>;
export type MilestoneRow = Selectable<MilestonesTable>;
export type IncidentRoleRow = Selectable<IncidentRolesTable>;
export type SlackInstallationRow = Selectable<SlackInstallationsTable>;
export type PostmortemRow = Selectable<PostmortemsTable>;
export type ActionItemRow = Selectable<ActionItemsTable>;
export type DebriefRow = Selectable<DebriefsTable>;
export type DebriefUpdate = Updateable<DebriefsTable>;
