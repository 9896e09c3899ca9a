import type { KnownBlock, Overflow, SectionBlock } from '@slack/types';
import fc from 'fast-check';
import type { TimelineEntryView, TimelineSource } from '../../src/domain/types';
import {
  EMPTY_TIMELINE_TEXT,
  paginateTimeline,
  parseTimelineMenuValue,
  parseTimelinePageValue,
  TIMELINE_ENTRIES_PER_PAGE,
  TIMELINE_PAGE_JSON_BUDGET,
  timelineMessage,
} from '../../src/slack/blocks/timeline';
import { ActionIds } from '../../src/slack/ids';
import { incidentSummary, timelineEntry } from '../support/fixtures';

const T0 = Date.parse('2026-11-20T09:00:00Z');
/** Slack's usual figure for the block text of one message (it fails at about 13k). */
const SLACK_BLOCK_TEXT_LIMIT = 12_000;

const incident = incidentSummary({ channelId: 'C1', declaredAt: new Date(T0) });

function entry(id: number, overrides: Partial<TimelineEntryView> = {}): TimelineEntryView {
  return timelineEntry(id, {
    occurredAt: new Date(T0 + id * 60_000),
    recordedAt: new Date(T0 + id * 60_000),
    ...overrides,
  });
}

/** Every string a text object carries, wherever it sits in the blocks. */
function textsOf(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(textsOf);
  if (typeof node !== 'object' || node === null) return [];
  const record = node as Record<string, unknown>;
  const own = (record.type === 'mrkdwn' || record.type === 'plain_text') && typeof record.text === 'string';
  return [...(own ? [record.text as string] : []), ...Object.values(record).flatMap(textsOf)];
}

function blockTextLength(blocks: KnownBlock[]): number {
  return textsOf(blocks).reduce((sum, text) => sum + text.length, 0);
}

function sections(blocks: KnownBlock[]): SectionBlock[] {
  return blocks.filter((block): block is SectionBlock => block.type === 'section');
}

function entrySections(blocks: KnownBlock[]): SectionBlock[] {
  // The first section is the heading.
  return sections(blocks).slice(1);
}

function render(entries: TimelineEntryView[], page: number, viewerId = 'UVIEWER', viewerIsCommander = false) {
  const roles = viewerIsCommander ? { ...incident.roles, commander: viewerId } : incident.roles;
  const viewer = { userId: viewerId, isGuest: false, isExternal: false };
  return timelineMessage({ incident: { ...incident, roles }, entries, page, viewer });
}

