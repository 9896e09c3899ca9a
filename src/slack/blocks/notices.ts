/** How each Notice of the outbound port reads in Slack. User text is quoted so it never pings a crowd. */

import type { KnownBlock } from '@slack/types';
import { formatEcho } from '../../domain/when';
import type { Notice, ProvisionProblem } from '../../services/slack-port';
import { actionItemAssignedMessage, digestMessage } from './action-items';
import { renderDebriefNotice } from './debrief';
import { mention, quoteUserText, slackDate } from './format';
import { incidentCard } from './incident';
import { postmortemChecklist, postmortemOwnerWanted, postmortemReviewRequested } from './postmortem';

export interface RenderedMessage {
  /** The notification text (and the fallback): Slack parses it for `<!channel>`, so user text is quoted. */
  text: string;
  blocks?: KnownBlock[];
}

export function renderNotice(notice: Notice): RenderedMessage {
  switch (notice.kind) {
    case 'incident_card':
      return incidentCard(notice.incident);
    case 'incident_declared_elsewhere': {
      const { incident } = notice;
      return {
        text: `:rotating_light: ${mention(incident.declaredBy)} declared incident #${incident.number} (${incident.severity}) ${quoteUserText(incident.title)}: <#${notice.channelId}>`,
      };
    }
    case 'incident_declared_here':
      return { text: `Incident #${notice.incidentNumber} is declared in this channel.` };
    case 'incident_channel_ready':
      return {
        text: [
          `Incident #${notice.incidentNumber} is open in <#${notice.channelId}>.`,
          ...notice.problems.map(problemText),
        ].join('\n'),
      };
    case 'incident_channel_failed': {
      const { incident } = notice;
      return {
        text: `Incident #${incident.number} is recorded, but Slack would not create its channel (\`${notice.slackError}\`). Run the same command again to retry (\`/incident start ${incident.severity} ${quoteUserText(incident.title)}\`); Debrief keeps #${incident.number}. Or run \`/incident start --here\` in a channel you create yourself.`,
      };
    }
    case 'not_in_channel':
      return {
        text: 'Debrief is not a member of this channel, so it cannot capture messages or :pushpin: reactions here. Invite it with `/invite @Debrief`.',
      };
    case 'milestone_set':
      return { text: `:star: ${mention(notice.by)} set milestone *${notice.milestone}*: ${slackDate(notice.at)}` };
    case 'incident_resolved':
      return {
        text: `:white_check_mark: ${mention(notice.by)} resolved incident #${notice.incidentNumber} at ${slackDate(notice.at)}.${notice.summary ? ` ${quoteUserText(notice.summary)}` : ''}`,
      };
    case 'incident_closed':
      return { text: `:heavy_check_mark: ${mention(notice.by)}: ${quoteUserText(notice.text)}. No postmortem needed.` };
    case 'incident_reopened':
      return {
        text: `:rotating_light: ${mention(notice.by)} reopened incident #${notice.incidentNumber} at ${slackDate(notice.at)}.`,
      };
    case 'severity_changed':
      return {
        text: `:warning: ${mention(notice.by)} changed the severity of #${notice.incidentNumber} from ${notice.from} to *${notice.to}*.`,
      };
    case 'role_assigned': {
      const also = notice.byBecameCommander ? ` ${mention(notice.by)} is commander, as nobody was.` : '';
      return {
        text: `:bust_in_silhouette: ${mention(notice.userId)} is now *${notice.role}* of #${notice.incidentNumber} (set by ${mention(notice.by)}).${also}`,
      };
    }
    case 'capture_added': {
      const when = formatEcho(notice.at, notice.timeZone, notice.now);
      const from = notice.fromChannelId ? ` a message from <#${notice.fromChannelId}>` : '';
      return { text: `Added${from} to the timeline of #${notice.incidentNumber} at ${when}.` };
    }
    case 'capture_exists':
      return { text: `That message is already in the timeline of #${notice.incidentNumber}.` };
    case 'refused':
      return { text: notice.message };
    case 'action_item_digest':
      return digestMessage(notice.digest);
    case 'action_item_assigned':
      return actionItemAssignedMessage(notice);
    case 'postmortem_owner_wanted':
      return postmortemOwnerWanted(notice);
    case 'postmortem_checklist':
      return postmortemChecklist(notice);
    case 'postmortem_owner_nudge':
      return {
        text: `Reminder: you were asked to own the postmortem of incident #${notice.incidentNumber}. Accept it from the checklist above, or hand it over if someone else should write it.`,
      };
    case 'postmortem_owner_not_accepted':
      return {
        text: `${mention(notice.ownerId)} has not accepted the postmortem of incident #${notice.incidentNumber} after a business day. You may want to check with them, or assign someone else with \`/postmortem #${notice.incidentNumber} assign @someone\`.`,
      };
    case 'postmortem_review_requested':
      return postmortemReviewRequested(notice);
    case 'debrief_proposals':
    case 'debrief_scheduled':
    case 'debrief_invitation':
    case 'debrief_cancelled':
    case 'debrief_pre_read':
    case 'debrief_reminder':
      return renderDebriefNotice(notice);
    case 'postmortem_published':
      return {
        text: notice.title
          ? `:memo: The postmortem of incident #${notice.incidentNumber} ${quoteUserText(notice.title)} is published${notice.channelId ? ` (<#${notice.channelId}>)` : ''}. \`/postmortem #${notice.incidentNumber} export\` gets the document.`
          : `:memo: The postmortem of incident #${notice.incidentNumber} is published.`,
      };
  }
}

function problemText(problem: ProvisionProblem): string {
  switch (problem.step) {
    case 'invite':
      return `Debrief could not invite you to <#${problem.channelId}> (\`${problem.slackError}\`); join it yourself.`;
    case 'link':
      return `Debrief could not post the link in the channel you ran the command in (\`${problem.slackError}\`).`;
  }
}
