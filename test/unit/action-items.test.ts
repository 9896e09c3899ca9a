import { Temporal } from '@js-temporal/polyfill';
import fc from 'fast-check';
import {
  type ActionItem,
  addDays,
  cancelItem,
  completeItem,
  createActionItem,
  DEFAULT_ACTION_ITEM_PRIORITY,
  dateOfEpochDay,
  daysOverdue,
  defaultDueDate,
  epochDay,
  needsDecision,
  redateItem,
  snoozeItem,
  weekdayOfEpochDay,
} from '../../src/domain/action-items';
import { type PostmortemParties, postmortemPermission } from '../../src/domain/policy';
import { guest, member } from '../support/fixtures';

const CREATED = new Date('2026-11-16T23:30:00Z'); // Monday evening in UTC, Tuesday morning in Tokyo

function open(overrides: Partial<ActionItem> = {}): ActionItem {
  return {
    ...createActionItem({
      number: 3,
      text: 'Alert on checkout 5xx rate',
      ownerId: 'UOWNER',
      createdBy: 'UCREATOR',
      createdAt: CREATED,
      ownerTimeZone: null,
    }),
    ...overrides,
  };
}

describe('plain dates', () => {
  test('known dates', () => {
    expect(epochDay('1970-01-01')).toBe(0);
    expect(epochDay('2000-03-01')).toBe(11017);
    expect(dateOfEpochDay(11017)).toBe('2000-03-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-11-16', -16)).toBe('2026-10-31');
    expect(weekdayOfEpochDay(epochDay('2026-11-16'))).toBe(1); // Monday
    expect(weekdayOfEpochDay(epochDay('2026-11-22'))).toBe(7); // Sunday
  });

  test('what is not a date is NaN, and addDays refuses it', () => {
    for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-11-31', '26-11-01', 'friday', '']) {
      expect(epochDay(bad)).toBeNaN();
    }
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
  });

  test('property: agrees with Temporal on day counts, weekdays and round trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }), (days) => {
        const date = Temporal.PlainDate.from('1970-01-01').add({ days });
        expect(dateOfEpochDay(days)).toBe(date.toString());
        expect(epochDay(date.toString())).toBe(days);
        expect(weekdayOfEpochDay(days)).toBe(date.dayOfWeek);
      }),
    );
  });
});

describe('a new item', () => {
  test('defaults: open, type prevent, priority medium (8 weeks), not muted, never snoozed', () => {
    const item = open();
    expect(item).toMatchObject({
      status: 'open',
      type: 'prevent',
      priority: DEFAULT_ACTION_ITEM_PRIORITY,
      dueDate: '2027-01-11',
      muted: false,
      snoozeCount: 0,
      cancelReason: null,
      ticketUrl: null,
      doneAt: null,
      createdBy: 'UCREATOR',
    });
    expect(DEFAULT_ACTION_ITEM_PRIORITY).toBe('medium');
  });

  test('default due dates by priority, from the creation date in the owner’s zone', () => {
    expect(defaultDueDate('high', CREATED, null)).toBe('2026-12-14'); // Monday + 4 weeks
    expect(defaultDueDate('high', CREATED, 'Asia/Tokyo')).toBe('2026-12-15'); // already Tuesday there
    expect(defaultDueDate('medium', CREATED, 'America/Los_Angeles')).toBe('2027-01-11');
    expect(defaultDueDate('medium', CREATED, 'Asia/Tokyo')).toBe('2027-01-12');
    expect(defaultDueDate('low', CREATED, 'Asia/Tokyo')).toBeNull();
  });

  test('an explicit due date, type and ticket win; low priority stays undated (backlog)', () => {
    const explicit = createActionItem({
      number: 1,
      text: 'x',
      ownerId: 'U1',
      createdBy: 'U2',
      createdAt: CREATED,
      ownerTimeZone: null,
      dueDate: '2026-11-20',
      priority: 'high',
      type: 'detect',
      ticketUrl: 'https://jira.example.com/browse/OPS-1',
    });
    expect(explicit).toMatchObject({ dueDate: '2026-11-20', priority: 'high', type: 'detect' });
    expect(explicit.ticketUrl).toBe('https://jira.example.com/browse/OPS-1');
    const backlog = createActionItem({
      number: 2,
      text: 'x',
      ownerId: 'U1',
      createdBy: 'U2',
      createdAt: CREATED,
      ownerTimeZone: null,
      priority: 'low',
    });
    expect(backlog.dueDate).toBeNull();
  });
});

