import { INCIDENT_HELP, type IncidentCommand, parseIncidentCommand } from '../../../domain/incident-command';
import { formatEcho, formatUtc, parseLeadingWhen, parseWhen, type WhenDirection } from '../../../domain/when';
import type { ActionContext } from '../../../services/context';
import { UserFacingError } from '../../../services/errors';
import {
  addTimelineNoteInChannel,
  assignRole,
  changeSeverity,
  closeWithoutPostmortem,
  declareIncident,
  type IncidentInChannel,
  incidentInChannel,
  incidentRowInChannel,
  postStatusUpdate,
  recordMilestone,
  reopenIncident,
  resolveIncident,
} from '../../../services/incidents';
import { startPostmortemAfterResolve } from '../../../services/postmortems';
import { openIncidentChannel } from '../../../services/provisioning';
import type { Notice } from '../../../services/slack-port';
import { listTimelineOf } from '../../../services/timeline';
import { quoteUserText } from '../../blocks/format';
import { incidentCard, startIncidentModal } from '../../blocks/incident';
import { renderNotice } from '../../blocks/notices';
import { timelineMessage } from '../../blocks/timeline';
import type { DebriefRequest } from '../../context';
import type { SlackDeps } from '../../deps';
import { encodeMetadata, startIncidentMetadata } from '../../modal-metadata';
import type { SlackRoutes } from '../../routes';
import { type CommandAnswer, commandListener } from '../../surfaces';

type Answer = CommandAnswer;

interface Invocation {
  deps: SlackDeps;
  request: DebriefRequest;
  channelId: string;
  context: ActionContext;
  /** Tells the caller something after the answer went out (through response_url). */
  followUp: (notice: Notice) => Promise<void>;
}

export function registerIncidentCommand(routes: SlackRoutes, deps: SlackDeps): void {
  routes.command(
    '/incident',
    commandListener(deps, async ({ command, client, respond, request }) => {
      const parsed = parseIncidentCommand(command.text ?? '');
      if (parsed.kind === 'start_modal') {
        // A trigger_id lives 3 s: open the modal before any other Slack or database call.
        await client.views.open({
          trigger_id: command.trigger_id,
          view: startIncidentModal({
            channelId: command.channel_id,
            privateMetadata: encodeMetadata(startIncidentMetadata, { channelId: command.channel_id }),
          }),
        });
        return undefined;
      }
      if (parsed.kind === 'help') return { text: INCIDENT_HELP };
      if (parsed.kind === 'invalid') return { text: parsed.message };
      const context = await request.act();
      const followUp = async (notice: Notice) => {
        await respond({ response_type: 'ephemeral', ...renderNotice(notice) });
      };
      return handle(parsed, { deps, request, channelId: command.channel_id, context, followUp });
    }),
  );
}

async function handle(
  command: Exclude<IncidentCommand, { kind: 'help' | 'invalid' | 'start_modal' }>,
  invocation: Invocation,
): Promise<Answer> {
  switch (command.kind) {
    case 'start':
      return start(command, invocation);
    case 'timeline_show':
      return showTimeline(invocation);
    case 'timeline_add':
      return addToTimeline(command.text, invocation);
    case 'milestone':
      return milestone(command.milestone, command.whenText, invocation);
    case 'resolve':
      return resolve(command.text, invocation);
    case 'resolve_false_alarm':
    case 'resolve_duplicate':
      return closeEarly(command, invocation);
    case 'reopen':
      return reopen(command.whenText, invocation);
    case 'severity':
      return severity(command.severity, invocation);
    case 'role':
      return role(command.role, command.userId, invocation);
    case 'status':
      return status(command.text, invocation);
  }
}

