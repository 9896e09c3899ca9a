/**
 * Action items in Slack: the answer to `/postmortem action`, the paged `/postmortem actions` list, the
 * reminder digest DM, the note to a new owner and the Edit modal. Every open item carries the same
 * buttons (Done, Snooze 1 week, Reassign, Edit, Mute), whose value is the item id; who may press them is
 * decided by the use case. Sized to Slack's limits: 50 blocks and about 13k characters per message.
 */
import type { ActionsBlock, Button, InputBlock, KnownBlock, ModalView, SectionBlock } from '@slack/types';
import type { ActionItemView, AddedActionItem } from '../../services/action-items';
import type { DigestItemLine, DigestView } from '../../services/reminders';
import { ActionItemEditIds, ActionItemIds, actionItemBlockId } from '../action-item-ids';
import {
  cutSafely,
  displayText,
  escapeMrkdwn,
  mention,
  mrkdwn,
  plainText,
  slackDate,
  unescapeEntities,
} from './format';
import type { RenderedMessage } from './notices';

/** Characters of an item's text shown in a list or digest; the whole text is in the Edit modal and the document. */
export const ITEM_TEXT_MAX = 300;
/** Items (each a section and an actions block) in one digest or list page: 2 × 20 + headings stays under 50 blocks. */
export const ITEM_ROWS_MAX = 20;
export const ITEMS_PER_PAGE = 10;
/** What one message's blocks may weigh as JSON: Slack fails at about 13k characters of block text. */
export const MESSAGE_JSON_BUDGET = 12_000;
const MESSAGE_BLOCKS_MAX = 50;

const PRIORITY_LABEL = { high: 'high', medium: 'medium', low: 'low (backlog)' } as const;

/** `#12·3` reads as "incident 12, item 3" wherever items of several incidents are listed. */
function itemRef(item: ActionItemView): string {
  return `#${item.incidentNumber}·${item.number}`;
}

/** One item as a line of mrkdwn: reference, text, owner, due date and what else matters. */
export function itemLine(
  item: ActionItemView,
  options: { daysOverdue?: number; needsDecision?: boolean; withIncidentTitle?: boolean } = {},
): string {
  const parts = [`*${itemRef(item)}* ${displayText(item.text, ITEM_TEXT_MAX)}`];
  const facts = [
    mention(item.ownerId),
    item.dueDate ? `due ${item.dueDate}` : 'no due date',
    PRIORITY_LABEL[item.priority],
    item.type,
  ];
  if (options.daysOverdue && options.daysOverdue > 0) {
    facts.push(`*${options.daysOverdue} day${options.daysOverdue === 1 ? '' : 's'} overdue*`);
  }
  if (item.ticketUrl) facts.push(`<${escapeMrkdwn(item.ticketUrl)}|ticket>`);
  if (item.muted) facts.push(':no_bell: muted');
  if (item.status === 'done') facts.push(':white_check_mark: done');
  if (item.status === 'cancelled') facts.push(`decided not to do: ${displayText(item.cancelReason ?? '', 300)}`);
  parts.push(facts.join(' · '));
  if (options.withIncidentTitle && item.incidentTitle) parts.push(`_${displayText(item.incidentTitle, 150)}_`);
  if (options.needsDecision) {
    parts.push(
      ':hourglass: Snoozed twice or long overdue: give it a new date with a reason (*Edit*), or ask the postmortem owner to cancel it with a reason.',
    );
  }
  return parts.join('\n');
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', text: plainText(text), action_id: actionId, value, ...(style && { style }) };
}

/** Done, Snooze 1 week, Reassign, Edit and Mute for an open item (value = the item id). */
export function itemActions(item: ActionItemView, options: { needsDecision?: boolean } = {}): ActionsBlock {
  const value = String(item.id);
  const snoozable = item.dueDate !== null && !options.needsDecision;
  return {
    type: 'actions',
    block_id: actionItemBlockId(item.id),
    elements: [
      button('Done', ActionItemIds.done, value, 'primary'),
      ...(snoozable ? [button('Snooze 1 week', ActionItemIds.snooze, value)] : []),
      {
        type: 'users_select',
        action_id: ActionItemIds.reassign,
        placeholder: plainText('Reassign…'),
      },
      button(options.needsDecision ? 'New date…' : 'Edit', ActionItemIds.edit, value),
      button(item.muted ? 'Unmute' : 'Mute', ActionItemIds.mute, value),
    ],
  };
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(cutSafely(text, 3000)) };
}

