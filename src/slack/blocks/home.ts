/** The App Home tab: the viewer's open action items (overdue first), postmortems they own, incidents in progress. */
import type { KnownBlock, HomeView as SlackHomeView } from '@slack/types';
import type { HomeView } from '../../services/home';
import { itemActions, itemLine } from './action-items';
import { cutSafely, displayText, mrkdwn, plainText } from './format';

/** Slack's limit on a Home tab (SPEC 2). */
export const HOME_BLOCKS_MAX = 100;

const STATUS_LABEL = {
  drafting: 'drafting',
  in_review: 'in review',
  published: 'published (action items open)',
  closed: 'closed',
  waived: 'waived',
  false_alarm: 'false alarm',
} as const;

function section(text: string): KnownBlock {
  return { type: 'section', text: mrkdwn(cutSafely(text, 3000)) };
}

export function homeTab(home: HomeView): SlackHomeView {
  const blocks: KnownBlock[] = [{ type: 'header', text: plainText('Your action items') }];
  if (home.items.length === 0) {
    blocks.push(section('Nothing open. :tada:'));
  } else {
    if (home.overdueCount > 0) {
      blocks.push(section(`:warning: *${home.overdueCount} overdue* (as of ${home.today})`));
    }
    for (const item of home.items) {
      const overdue = item.dueDate !== null && item.dueDate < home.today;
      blocks.push(
        section(`${overdue ? ':warning: ' : ''}${itemLine(item, { withIncidentTitle: true })}`),
        itemActions(item),
      );
    }
    if (home.moreItems) {
      blocks.push({
        type: 'context',
        elements: [mrkdwn('More items are open; `/postmortem #<n> actions` lists each incident’s.')],
      });
    }
  }
  blocks.push({ type: 'divider' }, { type: 'header', text: plainText('Postmortems you own') });
  blocks.push(
    section(
      home.postmortems.length === 0
        ? 'None right now.'
        : home.postmortems
            .map(
              (p) =>
                `• *#${p.incidentNumber}*${p.incidentTitle ? ` ${displayText(p.incidentTitle, 150)}` : ''} — ${STATUS_LABEL[p.status]}${p.dueDate ? `, due ${p.dueDate}` : ''} · \`/postmortem #${p.incidentNumber} show\``,
            )
            .join('\n'),
    ),
  );
  blocks.push({ type: 'divider' }, { type: 'header', text: plainText('Incidents in progress') });
  blocks.push(
    section(
      home.incidents.length === 0
        ? 'No incident is in progress.'
        : home.incidents
            .map(
              (i) =>
                `• *#${i.incidentNumber}* ${i.severity} ${displayText(i.title, 150)}${i.channelId ? ` <#${i.channelId}>` : ''}${i.isPrivate ? ' :lock:' : ''}`,
            )
            .join('\n'),
    ),
  );
  return { type: 'home', blocks: blocks.slice(0, HOME_BLOCKS_MAX) };
}
