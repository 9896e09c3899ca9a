import type { ActionItemView } from '../../src/services/action-items';
import type { HomeView } from '../../src/services/home';
import type { DigestView } from '../../src/services/reminders';
import { ActionItemIds, actionItemBlockId, itemIdOf } from '../../src/slack/action-item-ids';
import {
  actionItemEditModal,
  actionItemListMessage,
  digestMessage,
  ITEMS_PER_PAGE,
} from '../../src/slack/blocks/action-items';
import { homeTab } from '../../src/slack/blocks/home';
import { messageBlocksTooLong, validateMessageBlocks, validateView } from '../kit/block-kit-limits';

function item(id: number, overrides: Partial<ActionItemView> = {}): ActionItemView {
  return {
    id,
    incidentId: 1,
    incidentNumber: 12,
    incidentTitle: 'Checkout returns 500s',
    number: id,
    text: `Alert on checkout 5xx rate ${id}`,
    ownerId: 'UALICE',
    dueDate: '2026-11-24',
    priority: 'medium',
    type: 'detect',
    status: 'open',
    cancelReason: null,
    ticketUrl: null,
    muted: false,
    snoozeCount: 0,
    createdBy: 'UBOB',
    postmortemOwnerId: 'UBOB',
    version: 1,
    ...overrides,
  };
}

const line = (i: ActionItemView, daysOverdue = 0, needsDecision = false) => ({ item: i, daysOverdue, needsDecision });

function digest(overrides: Partial<DigestView> = {}): DigestView {
  return {
    recipientId: 'UALICE',
    localDate: '2026-11-24',
    timeZone: 'America/Los_Angeles',
    dueToday: [],
    dueSoon: [],
    overdue: [],
    escalated: [],
    reassign: [],
    overdueDrafts: [],
    reviewsWaiting: [],
    ...overrides,
  };
}

/** Elements of every actions block, by action id. */
function elements(blocks: unknown[] | undefined, actionId: string) {
  return (blocks ?? []).flatMap((b) => {
    const block = b as { type: string; block_id?: string; elements?: { action_id: string; value?: string }[] };
    return block.type === 'actions' ? (block.elements ?? []).filter((e) => e.action_id === actionId) : [];
  });
}