describe('paginateTimeline', () => {
  it('puts at most 20 short entries on a page, oldest first', () => {
    const entries = Array.from({ length: 45 }, (_, i) => entry(i + 1)).reverse();
    const first = paginateTimeline(entries, 1);
    expect(first).toMatchObject({ page: 1, pageCount: 3, total: 45 });
    expect(first.entries.map((e) => e.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(paginateTimeline(entries, 3).entries.map((e) => e.id)).toEqual([41, 42, 43, 44, 45]);
  });

  it('clamps the page, so Infinity means the newest', () => {
    const entries = Array.from({ length: 45 }, (_, i) => entry(i + 1));
    expect(paginateTimeline(entries, Number.POSITIVE_INFINITY).page).toBe(3);
    expect(paginateTimeline(entries, 0).page).toBe(1);
    expect(paginateTimeline(entries, -5).page).toBe(1);
    expect(paginateTimeline(entries, Number.NaN).page).toBe(1);
    expect(paginateTimeline(entries, 2.7).page).toBe(2);
  });

  it('shrinks pages of long entries', () => {
    const entries = Array.from({ length: 20 }, (_, i) => entry(i + 1, { text: 'x'.repeat(3_000) }));
    const first = paginateTimeline(entries, 1);
    expect(first.entries.length).toBeLessThan(20);
    expect(first.pageCount).toBeGreaterThan(1);
  });

  it('orders entries at the same time by id', () => {
    const at = new Date(T0);
    const entries = [entry(3, { occurredAt: at }), entry(1, { occurredAt: at }), entry(2, { occurredAt: at })];
    expect(paginateTimeline(entries, 1).entries.map((e) => e.id)).toEqual([1, 2, 3]);
  });

  it('has one empty page for an empty timeline', () => {
    expect(paginateTimeline([], 1)).toEqual({ entries: [], page: 1, pageCount: 1, total: 0 });
  });
});

describe('timelineMessage', () => {
  it('explains how to add entries when the timeline is empty', () => {
    const message = render([], 1);
    expect(textsOf(message.blocks)).toContain(EMPTY_TIMELINE_TEXT);
    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
  });

  it('shows time, author, text and the page position', () => {
    const message = render([entry(1, { text: 'rolled back deploy' })], 1);
    const [text] = entrySections(message.blocks).map((section) => section.text!.text);
    expect(text).toContain('<!date^');
    expect(text).toContain('|2026-11-20 09:01 UTC>');
    expect(text).toContain('<@UAUTHOR>');
    expect(text).toContain('rolled back deploy');
    expect(textsOf(message.blocks)).toContain('Page 1 of 1 · 1 entry');
    expect(message.text).toContain('#7 Checkout returns 500s');
  });

  it.each<[Partial<TimelineEntryView>, string]>([
    [{ source: 'reaction' }, ':pushpin:'],
    [{ source: 'shortcut' }, ':scissors:'],
    [{ source: 'system', kind: 'severity' }, ':gear:'],
    [{ source: 'system', kind: 'milestone:mitigated' }, ':star:'],
  ])('marks %j with %s', (overrides, marker) => {
    const [section] = entrySections(render([entry(1, overrides)], 1).blocks);
    expect(section!.text!.text).toContain(marker);
  });

  it('marks edited entries and shows tombstones for messages deleted in Slack', () => {
    const [edited, erased] = entrySections(
      render([entry(1, { editCount: 2 }), entry(2, { text: '', erasedInSlack: true, source: 'reaction' })], 1).blocks,
    );
    expect(edited!.text!.text).toContain('_(edited)_');
    expect(erased!.text!.text).toContain('_message deleted in Slack_');
  });

  it('escapes text but keeps mentions and links', () => {
    const [section] = entrySections(
      render([entry(1, { text: 'a < b & <@U2|bob> <https://x.io|logs> <!channel>' })], 1).blocks,
    );
    expect(section!.text!.text).toContain('a &lt; b &amp; <@U2|bob> <https://x.io|logs> &lt;!channel&gt;');
  });

  it('truncates a long entry with a visible notice', () => {
    const [section] = entrySections(render([entry(1, { text: 'y'.repeat(40_000) })], 1).blocks);
    expect(section!.text!.text).toMatch(/… \(truncated\)$/);
    expect(section!.text!.text.length).toBeLessThan(3_000);
  });

  describe('Edit/Delete menu', () => {
    function menuOf(target: TimelineEntryView, viewerId: string, viewerIsCommander: boolean): Overflow | undefined {
      const [section] = entrySections(render([target], 1, viewerId, viewerIsCommander).blocks);
      return section!.accessory as Overflow | undefined;
    }

    it('is offered to the author with edit:<id> and delete:<id>', () => {
      const menu = menuOf(entry(9), 'UAUTHOR', false);
      expect(menu).toMatchObject({ type: 'overflow', action_id: ActionIds.timelineEntryMenu });
      expect(menu!.options.map((option) => option.value)).toEqual(['edit:9', 'delete:9']);
    });

    it('is offered to the commander on anyone’s entry, system entries included', () => {
      expect(menuOf(entry(9), 'UCMD', true)).toBeDefined();
      expect(menuOf(entry(9, { source: 'system', authorId: 'UCMD' }), 'UCMD', true)).toBeDefined();
    });

    it('is not offered to other people, nor to the author of a system entry', () => {
      expect(menuOf(entry(9), 'USOMEONE', false)).toBeUndefined();
      expect(menuOf(entry(9, { source: 'system' }), 'UAUTHOR', false)).toBeUndefined();
    });

    it('offers only Delete on a tombstone', () => {
      const menu = menuOf(entry(9, { erasedInSlack: true, text: '' }), 'UAUTHOR', false);
      expect(menu!.options.map((option) => option.value)).toEqual(['delete:9']);
    });
  });

  describe('navigation', () => {
    const entries = Array.from({ length: 45 }, (_, i) => entry(i + 1));

    function buttons(page: number) {
      return render(entries, page)
        .blocks.filter((block) => block.type === 'actions')
        .flatMap((block) => (block.type === 'actions' ? block.elements : [])) as {
        action_id: string;
        value: string;
        text: { text: string };
      }[];
    }

    it('links to older and newer pages with timeline_page buttons', () => {
      const middle = buttons(2);
      expect(middle.map((button) => button.text.text)).toEqual(['← Older', 'Newer →']);
      expect(middle.every((button) => button.action_id === ActionIds.timelinePage)).toBe(true);
      expect(middle.map((button) => parseTimelinePageValue(button.value))).toEqual([
        { incidentId: 42, page: 1 },
        { incidentId: 42, page: 3 },
      ]);
      expect(textsOf(render(entries, 2).blocks)).toContain('Page 2 of 3 · 45 entries');
    });

    it('has no Older on the first page and no Newer on the last', () => {
      expect(buttons(1).map((button) => button.text.text)).toEqual(['Newer →']);
      expect(buttons(3).map((button) => button.text.text)).toEqual(['← Older']);
    });

    it('never repeats an action_id within one actions block (Slack rejects it)', () => {
      for (const block of render(entries, 2).blocks) {
        if (block.type !== 'actions') continue;
        const ids = block.elements.map((element) => ('action_id' in element ? element.action_id : undefined));
        expect(new Set(ids).size).toBe(ids.length);
      }
    });
  });

  describe('values', () => {
    it('parses menu values', () => {
      expect(parseTimelineMenuValue('edit:12')).toEqual({ action: 'edit', entryId: 12 });
      expect(parseTimelineMenuValue('delete:3')).toEqual({ action: 'delete', entryId: 3 });
      expect(parseTimelineMenuValue('drop:3')).toBeNull();
      expect(parseTimelineMenuValue('edit:')).toBeNull();
    });

    it('parses page values and rejects malformed ones', () => {
      expect(parseTimelinePageValue('{"incidentId":1,"page":2}')).toEqual({ incidentId: 1, page: 2 });
      expect(parseTimelinePageValue('{"incidentId":"1","page":2}')).toBeNull();
      expect(parseTimelinePageValue('null')).toBeNull();
      expect(parseTimelinePageValue('{')).toBeNull();
    });
  });
});

describe('timeline pages within Slack limits (property)', () => {
  const fragments = [
    'a',
    'word ',
    '<',
    '&',
    '>',
    '🔥',
    '<@U12345|bob> ',
    '<https://example.com/logs|logs> ',
    '\n',
    '`',
  ];
  const text = fc
    .tuple(fc.constantFrom(...fragments), fc.nat({ max: 5_000 }), fc.string({ maxLength: 20 }))
    .map(([fragment, length, noise]) =>
      (noise + fragment.repeat(Math.ceil(length / fragment.length))).slice(0, length),
    );
  const sources = fc.constantFrom<TimelineSource>('command', 'reaction', 'shortcut', 'system');
  const entryArb = fc.record({
    text,
    source: sources,
    minute: fc.integer({ min: -10_000, max: 10_000 }),
    erased: fc.boolean(),
    edits: fc.nat({ max: 3 }),
    milestone: fc.boolean(),
    author: fc.constantFrom('UAUTHOR', 'UCMD', 'U0123456789'),
  });
  const timelines = fc.array(entryArb, { minLength: 1, maxLength: 500, size: 'max' }).map((raw) =>
    raw.map((r, i) =>
      entry(i + 1, {
        text: r.erased ? '' : r.text,
        source: r.source,
        kind: r.milestone ? 'milestone:detected' : 'note',
        occurredAt: new Date(T0 + r.minute * 60_000),
        erasedInSlack: r.erased,
        editCount: r.edits,
        authorId: r.author,
      }),
    ),
  );

  // The commander sees a menu on every entry: the most text a page can carry, and the entry ids.
  function entryIdsOn(blocks: KnownBlock[]): number[] {
    return entrySections(blocks).map((section) => {
      const menu = section.accessory as Overflow;
      return parseTimelineMenuValue(menu.options.at(-1)!.value!)!.entryId;
    });
  }

  it('keeps every page within 50 blocks, 3000 per section, 12,000 in all, each entry on exactly one page', () => {
    fc.assert(
      fc.property(timelines, (entries) => {
        const byId = new Map(entries.map((e) => [e.id, e]));
        const { pageCount } = paginateTimeline(entries, 1);
        const seen: number[] = [];
        for (let page = 1; page <= pageCount; page++) {
          const { blocks } = render(entries, page, 'UCMD', true);
          expect(blocks.length).toBeLessThanOrEqual(50);
          for (const section of sections(blocks)) expect(section.text!.text.length).toBeLessThanOrEqual(3_000);
          expect(blockTextLength(blocks)).toBeLessThanOrEqual(SLACK_BLOCK_TEXT_LIMIT);
          expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(TIMELINE_PAGE_JSON_BUDGET);
          const ids = entryIdsOn(blocks);
          expect(ids.length).toBeGreaterThan(0);
          expect(ids.length).toBeLessThanOrEqual(TIMELINE_ENTRIES_PER_PAGE);
          seen.push(...ids);
        }
        expect([...seen].sort((a, b) => a - b)).toEqual(entries.map((e) => e.id));
        const times = seen.map((id) => byId.get(id)!.occurredAt.getTime());
        for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
      }),
      { numRuns: 25 },
    );
  });

  it('fits a page of 20 entries of 3,000 characters each by shrinking it', () => {
    const entries = Array.from({ length: 20 }, (_, i) => entry(i + 1, { text: '<&>'.repeat(1_000) }));
    const { pageCount } = paginateTimeline(entries, 1);
    for (let page = 1; page <= pageCount; page++) {
      const { blocks } = render(entries, page, 'UCMD', true);
      expect(blockTextLength(blocks)).toBeLessThanOrEqual(SLACK_BLOCK_TEXT_LIMIT);
      expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(TIMELINE_PAGE_JSON_BUDGET);
    }
  });
});
