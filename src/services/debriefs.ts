/**
 * The debrief meeting (SPEC 6): propose slots, pick one (or `at <when>`), move, cancel or skip it, and
 * the scheduler's draft 24 h before and reminder one hour before.
 *
 * Decisions:
 * - One meeting per incident, its row locked for every change, so a slot picked twice (or two slots
 *   of one proposal picked at once) makes one meeting; the later click is told what was chosen.
 * - Each `/postmortem debrief` starts a new proposal round; a button of an older round, or of a round
 *   already picked from, is stale and refused with the meeting as it stands.
 * - Participants are derived when proposing (or at `at`); once a meeting is scheduled, proposing again
 *   keeps everyone already told (required wins) and adds new people, so a move tells the same people.
 * - Debrief reads no calendars: "free" means "inside 09:00–17:00 on a weekday in their Slack zone";
 *   the .ics is a file to import (METHOD:PUBLISH), not an invitation.
 * - The pre-read is the draft itself: its summary and contributing factors in the DM, and where to
 *   read the rest (`/postmortem #n show` in the incident channel, linked through Slack's app_redirect).
 * - Reminders are claimed per (debrief, kind, start, person): a definite Slack refusal to one person is
 *   retried for that person only; a moved meeting has a new start and so gets its own reminders.
 * - Debrief takes no attendance: a meeting whose time has passed is "held" with its invited people.
 */
import type { Db } from '../db/connect';
import {
  claimDebriefReminder,
  type DebriefReminderKey,
  type DueDebrief,
  findDebrief,
  listScheduledDebriefs,
  lockDebrief,
  markDebriefReminderSent,
  markDebriefsHeld,
  releaseDebriefReminder,
  updateDebrief,
} from '../db/debriefs';
import { findIncidentById, loadIncidentSummary } from '../db/incidents';
import { findPostmortem, listActionItems, listChannelSpeakers } from '../db/postmortems';
import type { DebriefReminderKind, DebriefRow, PostmortemRow } from '../db/schema';
import { listTimeline } from '../db/timeline';
import { inTransaction } from '../db/transaction';
import {
  type AgendaInput,
  debriefAgenda,
  debriefCancellationIcs,
  debriefIcs,
  debriefIcsFileName,
  debriefParticipants,
  defaultDebriefMinutes,
  type OutsideHours,
  proposeDebriefSlots,
} from '../domain/debrief';
import { MAX_DEBRIEF_MINUTES, MIN_DEBRIEF_MINUTES } from '../domain/debrief-command';
import type { DebriefRecord, PostmortemSections } from '../domain/postmortem';
import { storableText } from '../domain/redact';
import { formatUtc, parseWhen } from '../domain/when';
import { type ActionContext, addressOfWorkspace, type Scope, workspaceRefOf } from './context';
import { UserFacingError } from './errors';
import type { IncidentInChannel } from './incidents';
import { ensurePostmortem, requirePostmortemPermission } from './postmortems';
import { recordAudit, recordSystemEntry } from './records';
import type { SlackPort, SlackUser, WorkspaceAddress } from './slack-port';

/** Someone invited to the debrief, as stored with it. */
export interface DebriefParticipantRecord {
  userId: string;
  required: boolean;
  /** The Slack zone when the list was made; null when Slack has none (taken as UTC). */
  timeZone: string | null;
}

/** One proposed slot as the channel sees it. */
export interface DebriefSlotView {
  start: Date;
  end: Date;
  /** People inside their working hours. */
  covered: string[];
  /** People outside them, with the local time they would join at. */
  outside: OutsideHours[];
}

/** The draft as a pre-read: its own words, short, and where to read all of it. */
export interface DebriefPreRead {
  summary: string | null;
  contributingFactors: string[];
  openActionItems: number;
  /** The incident channel, where `/postmortem #n show` and `export` give the whole draft. */
  channelId: string | null;
  /** A Slack link to that channel (app_redirect), as the calendar file's URL. */
  link: string | null;
}

/** What the debrief use cases tell people; `slack/blocks/debrief.ts` decides how it reads. */
export type DebriefNotice =
  | {
      kind: 'debrief_proposals';
      incidentId: number;
      incidentNumber: number;
      round: number;
      minutes: number;
      proposals: DebriefSlotView[];
      note: string | null;
      participants: { userId: string; required: boolean }[];
      facilitatorId: string | null;
      suggestions: string[];
      /** People Slack gives no time zone: judged as UTC. */
      withoutZone: string[];
      /** Optional people left out by the cap of 12. */
      leftOut: string[];
      by: string;
      /** The meeting already scheduled, when these proposals would move it. */
      scheduledStart: Date | null;
    }
  | {
      kind: 'debrief_scheduled';
      incidentId: number;
      incidentNumber: number;
      start: Date;
      end: Date;
      agenda: AgendaInput;
      participants: { userId: string; required: boolean }[];
      facilitatorId: string | null;
      by: string;
      /** Set when the meeting moved. */
      previousStart: Date | null;
      filename: string;
    }
  | {
      kind: 'debrief_invitation';
      incidentNumber: number;
      /** Null for a private incident: a DM may be read anywhere. */
      title: string | null;
      start: Date;
      end: Date;
      required: boolean;
      facilitatorId: string | null;
      agenda: AgendaInput;
      preRead: DebriefPreRead;
      previousStart: Date | null;
      by: string;
    }
  | {
      kind: 'debrief_cancelled';
      incidentNumber: number;
      title: string | null;
      start: Date;
      by: string;
      /** Set when it was cancelled because no debrief will be held. */
      skipReason: string | null;
    }
  | {
      kind: 'debrief_pre_read';
      incidentNumber: number;
      title: string | null;
      start: Date;
      preRead: DebriefPreRead;
    }
  | {
      kind: 'debrief_reminder';
      incidentNumber: number;
      title: string | null;
      start: Date;
      end: Date;
      channelId: string | null;
    };

