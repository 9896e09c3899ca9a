import type { IncidentSummary, MilestoneKind, Role, Severity } from '../domain/types';
import type { ActionItemView } from './action-items';
import type { DebriefNotice } from './debriefs';
import type { DigestView } from './reminders';

/**
 * Which Slack installation to speak through. An org-wide (Enterprise Grid) install serves every
 * workspace of its organisation and is addressed by the organisation alone: its requests may carry
 * no team at all.
 */
export interface WorkspaceAddress {
  teamId: string | null;
  enterpriseId: string | null;
  isEnterpriseInstall: boolean;
}

/** What Debrief needs to know about a Slack user. */
export interface SlackUser {
  id: string;
  /** The name people know them by (display name, else real name), for documents read outside Slack. */
  name: string | null;
  /** IANA zone from Slack, or null when the user has none (taken as UTC). */
  timeZone: string | null;
  isGuest: boolean;
  isBot: boolean;
  deleted: boolean;
  teamId: string | null;
  enterpriseId: string | null;
}

/** A Slack message as Debrief keeps it. */
export interface SlackMessage {
  channelId: string;
  ts: string;
  threadTs: string | null;
  userId: string;
  text: string;
}

/** Slack's `ok:false` answers are values (the caller decides); network failures and 429s throw. */
export type SlackResult<T> = { ok: true; value: T } | { ok: false; slackError: string };

/**
 * The seconds Slack asked to wait when a call rejected because of a rate limit (HTTP 429, or a call not
 * made because an earlier Retry-After is still running); undefined for any other failure. The rejection is
 * Slack's own `WebAPIRateLimitedError`, whose `retryAfter` this reads without use cases importing Slack.
 */
export function retryAfterOf(error: unknown): number | undefined {
  const retryAfter = (error as { retryAfter?: unknown } | null | undefined)?.retryAfter;
  return typeof retryAfter === 'number' ? retryAfter : undefined;
}

/**
 * What became of a message sent once, without retrying (the reminder digest, SPEC 5): sent; refused
 * for certain (`ok:false`, HTTP 429 with its Retry-After, or Slack never reached), so a later attempt
 * cannot make a double; or unknown (a timeout or a 5xx after the request went out): it may have arrived.
 */
export type DeliveryOutcome =
  | { outcome: 'sent'; ts: string }
  | {
      outcome: 'refused';
      slackError: string;
      /**
       * HTTP 429: how long Slack asked to wait. Debrief posts into a person's DM at most once a sweep, so
       * this is the workspace's posting limit, not the conversation's: nothing more goes to it until then.
       */
      rateLimited?: { retryAfterSeconds: number };
    }
  | { outcome: 'unknown'; reason: string };

/**
 * Something Debrief tells people. Use cases say what happened; `slack/blocks` decides how it reads,
 * so no use case writes Slack markup.
 */
export type Notice =
  | { kind: 'incident_card'; incident: IncidentSummary }
  | {
      kind: 'incident_declared_elsewhere';
      incident: { number: number; severity: Severity; title: string; declaredBy: string };
      channelId: string;
    }
  | { kind: 'incident_declared_here'; incidentNumber: number }
  | { kind: 'incident_channel_ready'; incidentNumber: number; channelId: string; problems: ProvisionProblem[] }
  | {
      kind: 'incident_channel_failed';
      incident: { number: number; severity: Severity; title: string };
      slackError: string;
    }
  | { kind: 'not_in_channel' }
  | { kind: 'milestone_set'; by: string; milestone: MilestoneKind; at: Date }
  | { kind: 'incident_resolved'; by: string; incidentNumber: number; at: Date; summary: string }
  | { kind: 'incident_closed'; by: string; text: string }
  | { kind: 'incident_reopened'; by: string; incidentNumber: number; at: Date }
  | { kind: 'severity_changed'; by: string; incidentNumber: number; from: Severity; to: Severity }
  | {
      kind: 'role_assigned';
      by: string;
      incidentNumber: number;
      role: Role;
      userId: string;
      byBecameCommander: boolean;
    }
  | {
      kind: 'capture_added';
      incidentNumber: number;
      fromChannelId: string | null;
      at: Date;
      timeZone: string | null;
      now: Date;
    }
  | { kind: 'capture_exists'; incidentNumber: number }
  | { kind: 'refused'; message: string }
  | {
      kind: 'postmortem_owner_wanted';
      incidentId: number;
      incidentNumber: number;
      reason: 'required' | 'optional' | 'handed_over';
      by: string | null;
    }
  | {
      kind: 'postmortem_checklist';
      incidentId: number;
      incidentNumber: number;
      /** Null for a private incident: a DM may be read anywhere. */
      title: string | null;
      dueDate: string;
      assignedBy: string;
      missing: string[];
    }
  | { kind: 'postmortem_owner_nudge'; incidentId: number; incidentNumber: number }
  | { kind: 'postmortem_owner_not_accepted'; incidentNumber: number; ownerId: string }
  | {
      kind: 'postmortem_review_requested';
      incidentId: number;
      incidentNumber: number;
      title: string | null;
      by: string;
    }
  | { kind: 'action_item_digest'; digest: DigestView }
  | {
      kind: 'action_item_assigned';
      item: ActionItemView;
      by: string;
      /** Given by someone else, rather than a new item. */
      reassigned: boolean;
    }
  | {
      kind: 'postmortem_published';
      incidentNumber: number;
      title: string | null;
      channelId: string | null;
      by: string;
    }
  | DebriefNotice;

