/**
 * How the debrief meeting reads in Slack: the proposals with `debrief_pick` buttons, the confirmation
 * with the agenda and a `debrief_cancel` button, the DMs (invitation with the pre-read, cancellation, the
 * draft 24 h before, the reminder an hour before) and the answers to `/postmortem debrief …`.
 */

import type { KnownBlock, SectionBlock } from '@slack/types';
import { type AgendaInput, type DebriefAgenda, debriefAgenda } from '../../domain/debrief';
import { formatUtc } from '../../domain/when';
import type {
  CancelOutcome,
  DebriefNotice,
  DebriefPreRead,
  DebriefSlotView,
  ProposalOutcome,
  ScheduleOutcome,
} from '../../services/debriefs';
import { ActionIds } from '../ids';
import type { CommandAnswer } from '../surfaces';
import { isoUtc, mention, mrkdwn, plainText, quoteUserText, slackDate, truncate } from './format';
import type { RenderedMessage } from './notices';

type NoticeOf<K extends DebriefNotice['kind']> = Extract<DebriefNotice, { kind: K }>;

/** Section text stays well under Slack's 3,000 characters, with a visible notice when cut. */
const SECTION_MAX = 2900;

/**
 * Block ids that say which incident and proposal round a button belongs to: a button's value is the
 * slot start (SPEC: ISO-8601 UTC) or, for cancel, the start of the meeting it was posted for.
 */
export const DebriefBlockPrefixes = {
  pick: 'debrief_pick_',
  cancel: 'debrief_cancel_',
} as const;

export function debriefPickBlockId(incidentId: number, round: number, index: number): string {
  return `${DebriefBlockPrefixes.pick}${incidentId}_${round}_${index}`;
}

/** `debrief_pick_<incident>_<round>_<i>` → incident id and round, or undefined. */
export function parseDebriefPickBlockId(
  blockId: string | undefined,
): { incidentId: number; round: number } | undefined {
  const match = /^debrief_pick_(\d{1,12})_(\d{1,9})_\d{1,3}$/.exec(blockId ?? '');
  if (!match) return undefined;
  const incidentId = Number(match[1]);
  const round = Number(match[2]);
  return incidentId > 0 && Number.isSafeInteger(incidentId) ? { incidentId, round } : undefined;
}

export function debriefCancelBlockId(incidentId: number): string {
  return `${DebriefBlockPrefixes.cancel}${incidentId}`;
}

/** A button value as an instant; undefined when it is not an ISO-8601 time with a zone. */
export function instantOfValue(value: string | undefined): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/.test(value)) {
    return undefined;
  }
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

export function renderDebriefNotice(notice: DebriefNotice): RenderedMessage {
  switch (notice.kind) {
    case 'debrief_proposals':
      return proposalsMessage(notice);
    case 'debrief_scheduled':
      return scheduledMessage(notice);
    case 'debrief_invitation':
      return invitationMessage(notice);
    case 'debrief_cancelled':
      return cancelledMessage(notice);
    case 'debrief_pre_read':
      return preReadMessage(notice);
    case 'debrief_reminder':
      return reminderMessage(notice);
  }
}

// ---- proposals ---------------------------------------------------------------------------------

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `Tue 2026-11-24 17:00–18:00 UTC`: the UTC text everyone can compare, beside each reader's own time. */
export function slotUtc(start: Date, end: Date): string {
  const day = WEEKDAYS[start.getUTCDay()]!;
  const endTime = formatUtc(end).slice(11, 16);
  return `${day} ${formatUtc(start).replace(' UTC', '')}–${endTime} UTC`;
}

function people(ids: readonly string[]): string {
  return ids.length > 0 ? ids.map(mention).join(', ') : 'nobody';
}

function slotLines(slot: DebriefSlotView, index: number): string {
  const lines = [
    `*${index + 1}. ${slotUtc(slot.start, slot.end)}* (${slackDate(slot.start, '{date_short_pretty} {time}')} your time)`,
    `:white_check_mark: In working hours: ${people(slot.covered)}`,
  ];
  if (slot.outside.length > 0) {
    const outside = slot.outside.map((o) => `${mention(o.userId)} ${o.localWeekday} ${o.localTime} (${o.timeZone})`);
    lines.push(`:crescent_moon: Outside their hours: ${outside.join(', ')}`);
  } else lines.push('Everyone is inside 09:00–17:00 on a weekday.');
  return lines.join('\n');
}

