import { type Actor, canCorrectEntry } from '../../domain/permissions';
/** The ephemeral, paginated timeline view of an incident, sized to stay within Slack's message limits. */

import type { ActionsBlock, KnownBlock, Overflow, SectionBlock } from '@slack/types';
import type { IncidentSummary, TimelineEntryView } from '../../domain/types';
import { ActionIds, BlockIds } from '../ids';
import { displayText, escapeMrkdwn, mention, mrkdwn, plainText, slackDate } from './format';

/** At most this many entries share a page, however short they are. */
export const TIMELINE_ENTRIES_PER_PAGE = 20;
/** Characters of one entry's own text shown in the view; the rest is cut with a visible notice. */
export const TIMELINE_ENTRY_TEXT_MAX = 1_000;
/**
 * What one page may weigh, measured as the JSON of its blocks. Slack fails a message at about 13k
 * characters of block text (`msg_blocks_too_long`) and counts block containers too, in ways it does
 * not document; bounding the whole JSON bounds the text and any container overhead at once.
 */
export const TIMELINE_PAGE_JSON_BUDGET = 12_000;
/** What the heading, the page line and the buttons may weigh (about 700 characters at most). */
const FRAME_JSON_RESERVE = 1_000;
const ENTRY_JSON_BUDGET = TIMELINE_PAGE_JSON_BUDGET - FRAME_JSON_RESERVE;

const MENU_OPTIONS = { edit: 'Edit', delete: 'Delete' } as const;
export type TimelineMenuAction = keyof typeof MENU_OPTIONS;

export const EMPTY_TIMELINE_TEXT =
  'No entries yet. Add one with `/incident timeline 09:05 rolled back deploy` or react with :pushpin:';

export interface TimelinePage {
  entries: TimelineEntryView[];
  /** 1-based; page 1 holds the oldest entries. */
  page: number;
  pageCount: number;
  total: number;
}

export interface TimelineMessageInput {
  incident: IncidentSummary;
  entries: TimelineEntryView[];
  /** 1-based, oldest first; out-of-range pages show the nearest one (pass `Infinity` for the newest). */
  page: number;
  /** Who will see the message: Edit and Delete appear on the entries they may correct. */
  viewer: Actor;
}

/** Value of the Newer/Older buttons. */
export interface TimelinePageValue {
  incidentId: number;
  page: number;
}

/**
 * Splits entries, in chronological order, into pages bounded by count and by rendered characters,
 * and returns the requested one (clamped to the pages that exist).
 */
export function paginateTimeline(entries: readonly TimelineEntryView[], page: number): TimelinePage {
  const pages = splitIntoPages(chronological(entries));
  const pageCount = Math.max(1, pages.length);
  const index = clampPage(page, pageCount) - 1;
  return { entries: pages[index] ?? [], page: index + 1, pageCount, total: entries.length };
}

/** Builds the timeline message for one viewer: entries with Edit/Delete where the viewer may change them. */
export function timelineMessage(input: TimelineMessageInput): { text: string; blocks: KnownBlock[] } {
  const { incident } = input;
  const view = paginateTimeline(input.entries, input.page);
  const name = `#${incident.number} ${incident.title}`;
  const heading: SectionBlock = {
    type: 'section',
    text: mrkdwn(`*Timeline of ${displayText(name, 200, '…')}*`),
  };
  if (view.total === 0) {
    return {
      text: `Timeline of ${escapeMrkdwn(name)}: no entries yet`,
      blocks: [heading, { type: 'section', text: mrkdwn(EMPTY_TIMELINE_TEXT) }],
    };
  }
  const entryBlocks = view.entries.map((entry) => entrySection(entry, menuFor(entry, incident, input.viewer)));
  return {
    text: `Timeline of ${escapeMrkdwn(name)} (page ${view.page} of ${view.pageCount})`,
    blocks: [heading, ...entryBlocks, pageContext(view), ...navigation(incident.id, view)],
  };
}

/** The mrkdwn of one entry as the view shows it: time, author, origin marker, text and edit state. */
export function renderEntryText(entry: TimelineEntryView): string {
  return `${entryByline(entry)}\n${entryBody(entry)}`;
}

/** The first line of an entry: when, who, and where it came from (pin, shortcut, system, milestone). */
export function entryByline(entry: TimelineEntryView): string {
  const parts = [
    `*${slackDate(entry.occurredAt)}*`,
    entry.authorId ? mention(entry.authorId) : '',
    sourceMarker(entry),
  ];
  return parts.filter(Boolean).join('  ');
}

