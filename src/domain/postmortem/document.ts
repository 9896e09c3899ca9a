/**
 * The postmortem document as the domain sees it (SPEC 4 and 5): everything the Markdown export, the
 * completeness check and the blameless-language check read. The caller (a use case) assembles it from
 * Postgres and resolves display names from Slack; nothing here looks anything up.
 */
import type { IsoDate } from '../business-days';
import type { ImpactWindowInput, Milestones } from '../durations';
import type { IncidentStatus, Role, Severity, TimelineEntryView, TimelineSource } from '../types';

export const POSTMORTEM_STATUSES = ['drafting', 'in_review', 'published', 'closed', 'waived', 'false_alarm'] as const;
export type PostmortemStatus = (typeof POSTMORTEM_STATUSES)[number];

export const ACTION_ITEM_TYPES = ['prevent', 'detect', 'mitigate', 'repair', 'process', 'investigate'] as const;
export type ActionItemType = (typeof ACTION_ITEM_TYPES)[number];
export const DEFAULT_ACTION_ITEM_TYPE: ActionItemType = 'prevent';

export const ACTION_ITEM_PRIORITIES = ['high', 'medium', 'low'] as const;
export type ActionItemPriority = (typeof ACTION_ITEM_PRIORITIES)[number];

export const ACTION_ITEM_STATUSES = ['open', 'done', 'cancelled'] as const;
export type ActionItemStatus = (typeof ACTION_ITEM_STATUSES)[number];

export const DATA_LOSS_ANSWERS = ['none', 'recovered', 'permanent', 'unknown'] as const;
export type DataLoss = (typeof DATA_LOSS_ANSWERS)[number];

/** The sections a person writes; each has a prompt when unfilled and an authorship flag. */
export const SECTION_KEYS = [
  'summary',
  'impact',
  'detection',
  'response',
  'contributingFactors',
  'resolution',
  'lessonsLearned',
  'actionItems',
  'supportingInformation',
] as const;
export type SectionKey = (typeof SECTION_KEYS)[number];

/**
 * Who wrote a section's words: `person` once someone saved it from the edit modal; `generated` when only
 * Debrief's draft is there. A section with no entry has neither (its prompt shows).
 */
export type Authorship = 'person' | 'generated';

/** A display-name lookup the caller resolved beforehand: a map of user id → name, or a function. */
export type NameLookup = Readonly<Record<string, string>> | ((userId: string) => string | undefined);

/** "Customers or requests affected": one figure, a number or a percentage, of what. */
export type AffectedFigure =
  | { kind: 'count'; value: number; of: string }
  | { kind: 'percentage'; value: number; of: string };

export interface ImpactSection {
  affectedServices: string[];
  customerVisible: boolean | null;
  affected: AffectedFigure | null;
  /** Said instead of a figure: why none can be measured. */
  notMeasurableReason: string | null;
  dataLoss: DataLoss | null;
  /** Free text, e.g. "18% of the monthly error budget". */
  sloBudgetSpent: string | null;
  supportTickets: number | null;
  statusPageUrl: string | null;
  /** The owner's words after the fields. */
  narrative: string | null;
}

export type DetectedBy =
  | { kind: 'alert'; name: string | null; url: string | null }
  | { kind: 'customer' | 'employee' | 'third_party'; detail: string | null };

export interface DetectionSection {
  detectedBy: DetectedBy | null;
  howSooner: string | null;
  narrative: string | null;
}

export interface ResponseSection {
  /** What slowed the response. */
  slowedUs: string | null;
  /** What helped. */
  helped: string | null;
  narrative: string | null;
}

export interface ContributingFactor {
  text: string;
  /** The trigger among the factors (SPEC: marked as such, never a single "root cause"). */
  isTrigger: boolean;
}

export interface ContributingFactorsSection {
  factors: ContributingFactor[];
  fiveWhys: string | null;
}

export interface ResolutionSection {
  mitigation: string | null;
  /** Shown when it differs from the mitigation. */
  permanentFix: string | null;
}

export interface LessonsLearnedSection {
  wentWell: string | null;
  wentWrong: string | null;
  gotLucky: string | null;
}

export interface SupportingLink {
  url: string;
  label: string | null;
}

export interface PostmortemSections {
  summary: string | null;
  impact: ImpactSection;
  detection: DetectionSection;
  response: ResponseSection;
  contributingFactors: ContributingFactorsSection;
  resolution: ResolutionSection;
  lessonsLearned: LessonsLearnedSection;
  /** Words in the Action items section, e.g. why no action item is needed. */
  actionItemsNote: string | null;
  supportingLinks: SupportingLink[];
}