async function start(command: Extract<IncidentCommand, { kind: 'start' }>, invocation: Invocation): Promise<Answer> {
  const { deps, context, channelId } = invocation;
  const { incident, summary, retried } = await declareIncident(context, {
    title: command.title,
    severity: command.severity,
    isPrivate: command.private,
    channelId,
    here: command.here,
  });
  deps.background.run('open the incident channel', async () => {
    const notice = await openIncidentChannel(context, incident, channelId);
    // `--here` answers with the card in the channel; only a failure to join needs saying.
    if (!command.here || notice.kind === 'not_in_channel') await invocation.followUp(notice);
  });
  if (command.here) return { ...incidentCard(summary), inChannel: true };
  if (retried && incident.channel_id) {
    return { text: `You declared incident #${incident.number} a moment ago; it is open in <#${incident.channel_id}>.` };
  }
  const verb = retried ? 'Retrying the channel for' : 'Declared';
  return {
    text: `${verb} incident #${incident.number} (${incident.severity}) ${quoteUserText(incident.title)}. Creating its channel…`,
  };
}

async function currentIncident(invocation: Invocation, example: string, includeClosed = false) {
  return incidentInChannel(invocation.context, invocation.channelId, { includeClosed, example });
}

function whenContext(invocation: Invocation, direction: WhenDirection) {
  return { now: invocation.context.now, timeZone: invocation.context.actor.timeZone, direction };
}

/** `<when>` alone (or nothing, meaning now). */
function parseTimeOnly(text: string, invocation: Invocation, example: string): Date {
  if (text.trim() === '') return invocation.context.now;
  const parsed = parseWhen(text, whenContext(invocation, 'past'));
  if (!parsed.ok) throw new UserFacingError(`${parsed.message}\nExample: \`${example}\``);
  return parsed.at;
}

/** `[<when>] [text]`: the time (default now) and the rest. */
function parseTimeAndText(text: string, invocation: Invocation): { at: Date; rest: string } {
  const parsed = parseLeadingWhen(text, whenContext(invocation, 'past'));
  if (!parsed.ok) throw new UserFacingError(parsed.message);
  return { at: parsed.at ?? invocation.context.now, rest: parsed.rest };
}

function echo(at: Date, invocation: Invocation): string {
  return formatEcho(at, invocation.context.actor.timeZone, invocation.context.now);
}

async function showTimeline(invocation: Invocation): Promise<Answer> {
  const incident = await currentIncident(invocation, '/incident timeline', true);
  const entries = await listTimelineOf(invocation.context, incident.row.id);
  const message = timelineMessage({
    incident: incident.summary,
    entries,
    page: Number.POSITIVE_INFINITY,
    viewer: invocation.context.actor,
  });
  return { text: message.text, blocks: message.blocks };
}

async function addToTimeline(text: string, invocation: Invocation): Promise<Answer> {
  const example = '/incident timeline 09:05 rolled back deploy';
  const parsed = parseLeadingWhen(text, whenContext(invocation, 'past'));
  if (!parsed.ok || parsed.rest === '') {
    // Outside an incident channel, that is what the person needs to hear first.
    await incidentRowInChannel(invocation.context, invocation.channelId, { includeClosed: true, example });
    throw new UserFacingError(parsed.ok ? `Say what happened after the time, e.g. \`${example}\`.` : parsed.message);
  }
  const at = parsed.at ?? invocation.context.now;
  const { incidentNumber } = await addTimelineNoteInChannel(invocation.context, invocation.channelId, {
    text: parsed.rest,
    occurredAt: at,
    example,
  });
  return { text: `Added to the timeline of #${incidentNumber} at ${echo(at, invocation)}: ${parsed.rest}` };
}

async function milestone(kind: Parameters<typeof recordMilestone>[2], whenText: string, invocation: Invocation) {
  const incident = await currentIncident(invocation, `/incident milestone ${kind} 09:05`, true);
  const at = parseTimeOnly(whenText, invocation, `/incident milestone ${kind} 09:05`);
  await recordMilestone(invocation.context, incident, kind, at);
  announce(invocation, incident, { kind: 'milestone_set', by: actorId(invocation), milestone: kind, at });
  return { text: `Milestone *${kind}* of #${incident.row.number} set to ${echo(at, invocation)}.` };
}

