import type { DebriefCommand } from '../../../domain/debrief-command';
import {
  POSTMORTEM_EXAMPLES,
  POSTMORTEM_HELP,
  type PostmortemCommand,
  parsePostmortemCommand,
} from '../../../domain/postmortem-command';
import { addActionItem, cancelActionItem, completeActionItem, listActionItems } from '../../../services/action-items';
import type { ActionContext } from '../../../services/context';
import { cancelDebrief, proposeDebrief, scheduleDebriefAt, skipDebrief } from '../../../services/debriefs';
import type { IncidentInChannel } from '../../../services/incidents';
import {
  assignOwner,
  exportMarkdown,
  incidentForPostmortem,
  postmortemReport,
  publishPostmortem,
  requestReview,
  waivePostmortem,
} from '../../../services/postmortems';
import { actionItemAddedAnswer, actionItemListMessage, itemChangedText } from '../../blocks/action-items';
import { cancelAnswer, proposalAnswer, scheduleAnswer, skipAnswer } from '../../blocks/debrief';
import { mention, quoteUserText } from '../../blocks/format';
import { postmortemShowMessage, sectionPickMessage } from '../../blocks/postmortem';
import type { SlackDeps } from '../../deps';
import type { SlackRoutes } from '../../routes';
import { type CommandAnswer, commandListener } from '../../surfaces';
import { openSectionModal } from '../views/postmortem-section';

interface Invocation {
  deps: SlackDeps;
  context: ActionContext;
  /** Where the command was run. */
  channelId: string;
  incidentNumber: number | null;
}

type Command = Exclude<PostmortemCommand, { kind: 'help' | 'invalid' }>;

/** `/postmortem`: parse, find the incident (this channel's, or `#<n>`), call one use case, answer. */
export function registerPostmortemCommand(routes: SlackRoutes, deps: SlackDeps): void {
  routes.command(
    '/postmortem',
    commandListener(deps, async ({ command, client, request }) => {
      const { incidentNumber, command: parsed } = parsePostmortemCommand(command.text ?? '');
      if (parsed.kind === 'help') return { text: POSTMORTEM_HELP };
      if (parsed.kind === 'invalid') return { text: parsed.message };
      if (parsed.kind === 'edit' && parsed.section !== null) {
        // A trigger_id lives 3 s: only the database before views.open (no users.info); the person is
        // taken as a member here, and the submission checks everything again with who they really are.
        const context = await request.beforeModal();
        const incident = await incidentForPostmortem(
          context,
          { channelId: command.channel_id, number: incidentNumber },
          POSTMORTEM_EXAMPLES.edit,
        );
        await openSectionModal(client, command.trigger_id, context, incident, parsed.section);
        return undefined;
      }
      const context = await request.act();
      return handle(parsed, { deps, context, channelId: command.channel_id, incidentNumber });
    }),
  );
}

/** The request's scope with the caller as a member, without asking Slack who they are. */
async function handle(command: Command, invocation: Invocation): Promise<CommandAnswer> {
  switch (command.kind) {
    case 'assign':
      return assign(command, invocation);
    case 'show':
      return show(invocation);
    case 'edit':
      return pickSection(invocation);
    case 'export':
      return exportDocument(invocation);
    case 'publish':
      return publish(invocation);
    case 'review':
      return review(command.reviewerIds, invocation);
    case 'waive':
      return waive(command.reason, invocation);
    case 'action': {
      const incident = await incidentFor(invocation, POSTMORTEM_EXAMPLES.action);
      const added = await addActionItem(invocation.context, incident, command.item);
      return actionItemAddedAnswer(added);
    }
    case 'actions': {
      const incident = await incidentFor(invocation, POSTMORTEM_EXAMPLES.actions);
      const items = await listActionItems(invocation.context, incident);
      return actionItemListMessage({ incident: { id: incident.row.id, number: incident.row.number }, items, page: 1 });
    }
    case 'done': {
      const incident = await incidentFor(invocation, POSTMORTEM_EXAMPLES.done);
      const item = await completeActionItem(invocation.context, { incident, number: command.number });
      return { text: itemChangedText('done', item) };
    }
    case 'cancel': {
      const incident = await incidentFor(invocation, POSTMORTEM_EXAMPLES.cancel);
      const item = await cancelActionItem(invocation.context, { incident, number: command.number }, command.reason);
      return { text: itemChangedText('cancelled', item) };
    }
    case 'debrief':
      return debrief(command.debrief, invocation);
  }
}

function incidentFor(invocation: Invocation, example: string): Promise<IncidentInChannel> {
  return incidentForPostmortem(
    invocation.context,
    { channelId: invocation.channelId, number: invocation.incidentNumber },
    example,
  );
}

/** Run in the incident's own channel, an answer may be shown to the channel. */
function inIncidentChannel(invocation: Invocation, incident: IncidentInChannel): boolean {
  return incident.row.channel_id !== null && incident.row.channel_id === invocation.channelId;
}

async function assign(
  command: Extract<PostmortemCommand, { kind: 'assign' }>,
  invocation: Invocation,
): Promise<CommandAnswer> {
  const incident = await incidentFor(invocation, POSTMORTEM_EXAMPLES.assign);
  const assignment = await assignOwner(invocation.context, incident, {
    ownerId: command.userId,
    dueText: command.dueText,
  });
  const number = incident.row.number;
  const by = invocation.context.actor.userId;
  const self = assignment.ownerId === by;
  if (inIncidentChannel(invocation, incident)) {
    const who = self ? `${mention(by)} took` : `${mention(by)} asked ${mention(assignment.ownerId)} to own`;
    return {
      text: `:memo: ${who} the postmortem of #${number}, due ${assignment.dueDate}.${self ? '' : ' They have a checklist in their DMs.'}`,
      inChannel: true,
    };
  }
  return {
    text: self
      ? `You own the postmortem of #${number}, due ${assignment.dueDate}.`
      : `${mention(assignment.ownerId)} owns the postmortem of #${number}, due ${assignment.dueDate}; Debrief sent them a checklist by DM.`,
  };
}