const EXAMPLES = {
  propose: '/postmortem debrief within 3 days for 60 min',
  at: '/postmortem debrief at 2026-11-24 15:00',
  cancel: '/postmortem debrief cancel',
  skip: '/postmortem debrief skip discussed in the weekly ops review',
};

const HOUR_MS = 3_600_000;
/** The draft goes out again this long before the meeting (SPEC 6), if the meeting was further away when set. */
export const PRE_READ_BEFORE_MS = 24 * HOUR_MS;
/** Everyone is reminded this long before (SPEC 6). */
export const REMINDER_BEFORE_MS = HOUR_MS;

// ---------------------------------------------------------------------------------------------
// Propose
// ---------------------------------------------------------------------------------------------

/** What `/postmortem debrief [within …] [for …]` did. */
export interface ProposalOutcome {
  incidentNumber: number;
  channelId: string;
  proposals: DebriefSlotView[];
  note: string | null;
  /** The proposals message could not be posted (Slack's error), nothing else changed for people. */
  postError: string | null;
}

/**
 * Proposes three slots for the debrief and posts them with `debrief_pick` buttons in the incident
 * channel, showing who is inside their working hours for each and who is not (with their local time).
 */
export async function proposeDebrief(
  context: ActionContext,
  incident: IncidentInChannel,
  options: { withinBusinessDays: number | null; minutes: number | null },
): Promise<ProposalOutcome> {
  const { postmortem, channelId, resolvedAt } = await readyForDebrief(context, incident);
  await requirePostmortemPermission(context, 'debrief', incident, postmortem);
  const existing = await findDebrief(context.db, incident.row.id);
  refuseWhenSettled(incident, existing);
  const people = await gatherParticipants(context, incident, postmortem);
  const ownerId = postmortem.owner_id ?? incident.summary.roles.commander ?? context.actor.userId;
  const minutes = options.minutes ?? existing?.minutes ?? defaultDebriefMinutes(incident.row.peak_severity);
  const found = proposeDebriefSlots({
    participants: people.list,
    ownerId,
    commanderId: incident.summary.roles.commander ?? null,
    severity: incident.row.peak_severity,
    resolvedAt,
    now: context.now,
    minutes,
    withinBusinessDays: options.withinBusinessDays,
  });
  if (found.proposals.length === 0) {
    throw new UserFacingError(
      `No ${minutes}-minute slot fits on a weekday in the next ${found.withinBusinessDays} business days. Try a longer window or a shorter meeting, e.g. \`${EXAMPLES.propose}\`, or set the time yourself: \`${EXAMPLES.at}\`.`,
    );
  }
  const proposals: DebriefSlotView[] = found.proposals.map((p) => ({
    start: p.start,
    end: p.end,
    covered: p.covered,
    outside: p.outside,
  }));
  const stored = await inTransaction(context.db, async (trx) => {
    const { row } = await lockDebrief(trx, incident.row.id, initialRow(context, found.minutes));
    refuseWhenSettled(incident, row);
    const scheduled = row.status === 'scheduled';
    // Once people were told about a meeting, a new proposal keeps them all (a move tells the same people).
    const participants = scheduled ? mergeParticipants(participantsOf(row), people.list) : people.list;
    return updateDebrief(
      trx,
      row.id,
      {
        // A skip stands until a slot is picked: proposals alone do not undo it.
        status: scheduled ? 'scheduled' : row.status === 'skipped' ? 'skipped' : 'proposed',
        minutes: found.minutes,
        participants: JSON.stringify(participants),
        facilitator_id: row.facilitator_id ?? people.facilitatorId,
        proposals: JSON.stringify(proposals.map((p) => ({ start: p.start.toISOString(), end: p.end.toISOString() }))),
        proposal_round: row.proposal_round + 1,
        proposals_open: true,
      },
      context.now,
    );
  });
  const participants = participantsOf(stored);
  const posted = await context.slack.post(context.workspace, channelId, {
    kind: 'debrief_proposals',
    incidentId: incident.row.id,
    incidentNumber: incident.row.number,
    round: stored.proposal_round,
    minutes: found.minutes,
    proposals,
    note: found.note,
    participants: participants.map(({ userId, required }) => ({ userId, required })),
    facilitatorId: stored.facilitator_id,
    suggestions: people.suggestions,
    withoutZone: participants.filter((p) => !p.timeZone).map((p) => p.userId),
    leftOut: people.leftOut,
    by: context.actor.userId,
    scheduledStart: stored.status === 'scheduled' ? stored.starts_at : null,
  });
  return {
    incidentNumber: incident.row.number,
    channelId,
    proposals,
    note: found.note,
    postError: posted.ok ? null : posted.slackError,
  };
}

// ---------------------------------------------------------------------------------------------
// Schedule: a picked slot, or `at <when>`
// ---------------------------------------------------------------------------------------------

/** What scheduling did, for the answer. */
export interface ScheduleOutcome {
  incidentNumber: number;
  channelId: string;
  start: Date;
  end: Date;
  /** Set when the meeting moved from that time. */
  previousStart: Date | null;
  /** People told by DM. */
  told: string[];
  /** What Slack refused along the way (the meeting is recorded regardless). */
  problems: string[];
}