function proposalsMessage(notice: NoticeOf<'debrief_proposals'>): RenderedMessage {
  const { incidentNumber, minutes } = notice;
  const required = notice.participants.filter((p) => p.required).map((p) => p.userId);
  const optional = notice.participants.filter((p) => !p.required).map((p) => p.userId);
  const intro = notice.scheduledStart
    ? `${mention(notice.by)} proposed new times for the debrief of incident #${incidentNumber} (${minutes} min), now set for ${slotUtc(notice.scheduledStart, new Date(notice.scheduledStart.getTime() + minutes * 60_000))}. Picking one moves it and tells everyone.`
    : `${mention(notice.by)} proposed times for the debrief of incident #${incidentNumber} (${minutes} min). Pick one:`;
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(truncate(intro, SECTION_MAX)) }];
  const notes = [
    ...(notice.note ? [quoteUserText(notice.note)] : []),
    ...(notice.withoutZone.length > 0
      ? [
          `${people(notice.withoutZone)} ${notice.withoutZone.length === 1 ? 'has' : 'have'} no time zone in Slack: taken as UTC.`,
        ]
      : []),
    'Debrief reads no calendars: "in working hours" means 09:00–17:00 on a weekday in each person’s Slack time zone, not that they are free.',
  ];
  blocks.push({ type: 'context', elements: [mrkdwn(truncate(notes.join(' '), SECTION_MAX))] });
  notice.proposals.forEach((slot, index) => {
    const section: SectionBlock = {
      type: 'section',
      block_id: debriefPickBlockId(notice.incidentId, notice.round, index),
      text: mrkdwn(truncate(slotLines(slot, index), SECTION_MAX)),
      accessory: {
        type: 'button',
        action_id: ActionIds.debriefPick,
        text: plainText(`Pick ${index + 1}`),
        value: isoUtc(slot.start),
        ...(index === 0 ? { style: 'primary' as const } : {}),
      },
    };
    blocks.push(section);
  });
  const who = [
    `*Required*: ${people(required)}`,
    ...(optional.length > 0 ? [`*Optional*: ${people(optional)}`] : []),
    ...(notice.leftOut.length > 0 ? [`(${notice.leftOut.length} more who posted are left out to keep it to 12)`] : []),
    ...(notice.facilitatorId ? [`*Facilitator* (suggested): ${mention(notice.facilitatorId)}`] : []),
    ...notice.suggestions.map((s) => `:bulb: ${quoteUserText(s)}`),
  ];
  blocks.push({ type: 'section', text: mrkdwn(truncate(who.join('\n'), SECTION_MAX)) });
  blocks.push({
    type: 'context',
    elements: [mrkdwn('Or set the time yourself: `/postmortem debrief at 2026-11-24 15:00` (your time zone).')],
  });
  const fallback = [
    `Debrief of incident #${incidentNumber}: ${notice.proposals.length} proposed time${notice.proposals.length === 1 ? '' : 's'}.`,
    ...notice.proposals.map((slot, i) => {
      const outside = slot.outside.map((o) => `${mention(o.userId)} ${o.localTime} ${o.timeZone}`).join(', ');
      return `${i + 1}. ${slotUtc(slot.start, slot.end)}${outside ? ` — outside their hours: ${outside}` : ''}`;
    }),
  ].join('\n');
  return { text: truncate(fallback, 3000), blocks };
}

// ---- confirmation ------------------------------------------------------------------------------

function agendaFor(input: AgendaInput): DebriefAgenda {
  return debriefAgenda({ ...input, nameOf: mention });
}

function agendaText(agenda: DebriefAgenda, withPoints: boolean): string {
  const lines = [`*Agenda* (${agenda.minutes} min)`];
  for (const part of agenda.parts) {
    lines.push(`*${quoteUserText(part.title)}* — ${part.minutes} min`);
    if (withPoints) for (const point of part.points) lines.push(`• ${quoteUserText(point)}`);
  }
  return truncate(lines.join('\n'), SECTION_MAX);
}