async function show(invocation: Invocation): Promise<CommandAnswer> {
  const incident = await incidentFor(invocation, POSTMORTEM_EXAMPLES.show);
  const report = await postmortemReport(invocation.context, incident);
  return postmortemShowMessage({ incidentId: incident.row.id, ...report });
}

async function pickSection(invocation: Invocation): Promise<CommandAnswer> {
  const incident = await incidentFor(invocation, POSTMORTEM_EXAMPLES.edit);
  return sectionPickMessage({ id: incident.row.id, number: incident.row.number });
}

async function exportDocument(invocation: Invocation): Promise<CommandAnswer> {
  const incident = await incidentFor(invocation, POSTMORTEM_EXAMPLES.export);
  const number = incident.row.number;
  // A private incident's postmortem is shown only to its channel's members (SPEC 2): uploading it
  // into another channel would show it to everyone there.
  if (incident.row.is_private && !inIncidentChannel(invocation, incident)) {
    return {
      text: `Incident #${number} is private: run \`/postmortem export\` in its own channel, so that only its members see the document.`,
    };
  }
  const { context } = invocation;
  const file = await exportMarkdown(context, incident);
  const uploaded = await context.slack.uploadFile(context.workspace, invocation.channelId, {
    filename: file.filename,
    title: `Postmortem of incident #${number}`,
    content: file.markdown,
    comment: `Postmortem of incident #${number}, exported by ${mention(context.actor.userId)}.`,
  });
  if (uploaded.ok) return { text: `Uploaded \`${file.filename}\` to this channel.` };
  switch (uploaded.slackError) {
    case 'not_in_channel':
      return {
        text: `Debrief is not a member of this channel, so it cannot upload \`${file.filename}\` here. Invite it with \`/invite @Debrief\` and run \`/postmortem export\` again (or run it in the incident channel).`,
      };
    case 'channel_not_found':
      return {
        text: `Slack would not let Debrief upload into this conversation (it is not in it). Run \`/postmortem #${number} export\` in a channel Debrief is a member of, such as the incident channel.`,
      };
    case 'is_archived':
      return {
        text: `This channel is archived. Run \`/postmortem #${number} export\` in another channel Debrief is a member of.`,
      };
    default:
      return {
        text: `Slack refused the upload (\`${uploaded.slackError}\`). Nothing was lost; try \`/postmortem #${number} export\` again in a moment.`,
      };
  }
}

async function publish(invocation: Invocation): Promise<CommandAnswer> {
  const incident = await incidentFor(invocation, POSTMORTEM_EXAMPLES.publish);
  const announceIn = invocation.deps.postmortemChannel;
  const row = await publishPostmortem(invocation.context, incident, announceIn);
  const where = announceIn ? ` and announced it in <#${announceIn}>` : '';
  const closed = row?.status === 'closed' ? ' Every action item is done, so it is closed too.' : '';
  return {
    text: `:memo: Published the postmortem of #${incident.row.number}${where}.${closed} \`/postmortem #${incident.row.number} export\` gets the document.`,
  };
}

async function review(reviewerIds: string[], invocation: Invocation): Promise<CommandAnswer> {
  const incident = await incidentFor(invocation, POSTMORTEM_EXAMPLES.review);
  const asked = await requestReview(invocation.context, incident, reviewerIds);
  return {
    text: `The postmortem of #${incident.row.number} is in review. Debrief asked ${asked.map(mention).join(', ')} by DM to read it and approve.`,
  };
}

async function waive(reason: string, invocation: Invocation): Promise<CommandAnswer> {
  const incident = await incidentFor(invocation, POSTMORTEM_EXAMPLES.waive);
  const why = await waivePostmortem(invocation.context, incident, reason);
  const text = `:no_entry_sign: ${mention(invocation.context.actor.userId)} waived the postmortem of #${incident.row.number}: ${quoteUserText(why)}. No postmortem will be written and its reminders stop.`;
  // SPEC 2: the reason is posted in the channel; run from elsewhere it is recorded in the timeline only.
  return inIncidentChannel(invocation, incident)
    ? { text, inChannel: true }
    : { text: `${text} (Recorded in the timeline of #${incident.row.number}.)` };
}

/** `/postmortem debrief …`: propose slots, schedule at a time, cancel, or skip (SPEC 6). */
async function debrief(command: DebriefCommand, invocation: Invocation): Promise<CommandAnswer> {
  const incident = await incidentFor(invocation, POSTMORTEM_EXAMPLES.debrief);
  const { context } = invocation;
  switch (command.kind) {
    case 'propose':
      return proposalAnswer(await proposeDebrief(context, incident, command));
    case 'at':
      return scheduleAnswer(await scheduleDebriefAt(context, incident, command.whenText));
    case 'cancel':
      return cancelAnswer(await cancelDebrief(context, incident));
    case 'skip': {
      const answer = skipAnswer(await skipDebrief(context, incident, command.reason));
      return inIncidentChannel(invocation, incident) ? { ...answer, inChannel: true } : answer;
    }
  }
}