async function resolve(text: string, invocation: Invocation): Promise<Answer> {
  const incident = await currentIncident(invocation, '/incident resolve 10:42 rolled back the deploy');
  const { at, rest } = parseTimeAndText(text, invocation);
  await resolveIncident(invocation.context, incident, { occurredAt: at, summary: rest });
  const { context } = invocation;
  const channel = incident.row.channel_id;
  const notice = {
    kind: 'incident_resolved',
    by: actorId(invocation),
    incidentNumber: incident.row.number,
    at,
    summary: rest,
  } as const;
  // After the answer: the announcement, then the draft and the channel's "who owns the postmortem?" (SPEC 4).
  invocation.deps.background.run('announce the resolution and start the postmortem', async () => {
    if (channel) await context.slack.post(context.workspace, channel, notice);
    await startPostmortemAfterResolve(context, incident.row.id);
  });
  return { text: `Incident #${incident.row.number} resolved at ${echo(at, invocation)}.` };
}

async function closeEarly(
  command: Extract<IncidentCommand, { kind: 'resolve_false_alarm' | 'resolve_duplicate' }>,
  invocation: Invocation,
): Promise<Answer> {
  const incident = await currentIncident(invocation, '/incident resolve --false-alarm');
  const closure =
    command.kind === 'resolve_false_alarm'
      ? ({ kind: 'false_alarm', summary: command.summary } as const)
      : ({ kind: 'duplicate', duplicateOf: command.duplicateOf, summary: command.summary } as const);
  const { text } = await closeWithoutPostmortem(invocation.context, incident, closure);
  announce(invocation, incident, { kind: 'incident_closed', by: actorId(invocation), text });
  return { text: `Incident #${incident.row.number}: ${quoteUserText(text)}.` };
}

async function reopen(whenText: string, invocation: Invocation): Promise<Answer> {
  const incident = await currentIncident(invocation, '/incident reopen', true);
  const at = parseTimeOnly(whenText, invocation, '/incident reopen 11:20');
  await reopenIncident(invocation.context, incident, at);
  announce(invocation, incident, {
    kind: 'incident_reopened',
    by: actorId(invocation),
    incidentNumber: incident.row.number,
    at,
  });
  return { text: `Incident #${incident.row.number} reopened at ${echo(at, invocation)}.` };
}

async function severity(level: Parameters<typeof changeSeverity>[2], invocation: Invocation): Promise<Answer> {
  const incident = await currentIncident(invocation, `/incident severity ${level}`);
  const { previous } = await changeSeverity(invocation.context, incident, level);
  announce(invocation, incident, {
    kind: 'severity_changed',
    by: actorId(invocation),
    incidentNumber: incident.row.number,
    from: previous,
    to: level,
  });
  return { text: `Severity of #${incident.row.number} is now ${level} (was ${previous}).` };
}

async function role(kind: Parameters<typeof assignRole>[2], userId: string, invocation: Invocation): Promise<Answer> {
  const incident = await currentIncident(invocation, `/incident role ${kind} @alex`);
  const { becameCommander } = await assignRole(invocation.context, incident, kind, userId);
  const notice = {
    kind: 'role_assigned',
    by: actorId(invocation),
    incidentNumber: incident.row.number,
    role: kind,
    userId,
    byBecameCommander: becameCommander,
  } as const;
  announce(invocation, incident, notice);
  return renderNotice(notice);
}

async function status(text: string, invocation: Invocation): Promise<Answer> {
  const incident = await currentIncident(invocation, '/incident status Rollback at 40%, errors falling', text === '');
  if (text === '') return incidentCard(incident.summary);
  const posted = await postStatusUpdate(invocation.context, incident, text);
  return {
    text: `:mega: *Status update* on #${incident.row.number} from <@${actorId(invocation)}> (${formatUtc(invocation.context.now)}):\n${quoteUserText(posted)}`,
    inChannel: true,
  };
}

function actorId(invocation: Invocation): string {
  return invocation.context.actor.userId;
}

/** Tells the incident channel about a change, after the answer has gone back to Slack. */
function announce(invocation: Invocation, incident: IncidentInChannel, notice: Notice): void {
  const channel = incident.row.channel_id;
  if (!channel) return;
  const { context } = invocation;
  invocation.deps.background.run('announce in incident channel', async () => {
    await context.slack.post(context.workspace, channel, notice);
  });
}
