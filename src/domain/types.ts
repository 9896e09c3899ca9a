/** The vocabulary of an incident, shared by every layer. */

export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const DEFAULT_SEVERITY: Severity = 'sev3';

export const ROLES = ['commander', 'comms', 'scribe'] as const;
export type Role = (typeof ROLES)[number];

export const MILESTONE_KINDS = ['started', 'detected', 'acknowledged', 'mitigated', 'resolved'] as const;
export type MilestoneKind = (typeof MILESTONE_KINDS)[number];

export const INCIDENT_STATUSES = ['investigating', 'resolved', 'false_alarm', 'duplicate'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const TIMELINE_SOURCES = ['command', 'reaction', 'shortcut', 'system'] as const;
export type TimelineSource = (typeof TIMELINE_SOURCES)[number];

export type RevisionChange = 'edited' | 'edited_in_slack' | 'removed' | 'restored';

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
export function isMilestoneKind(value: string): value is MilestoneKind {
  return (MILESTONE_KINDS as readonly string[]).includes(value);
}

/** An incident as the Slack surfaces show it. */
export interface IncidentSummary {
  id: number;
  number: number;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  channelId: string | null;
  isPrivate: boolean;
  declaredBy: string;
  declaredAt: Date;
  roles: Partial<Record<Role, string>>;
  milestones: Partial<Record<MilestoneKind, Date>>;
}

/** One line of the timeline as readers see it. */
export interface TimelineEntryView {
  id: number;
  source: TimelineSource;
  kind: string;
  authorId: string;
  text: string;
  occurredAt: Date;
  recordedAt: Date;
  /** The captured Slack message, when the entry came from one. */
  message: { channelId: string; ts: string; authorId: string | null } | null;
  /** True once the captured message was deleted in Slack and its words erased. */
  erasedInSlack: boolean;
  editCount: number;
  version: number;
}