/** Adds item rows while the message stays within its block and size budget; returns how many did not fit. */
function addItemRows(
  blocks: KnownBlock[],
  rows: { item: ActionItemView; line: string; needsDecision?: boolean }[],
  reserveBlocks: number,
  reserveJson = 0,
): number {
  let shown = 0;
  for (const row of rows) {
    const next: KnownBlock[] = [section(row.line)];
    if (row.item.status === 'open') next.push(itemActions(row.item, { needsDecision: row.needsDecision ?? false }));
    const size = JSON.stringify([...blocks, ...next]).length;
    if (
      shown >= ITEM_ROWS_MAX ||
      blocks.length + next.length + reserveBlocks > MESSAGE_BLOCKS_MAX ||
      size + reserveJson > MESSAGE_JSON_BUDGET
    ) {
      break;
    }
    blocks.push(...next);
    shown += 1;
  }
  return rows.length - shown;
}

// ---- /postmortem action --------------------------------------------------------------------------

/** The answer to `/postmortem action`: the stored item, its due date as the owner reads it. */
export function actionItemAddedAnswer(added: AddedActionItem): { text: string; blocks: KnownBlock[] } {
  const { item } = added;
  const due = item.dueDate
    ? `due *${item.dueDate}* in ${mention(item.ownerId)}'s time zone (${added.ownerTimeZone})${added.defaultDue ? ` — the default for ${item.priority} priority` : ''}`
    : 'no due date: low priority is backlog, without reminders';
  const text = `:memo: Added action item ${itemRef(item)} for ${mention(item.ownerId)}, ${due}.`;
  return {
    text,
    blocks: [section(text), section(itemLine(item)), itemActions(item)],
  };
}

// ---- /postmortem actions -------------------------------------------------------------------------

/** The paged list of an incident's items, open first, with buttons on the open ones. */
export function actionItemListMessage(input: {
  incident: { id: number; number: number };
  items: readonly ActionItemView[];
  /** 1-based; clamped. */
  page: number;
}): { text: string; blocks: KnownBlock[] } {
  const { incident, items } = input;
  if (items.length === 0) {
    const text = `Incident #${incident.number} has no action items yet. Add one: \`/postmortem action Alert on checkout 5xx rate @alex due friday\``;
    return { text, blocks: [section(text)] };
  }
  const pageCount = Math.max(1, Math.ceil(items.length / ITEMS_PER_PAGE));
  const page = Math.min(Math.max(1, Math.trunc(input.page) || 1), pageCount);
  const slice = items.slice((page - 1) * ITEMS_PER_PAGE, page * ITEMS_PER_PAGE);
  const open = items.filter((i) => i.status === 'open').length;
  const heading = `*Action items of incident #${incident.number}*: ${open} open of ${items.length}${pageCount > 1 ? ` (page ${page} of ${pageCount})` : ''}`;
  const blocks: KnownBlock[] = [section(heading)];
  const left = addItemRows(
    blocks,
    slice.map((item) => ({ item, line: itemLine(item) })),
    2,
  );
  if (left > 0) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(`${left} more on this page did not fit; \`/postmortem #${incident.number} show\` lists every item.`),
      ],
    });
  }
  if (pageCount > 1) {
    const value = (p: number) => JSON.stringify({ incidentId: incident.id, page: p });
    blocks.push({
      type: 'actions',
      block_id: 'action_item_pages',
      elements: [
        ...(page > 1 ? [button('Previous', ActionItemIds.page, value(page - 1))] : []),
        ...(page < pageCount ? [button('Next', ActionItemIds.page, value(page + 1))] : []),
      ],
    });
  }
  return { text: `Action items of incident #${incident.number}: ${open} open of ${items.length}.`, blocks };
}

// ---- the digest ----------------------------------------------------------------------------------