/** A `debrief_pick` click: schedules (or moves) the meeting to that slot of the current proposal. */
export async function pickDebriefSlot(
  context: ActionContext,
  pick: { incidentId: number; round: number; start: Date },
): Promise<ScheduleOutcome> {
  const incident = await incidentOf(context, pick.incidentId);
  const { postmortem, channelId } = await readyForDebrief(context, incident);
  await requirePostmortemPermission(context, 'debrief', incident, postmortem);
  if (Number.isNaN(pick.start.getTime())) throw new UserFacingError('That button carries no time I can read.');
  const change = await inTransaction(context.db, async (trx) => {
    const { row } = await lockDebrief(trx, incident.row.id, initialRow(context, 0));
    const stale = stalePick(incident, row, pick);
    if (stale) throw new UserFacingError(stale);
    const offered = proposalsOf(row).find((p) => p.start.getTime() === pick.start.getTime());
    if (!offered) {
      throw new UserFacingError(
        `That slot is not one of the current proposals. Run \`/postmortem #${incident.row.number} debrief\` for new ones.`,
      );
    }
    if (offered.start.getTime() <= context.now.getTime()) {
      throw new UserFacingError(
        `That slot (${formatUtc(offered.start)}) has already begun or passed. Run \`/postmortem #${incident.row.number} debrief\` for new proposals, or \`${EXAMPLES.at.replace('/postmortem ', `/postmortem #${incident.row.number} `)}\`.`,
      );
    }
    return applySchedule(trx, context, incident, row, offered.start, offered.end);
  });
  return announceSchedule(context, incident, postmortem, channelId, change);
}

/** `/postmortem debrief at <when>`: schedules (or moves) the meeting at that time, looking forward. */
export async function scheduleDebriefAt(
  context: ActionContext,
  incident: IncidentInChannel,
  whenText: string,
): Promise<ScheduleOutcome> {
  const { postmortem, channelId } = await readyForDebrief(context, incident);
  await requirePostmortemPermission(context, 'debrief', incident, postmortem);
  const example = `\`${EXAMPLES.at}\``;
  const parsed = parseWhen(whenText, {
    now: context.now,
    timeZone: context.actor.timeZone,
    direction: 'future',
    example,
  });
  if (!parsed.ok) throw new UserFacingError(parsed.message);
  if (parsed.dateOnly) {
    throw new UserFacingError(`Give the time of day too, e.g. ${example} (your time zone unless you name one).`);
  }
  if (parsed.at.getTime() <= context.now.getTime()) {
    throw new UserFacingError(
      `That time is not in the future (${formatUtc(parsed.at)}). Give a later one, e.g. ${example}.`,
    );
  }
  const existing = await findDebrief(context.db, incident.row.id);
  refuseWhenSettled(incident, existing);
  // The participants come from the incident as it is now, unless people were already told about a meeting.
  const people = existing?.status === 'scheduled' ? null : await gatherParticipants(context, incident, postmortem);
  const change = await inTransaction(context.db, async (trx) => {
    const minutes = existing?.minutes || defaultDebriefMinutes(incident.row.peak_severity);
    const { row } = await lockDebrief(trx, incident.row.id, initialRow(context, minutes));
    refuseWhenSettled(incident, row);
    let current = row;
    if (people && current.status !== 'scheduled') {
      current = await updateDebrief(
        trx,
        row.id,
        {
          participants: JSON.stringify(people.list),
          facilitator_id: row.facilitator_id ?? people.facilitatorId,
          minutes: clampMinutes(row.minutes || minutes),
        },
        context.now,
      );
    }
    const length = clampMinutes(current.minutes || minutes) * 60_000;
    return applySchedule(trx, context, incident, current, parsed.at, new Date(parsed.at.getTime() + length));
  });
  return announceSchedule(context, incident, postmortem, channelId, change);
}

interface ScheduleChange {
  row: DebriefRow;
  previousStart: Date | null;
  /** Who had been told about the meeting before this change. */
  toldBefore: Set<string>;
}

async function applySchedule(
  trx: Db,
  context: ActionContext,
  incident: IncidentInChannel,
  row: DebriefRow,
  start: Date,
  end: Date,
): Promise<ScheduleChange> {
  const wasScheduled = row.status === 'scheduled' && row.starts_at !== null;
  if (wasScheduled && row.starts_at!.getTime() === start.getTime() && row.ends_at?.getTime() === end.getTime()) {
    throw new UserFacingError(
      `The debrief of #${incident.row.number} is already scheduled for ${formatUtc(start)}; nothing changed.`,
    );
  }
  const previousStart = wasScheduled ? row.starts_at : null;
  const updated = await updateDebrief(
    trx,
    row.id,
    {
      status: 'scheduled',
      starts_at: start,
      ends_at: end,
      minutes: Math.round((end.getTime() - start.getTime()) / 60_000),
      proposals_open: false,
      skip_reason: null,
      scheduled_by: context.actor.userId,
      scheduled_at: context.now,
      // A calendar that imported the earlier file updates the event when the sequence is higher.
      sequence: wasScheduled ? row.sequence + 1 : row.sequence,
    },
    context.now,
  );
  const text = previousStart
    ? `Debrief moved from ${formatUtc(previousStart)} to ${formatUtc(start)} (${updated.minutes} min) by <@${context.actor.userId}>`
    : `Debrief scheduled for ${formatUtc(start)} (${updated.minutes} min) by <@${context.actor.userId}>`;
  await recordSystemEntry(trx, context, incident.row.id, 'debrief', text);
  await recordAudit(trx, context, incident.row.id, previousStart ? 'debrief.moved' : 'debrief.scheduled', {
    start: start.toISOString(),
    end: end.toISOString(),
    ...(previousStart ? { from: previousStart.toISOString() } : {}),
  });
  const toldBefore = new Set(wasScheduled ? participantsOf(row).map((p) => p.userId) : []);
  return { row: updated, previousStart, toldBefore };
}