/** Reads an overflow option value (`edit:<id>` / `delete:<id>`); null when it is not one of ours. */
export function parseTimelineMenuValue(value: string): { action: TimelineMenuAction; entryId: number } | null {
  const match = /^(edit|delete):(\d{1,15})$/.exec(value);
  return match ? { action: match[1] as TimelineMenuAction, entryId: Number(match[2]) } : null;
}

/** Reads a Newer/Older button value; null when it is malformed. */
export function parseTimelinePageValue(value: string): TimelinePageValue | null {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { incidentId, page } = parsed as Record<string, unknown>;
    return Number.isSafeInteger(incidentId) && Number.isSafeInteger(page)
      ? { incidentId: incidentId as number, page: page as number }
      : null;
  } catch {
    return null;
  }
}

function chronological(entries: readonly TimelineEntryView[]): TimelineEntryView[] {
  return [...entries].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.id - b.id);
}

function splitIntoPages(entries: TimelineEntryView[]): TimelineEntryView[][] {
  const pages: TimelineEntryView[][] = [];
  let current: TimelineEntryView[] = [];
  let used = 0;
  for (const entry of entries) {
    // Weighed with the full menu, so pages are the same whoever is looking.
    const cost = JSON.stringify(entrySection(entry, ['edit', 'delete'])).length;
    if (current.length === TIMELINE_ENTRIES_PER_PAGE || (current.length > 0 && used + cost > ENTRY_JSON_BUDGET)) {
      pages.push(current);
      current = [];
      used = 0;
    }
    current.push(entry);
    used += cost;
  }
  if (current.length > 0) pages.push(current);
  return pages;
}

function clampPage(page: number, pageCount: number): number {
  if (Number.isNaN(page)) return 1;
  return Math.min(pageCount, Math.max(1, Math.floor(page)));
}

function sourceMarker(entry: TimelineEntryView): string {
  if (entry.kind.startsWith('milestone:')) return ':star:';
  switch (entry.source) {
    case 'reaction':
      return ':pushpin:';
    case 'shortcut':
      return ':scissors:';
    case 'system':
      return ':gear:';
    case 'command':
      return '';
  }
}

function entryBody(entry: TimelineEntryView): string {
  if (entry.erasedInSlack) return '_message deleted in Slack_';
  const text = entry.text.trim() === '' ? '_(no text)_' : displayText(entry.text, TIMELINE_ENTRY_TEXT_MAX);
  return entry.editCount > 0 ? `${text} _(edited)_` : text;
}

function entrySection(entry: TimelineEntryView, menu: TimelineMenuAction[]): SectionBlock {
  const section: SectionBlock = { type: 'section', text: mrkdwn(renderEntryText(entry)) };
  if (menu.length > 0) section.accessory = entryMenu(entry, menu);
  return section;
}

/** Edit and Delete for those who may change the entry; a tombstone only gets Delete. */
function menuFor(entry: TimelineEntryView, incident: IncidentSummary, viewer: Actor): TimelineMenuAction[] {
  if (!canCorrectEntry(entry, incident, viewer)) return [];
  // Its words were erased on purpose; editing would invite typing them back.
  return entry.erasedInSlack ? ['delete'] : ['edit', 'delete'];
}

function entryMenu(entry: TimelineEntryView, actions: TimelineMenuAction[]): Overflow {
  return {
    type: 'overflow',
    action_id: ActionIds.timelineEntryMenu,
    options: actions.map((action) => ({ text: plainText(MENU_OPTIONS[action]), value: `${action}:${entry.id}` })),
  };
}

function pageContext(view: TimelinePage): KnownBlock {
  const entries = view.total === 1 ? '1 entry' : `${view.total} entries`;
  return { type: 'context', elements: [mrkdwn(`Page ${view.page} of ${view.pageCount} · ${entries}`)] };
}

/**
 * Older/Newer buttons, each in its own actions block: both carry `timeline_page`, and Slack rejects
 * a block whose elements share an action_id.
 */
function navigation(incidentId: number, view: TimelinePage): ActionsBlock[] {
  const blocks: ActionsBlock[] = [];
  if (view.page > 1) blocks.push(pageButton(BlockIds.timelineOlder, '← Older', incidentId, view.page - 1));
  if (view.page < view.pageCount) blocks.push(pageButton(BlockIds.timelineNewer, 'Newer →', incidentId, view.page + 1));
  return blocks;
}

function pageButton(blockId: string, label: string, incidentId: number, page: number): ActionsBlock {
  const value: TimelinePageValue = { incidentId, page };
  return {
    type: 'actions',
    block_id: blockId,
    elements: [
      { type: 'button', action_id: ActionIds.timelinePage, text: plainText(label), value: JSON.stringify(value) },
    ],
  };
}