const DIGEST_SECTIONS: { key: 'dueToday' | 'dueSoon' | 'overdue' | 'escalated' | 'reassign'; title: string }[] = [
  { key: 'dueToday', title: ':date: *Due today*' },
  { key: 'dueSoon', title: ':eyes: *Due in the next 2 days*' },
  { key: 'overdue', title: ':warning: *Overdue*' },
  { key: 'escalated', title: ':rotating_light: *Overdue 7+ days in postmortems you own*' },
  { key: 'reassign', title: ':wave: *Their owner left the workspace — please reassign*' },
];

/** The daily digest DM: the planner's sections, each open item with its buttons. */
export function digestMessage(digest: DigestView): RenderedMessage {
  const itemCount = DIGEST_SECTIONS.reduce((n, s) => n + digest[s.key].length, 0);
  const counts = [
    itemCount > 0 ? `${itemCount} action item${itemCount === 1 ? '' : 's'}` : null,
    digest.overdueDrafts.length > 0
      ? `${digest.overdueDrafts.length} overdue postmortem draft${digest.overdueDrafts.length === 1 ? '' : 's'}`
      : null,
    digest.reviewsWaiting.length > 0
      ? `${digest.reviewsWaiting.length} review${digest.reviewsWaiting.length === 1 ? '' : 's'} waiting`
      : null,
  ].filter((c): c is string => c !== null);
  const text = `Your Debrief digest for ${digest.localDate}: ${counts.join(', ')}.`;
  const blocks: KnownBlock[] = [{ type: 'header', text: plainText(`Debrief digest · ${digest.localDate}`) }];
  const tail: KnownBlock[] = [];
  if (digest.overdueDrafts.length > 0) {
    const lines = digest.overdueDrafts.map(
      (d) =>
        `• Incident #${d.incidentNumber}${d.incidentTitle ? ` ${displayText(d.incidentTitle, 100)}` : ''}: the postmortem was due ${d.dueDate} (${d.daysOverdue} day${d.daysOverdue === 1 ? '' : 's'} ago). \`/postmortem #${d.incidentNumber} show\` lists what is missing.`,
    );
    tail.push(section(`:memo: *Postmortem drafts past their due date*\n${lines.join('\n')}`));
  }
  if (digest.reviewsWaiting.length > 0) {
    const lines = digest.reviewsWaiting.map(
      (r) =>
        `• Incident #${r.incidentNumber}${r.incidentTitle ? ` ${displayText(r.incidentTitle, 100)}` : ''}: asked ${slackDate(r.requestedAt)}. Read it with \`/postmortem #${r.incidentNumber} show\`; approve from the review request.`,
    );
    tail.push(section(`:mag: *Reviews waiting for you*\n${lines.join('\n')}`));
  }
  let hidden = 0;
  for (const { key, title } of DIGEST_SECTIONS) {
    const lines: DigestItemLine[] = digest[key];
    if (lines.length === 0) continue;
    if (hidden > 0 || blocks.length + 1 + tail.length + 2 > MESSAGE_BLOCKS_MAX) {
      hidden += lines.length;
      continue;
    }
    blocks.push(section(title));
    hidden += addItemRows(
      blocks,
      lines.map((l) => ({
        item: l.item,
        line: itemLine(l.item, {
          daysOverdue: l.daysOverdue,
          needsDecision: l.needsDecision,
          withIncidentTitle: true,
        }),
        needsDecision: l.needsDecision,
      })),
      tail.length + 1,
      JSON.stringify(tail).length + 300,
    );
  }
  blocks.push(...tail);
  if (hidden > 0) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(`…and ${hidden} more item${hidden === 1 ? '' : 's'}: open the Debrief *Home* tab for the full list.`),
      ],
    });
  }
  return { text, blocks };
}

/** The DM to someone given an item (new, reassigned or edited to them). */
export function actionItemAssignedMessage(input: {
  item: ActionItemView;
  by: string;
  reassigned: boolean;
}): RenderedMessage {
  const { item } = input;
  const what = input.reassigned ? 'gave you' : 'added';
  const text = `${mention(input.by)} ${what} action item ${itemRef(item)}${input.reassigned ? '' : ' for you'}${item.dueDate ? `, due ${item.dueDate}` : ''}.`;
  return { text, blocks: [section(text), section(itemLine(item, { withIncidentTitle: true })), itemActions(item)] };
}

// ---- the Edit modal ------------------------------------------------------------------------------