function scheduledMessage(notice: NoticeOf<'debrief_scheduled'>): RenderedMessage {
  const { incidentNumber } = notice;
  const when = `${slotUtc(notice.start, notice.end)} (${slackDate(notice.start, '{date_long_pretty} {time}')} your time)`;
  const headline = notice.previousStart
    ? `:calendar: ${mention(notice.by)} moved the debrief of incident #${incidentNumber} from ${formatUtc(notice.previousStart)} to *${when}*.`
    : `:calendar: The debrief of incident #${incidentNumber} is set for *${when}* (set by ${mention(notice.by)}).`;
  const required = notice.participants.filter((p) => p.required).map((p) => p.userId);
  const optional = notice.participants.filter((p) => !p.required).map((p) => p.userId);
  const who = [
    `*Required*: ${people(required)}`,
    ...(optional.length > 0 ? [`*Optional*: ${people(optional)}`] : []),
    `*Facilitator*: ${notice.facilitatorId ? mention(notice.facilitatorId) : 'not named yet'}`,
  ].join('\n');
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(truncate(headline, SECTION_MAX)) },
    { type: 'section', text: mrkdwn(truncate(who, SECTION_MAX)) },
    { type: 'section', text: mrkdwn(agendaText(agendaFor(notice.agenda), true)) },
    {
      type: 'section',
      block_id: debriefCancelBlockId(notice.incidentId),
      text: mrkdwn(
        `Pre-read: the draft, \`/postmortem #${incidentNumber} show\`. Everyone invited gets it by DM. \`${notice.filename}\` follows: a calendar file to import; Debrief sends no invitations and reads no calendars.`,
      ),
      accessory: {
        type: 'button',
        action_id: ActionIds.debriefCancel,
        text: plainText('Cancel the debrief'),
        value: isoUtc(notice.start),
        style: 'danger',
        confirm: {
          title: plainText('Cancel the debrief?'),
          text: plainText('Everyone invited is told it is cancelled.'),
          confirm: plainText('Cancel it'),
          deny: plainText('Keep it'),
        },
      },
    },
  ];
  const text = notice.previousStart
    ? `Debrief of incident #${incidentNumber} moved to ${slotUtc(notice.start, notice.end)}.`
    : `Debrief of incident #${incidentNumber}: ${slotUtc(notice.start, notice.end)}.`;
  return { text, blocks };
}

// ---- direct messages ---------------------------------------------------------------------------

function incidentName(incidentNumber: number, title: string | null): string {
  return title ? `incident #${incidentNumber} ${quoteUserText(title)}` : `incident #${incidentNumber}`;
}

function preReadText(preRead: DebriefPreRead, incidentNumber: number): string {
  const lines = ['*Pre-read: the draft* (read it before the meeting; the recap takes five minutes)'];
  lines.push(
    preRead.summary
      ? `>${quoteUserText(truncate(preRead.summary, 1200)).replace(/\n/g, '\n>')}`
      : '_No summary written yet._',
  );
  if (preRead.contributingFactors.length > 0) {
    lines.push('*Contributing factors*');
    for (const factor of preRead.contributingFactors.slice(0, 10))
      lines.push(`• ${quoteUserText(truncate(factor, 200))}`);
    if (preRead.contributingFactors.length > 10) lines.push(`… ${preRead.contributingFactors.length - 10} more`);
  }
  lines.push(`Open action items: ${preRead.openActionItems}.`);
  const where = preRead.channelId ? ` in <#${preRead.channelId}>` : '';
  lines.push(
    `The whole draft: \`/postmortem #${incidentNumber} show\`${where}, or \`/postmortem #${incidentNumber} export\`.`,
  );
  return truncate(lines.join('\n'), SECTION_MAX);
}

function invitationMessage(notice: NoticeOf<'debrief_invitation'>): RenderedMessage {
  const name = incidentName(notice.incidentNumber, notice.title);
  const when = `${slackDate(notice.start, '{date_long_pretty} {time}')} (${slotUtc(notice.start, notice.end)})`;
  const role = notice.required ? 'You are required' : 'You are invited (optional)';
  const text = notice.previousStart
    ? `The debrief of ${name} moved from ${formatUtc(notice.previousStart)} to ${when}.`
    : `${role} at the debrief of ${name}: ${when}.`;
  const facilitator = notice.facilitatorId ? ` Facilitator: ${mention(notice.facilitatorId)}.` : '';
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(truncate(`:calendar: ${text}${facilitator}`, SECTION_MAX)) },
    { type: 'section', text: mrkdwn(preReadText(notice.preRead, notice.incidentNumber)) },
    { type: 'section', text: mrkdwn(agendaText(agendaFor(notice.agenda), false)) },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `The calendar file \`debrief-${notice.incidentNumber}.ics\` is in the incident channel: import it; Debrief sends no calendar invitations.`,
        ),
      ],
    },
  ];
  return { text, blocks };
}