/**
 * After the meeting is committed: the channel post with the agenda, `debrief-<n>.ics` uploaded into the
 * channel, and one DM to each participant with the pre-read (or, when it moved, the new time).
 */
async function announceSchedule(
  context: ActionContext,
  incident: IncidentInChannel,
  postmortem: PostmortemRow,
  channelId: string,
  change: ScheduleChange,
): Promise<ScheduleOutcome> {
  const { row } = change;
  const start = row.starts_at!;
  const end = row.ends_at!;
  const participants = participantsOf(row);
  const material = await draftMaterial(context, incident, postmortem, row.minutes, channelId);
  const problems: string[] = [];
  const filename = debriefIcsFileName(incident.row.number);
  await attemptNoting(problems, 'the channel post', () =>
    context.slack.post(context.workspace, channelId, {
      kind: 'debrief_scheduled',
      incidentId: incident.row.id,
      incidentNumber: incident.row.number,
      start,
      end,
      agenda: material.agenda,
      participants: participants.map(({ userId, required }) => ({ userId, required })),
      facilitatorId: row.facilitator_id,
      by: context.actor.userId,
      previousStart: change.previousStart,
      filename,
    }),
  );
  const names = await namesOf(context, [
    ...participants.map((p) => p.userId),
    ...(postmortem.owner_id ? [postmortem.owner_id] : []),
    context.actor.userId,
  ]);
  const organizerId = postmortem.owner_id ?? context.actor.userId;
  const ics = debriefIcs({
    workspaceId: workspaceRefOf(context.workspace).teamId,
    incidentNumber: incident.row.number,
    incidentTitle: incident.row.title,
    start,
    end,
    organizer: { userId: organizerId, name: names.get(organizerId) ?? organizerId },
    attendees: participants.map((p) => ({
      userId: p.userId,
      name: names.get(p.userId) ?? p.userId,
      required: p.required,
    })),
    agenda: debriefAgenda({ ...material.agenda, nameOf: (id) => names.get(id) ?? id }),
    preReadUrl: material.preRead.link,
    stampedAt: context.now,
    sequence: row.sequence,
  });
  await attemptNoting(problems, `uploading \`${filename}\``, () =>
    context.slack.uploadFile(context.workspace, channelId, {
      filename,
      title: `Debrief of incident #${incident.row.number}`,
      content: ics,
      comment: `Calendar file for the debrief of incident #${incident.row.number}: import it into your calendar (Debrief sends no invitations).`,
    }),
  );
  const told: string[] = [];
  for (const participant of participants) {
    const moved = change.toldBefore.has(participant.userId);
    const sent = await attemptNoting(problems, `the DM to <@${participant.userId}>`, () =>
      context.slack.sendDirect(context.workspace, participant.userId, {
        kind: 'debrief_invitation',
        incidentNumber: incident.row.number,
        title: incident.row.is_private ? null : incident.row.title,
        start,
        end,
        required: participant.required,
        facilitatorId: row.facilitator_id,
        agenda: material.agenda,
        preRead: material.preRead,
        previousStart: moved ? change.previousStart : null,
        by: context.actor.userId,
      }),
    );
    if (sent) told.push(participant.userId);
  }
  return {
    incidentNumber: incident.row.number,
    channelId,
    start,
    end,
    previousStart: change.previousStart,
    told,
    problems,
  };
}

// ---------------------------------------------------------------------------------------------
// Cancel and skip
// ---------------------------------------------------------------------------------------------

/** What cancelling or skipping did. */
export interface CancelOutcome {
  incidentNumber: number;
  /** The meeting that was called off, when one was scheduled. */
  cancelledStart: Date | null;
  told: string[];
  problems: string[];
}

/**
 * `/postmortem debrief cancel` or the `debrief_cancel` button: cancels the scheduled meeting and tells
 * the people who were told about it. A button names the meeting it was posted for: a stale one is refused.
 */
export async function cancelDebrief(
  context: ActionContext,
  incident: IncidentInChannel,
  options: { expectedStart?: Date } = {},
): Promise<CancelOutcome> {
  const { postmortem, channelId } = await readyForDebrief(context, incident, { needsChannel: false });
  await requirePostmortemPermission(context, 'debrief', incident, postmortem);
  const cancelled = await inTransaction(context.db, async (trx) => {
    const existing = await findDebrief(trx, incident.row.id);
    if (!existing) throw new UserFacingError(`Incident #${incident.row.number} has no debrief scheduled.`);
    const { row } = await lockDebrief(trx, incident.row.id, initialRow(context, existing.minutes));
    if (row.status !== 'scheduled' || row.starts_at === null) {
      throw new UserFacingError(notScheduledMessage(incident, row));
    }
    if (options.expectedStart && options.expectedStart.getTime() !== row.starts_at.getTime()) {
      throw new UserFacingError(
        `That button was for the debrief at ${formatUtc(options.expectedStart)}, which was moved to ${formatUtc(row.starts_at)}. To cancel it, run \`/postmortem #${incident.row.number} debrief cancel\`.`,
      );
    }
    const updated = await updateDebrief(
      trx,
      row.id,
      { status: 'cancelled', proposals_open: false, sequence: row.sequence + 1 },
      context.now,
    );
    await recordSystemEntry(
      trx,
      context,
      incident.row.id,
      'debrief',
      `Debrief of ${formatUtc(row.starts_at)} cancelled by <@${context.actor.userId}>`,
    );
    await recordAudit(trx, context, incident.row.id, 'debrief.cancelled', { start: row.starts_at.toISOString() });
    return { row: updated, start: row.starts_at };
  });
  const { told, problems } = await tellCancelled(context, incident, {
    row: cancelled.row,
    start: cancelled.start,
    skipReason: null,
    organizerId: postmortem.owner_id,
    channelId,
  });
  return { incidentNumber: incident.row.number, cancelledStart: cancelled.start, told, problems };
}