function textInput(
  id: string,
  label: string,
  options: { initial?: string | null; optional?: boolean; multiline?: boolean; hint?: string; maxLength?: number } = {},
): InputBlock {
  const maxLength = options.maxLength ?? 3000;
  const initial = options.initial ? cutSafely(options.initial, maxLength) : '';
  return {
    type: 'input',
    block_id: id,
    label: plainText(label),
    ...(options.optional ? { optional: true } : {}),
    ...(options.hint ? { hint: plainText(options.hint) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: id,
      max_length: maxLength,
      ...(options.multiline ? { multiline: true } : {}),
      ...(initial !== '' ? { initial_value: initial } : {}),
    },
  };
}

/** Edit: text, owner, due date (a <when> in the owner's zone), priority, ticket, and the reason for a new date. */
export function actionItemEditModal(input: {
  item: ActionItemView;
  needsDecision: boolean;
  privateMetadata: string;
}): ModalView {
  const { item } = input;
  const priorities = (['high', 'medium', 'low'] as const).map((p) => ({
    text: plainText(PRIORITY_LABEL[p]),
    value: p,
  }));
  return {
    type: 'modal',
    callback_id: ActionItemEditIds.callback,
    private_metadata: input.privateMetadata,
    title: plainText(`Edit item #${item.number}`),
    submit: plainText('Save'),
    close: plainText('Cancel'),
    blocks: [
      section(
        `Incident #${item.incidentNumber}${item.incidentTitle ? `: ${displayText(item.incidentTitle, 150)}` : ''}`,
      ),
      textInput(ActionItemEditIds.text, 'What needs doing', { initial: unescapeEntities(item.text), multiline: true }),
      {
        type: 'input',
        block_id: ActionItemEditIds.owner,
        label: plainText('Owner'),
        element: { type: 'users_select', action_id: ActionItemEditIds.owner, initial_user: item.ownerId },
      },
      textInput(ActionItemEditIds.due, 'Due date', {
        initial: item.dueDate,
        optional: true,
        maxLength: 100,
        hint: "In the owner's time zone: `friday`, `in 2 weeks` or `2026-12-01`. Empty: no due date (low priority only).",
      }),
      {
        type: 'input',
        block_id: ActionItemEditIds.priority,
        label: plainText('Priority'),
        element: {
          type: 'static_select',
          action_id: ActionItemEditIds.priority,
          options: priorities,
          initial_option: priorities.find((p) => p.value === item.priority)!,
        },
      },
      textInput(ActionItemEditIds.ticket, 'Ticket link', { initial: item.ticketUrl, optional: true, maxLength: 2000 }),
      textInput(
        ActionItemEditIds.reason,
        input.needsDecision ? 'Why the new date (required)' : 'Why the date changes',
        {
          optional: true,
          maxLength: 500,
          hint: input.needsDecision
            ? 'It was snoozed twice or is long overdue: a new date is recorded with its reason.'
            : 'Recorded with the change.',
        },
      ),
    ],
  };
}

/** What a button press answers, to the person who pressed it. */
export function itemChangedText(
  kind: 'done' | 'snoozed' | 'muted' | 'reassigned' | 'edited' | 'cancelled',
  item: ActionItemView,
): string {
  switch (kind) {
    case 'done':
      return `:white_check_mark: ${itemRef(item)} is done. Thank you!`;
    case 'snoozed':
      return `:zzz: ${itemRef(item)} is now due ${item.dueDate}.`;
    case 'muted':
      return item.muted
        ? `:no_bell: ${itemRef(item)} is muted: no more reminders for it. It still shows in lists.`
        : `:bell: ${itemRef(item)} is unmuted: reminders resume.`;
    case 'reassigned':
      return `:arrows_counterclockwise: ${itemRef(item)} now belongs to ${mention(item.ownerId)}; they were told by DM.`;
    case 'edited':
      return `:pencil2: Saved ${itemRef(item)}: owner ${mention(item.ownerId)}, ${item.dueDate ? `due ${item.dueDate}` : 'no due date'}, ${PRIORITY_LABEL[item.priority]} priority.`;
    case 'cancelled':
      return `:no_entry_sign: ${itemRef(item)} is cancelled (decided not to do: ${displayText(item.cancelReason ?? '', 500)}).`;
  }
}