function cancelledMessage(notice: NoticeOf<'debrief_cancelled'>): RenderedMessage {
  const name = incidentName(notice.incidentNumber, notice.title);
  const why = notice.skipReason ? ` No debrief will be held: ${quoteUserText(notice.skipReason)}.` : '';
  return {
    text: `:x: ${mention(notice.by)} cancelled the debrief of ${name} set for ${slackDate(notice.start)} (${formatUtc(notice.start)}).${why} If you imported the calendar file, delete the event.`,
  };
}

function preReadMessage(notice: NoticeOf<'debrief_pre_read'>): RenderedMessage {
  const name = incidentName(notice.incidentNumber, notice.title);
  const text = `The debrief of ${name} is in a day: ${slackDate(notice.start, '{date_long_pretty} {time}')} (${formatUtc(notice.start)}). Here is the draft again to read beforehand.`;
  return {
    text,
    blocks: [
      { type: 'section', text: mrkdwn(truncate(`:books: ${text}`, SECTION_MAX)) },
      { type: 'section', text: mrkdwn(preReadText(notice.preRead, notice.incidentNumber)) },
    ],
  };
}

function reminderMessage(notice: NoticeOf<'debrief_reminder'>): RenderedMessage {
  const name = incidentName(notice.incidentNumber, notice.title);
  const where = notice.channelId ? ` The agenda is in <#${notice.channelId}>.` : '';
  return {
    text: `:alarm_clock: Reminder: the debrief of ${name} starts in an hour, at ${slackDate(notice.start, '{time}')} (${slotUtc(notice.start, notice.end)}).${where}`,
  };
}

// ---- command and button answers ----------------------------------------------------------------

function problemsText(problems: readonly string[]): string {
  return problems.length > 0 ? `\nSlack refused some of it (the meeting is recorded): ${problems.join('; ')}.` : '';
}

export function proposalAnswer(outcome: ProposalOutcome): CommandAnswer {
  if (outcome.postError) {
    return {
      text: `Debrief could not post the proposals in <#${outcome.channelId}> (\`${outcome.postError}\`). Invite it with \`/invite @Debrief\` and run \`/postmortem #${outcome.incidentNumber} debrief\` again.`,
    };
  }
  return {
    text: `Proposed ${outcome.proposals.length} time${outcome.proposals.length === 1 ? '' : 's'} for the debrief of #${outcome.incidentNumber} in <#${outcome.channelId}>: ${outcome.proposals.map((p) => slotUtc(p.start, p.end)).join('; ')}.`,
  };
}

export function scheduleAnswer(outcome: ScheduleOutcome): CommandAnswer {
  const moved = outcome.previousStart ? ` (moved from ${formatUtc(outcome.previousStart)})` : '';
  return {
    text: `:calendar: The debrief of #${outcome.incidentNumber} is set for ${slotUtc(outcome.start, outcome.end)}${moved}. The agenda and \`debrief-${outcome.incidentNumber}.ics\` are in <#${outcome.channelId}>; ${outcome.told.length} ${outcome.told.length === 1 ? 'person was' : 'people were'} told by DM.${problemsText(outcome.problems)}`,
  };
}

export function cancelAnswer(outcome: CancelOutcome): CommandAnswer {
  return {
    text: `:x: Cancelled the debrief of #${outcome.incidentNumber} set for ${outcome.cancelledStart ? formatUtc(outcome.cancelledStart) : 'later'}; ${outcome.told.length} ${outcome.told.length === 1 ? 'person was' : 'people were'} told by DM.${problemsText(outcome.problems)}`,
  };
}

export function skipAnswer(outcome: CancelOutcome & { reason: string }): CommandAnswer {
  const cancelled = outcome.cancelledStart
    ? ` The meeting set for ${formatUtc(outcome.cancelledStart)} is cancelled and ${outcome.told.length} ${outcome.told.length === 1 ? 'person was' : 'people were'} told.`
    : '';
  return {
    text: `Recorded: no debrief meeting for #${outcome.incidentNumber}, because ${quoteUserText(outcome.reason)}. The postmortem’s Debrief section says so.${cancelled}${problemsText(outcome.problems)}`,
  };
}