describe('the digest DM', () => {
  test('lists the planner’s sections, each open item with Done, Snooze 1 week, Reassign, Edit and Mute', () => {
    const message = digestMessage(
      digest({
        dueToday: [line(item(1))],
        overdue: [line(item(2, { dueDate: '2026-11-20' }), 4)],
        escalated: [line(item(3, { ownerId: 'UCAROL', dueDate: '2026-11-10' }), 14)],
        overdueDrafts: [
          {
            postmortemId: 5,
            incidentId: 1,
            incidentNumber: 12,
            incidentTitle: null,
            dueDate: '2026-11-20',
            daysOverdue: 4,
          },
        ],
        reviewsWaiting: [
          {
            postmortemId: 6,
            incidentId: 2,
            incidentNumber: 13,
            incidentTitle: 'DNS',
            requestedAt: new Date('2026-11-20T10:00:00Z'),
          },
        ],
      }),
    );
    expect(validateMessageBlocks(message.blocks!)).toEqual([]);
    const json = JSON.stringify(message.blocks);
    for (const heading of [
      'Due today',
      'Overdue',
      'Overdue 7+ days in postmortems you own',
      'Postmortem drafts past their due date',
      'Reviews waiting for you',
    ]) {
      expect(json).toContain(heading);
    }
    expect(json).toContain('*4 days overdue*');
    for (const id of [ActionItemIds.done, ActionItemIds.snooze, ActionItemIds.edit, ActionItemIds.mute]) {
      expect(elements(message.blocks, id).map((e) => e.value)).toEqual(['1', '2', '3']);
    }
    expect(elements(message.blocks, ActionItemIds.reassign)).toHaveLength(3);
    const blockIds = (message.blocks ?? []).filter((b) => b.type === 'actions').map((b) => b.block_id);
    expect(blockIds).toEqual([1, 2, 3].map(actionItemBlockId));
    expect(blockIds.map(itemIdOf)).toEqual([1, 2, 3]);
    expect(message.text).toBe(
      'Your Debrief digest for 2026-11-24: 3 action items, 1 overdue postmortem draft, 1 review waiting.',
    );
  });

  test('an item that needs a decision offers a new date instead of another snooze', () => {
    const message = digestMessage(digest({ overdue: [line(item(1, { snoozeCount: 2 }), 1, true)] }));
    expect(elements(message.blocks, ActionItemIds.snooze)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('New date…');
    expect(JSON.stringify(message.blocks)).toContain('Snoozed twice or long overdue');
  });

  test('a huge digest stays within 50 blocks and Slack’s text budget, saying how many more there are', () => {
    const long = 'x'.repeat(5_000);
    const many = Array.from({ length: 80 }, (_, i) =>
      line(item(i + 1, { text: `${long} <!channel>`, ticketUrl: `https://t.example/${'y'.repeat(1500)}` }), 3),
    );
    const message = digestMessage(
      digest({
        dueToday: many.slice(0, 30),
        overdue: many.slice(30),
        overdueDrafts: Array.from({ length: 40 }, (_, i) => ({
          postmortemId: i,
          incidentId: i,
          incidentNumber: i,
          incidentTitle: long,
          dueDate: '2026-11-01',
          daysOverdue: 23,
        })),
      }),
    );
    expect(validateMessageBlocks(message.blocks!)).toEqual([]);
    expect(message.blocks!.length).toBeLessThanOrEqual(50);
    expect(messageBlocksTooLong(message.blocks!)).toBe(false);
    const shown = elements(message.blocks, ActionItemIds.done).length;
    expect(shown).toBeGreaterThan(0);
    expect(JSON.stringify(message.blocks)).toContain(`…and ${80 - shown} more items`);
    // User text never pings a crowd.
    expect(JSON.stringify(message.blocks)).not.toContain('<!channel>');
  });
});

describe('the /postmortem actions list', () => {
  test('pages items with Next/Previous, open ones with buttons, closed ones without', () => {
    const items = Array.from({ length: 23 }, (_, i) => item(i + 1, i >= 20 ? { status: 'done' } : {}));
    const first = actionItemListMessage({ incident: { id: 1, number: 12 }, items, page: 1 });
    expect(validateMessageBlocks(first.blocks)).toEqual([]);
    expect(elements(first.blocks, ActionItemIds.done)).toHaveLength(ITEMS_PER_PAGE);
    expect(elements(first.blocks, ActionItemIds.page).map((e) => JSON.parse(e.value!))).toEqual([
      { incidentId: 1, page: 2 },
    ]);
    const last = actionItemListMessage({ incident: { id: 1, number: 12 }, items, page: 99 });
    expect(JSON.stringify(last.blocks)).toContain('page 3 of 3');
    expect(elements(last.blocks, ActionItemIds.done)).toHaveLength(0);
    expect(elements(last.blocks, ActionItemIds.page).map((e) => JSON.parse(e.value!).page)).toEqual([2]);
  });
});

describe('views', () => {
  test('the Edit modal is a valid modal within limits, whatever the stored text', () => {
    const view = actionItemEditModal({
      item: item(1, { text: 'a &lt;b&gt; '.repeat(1000), ticketUrl: 'https://t.example/1' }),
      needsDecision: true,
      privateMetadata: JSON.stringify({ itemId: 1, version: 3, channelId: null }),
    });
    expect(validateView(view, ['modal'])).toEqual([]);
    expect(JSON.stringify(view)).toContain('Why the new date (required)');
  });

  test('the Home tab stays within 100 blocks: open items overdue first, postmortems owned, incidents in progress', () => {
    const home: HomeView = {
      viewerId: 'UALICE',
      today: '2026-11-24',
      items: Array.from({ length: 15 }, (_, i) => item(i + 1, { dueDate: i < 3 ? '2026-11-01' : '2026-12-01' })),
      overdueCount: 3,
      moreItems: true,
      postmortems: [
        { incidentId: 1, incidentNumber: 12, incidentTitle: null, status: 'drafting', dueDate: '2026-11-27' },
      ],
      incidents: [{ incidentNumber: 14, title: 'DNS', severity: 'sev2', channelId: 'CINC', isPrivate: false }],
    };
    const view = homeTab(home);
    expect(validateView(view, ['home'])).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('3 overdue');
    expect(json).toContain('*#12*');
    expect(json).toContain('<#CINC>');
  });
});
