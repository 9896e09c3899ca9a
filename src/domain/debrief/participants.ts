/**
 * Who is invited to the debrief (SPEC §6): required people from the incident's roles, action items and
 * timeline; optional people from the message log; a facilitator suggestion and reminders of who else to
 * consider. The flow lets people edit the list; this is the starting point.
 */
import type { Role, Severity } from '../types';

/** At most this many people are proposed in all (SPEC §6); required people are never dropped to fit. */
export const MAX_DEBRIEF_PARTICIPANTS = 12;

/** Why someone is on the list; the first reason is the strongest. */
export type ParticipantReason = 'commander' | 'owner' | Role | 'action_item_owner' | 'timeline' | 'posted';

/** One proposed participant. */
export interface DebriefParticipant {
  userId: string;
  required: boolean;
  reasons: ParticipantReason[];
  /** Messages they posted in the incident channel (0 when they never posted). */
  messageCount: number;
}

/** A reminder of someone the data cannot name for sure; `userId` is set when the input knew who. */
export interface ParticipantSuggestion {
  kind: 'team_lead' | 'customer_contact';
  userId: string | null;
  text: string;
}

/** Everything the participant list is derived from; ids are Slack user ids. */
export interface ParticipantsInput {
  severity: Severity;
  commanderId: string | null;
  ownerId: string | null;
  /** Role holders other than the commander (comms, scribe); a commander listed here is taken as commander. */
  roles: Partial<Record<Role, string | null>>;
  /** Owners of the postmortem's action items (cancelled items' owners are best left out by the caller). */
  actionItemOwners: readonly string[];
  /** Timeline entries: who logged each and, for captured messages (pushpin, shortcut), who wrote it. */
  timelineEntries: readonly { loggedBy: string | null; messageAuthor: string | null }[];
  /** Messages per user in the incident channel's message log. */
  messageCounts: readonly { userId: string; count: number }[];
  /** Users who are bots (ours included) or deleted: never participants. */
  excluded: readonly { userId: string; bot?: boolean; deleted?: boolean }[];
  /** The owning team's lead, when the caller knows one. */
  teamLeadId?: string | null;
}

/** The proposed list, required people first. */
export interface DebriefParticipants {
  participants: DebriefParticipant[];
  /** A facilitator suggestion: neither the owner nor the commander when anyone else is on the list. */
  facilitatorId: string | null;
  suggestions: ParticipantSuggestion[];
  /** Optional people left out by the cap of MAX_DEBRIEF_PARTICIPANTS, most active first. */
  leftOut: string[];
}

/**
 * Builds the debrief's participant list from the incident's roles, action items, timeline and message log.
 *
 * Decisions: both the person who logged an entry and the author of a captured message count as having
 * logged it (the pinner chose it as a fact, the author wrote it); the cap applies to optional people only,
 * filling what required people leave of 12; ties in activity keep the message log's order.
 */
export function debriefParticipants(input: ParticipantsInput): DebriefParticipants {
  const excluded = new Set(input.excluded.filter((u) => u.bot || u.deleted).map((u) => u.userId));
  const counts = new Map<string, number>();
  for (const { userId, count } of input.messageCounts) counts.set(userId, (counts.get(userId) ?? 0) + count);

  const byId = new Map<string, DebriefParticipant>();
  const add = (userId: string | null | undefined, reason: ParticipantReason, required: boolean): void => {
    if (!userId || excluded.has(userId)) return;
    const existing = byId.get(userId);
    if (existing) {
      if (!existing.reasons.includes(reason)) existing.reasons.push(reason);
      return;
    }
    byId.set(userId, { userId, required, reasons: [reason], messageCount: counts.get(userId) ?? 0 });
  };

  add(input.commanderId, 'commander', true);
  add(input.ownerId, 'owner', true);
  for (const role of ['commander', 'comms', 'scribe'] as const) add(input.roles[role], role, true);
  for (const owner of input.actionItemOwners) add(owner, 'action_item_owner', true);
  for (const entry of input.timelineEntries) {
    add(entry.loggedBy, 'timeline', true);
    add(entry.messageAuthor, 'timeline', true);
  }
  const required = [...byId.values()];

  const posters = [...counts.entries()]
    .filter(([userId, count]) => count > 0 && !excluded.has(userId) && userId !== '')
    .sort((a, b) => b[1] - a[1]);
  // Posting is the reason to come only for people with no stronger one; messageCount shows everyone's activity.
  for (const [userId] of posters) if (!byId.has(userId)) add(userId, 'posted', false);
  const optional = [...byId.values()].filter((p) => !p.required);
  const room = Math.max(0, MAX_DEBRIEF_PARTICIPANTS - required.length);

  const participants = [...required, ...optional.slice(0, room)];
  return {
    participants,
    facilitatorId: suggestFacilitator(participants, input),
    suggestions: suggestions(input, participants, excluded),
    leftOut: optional.slice(room).map((p) => p.userId),
  };
}

/**
 * Someone who can run the meeting while the owner presents and the commander answers: another role holder
 * first (scribe, then comms), then the most active other required person, then the most active optional one;
 * the commander when nobody else is there (the owner presents), else the owner.
 */
function suggestFacilitator(participants: DebriefParticipant[], input: ParticipantsInput): string | null {
  const others = participants.filter((p) => p.userId !== input.ownerId && p.userId !== input.commanderId);
  const byActivity = (list: DebriefParticipant[]) => [...list].sort((a, b) => b.messageCount - a.messageCount);
  const pick =
    others.find((p) => p.reasons.includes('scribe')) ??
    others.find((p) => p.reasons.includes('comms')) ??
    byActivity(others.filter((p) => p.required))[0] ??
    byActivity(others)[0];
  if (pick) return pick.userId;
  const present = (id: string | null) => (id && participants.some((p) => p.userId === id) ? id : null);
  return present(input.commanderId) ?? present(input.ownerId);
}

function suggestions(
  input: ParticipantsInput,
  participants: DebriefParticipant[],
  excluded: Set<string>,
): ParticipantSuggestion[] {
  const listed = new Set(participants.map((p) => p.userId));
  const found: ParticipantSuggestion[] = [];
  const lead = input.teamLeadId && !excluded.has(input.teamLeadId) ? input.teamLeadId : null;
  if (lead === null) {
    found.push({ kind: 'team_lead', userId: null, text: "Add the owning team's lead." });
  } else if (!listed.has(lead)) {
    found.push({ kind: 'team_lead', userId: lead, text: "Add the owning team's lead." });
  }
  if (input.severity === 'sev1') {
    const comms = input.roles.comms && !excluded.has(input.roles.comms) ? input.roles.comms : null;
    // The comms role holder is already required; without one, only people know who spoke to customers.
    if (comms === null) {
      found.push({
        kind: 'customer_contact',
        userId: null,
        text: 'Add whoever talked to customers (support, account managers): no comms role was assigned.',
      });
    }
  }
  return found;
}
