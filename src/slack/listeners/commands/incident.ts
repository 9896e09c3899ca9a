import type { App, RespondFn, SlashCommand } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { loadIncidentSummary } from '../../../db/incidents';
import { INCIDENT_HELP, type IncidentCommand, parseIncidentCommand } from '../../../domain/incident-command';
import { formatEcho, formatUtc, parseLeadingWhen, parseWhen, type WhenDirection } from '../../../domain/when';
import { UserFacingError } from '../../../services/errors';
import {
  addTimelineNote,
  assignRole,
  changeSeverity,
  closeWithoutPostmortem,
  declareIncident,
  type IncidentInChannel,
  incidentInChannel,
  postStatusUpdate,
  recordMilestone,
  reopenIncident,
  resolveIncident,
} from '../../../services/incidents';
import { listTimeline } from '../../../services/timeline';
import { slackDate } from '../../blocks/format';
import { incidentCard, startIncidentModal } from '../../blocks/incident';
import { timelineMessage } from '../../blocks/timeline';
import { actionContext, type SlackDeps } from '../../deps';
import { describeFailure } from '../../failures';
import { provisionIncidentChannel } from '../../provision-channel';

/** What the command answers: shown only to the caller unless it says otherwise. */
interface Answer {
  text: string;
  blocks?: KnownBlock[];
  inChannel?: boolean;
}

type Context = Awaited<ReturnType<typeof actionContext>>;

interface Invocation {
  deps: SlackDeps;
  client: WebClient;
  command: SlashCommand;
  context: Context;
  respond: RespondFn;
}

export function registerIncidentCommand(app: App, deps: SlackDeps): void {
  app.command('/incident', async ({ command, ack, client, respond }) => {
    const parsed = parseIncidentCommand(command.text ?? '');
    let answer: Answer;
    try {
      if (parsed.kind === 'start_modal') {
        // A trigger_id lives 3 s: open the modal before any other Slack or database call.
        await client.views.open({
          trigger_id: command.trigger_id,
          view: startIncidentModal({
            channelId: command.channel_id,
            privateMetadata: JSON.stringify({ channelId: command.channel_id }),
          }),
        });
        await ack();
        return;
      }
      const context = await actionContext(
        deps,
        client,
        { teamId: command.team_id, enterpriseId: command.enterprise_id ?? null },
        command.user_id,
      );
      answer = await handle(parsed, { deps, client, command, context, respond });
    } catch (error) {
      answer = { text: describeFailure(error, deps.logger) };
    }
    await ack({
      response_type: answer.inChannel ? 'in_channel' : 'ephemeral',
      text: answer.text,
      ...(answer.blocks ? { blocks: answer.blocks } : {}),
    });
  });
}