describe('snooze and decisions', () => {
  test('snooze moves a future due date by a week and counts', () => {
    const result = snoozeItem(open({ dueDate: '2026-11-20' }), '2026-11-18');
    expect(result).toEqual({ ok: true, item: expect.objectContaining({ dueDate: '2026-11-27', snoozeCount: 1 }) });
  });

  test('snoozing an overdue item moves it to a week from today, so that the snooze is felt', () => {
    const result = snoozeItem(open({ dueDate: '2026-11-04', snoozeCount: 1 }), '2026-11-18');
    expect(result).toEqual({ ok: true, item: expect.objectContaining({ dueDate: '2026-11-25', snoozeCount: 2 }) });
  });

  test('nothing to snooze on an undated, done or cancelled item', () => {
    expect(snoozeItem(open({ dueDate: null, priority: 'low' }), '2026-11-18')).toMatchObject({ ok: false });
    expect(snoozeItem(open({ status: 'done' }), '2026-11-18')).toMatchObject({
      ok: false,
      message: expect.stringContaining('already done'),
    });
    expect(snoozeItem(open({ status: 'cancelled' }), '2026-11-18')).toMatchObject({ ok: false });
  });

  test('needs a decision after two snoozes, or from 30 days overdue; never once closed', () => {
    const today = '2026-11-18';
    expect(needsDecision(open({ dueDate: '2026-11-25', snoozeCount: 1 }), today)).toBe(false);
    expect(needsDecision(open({ dueDate: '2026-11-25', snoozeCount: 2 }), today)).toBe(true);
    expect(needsDecision(open({ dueDate: '2026-10-20' }), today)).toBe(false); // 29 days
    expect(needsDecision(open({ dueDate: '2026-10-19' }), today)).toBe(true); // 30 days
    expect(needsDecision(open({ dueDate: null, priority: 'low' }), today)).toBe(false);
    expect(needsDecision(open({ dueDate: '2026-10-01', status: 'done' }), today)).toBe(false);
    expect(daysOverdue('2026-10-19', today)).toBe(30);
    expect(daysOverdue('2026-11-19', today)).toBe(0);
    expect(daysOverdue(null, today)).toBe(0);
  });

  test('a new date needs a reason and a date not past; it answers the question (snoozes start again)', () => {
    const item = open({ dueDate: '2026-10-01', snoozeCount: 2 });
    expect(redateItem(item, '2026-12-15', 'waiting on the vendor fix', '2026-11-18')).toEqual({
      ok: true,
      item: expect.objectContaining({ dueDate: '2026-12-15', snoozeCount: 0 }),
    });
    expect(redateItem(item, '2026-12-15', '  ', '2026-11-18')).toMatchObject({ ok: false });
    expect(redateItem(item, '2026-11-17', 'later', '2026-11-18')).toMatchObject({ ok: false });
    expect(redateItem(item, '2026-11-31', 'later', '2026-11-18')).toMatchObject({ ok: false });
    expect(redateItem(item, '2026-11-18', 'today is fine', '2026-11-18')).toMatchObject({ ok: true });
  });
});

describe('done and cancel', () => {
  test('done records when', () => {
    const at = new Date('2026-11-18T10:00:00Z');
    expect(completeItem(open(), at)).toEqual({
      ok: true,
      item: expect.objectContaining({ status: 'done', doneAt: at }),
    });
    expect(completeItem(open({ status: 'done' }), at)).toMatchObject({ ok: false });
  });

  test('cancel keeps the reason and refuses without one', () => {
    expect(cancelItem(open(), '  covered by #2 ')).toEqual({
      ok: true,
      item: expect.objectContaining({ status: 'cancelled', cancelReason: 'covered by #2' }),
    });
    expect(cancelItem(open(), ' ')).toMatchObject({
      ok: false,
      message: expect.stringContaining('/postmortem cancel 3'),
    });
    expect(cancelItem(open({ status: 'cancelled' }), 'again')).toMatchObject({ ok: false });
  });
});

describe('who may act on an item (postmortemPermission, SPEC 2)', () => {
  const item = open();
  const parties = (userId: string, overrides: Partial<PostmortemParties> = {}): PostmortemParties => ({
    actor: member(userId),
    isChannelMember: false,
    commanderId: 'UCMD',
    ownerId: 'UPM',
    item: { ownerId: item.ownerId, createdBy: item.createdBy },
    ...overrides,
  });

  test.each([
    ['the item’s owner', 'UOWNER', true],
    ['its creator', 'UCREATOR', true],
    ['the postmortem owner', 'UPM', true],
    ['the commander', 'UCMD', false],
    ['anyone else', 'UOTHER', false],
  ])('item buttons: %s → %s', (_who, userId, allowed) => {
    expect(postmortemPermission('item_update', parties(userId)).allowed).toBe(allowed);
  });

  test.each([
    ['the postmortem owner', 'UPM', true],
    ['the commander', 'UCMD', true],
    ['the item’s owner', 'UOWNER', false],
    ['its creator', 'UCREATOR', false],
  ])('cancel: %s → %s', (_who, userId, allowed) => {
    expect(postmortemPermission('item_cancel', parties(userId)).allowed).toBe(allowed);
  });

  test('a refusal says who may; a guest owner changes nothing', () => {
    expect(postmortemPermission('item_cancel', parties('UOWNER'))).toEqual({
      allowed: false,
      reason: expect.stringContaining('postmortem owner or the commander'),
    });
    expect(postmortemPermission('item_update', parties('UOWNER', { actor: guest('UOWNER') })).allowed).toBe(false);
  });
});