/**
 * `/postmortem debrief skip <reason>`: records that no debrief will be held, and why (the document's
 * `## Debrief` shows it). A meeting already scheduled is cancelled and its people told.
 */
export async function skipDebrief(
  context: ActionContext,
  incident: IncidentInChannel,
  reasonText: string,
): Promise<CancelOutcome & { reason: string }> {
  const reason = storableText(reasonText.replace(/\s+/g, ' ').trim());
  if (reason === '') throw new UserFacingError(`Say why no debrief will be held, e.g. \`${EXAMPLES.skip}\`.`);
  const { postmortem, channelId } = await readyForDebrief(context, incident, { needsChannel: false });
  await requirePostmortemPermission(context, 'debrief', incident, postmortem);
  const skipped = await inTransaction(context.db, async (trx) => {
    const { row } = await lockDebrief(trx, incident.row.id, {
      ...initialRow(context, defaultDebriefMinutes(incident.row.peak_severity)),
      status: 'skipped',
    });
    if (row.status === 'held') throw new UserFacingError(heldMessage(incident, row));
    const wasScheduled = row.status === 'scheduled' ? row.starts_at : null;
    const updated = await updateDebrief(
      trx,
      row.id,
      {
        status: 'skipped',
        skip_reason: reason,
        proposals_open: false,
        ...(wasScheduled ? { sequence: row.sequence + 1 } : {}),
      },
      context.now,
    );
    await recordSystemEntry(trx, context, incident.row.id, 'debrief', `No debrief meeting will be held: ${reason}`);
    await recordAudit(trx, context, incident.row.id, 'debrief.skipped', {});
    return { row: updated, cancelledStart: wasScheduled };
  });
  const { told, problems } = skipped.cancelledStart
    ? await tellCancelled(context, incident, {
        row: skipped.row,
        start: skipped.cancelledStart,
        skipReason: reason,
        organizerId: postmortem.owner_id,
        channelId,
      })
    : { told: [], problems: [] };
  return { incidentNumber: incident.row.number, cancelledStart: skipped.cancelledStart, told, problems, reason };
}

/**
 * After a scheduled meeting was cancelled (or skipped): a DM to each person who was told about it, and
 * `debrief-<n>.ics` again in the channel, cancelling the event, for calendars that imported the first.
 */
async function tellCancelled(
  context: ActionContext,
  incident: IncidentInChannel,
  cancelled: {
    /** The debrief after the change: its sequence is the next one. */
    row: DebriefRow;
    start: Date;
    skipReason: string | null;
    organizerId: string | null;
    /** The incident channel, where the scheduling file went; '' when there is none. */
    channelId: string;
  },
): Promise<{ told: string[]; problems: string[] }> {
  const { row, start, skipReason } = cancelled;
  const told: string[] = [];
  const problems: string[] = [];
  const participants = participantsOf(row);
  for (const participant of participants) {
    const sent = await attemptNoting(problems, `the DM to <@${participant.userId}>`, () =>
      context.slack.sendDirect(context.workspace, participant.userId, {
        kind: 'debrief_cancelled',
        incidentNumber: incident.row.number,
        title: incident.row.is_private ? null : incident.row.title,
        start,
        by: context.actor.userId,
        skipReason,
      }),
    );
    if (sent) told.push(participant.userId);
  }
  if (cancelled.channelId && row.ends_at) {
    const filename = debriefIcsFileName(incident.row.number);
    const organizerId = cancelled.organizerId ?? context.actor.userId;
    const names = await namesOf(context, [...participants.map((p) => p.userId), organizerId, context.actor.userId]);
    const nameOf = (id: string) => names.get(id) ?? id;
    const ics = debriefCancellationIcs({
      workspaceId: workspaceRefOf(context.workspace).teamId,
      incidentNumber: incident.row.number,
      incidentTitle: incident.row.title,
      start,
      end: row.ends_at,
      organizer: { userId: organizerId, name: nameOf(organizerId) },
      attendees: participants.map((p) => ({ userId: p.userId, name: nameOf(p.userId), required: p.required })),
      stampedAt: context.now,
      sequence: row.sequence,
      cancelledBy: nameOf(context.actor.userId),
      reason: skipReason,
    });
    await attemptNoting(problems, `uploading the cancellation \`${filename}\``, () =>
      context.slack.uploadFile(context.workspace, cancelled.channelId, {
        filename,
        title: `Debrief of incident #${incident.row.number}: cancelled`,
        content: ics,
        comment: `The debrief of incident #${incident.row.number} is cancelled: import this file to take it off your calendar.`,
      }),
    );
  }
  return { told, problems };
}

/**
 * Runs one Slack call of many; a refusal or a failure is noted in `problems` (what, and Slack's error or
 * the failure's name) instead of stopping the rest. True when the call succeeded.
 */