/** A step of opening an incident channel that Slack refused, after the channel itself was made. */
export type ProvisionProblem =
  | { step: 'invite'; slackError: string; channelId: string }
  | { step: 'link'; slackError: string };

/**
 * Everything use cases, the scheduler and the CLI need from Slack. `slack/` implements it over the
 * Web API with a client per workspace that works inside and outside a Slack request.
 */
export interface SlackPort {
  createChannel(
    workspace: WorkspaceAddress,
    channel: { name: string; isPrivate: boolean },
  ): Promise<SlackResult<{ channelId: string }>>;
  inviteToChannel(workspace: WorkspaceAddress, channelId: string, userId: string): Promise<SlackResult<void>>;
  joinChannel(workspace: WorkspaceAddress, channelId: string): Promise<SlackResult<void>>;
  /** Posts in a channel; the answer names Slack's refusal (not_in_channel …) instead of throwing. */
  post(workspace: WorkspaceAddress, channelId: string, notice: Notice): Promise<SlackResult<{ ts: string }>>;
  /** A direct message to one person. */
  sendDirect(workspace: WorkspaceAddress, userId: string, notice: Notice): Promise<SlackResult<{ ts: string }>>;
  /**
   * A direct message sent at most once: no client-side retry (not even on 429), a timeout, and an
   * answer that says whether it certainly did not arrive (the caller may try again later) or might have.
   */
  sendDirectOnce(workspace: WorkspaceAddress, userId: string, notice: Notice): Promise<DeliveryOutcome>;
  /** Tells one person privately where they are: ephemeral in the channel, else a DM (ephemerals reach members only). */
  tellUser(
    workspace: WorkspaceAddress,
    target: { userId: string; channelId: string | null },
    notice: Notice,
  ): Promise<void>;
  /**
   * users.info, cached briefly; fails fast (no waiting out Retry-After) because callers are racing Slack's 3 s.
   * On HTTP 429, and without calling Slack while that Retry-After lasts, it rejects with an error that
   * `retryAfterOf` reads.
   */
  lookupUser(workspace: WorkspaceAddress, userId: string): Promise<SlackUser>;
  /** As lookupUser, but undefined when Slack knows no such user in the workspace (`user_not_found`). */
  findUser(workspace: WorkspaceAddress, userId: string): Promise<SlackUser | undefined>;
  isChannelMember(workspace: WorkspaceAddress, channelId: string, userId: string): Promise<boolean>;
  /** One message by channel and ts, thread replies included; undefined when Slack no longer has it. */
  fetchMessage(workspace: WorkspaceAddress, channelId: string, ts: string): Promise<SlackMessage | undefined>;
  /** Uploads a file into a channel (files.uploadV2: get an upload URL, upload, complete). */
  uploadFile(
    workspace: WorkspaceAddress,
    channelId: string,
    file: { filename: string; title: string; content: string; comment: string },
  ): Promise<SlackResult<{ fileId: string }>>;
  /** How many :pushpin: reactions a message carries (0 when Slack no longer has it). */
  pushpinCount(workspace: WorkspaceAddress, channelId: string, ts: string): Promise<number>;
}