export interface PostmortemActionItem {
  /** Number within the incident. */
  number: number;
  text: string;
  type: ActionItemType | null;
  ownerId: string | null;
  /** A date in the owner's zone; null for low priority (backlog) or not given yet. */
  dueDate: IsoDate | null;
  priority: ActionItemPriority;
  status: ActionItemStatus;
  cancelReason: string | null;
  ticketUrl: string | null;
}

/** A timeline entry as the document needs it: the instant, the words and who logged it. */
export interface PostmortemTimelineEntry {
  at: Date;
  text: string;
  /** Who added it to the timeline (the pinner, the command's caller, or the actor of a system entry). */
  loggedBy: string;
  /** Who wrote the captured message, when it differs from whoever logged it. */
  saidBy: string | null;
  source: TimelineSource;
  /** `note`, `declared`, `milestone:started`, `role`, `status`, `reopened`, … as the timeline stores it. */
  kind: string;
  erasedInSlack: boolean;
}

export interface Reviewer {
  userId: string;
  approvedAt: Date | null;
}

export interface RelatedIncident {
  number: number;
  /** Left out for private incidents the reader may not see. */
  title: string | null;
}

export interface Responder {
  userId: string;
  /** First message in the channel or first timeline entry, when known: "who joined when". */
  joinedAt: Date | null;
}

export type DebriefRecord =
  | {
      kind: 'held';
      at: Date;
      attendeeIds: string[];
      facilitatorId: string | null;
      recordingUrl: string | null;
      decisions: string | null;
    }
  | {
      kind: 'scheduled';
      at: Date;
      /** Meeting length, when known. */
      minutes?: number;
      /** Who is invited (Debrief takes no attendance), when known. */
      attendeeIds?: string[];
      facilitatorId?: string | null;
    }
  | { kind: 'skipped'; reason: string };

export interface IncidentFactsInput {
  number: number;
  title: string;
  peakSeverity: Severity;
  declaredSeverity: Severity;
  status: IncidentStatus;
  channelName: string | null;
  isPrivate: boolean;
  /** True once the incident was ever reopened. */
  reopened: boolean;
}

export interface PostmortemDocument {
  incident: IncidentFactsInput;
  status: PostmortemStatus;
  ownerId: string | null;
  dueDate: IsoDate | null;
  reviewers: Reviewer[];
  relatedIncidents: RelatedIncident[];
  roles: Partial<Record<Role, string>>;
  responders: Responder[];
  /** Display names, resolved by the caller; unknown ids are shown as `@<id>`. */
  names: NameLookup;
  milestones: Milestones;
  declaredAt: Date;
  /** "n/a" for `mitigated`, given in words (e.g. "impact ended when the incident was resolved"). */
  mitigatedNotApplicable: string | null;
  /** Impact windows after reopenings, listed after the first. */
  laterImpactWindows: ImpactWindowInput[];
  timeline: PostmortemTimelineEntry[];
  sections: PostmortemSections;
  authorship: Partial<Record<SectionKey, Authorship>>;
  actionItems: PostmortemActionItem[];
  debrief: DebriefRecord | null;
}

/** Converts a timeline entry as the Slack surfaces read it into the document's entry. */
export function timelineEntryForDocument(entry: TimelineEntryView): PostmortemTimelineEntry {
  const saidBy = entry.message?.authorId ?? null;
  return {
    at: entry.occurredAt,
    text: entry.erasedInSlack ? '' : entry.text,
    loggedBy: entry.authorId,
    saidBy: saidBy !== null && saidBy !== entry.authorId ? saidBy : null,
    source: entry.source,
    kind: entry.kind,
    erasedInSlack: entry.erasedInSlack,
  };
}

/** An empty set of sections: every one shows its prompt. */
export function emptySections(): PostmortemSections {
  return {
    summary: null,
    impact: {
      affectedServices: [],
      customerVisible: null,
      affected: null,
      notMeasurableReason: null,
      dataLoss: null,
      sloBudgetSpent: null,
      supportTickets: null,
      statusPageUrl: null,
      narrative: null,
    },
    detection: { detectedBy: null, howSooner: null, narrative: null },
    response: { slowedUs: null, helped: null, narrative: null },
    contributingFactors: { factors: [], fiveWhys: null },
    resolution: { mitigation: null, permanentFix: null },
    lessonsLearned: { wentWell: null, wentWrong: null, gotLucky: null },
    actionItemsNote: null,
    supportingLinks: [],
  };
}

/** The display name of a user: the lookup's answer, else `@<id>` so that the reader can still tell people apart. */
export function displayName(names: NameLookup, userId: string): string {
  const found = typeof names === 'function' ? names(userId) : Object.hasOwn(names, userId) ? names[userId] : undefined;
  return found !== undefined && found.trim() !== '' ? found : `@${userId}`;
}

/** True when the text has words in it (not null, not only spaces). */
export function hasWords(text: string | null | undefined): text is string {
  return text !== null && text !== undefined && text.trim() !== '';
}
