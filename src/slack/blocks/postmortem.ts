/** Postmortem messages: asking who owns it, the owner's checklist, a reviewer's request. */

import type { KnownBlock } from '@slack/types';
import type { Notice } from '../../services/slack-port';
import { ActionIds } from '../ids';
import { mention, mrkdwn, plainText, quoteUserText } from './format';
import type { RenderedMessage } from './notices';

type NoticeOf<K extends Notice['kind']> = Extract<Notice, { kind: K }>;

/** The button values carry the incident id: the action's workspace scopes it. */
function incidentValue(incidentId: number): string {
  return String(incidentId);
}

export function postmortemOwnerWanted(notice: NoticeOf<'postmortem_owner_wanted'>): RenderedMessage {
  const why = {
    required: `Incident #${notice.incidentNumber} needs a postmortem (its severity policy requires one).`,
    optional: `Incident #${notice.incidentNumber} is resolved; a short postmortem is optional for its severity.`,
    handed_over: `${notice.by ? mention(notice.by) : 'The owner'} handed over the postmortem of incident #${notice.incidentNumber}.`,
  }[notice.reason];
  const text = `${why} Who will own it?`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(`${text} The owner drafts it with the team; Debrief has started it from the timeline.`),
      accessory: {
        type: 'users_select',
        action_id: ActionIds.postmortemOwnerSelect,
        placeholder: plainText('Pick the owner'),
      },
    },
    {
      type: 'context',
      elements: [mrkdwn(`Or: \`/postmortem assign @someone due friday\`. Value: ${incidentValue(notice.incidentId)}`)],
    },
  ];
  return { text, blocks };
}

export function postmortemChecklist(notice: NoticeOf<'postmortem_checklist'>): RenderedMessage {
  const name = notice.title ? ` ${quoteUserText(notice.title)}` : '';
  const text = `${mention(notice.assignedBy)} asked you to own the postmortem of incident #${notice.incidentNumber}${name}, due ${notice.dueDate}.`;
  const todo = notice.missing.length > 0 ? notice.missing.map((m) => `• ${m}`).join('\n') : '• nothing: it is complete';
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(text) },
    { type: 'section', text: mrkdwn(`*Still to do*\n${todo}`) },
    {
      type: 'section',
      text: mrkdwn(
        `*How*: \`/postmortem #${notice.incidentNumber} edit\` opens a section, \`/postmortem #${notice.incidentNumber} show\` shows what is missing, \`/postmortem #${notice.incidentNumber} review\` asks for approval, then \`publish\`. Next step after the draft: the debrief meeting.`,
      ),
    },
    {
      type: 'actions',
      block_id: `postmortem_owner_${notice.incidentId}`,
      elements: [
        {
          type: 'button',
          action_id: ActionIds.postmortemAccept,
          style: 'primary',
          text: plainText('Accept'),
          value: incidentValue(notice.incidentId),
        },
        {
          type: 'button',
          action_id: ActionIds.postmortemHandOver,
          text: plainText('Hand over'),
          value: incidentValue(notice.incidentId),
        },
      ],
    },
  ];
  return { text, blocks };
}

export function postmortemReviewRequested(notice: NoticeOf<'postmortem_review_requested'>): RenderedMessage {
  const name = notice.title ? ` ${quoteUserText(notice.title)}` : '';
  const text = `${mention(notice.by)} asks you to review the postmortem of incident #${notice.incidentNumber}${name}.`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `${text} Read it with \`/postmortem #${notice.incidentNumber} show\` (or \`export\`), then approve.`,
        ),
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ActionIds.postmortemApprove,
            style: 'primary',
            text: plainText('Approve'),
            value: incidentValue(notice.incidentId),
          },
        ],
      },
    ],
  };
}