async function attemptNoting(
  problems: string[],
  what: string,
  call: () => Promise<{ ok: boolean; slackError?: string }>,
): Promise<boolean> {
  try {
    const result = await call();
    if (!result.ok) problems.push(`${what}: \`${result.slackError}\``);
    return result.ok;
  } catch (error) {
    problems.push(`${what}: ${error instanceof Error ? error.name : 'failed'}`);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The scheduler's part
// ---------------------------------------------------------------------------------------------

/** What one sweep of debrief reminders did. */
export interface DebriefReminderSweep {
  sent: number;
  /** Claimed by another sweep (or sent before). */
  skipped: number;
  /** Slack refused for certain: released for a later sweep. */
  refused: number;
  /** The outcome is unknown: the claim is kept, never sent twice. */
  unknown: number;
  held: number;
}

/**
 * The draft again 24 h before the meeting to the required people (only when the meeting was set more than
 * 24 h ahead), and a reminder one hour before to everyone. Each DM is claimed in Postgres before it is sent,
 * sent once without retry, then marked sent; a definite refusal releases the claim, an unknown outcome keeps
 * it. Meetings whose time has passed are marked held.
 */
export async function sendDebriefReminders(deps: {
  db: Db;
  slack: SlackPort;
  now: Date;
}): Promise<DebriefReminderSweep> {
  const sweep: DebriefReminderSweep = { sent: 0, skipped: 0, refused: 0, unknown: 0, held: 0 };
  sweep.held = await markDebriefsHeld(deps.db, deps.now);
  const due = await listScheduledDebriefs(deps.db, deps.now, new Date(deps.now.getTime() + PRE_READ_BEFORE_MS));
  const addresses = new Map<number, WorkspaceAddress | undefined>();
  for (const debrief of due) {
    if (!addresses.has(debrief.workspace_id)) {
      addresses.set(debrief.workspace_id, await addressOfWorkspace(deps.db, debrief.workspace_id));
    }
    const address = addresses.get(debrief.workspace_id);
    if (!address) continue;
    const participants = JSON.parse(debrief.participants) as DebriefParticipantRecord[];
    const untilStart = debrief.starts_at.getTime() - deps.now.getTime();
    const setAhead = debrief.starts_at.getTime() - debrief.scheduled_at.getTime();
    const title = debrief.is_private ? null : debrief.title;
    if (untilStart <= PRE_READ_BEFORE_MS && setAhead > PRE_READ_BEFORE_MS && untilStart > REMINDER_BEFORE_MS) {
      const preRead = await preReadOf(deps.db, debrief, address);
      for (const participant of participants.filter((p) => p.required)) {
        await deliverReminder(deps, address, sweep, reminderKey(debrief, 'pre_read', participant.userId), {
          kind: 'debrief_pre_read',
          incidentNumber: debrief.number,
          title,
          start: debrief.starts_at,
          preRead,
        });
      }
    }
    if (untilStart <= REMINDER_BEFORE_MS) {
      for (const participant of participants) {
        await deliverReminder(deps, address, sweep, reminderKey(debrief, 'one_hour', participant.userId), {
          kind: 'debrief_reminder',
          incidentNumber: debrief.number,
          title,
          start: debrief.starts_at,
          end: debrief.ends_at,
          channelId: debrief.channel_id,
        });
      }
    }
  }
  return sweep;
}

function reminderKey(debrief: DueDebrief, kind: DebriefReminderKind, userId: string): DebriefReminderKey {
  return { debriefId: debrief.id, kind, startsAt: debrief.starts_at, userId };
}

/** Claims, sends once and settles one reminder DM. */
async function deliverReminder(
  deps: { db: Db; slack: SlackPort; now: Date },
  workspace: WorkspaceAddress,
  sweep: DebriefReminderSweep,
  key: DebriefReminderKey,
  notice: DebriefNotice,
): Promise<void> {
  if (!(await claimDebriefReminder(deps.db, key, deps.now))) {
    sweep.skipped += 1;
    return;
  }
  let outcome: Awaited<ReturnType<SlackPort['sendDirectOnce']>>;
  try {
    outcome = await deps.slack.sendDirectOnce(workspace, key.userId, notice);
  } catch (error) {
    // Whatever failed may have failed after Slack took the message: keep the claim.
    outcome = { outcome: 'unknown', reason: error instanceof Error ? error.name : 'failure' };
  }
  if (outcome.outcome === 'sent') {
    await markDebriefReminderSent(deps.db, key, deps.now);
    sweep.sent += 1;
  } else if (outcome.outcome === 'refused') {
    await releaseDebriefReminder(deps.db, key, outcome.slackError);
    sweep.refused += 1;
  } else {
    sweep.unknown += 1;
  }
}

async function preReadOf(db: Db, debrief: DueDebrief, workspace: WorkspaceAddress): Promise<DebriefPreRead> {
  const postmortem = await findPostmortem(db, debrief.incident_id);
  const sections = postmortem ? (JSON.parse(postmortem.sections) as PostmortemSections) : null;
  const items = await listActionItems(db, debrief.incident_id);
  return preReadFrom(sections, items.filter((i) => i.status === 'open').length, debrief.channel_id, workspace);
}

// ---------------------------------------------------------------------------------------------
// The document's `## Debrief`
// ---------------------------------------------------------------------------------------------

/** The meeting as the postmortem document shows it: held, scheduled or skipped; null when none is set. */
export async function debriefRecordOf(db: Db, incidentId: number, now: Date): Promise<DebriefRecord | null> {
  const row = await findDebrief(db, incidentId);
  return row ? debriefRecordFrom(row, now) : null;
}

/** The same from a row already read. */
export function debriefRecordFrom(row: DebriefRow, now: Date): DebriefRecord | null {
  if (row.status === 'skipped') return { kind: 'skipped', reason: row.skip_reason ?? '' };
  if ((row.status !== 'scheduled' && row.status !== 'held') || row.starts_at === null) return null;
  const attendeeIds = participantsOf(row).map((p) => p.userId);
  const ended = row.status === 'held' || (row.ends_at !== null && row.ends_at.getTime() <= now.getTime());
  if (ended) {
    return {
      kind: 'held',
      at: row.starts_at,
      attendeeIds,
      facilitatorId: row.facilitator_id,
      recordingUrl: row.recording_url,
      decisions: row.decisions,
    };
  }
  return {
    kind: 'scheduled',
    at: row.starts_at,
    minutes: row.minutes,
    attendeeIds,
    facilitatorId: row.facilitator_id,
  };
}

// ---------------------------------------------------------------------------------------------
// Shared steps
// ---------------------------------------------------------------------------------------------

async function incidentOf(scope: Scope, incidentId: number): Promise<IncidentInChannel> {
  const row = await findIncidentById(scope.db, scope.workspaceId, incidentId);
  if (!row) throw new UserFacingError('That incident no longer exists in this workspace.');
  return { row, summary: await loadIncidentSummary(scope.db, row) };
}

/** The incident must be resolved with a postmortem under way, and have a channel to post in. */
async function readyForDebrief(
  context: ActionContext,
  incident: IncidentInChannel,
  options: { needsChannel?: boolean } = {},
): Promise<{ postmortem: PostmortemRow; channelId: string; resolvedAt: Date }> {
  const { row } = incident;
  if (row.status === 'false_alarm' || row.status === 'duplicate') {
    throw new UserFacingError(
      `Incident #${row.number} was closed as ${row.status === 'duplicate' ? 'a duplicate' : 'a false alarm'}: it has no postmortem and no debrief.`,
    );
  }
  if (row.status !== 'resolved') {
    throw new UserFacingError(
      `Incident #${row.number} is not resolved yet. The debrief comes after: resolve it with \`/incident resolve\`, then run \`/postmortem debrief\`.`,
    );
  }
  const postmortem = await ensurePostmortem(context, row);
  if (postmortem.status === 'waived' || postmortem.status === 'false_alarm') {
    throw new UserFacingError(
      `The postmortem of #${row.number} was waived${postmortem.closing_reason ? ` (${postmortem.closing_reason})` : ''}: there is no debrief to schedule.`,
    );
  }
  if (options.needsChannel !== false && !row.channel_id) {
    throw new UserFacingError(`Incident #${row.number} has no channel to post the debrief in.`);
  }
  const resolvedAt = incident.summary.milestones.resolved ?? row.closed_at ?? context.now;
  return { postmortem, channelId: row.channel_id ?? '', resolvedAt };
}

/** A held debrief is settled: proposing or scheduling again is refused with what was recorded. */
function refuseWhenSettled(incident: IncidentInChannel, row: DebriefRow | undefined): void {
  if (!row) return;
  if (row.status === 'held') throw new UserFacingError(heldMessage(incident, row));
}

function heldMessage(incident: IncidentInChannel, row: DebriefRow): string {
  return `The debrief of #${incident.row.number} was held on ${row.starts_at ? formatUtc(row.starts_at) : 'its date'}. Record what was decided in the postmortem (\`/postmortem #${incident.row.number} edit lessons\`).`;
}

function notScheduledMessage(incident: IncidentInChannel, row: DebriefRow): string {
  const number = incident.row.number;
  switch (row.status) {
    case 'cancelled':
      return `The debrief of #${number} is already cancelled.`;
    case 'skipped':
      return `No debrief of #${number} is scheduled: it was skipped (${row.skip_reason ?? 'no reason given'}).`;
    case 'held':
      return heldMessage(incident, row);
    default:
      return `No debrief of #${number} is scheduled yet: slots were proposed but none was picked.`;
  }
}

/** Why a pick cannot be taken, or null when it can. */
function stalePick(incident: IncidentInChannel, row: DebriefRow, pick: { round: number; start: Date }): string | null {
  const number = incident.row.number;
  const meeting = row.status === 'scheduled' && row.starts_at ? ` The debrief is at ${formatUtc(row.starts_at)}.` : '';
  if (row.status === 'held') return heldMessage(incident, row);
  if (pick.round !== row.proposal_round) {
    return `These proposals were replaced by newer ones.${meeting} Pick from the latest proposals, or run \`/postmortem #${number} debrief\` again.`;
  }
  if (!row.proposals_open) {
    if (row.status === 'scheduled' && row.starts_at && row.starts_at.getTime() === pick.start.getTime()) {
      return `The debrief of #${number} is already scheduled for that time (${formatUtc(row.starts_at)}); you are all set.`;
    }
    if (row.status === 'cancelled') {
      return `The debrief of #${number} was cancelled after these proposals. Run \`/postmortem #${number} debrief\` for new ones.`;
    }
    if (row.status === 'skipped') {
      return `No debrief of #${number} will be held: ${row.skip_reason ?? 'it was skipped'}. To hold one after all, run \`/postmortem #${number} debrief\`.`;
    }
    return `A slot was already picked from these proposals.${meeting} To move it, run \`/postmortem #${number} debrief\` for new proposals or \`/postmortem #${number} debrief at <when>\`.`;
  }
  return null;
}

function initialRow(context: ActionContext, minutes: number) {
  return {
    status: 'proposed' as const,
    minutes,
    participants: '[]',
    proposals: '[]',
    created_at: context.now,
    updated_at: context.now,
  };
}

function clampMinutes(minutes: number): number {
  return Math.min(MAX_DEBRIEF_MINUTES, Math.max(MIN_DEBRIEF_MINUTES, minutes));
}

export function participantsOf(row: DebriefRow): DebriefParticipantRecord[] {
  return JSON.parse(row.participants) as DebriefParticipantRecord[];
}

function proposalsOf(row: DebriefRow): { start: Date; end: Date }[] {
  return (JSON.parse(row.proposals) as { start: string; end: string }[]).map((p) => ({
    start: new Date(p.start),
    end: new Date(p.end),
  }));
}

/** Everyone told before stays (required wins); newcomers are added after them. */
function mergeParticipants(
  told: DebriefParticipantRecord[],
  fresh: DebriefParticipantRecord[],
): DebriefParticipantRecord[] {
  const byId = new Map(told.map((p) => [p.userId, { ...p }]));
  for (const p of fresh) {
    const known = byId.get(p.userId);
    if (known) {
      known.required ||= p.required;
      known.timeZone = p.timeZone ?? known.timeZone;
    } else byId.set(p.userId, { ...p });
  }
  return [...byId.values()];
}

/** The participant list of SPEC 6 from the incident's roles, action items, timeline and message log, with zones. */
async function gatherParticipants(
  context: ActionContext,
  incident: IncidentInChannel,
  postmortem: PostmortemRow,
): Promise<{
  list: DebriefParticipantRecord[];
  facilitatorId: string | null;
  suggestions: string[];
  leftOut: string[];
}> {
  const { db } = context;
  const [items, timeline, speakers] = await Promise.all([
    listActionItems(db, incident.row.id),
    listTimeline(db, incident.row.id),
    listChannelSpeakers(db, incident.row.id),
  ]);
  // People's own entries and captured messages; system entries record what someone did, not a fact they logged.
  const entries = timeline
    .filter((e) => e.source !== 'system')
    .map((e) => ({ loggedBy: e.authorId, messageAuthor: e.message?.authorId ?? null }));
  const actionItemOwners = items.filter((i) => i.status !== 'cancelled').map((i) => i.owner_id);
  const roles = incident.summary.roles;
  const candidates = new Set<string>([
    ...Object.values(roles).filter((id): id is string => !!id),
    ...(postmortem.owner_id ? [postmortem.owner_id] : []),
    ...actionItemOwners,
    ...entries.flatMap((e) => [e.loggedBy, ...(e.messageAuthor ? [e.messageAuthor] : [])]),
    ...speakers.map((s) => s.user_id),
  ]);
  const users = await lookUpAll(context, [...candidates]);
  const chosen = debriefParticipants({
    severity: incident.row.peak_severity,
    commanderId: roles.commander ?? null,
    ownerId: postmortem.owner_id,
    roles,
    actionItemOwners,
    timelineEntries: entries,
    messageCounts: speakers.map((s) => ({ userId: s.user_id, count: Number(s.messages) })),
    excluded: [...users.values()]
      .filter((u) => u.isBot || u.deleted)
      .map((u) => ({ userId: u.id, bot: u.isBot, deleted: u.deleted })),
  });
  return {
    list: chosen.participants.map((p) => ({
      userId: p.userId,
      required: p.required,
      timeZone: users.get(p.userId)?.timeZone ?? null,
    })),
    facilitatorId: chosen.facilitatorId,
    suggestions: chosen.suggestions.map((s) => s.text),
    leftOut: chosen.leftOut,
  };
}

/** users.info for each (cached by the port); someone Slack cannot describe now is kept, without a zone. */
async function lookUpAll(context: Scope, userIds: string[]): Promise<Map<string, SlackUser>> {
  const found = new Map<string, SlackUser>();
  await Promise.all(
    userIds.map(async (userId) => {
      try {
        found.set(userId, await context.slack.lookupUser(context.workspace, userId));
      } catch {
        // Slack slow or rate-limiting: the person stays on the list, judged as UTC.
      }
    }),
  );
  return found;
}

async function namesOf(context: Scope, userIds: string[]): Promise<Map<string, string>> {
  const users = await lookUpAll(context, [...new Set(userIds)]);
  const names = new Map<string, string>();
  for (const [id, user] of users) if (user.name) names.set(id, user.name);
  return names;
}

/** The agenda's input and the pre-read, both from the draft as it stands. */
async function draftMaterial(
  context: Scope,
  incident: IncidentInChannel,
  postmortem: PostmortemRow,
  minutes: number,
  channelId: string,
): Promise<{ agenda: AgendaInput; preRead: DebriefPreRead }> {
  const sections = JSON.parse(postmortem.sections) as PostmortemSections;
  const items = (await listActionItems(context.db, incident.row.id)).filter((i) => i.status === 'open');
  const agenda: AgendaInput = {
    severity: incident.row.peak_severity,
    minutes: clampMinutes(minutes),
    contributingFactors: sections.contributingFactors.factors.map((f) =>
      f.isTrigger ? `${f.text} (trigger)` : f.text,
    ),
    helped: sections.response.helped ? [sections.response.helped] : [],
    hindered: sections.response.slowedUs ? [sections.response.slowedUs] : [],
    actionItems: items.map((i) => ({
      number: i.number,
      text: i.text,
      ownerId: i.owner_id,
      priority: i.priority,
      due: i.due_date,
    })),
  };
  return { agenda, preRead: preReadFrom(sections, items.length, channelId, context.workspace) };
}

function preReadFrom(
  sections: PostmortemSections | null,
  openActionItems: number,
  channelId: string | null,
  workspace: WorkspaceAddress,
): DebriefPreRead {
  const team = workspace.teamId ?? workspace.enterpriseId;
  return {
    summary: sections?.summary ?? null,
    contributingFactors: (sections?.contributingFactors.factors ?? []).map((f) =>
      f.isTrigger ? `${f.text} (trigger)` : f.text,
    ),
    openActionItems,
    channelId,
    link:
      channelId && team
        ? `https://slack.com/app_redirect?channel=${encodeURIComponent(channelId)}&team=${encodeURIComponent(team)}`
        : null,
  };
}