async function handle(command: IncidentCommand, invocation: Invocation): Promise<Answer> {
  switch (command.kind) {
    case 'help':
      return { text: INCIDENT_HELP };
    case 'invalid':
      return { text: command.message };
    case 'start_modal':
      throw new Error('the start modal is opened before any other work');
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
  const { deps, client, context, respond } = invocation;
  const channelId = invocation.command.channel_id;
  const { incident, retried } = await declareIncident(context, {
    title: command.title,
    severity: command.severity,
    isPrivate: command.private,
    channelId,
    here: command.here,
  });
  if (command.here) {
    deps.background.run('join incident channel', () => joinChannel(client, channelId, respond));
    const card = incidentCard(await loadIncidentSummary(deps.db, incident));
    return { text: card.text, blocks: card.blocks, inChannel: true };
  }
  deps.background.run('provision incident channel', async () => {
    const outcome = await provisionIncidentChannel(deps.db, client, incident, channelId);
    if (outcome.ok) {
      await respond({
        response_type: 'ephemeral',
        text: [`Incident #${incident.number} is open in <#${outcome.channelId}>.`, ...outcome.warnings].join('\n'),
      });
    } else {
      await respond({
        response_type: 'ephemeral',
        text: `Incident #${incident.number} is recorded, but Slack would not create its channel (\`${outcome.slackError}\`). Run the same command again to retry; Debrief keeps incident #${incident.number}. Or run \`/incident start --here ${command.severity} ${incident.title}\` in a channel you create yourself.`,
      });
    }
  });
  const verb = retried ? 'Retrying the channel for' : 'Declared';
  return {
    text: `${verb} incident #${incident.number} (${incident.severity}) ${incident.title}. Creating its channel…`,
  };
}

/** A `--here` incident needs Debrief in the channel to capture messages and pushpins. */
async function joinChannel(client: WebClient, channelId: string, respond: RespondFn): Promise<void> {
  try {
    await client.conversations.join({ channel: channelId });
  } catch {
    await respond({
      response_type: 'ephemeral',
      text: 'Debrief is not a member of this channel, so it cannot capture messages or :pushpin: reactions here. Invite it with `/invite @Debrief`.',
    });
  }
}

async function currentIncident(invocation: Invocation, example: string, includeClosed = false) {
  return incidentInChannel(invocation.context, invocation.command.channel_id, { includeClosed, example });
}

function whenContext(invocation: Invocation, direction: WhenDirection) {
  return { now: invocation.context.now, timeZone: invocation.context.user.timeZone, direction };
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
  return formatEcho(at, invocation.context.user.timeZone, invocation.context.now);
}

async function showTimeline(invocation: Invocation): Promise<Answer> {
  const incident = await currentIncident(invocation, '/incident timeline', true);
  const entries = await listTimeline(invocation.deps.db, incident.row.id);
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
  const incident = await currentIncident(invocation, example, true);
  const { at, rest } = parseTimeAndText(text, invocation);
  if (rest === '') throw new UserFacingError(`Say what happened after the time, e.g. \`${example}\`.`);
  await addTimelineNote(invocation.context, incident, { text: rest, occurredAt: at });
  return { text: `Added to the timeline of #${incident.row.number} at ${echo(at, invocation)}: ${rest}` };
}

async function milestone(kind: Parameters<typeof recordMilestone>[2], whenText: string, invocation: Invocation) {
  const incident = await currentIncident(invocation, `/incident milestone ${kind} 09:05`, true);
  const at = parseTimeOnly(whenText, invocation, `/incident milestone ${kind} 09:05`);
  await recordMilestone(invocation.context, incident, kind, at);
  announce(
    invocation,
    incident,
    `:star: <@${invocation.context.actor.userId}> set milestone *${kind}*: ${slackDate(at)}`,
  );
  return { text: `Milestone *${kind}* of #${incident.row.number} set to ${echo(at, invocation)}.` };
}

async function resolve(text: string, invocation: Invocation): Promise<Answer> {
  const incident = await currentIncident(invocation, '/incident resolve 10:42 rolled back the deploy');
  const { at, rest } = parseTimeAndText(text, invocation);
  await resolveIncident(invocation.context, incident, { occurredAt: at, summary: rest });
  announce(
    invocation,
    incident,
    `:white_check_mark: <@${invocation.context.actor.userId}> resolved incident #${incident.row.number} at ${slackDate(at)}.${rest ? ` ${rest}` : ''}`,
  );
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
  announce(
    invocation,
    incident,
    `:heavy_check_mark: <@${invocation.context.actor.userId}>: ${text}. No postmortem needed.`,
  );
  return { text: `Incident #${incident.row.number}: ${text}.` };
}

async function reopen(whenText: string, invocation: Invocation): Promise<Answer> {
  const incident = await currentIncident(invocation, '/incident reopen', true);
  const at = parseTimeOnly(whenText, invocation, '/incident reopen 11:20');
  await reopenIncident(invocation.context, incident, at);
  announce(
    invocation,
    incident,
    `:rotating_light: <@${invocation.context.actor.userId}> reopened incident #${incident.row.number} at ${slackDate(at)}.`,
  );
  return { text: `Incident #${incident.row.number} reopened at ${echo(at, invocation)}.` };
}

async function severity(level: Parameters<typeof changeSeverity>[2], invocation: Invocation): Promise<Answer> {
  const incident = await currentIncident(invocation, `/incident severity ${level}`);
  const { previous } = await changeSeverity(invocation.context, incident, level);
  announce(
    invocation,
    incident,
    `:warning: <@${invocation.context.actor.userId}> changed the severity of #${incident.row.number} from ${previous} to *${level}*.`,
  );
  return { text: `Severity of #${incident.row.number} is now ${level} (was ${previous}).` };
}

async function role(kind: Parameters<typeof assignRole>[2], userId: string, invocation: Invocation): Promise<Answer> {
  const incident = await currentIncident(invocation, `/incident role ${kind} @alex`);
  const target = await invocation.deps.users.lookup(invocation.client, invocation.command.team_id, userId);
  if (target.isBot || target.deleted) {
    throw new UserFacingError(
      `<@${userId}> cannot hold a role (a bot or a deactivated account). Pick a person, e.g. \`/incident role ${kind} @alex\`.`,
    );
  }
  const { becameCommander } = await assignRole(invocation.context, incident, kind, userId);
  const also = becameCommander ? ` <@${invocation.context.actor.userId}> is commander, as nobody was.` : '';
  announce(
    invocation,
    incident,
    `:bust_in_silhouette: <@${userId}> is now *${kind}* of #${incident.row.number} (set by <@${invocation.context.actor.userId}>).${also}`,
  );
  return { text: `<@${userId}> is now ${kind} of #${incident.row.number}.${also}` };
}

async function status(text: string, invocation: Invocation): Promise<Answer> {
  const incident = await currentIncident(invocation, '/incident status Rollback at 40%, errors falling', text === '');
  if (text === '') {
    const card = incidentCard(incident.summary);
    return { text: card.text, blocks: card.blocks };
  }
  const posted = await postStatusUpdate(invocation.context, incident, text);
  return {
    text: `:mega: *Status update* on #${incident.row.number} from <@${invocation.context.actor.userId}> (${formatUtc(invocation.context.now)}):\n${posted}`,
    inChannel: true,
  };
}

/** Tells the incident channel about a change, after the answer has gone back to Slack. */
function announce(invocation: Invocation, incident: IncidentInChannel, text: string): void {
  const channel = incident.row.channel_id;
  if (!channel) return;
  invocation.deps.background.run('announce in incident channel', async () => {
    await invocation.client.chat.postMessage({ channel, text });
  });
}
