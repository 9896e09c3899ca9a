import { Temporal } from '@js-temporal/polyfill';
import fc from 'fast-check';
import { addDays } from '../../src/domain/action-items';
import { addBusinessDaysToInstant } from '../../src/domain/business-days';
import {
  type DigestDraft,
  type DigestInput,
  type DigestItem,
  type DigestPerson,
  type DigestReview,
  type DigestSections,
  digestKey,
  type PlannedDigest,
  planDigests,
} from '../../src/domain/reminders';
import { resolveZone } from '../../src/domain/when';

// 2026-11-16 is a Monday. In November Berlin is UTC+1, Sydney UTC+11, Los Angeles UTC-8.

let nextId = 1;
function item(overrides: Partial<DigestItem> = {}): DigestItem {
  const id = nextId++;
  return {
    id,
    incidentNumber: 7,
    number: id,
    ownerId: 'UOWNER',
    postmortemOwnerId: 'UPM',
    dueDate: '2026-11-17',
    priority: 'high',
    status: 'open',
    muted: false,
    snoozeCount: 0,
    ...overrides,
  };
}

function draft(overrides: Partial<DigestDraft> = {}): DigestDraft {
  return {
    id: 1,
    incidentNumber: 7,
    ownerId: 'UPM',
    dueDate: '2026-11-16',
    status: 'drafting',
    required: true,
    remindersSent: 0,
    ...overrides,
  };
}

const UTC_PEOPLE: DigestPerson[] = [
  { userId: 'UOWNER', timeZone: null, deleted: false },
  { userId: 'UPM', timeZone: null, deleted: false },
];

function plan(input: Partial<DigestInput>, now: string): PlannedDigest[] {
  return planDigests(
    { people: UTC_PEOPLE, items: [], drafts: [], reviews: [], claimed: new Set(), ...input },
    new Date(now),
  );
}

type SectionName = keyof DigestSections;

/** Each recipient's non-empty sections, with item ids (items), incident numbers (drafts, reviews). */
function summary(digests: PlannedDigest[]): Record<string, Partial<Record<SectionName, number[]>>> {
  const out: Record<string, Partial<Record<SectionName, number[]>>> = {};
  for (const digest of digests) {
    const sections: Partial<Record<SectionName, number[]>> = {};
    for (const [name, list] of Object.entries(digest.sections) as [SectionName, any[]][]) {
      if (list.length === 0) continue;
      sections[name] = list.map(
        (entry) => entry.item?.id ?? entry.draft?.incidentNumber ?? entry.review.incidentNumber,
      );
    }
    out[digest.recipientId] = sections;
  }
  return out;
}

/** For each weekday from `from` to `to` at 10:00 UTC, which section of UOWNER's digest lists the item. */
function scheduleOf(items: DigestItem[], from: string, to: string, recipient = 'UOWNER'): Record<string, string> {
  const seen: Record<string, string> = {};
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const digests = plan({ items }, `${date}T10:00:00Z`);
    const mine = digests.find((digest) => digest.recipientId === recipient);
    if (!mine) continue;
    const names = (Object.entries(mine.sections) as [string, unknown[]][])
      .filter(([, list]) => list.length > 0)
      .map(([name]) => name);
    seen[date] = names.join('+');
  }
  return seen;
}

describe('when a digest goes out', () => {
  const berlin: DigestPerson[] = [{ userId: 'UOWNER', timeZone: 'Europe/Berlin', deleted: false }];
  const dueTuesday = item({ dueDate: '2026-11-17', postmortemOwnerId: null });

  test('Berlin, Tuesday 08:59 local: not yet', () => {
    expect(plan({ people: berlin, items: [dueTuesday] }, '2026-11-17T07:59:00Z')).toEqual([]);
  });

  test('Berlin, Tuesday 09:00 local: one digest for the local date, in the person’s zone', () => {
    const digests = plan({ people: berlin, items: [dueTuesday] }, '2026-11-17T08:00:00Z');
    expect(digests).toHaveLength(1);
    expect(digests[0]).toMatchObject({ recipientId: 'UOWNER', localDate: '2026-11-17', timeZone: 'Europe/Berlin' });
    expect(summary(digests)).toEqual({ UOWNER: { dueToday: [dueTuesday.id] } });
  });

  test('REMINDER_HOUR is configurable', () => {
    expect(plan({ people: berlin, items: [dueTuesday], reminderHour: 7 }, '2026-11-17T06:00:00Z')).toHaveLength(1);
    expect(plan({ people: berlin, items: [dueTuesday], reminderHour: 10 }, '2026-11-17T08:30:00Z')).toEqual([]);
    expect(() => plan({ reminderHour: 24 }, '2026-11-17T08:30:00Z')).toThrow(RangeError);
  });

  test('Sydney is a day ahead of UTC: its Tuesday 09:30 is Monday 22:30 UTC', () => {
    const people: DigestPerson[] = [
      { userId: 'USYD', timeZone: 'Australia/Sydney', deleted: false },
      { userId: 'UUTC', timeZone: null, deleted: false },
    ];
    const sydney = item({ ownerId: 'USYD', dueDate: '2026-11-17', postmortemOwnerId: null });
    const utc = item({ ownerId: 'UUTC', dueDate: '2026-11-16', postmortemOwnerId: null });
    const digests = plan({ people, items: [sydney, utc] }, '2026-11-16T22:30:00Z');
    expect(digests.map((d) => [d.recipientId, d.localDate, d.timeZone])).toEqual([
      ['USYD', '2026-11-17', 'Australia/Sydney'],
      ['UUTC', '2026-11-16', 'UTC'],
    ]);
    expect(summary(digests)).toEqual({ USYD: { dueToday: [sydney.id] }, UUTC: { dueToday: [utc.id] } });
  });

  test('a Saturday in the person’s zone: nothing, even when Friday still holds in UTC', () => {
    const saturdayItem = item({ dueDate: '2026-11-21', postmortemOwnerId: null });
    expect(plan({ items: [saturdayItem] }, '2026-11-21T10:00:00Z')).toEqual([]);
    const tokyo: DigestPerson[] = [{ userId: 'UOWNER', timeZone: 'Asia/Tokyo', deleted: false }];
    // Friday 2026-11-20 23:30 UTC is Saturday 08:30 in Tokyo… and Saturday 10:30 two hours later.
    expect(plan({ people: tokyo, items: [saturdayItem] }, '2026-11-21T01:30:00Z')).toEqual([]);
    const la: DigestPerson[] = [{ userId: 'UOWNER', timeZone: 'America/Los_Angeles', deleted: false }];
    const fridayItem = item({ dueDate: '2026-11-20', postmortemOwnerId: null });
    // …while Los Angeles is still on Friday 17:30.
    expect(summary(plan({ people: la, items: [fridayItem] }, '2026-11-21T01:30:00Z'))).toEqual({
      UOWNER: { dueToday: [fridayItem.id] },
    });
  });

  describe('daylight saving in America/Los_Angeles (2026-03-08, a Sunday: PST → PDT)', () => {
    const la: DigestPerson[] = [{ userId: 'UOWNER', timeZone: 'America/Los_Angeles', deleted: false }];
    const dueFriday = item({ dueDate: '2026-03-06', postmortemOwnerId: null });
    const dueMonday = item({ dueDate: '2026-03-09', postmortemOwnerId: null });

    test('Friday before, PST: 09:00 local is 17:00 UTC', () => {
      expect(plan({ people: la, items: [dueFriday] }, '2026-03-06T16:59:00Z')).toEqual([]);
      expect(plan({ people: la, items: [dueFriday] }, '2026-03-06T17:00:00Z')).toHaveLength(1);
    });

    test('the change day itself is a Sunday: nothing', () => {
      expect(plan({ people: la, items: [dueMonday] }, '2026-03-08T18:00:00Z')).toEqual([]);
    });

    test('Monday after, PDT: 09:00 local is 16:00 UTC', () => {
      expect(plan({ people: la, items: [dueMonday] }, '2026-03-09T15:59:00Z')).toEqual([]);
      const digests = plan({ people: la, items: [dueMonday] }, '2026-03-09T16:00:00Z');
      expect(digests.map((d) => d.localDate)).toEqual(['2026-03-09']);
    });
  });

  describe('daylight saving on a weekday: Africa/Cairo, Friday 2026-04-24 (00:00 EET → 01:00 EEST)', () => {
    const cairo: DigestPerson[] = [{ userId: 'UOWNER', timeZone: 'Africa/Cairo', deleted: false }];
    const dueFriday = item({ dueDate: '2026-04-24', postmortemOwnerId: null });

    test('09:00 on the change day is 06:00 UTC (07:00 UTC the day before)', () => {
      expect(plan({ people: cairo, items: [dueFriday] }, '2026-04-24T05:59:00Z')).toEqual([]);
      expect(summary(plan({ people: cairo, items: [dueFriday] }, '2026-04-24T06:00:00Z'))).toEqual({
        UOWNER: { dueToday: [dueFriday.id] },
      });
      const dueThursday = item({ dueDate: '2026-04-23', postmortemOwnerId: null });
      expect(plan({ people: cairo, items: [dueThursday] }, '2026-04-23T06:30:00Z')).toEqual([]);
      expect(plan({ people: cairo, items: [dueThursday] }, '2026-04-23T07:00:00Z')).toHaveLength(1);
    });

    test('a reminder hour inside the skipped hour: the first local moment after it counts', () => {
      const input = { people: cairo, items: [dueFriday], reminderHour: 0 };
      // 21:59 UTC is still Thursday 23:59 local; a minute later it is Friday 01:00 (midnight never happens).
      expect(plan(input, '2026-04-23T21:59:00Z')).toEqual([]);
      expect(plan(input, '2026-04-23T22:00:00Z').map((d) => d.localDate)).toEqual(['2026-04-24']);
    });
  });
});

describe('what a digest lists', () => {
  test('overdue: the first weekday after the due date, then weekly on its weekday, over three weeks', () => {
    const dueWednesday = item({ dueDate: '2026-11-04', postmortemOwnerId: null });
    expect(scheduleOf([dueWednesday], '2026-11-02', '2026-11-27')).toEqual({
      '2026-11-02': 'dueSoon',
      '2026-11-04': 'dueToday',
      '2026-11-05': 'overdue',
      '2026-11-11': 'overdue',
      '2026-11-18': 'overdue',
      '2026-11-25': 'overdue',
    });
  });

  test('overdue from a Friday: the Monday after, then Fridays', () => {
    const dueFriday = item({ dueDate: '2026-11-06', postmortemOwnerId: null });
    expect(scheduleOf([dueFriday], '2026-11-07', '2026-11-27')).toEqual({
      '2026-11-09': 'overdue',
      '2026-11-13': 'overdue',
      '2026-11-20': 'overdue',
      '2026-11-27': 'overdue',
    });
  });

  test('due on a Saturday: heads-up Thursday, overdue the Monday after, then Mondays', () => {
    const dueSaturday = item({ dueDate: '2026-11-07', postmortemOwnerId: null });
    expect(scheduleOf([dueSaturday], '2026-11-02', '2026-11-24')).toEqual({
      '2026-11-05': 'dueSoon',
      '2026-11-09': 'overdue',
      '2026-11-16': 'overdue',
      '2026-11-23': 'overdue',
    });
  });

  test('heads-up only on the first weekday of the two days before the due date', () => {
    const dueThursday = item({ dueDate: '2026-11-19', postmortemOwnerId: null });
    expect(scheduleOf([dueThursday], '2026-11-12', '2026-11-19')).toEqual({
      '2026-11-17': 'dueSoon',
      '2026-11-19': 'dueToday',
    });
  });

  test('heads-up across a weekend: due Tuesday → the Monday (the window is Sunday–Monday)', () => {
    const dueTuesday = item({ dueDate: '2026-11-24', postmortemOwnerId: null });
    expect(scheduleOf([dueTuesday], '2026-11-18', '2026-11-24')).toEqual({
      '2026-11-23': 'dueSoon',
      '2026-11-24': 'dueToday',
    });
  });

  test('heads-up for a Monday due date (window all weekend) comes on the Friday before', () => {
    const dueMonday = item({ dueDate: '2026-11-23', postmortemOwnerId: null });
    expect(scheduleOf([dueMonday], '2026-11-16', '2026-11-23')).toEqual({
      '2026-11-20': 'dueSoon',
      '2026-11-23': 'dueToday',
    });
  });

  test('escalation: the postmortem owner hears about an item overdue 7 days, then weekly', () => {
    const overdue = item({ dueDate: '2026-11-04', ownerId: 'UOWNER', postmortemOwnerId: 'UPM' });
    expect(scheduleOf([overdue], '2026-11-02', '2026-11-27', 'UPM')).toEqual({
      '2026-11-11': 'escalated',
      '2026-11-18': 'escalated',
      '2026-11-25': 'escalated',
    });
    // Day 6 is not yet: the owner alone hears about it (on day 1), not the postmortem owner.
    expect(summary(plan({ items: [overdue] }, '2026-11-10T10:00:00Z'))).toEqual({});
    expect(summary(plan({ items: [overdue] }, '2026-11-11T10:00:00Z'))).toEqual({
      UOWNER: { overdue: [overdue.id] },
      UPM: { escalated: [overdue.id] },
    });
  });

  test('escalation from a Saturday due date lands on the Monday after the 7th day', () => {
    const overdue = item({ dueDate: '2026-11-07' });
    expect(scheduleOf([overdue], '2026-11-09', '2026-11-24', 'UPM')).toEqual({
      '2026-11-16': 'escalated',
      '2026-11-23': 'escalated',
    });
  });

  test('no escalation when the item’s owner is the postmortem owner: it is already in their overdue list', () => {
    const own = item({ dueDate: '2026-11-04', ownerId: 'UPM', postmortemOwnerId: 'UPM' });
    expect(summary(plan({ items: [own] }, '2026-11-11T10:00:00Z'))).toEqual({ UPM: { overdue: [own.id] } });
  });

  test('an owner who left the workspace gets nothing; the postmortem owner gets the item to reassign', () => {
    const people: DigestPerson[] = [
      { userId: 'UGONE', timeZone: 'Asia/Tokyo', deleted: true },
      { userId: 'UPM', timeZone: null, deleted: false },
    ];
    const dueToday = item({ ownerId: 'UGONE', dueDate: '2026-11-18' });
    const farOff = item({ ownerId: 'UGONE', dueDate: '2027-01-20' });
    const backlog = item({ ownerId: 'UGONE', dueDate: null, priority: 'low' });
    const muted = item({ ownerId: 'UGONE', dueDate: '2026-11-18', muted: true });
    const items = [dueToday, farOff, backlog, muted];
    // Wednesday: only the item that would have been reminded today.
    expect(summary(plan({ people, items }, '2026-11-18T10:00:00Z'))).toEqual({ UPM: { reassign: [dueToday.id] } });
    // Monday: every open unmuted item of theirs, so that nothing waits until it is due.
    expect(summary(plan({ people, items }, '2026-11-23T10:00:00Z'))).toEqual({
      UPM: { reassign: [dueToday.id, farOff.id, backlog.id] },
    });
    // Tuesday: the overdue item was listed on its first weekday after; nothing else is scheduled.
    expect(summary(plan({ people, items }, '2026-11-24T10:00:00Z'))).toEqual({});
  });

  test('a deleted owner’s item whose postmortem owner also left, or has none, goes nowhere', () => {
    const people: DigestPerson[] = [
      { userId: 'UGONE', timeZone: null, deleted: true },
      { userId: 'UPM', timeZone: null, deleted: true },
    ];
    const items = [
      item({ ownerId: 'UGONE', dueDate: '2026-11-18' }),
      item({ ownerId: 'UGONE', postmortemOwnerId: null }),
    ];
    expect(plan({ people, items }, '2026-11-18T10:00:00Z')).toEqual([]);
  });

  test('muted and low-priority items are never reminded, nor escalated; closed items neither', () => {
    const items = [
      item({ dueDate: '2026-11-18', muted: true }),
      item({ dueDate: '2026-11-18', priority: 'low' }),
      item({ dueDate: '2026-11-04', priority: 'low' }), // 14 days overdue: no escalation either
      item({ dueDate: '2026-11-04', muted: true }),
      item({ dueDate: '2026-11-18', status: 'done' }),
      item({ dueDate: '2026-11-18', status: 'cancelled' }),
      item({ dueDate: null, priority: 'medium' }),
    ];
    expect(plan({ items }, '2026-11-18T10:00:00Z')).toEqual([]);
  });

  test('one digest per person and date, whatever the number of incidents and reasons', () => {
    const a = item({ incidentNumber: 9, number: 1, dueDate: '2026-11-18', ownerId: 'UPM' });
    const b = item({ incidentNumber: 3, number: 2, dueDate: '2026-11-18', ownerId: 'UPM' });
    const c = item({ incidentNumber: 5, number: 1, dueDate: '2026-11-20', ownerId: 'UPM' });
    const d = item({ incidentNumber: 4, number: 1, dueDate: '2026-11-04', ownerId: 'UOWNER' });
    const digests = plan({ items: [a, b, c, d], drafts: [draft({ incidentNumber: 12 })] }, '2026-11-18T10:00:00Z');
    expect(digests.map((digest) => digest.recipientId)).toEqual(['UOWNER', 'UPM']);
    expect(summary(digests)).toEqual({
      UOWNER: { overdue: [d.id] },
      UPM: { dueToday: [b.id, a.id], dueSoon: [c.id], escalated: [d.id], overdueDrafts: [12] },
    });
  });

  test('a digest already claimed for that local date is not planned again; another date’s claim does not count', () => {
    const due = item({ dueDate: '2026-11-18', postmortemOwnerId: null });
    expect(
      plan({ items: [due], claimed: new Set([digestKey('UOWNER', '2026-11-18')]) }, '2026-11-18T10:00:00Z'),
    ).toEqual([]);
    expect(
      plan({ items: [due], claimed: new Set([digestKey('UOWNER', '2026-11-17')]) }, '2026-11-18T10:00:00Z'),
    ).toHaveLength(1);
  });

  test('needs a decision: after two snoozes, or 30 days overdue', () => {
    const snoozed = item({ dueDate: '2026-11-18', snoozeCount: 2, postmortemOwnerId: null });
    const once = item({ dueDate: '2026-11-18', snoozeCount: 1, postmortemOwnerId: null });
    const [digest] = plan({ items: [snoozed, once] }, '2026-11-18T10:00:00Z');
    expect(digest!.sections.dueToday.map((e) => [e.item.id, e.needsDecision])).toEqual([
      [snoozed.id, true],
      [once.id, false],
    ]);
    // Due Monday 2026-10-19: listed weekly on Mondays; 28 days on 11-16, 35 days on 11-23.
    const late = item({ dueDate: '2026-10-19', postmortemOwnerId: null });
    const on16 = plan({ items: [late] }, '2026-11-16T10:00:00Z')[0]!.sections.overdue[0]!;
    const on23 = plan({ items: [late] }, '2026-11-23T10:00:00Z')[0]!.sections.overdue[0]!;
    expect([on16.daysOverdue, on16.needsDecision]).toEqual([28, false]);
    expect([on23.daysOverdue, on23.needsDecision]).toEqual([35, true]);
  });

  describe('postmortem drafts past their due date', () => {
    test('a required draft: every weekday after the due date, not on it', () => {
      const drafts = [draft({ dueDate: '2026-11-16', required: true, remindersSent: 4 })];
      expect(summary(plan({ drafts }, '2026-11-16T10:00:00Z'))).toEqual({});
      const [tuesday] = plan({ drafts }, '2026-11-17T10:00:00Z');
      expect(tuesday!.sections.overdueDrafts).toEqual([{ draft: drafts[0], daysOverdue: 1 }]);
      expect(summary(plan({ drafts }, '2026-11-18T10:00:00Z'))).toEqual({ UPM: { overdueDrafts: [7] } });
    });

    test('an optional (sev3–4) draft: one reminder only', () => {
      const first = [draft({ required: false, remindersSent: 0 })];
      expect(summary(plan({ drafts: first }, '2026-11-18T10:00:00Z'))).toEqual({ UPM: { overdueDrafts: [7] } });
      const after = [draft({ required: false, remindersSent: 1 })];
      expect(plan({ drafts: after }, '2026-11-18T10:00:00Z')).toEqual([]);
    });

    test('only drafts being written: not in review, published, waived, or without an owner', () => {
      const drafts = [
        draft({ status: 'in_review' }),
        draft({ status: 'published' }),
        draft({ status: 'waived' }),
        draft({ ownerId: null }),
        draft({ dueDate: null }),
      ];
      expect(plan({ drafts }, '2026-11-18T10:00:00Z')).toEqual([]);
    });
  });

  describe('reviews waiting', () => {
    const review = (overrides: Partial<DigestReview> = {}): DigestReview => ({
      postmortemId: 1,
      incidentNumber: 7,
      reviewerId: 'UOWNER',
      requestedAt: new Date('2026-11-16T10:00:00Z'),
      nudged: false,
      ...overrides,
    });

    test('one nudge once 2 business days passed without an answer', () => {
      expect(plan({ reviews: [review()] }, '2026-11-18T09:59:00Z')).toEqual([]);
      expect(summary(plan({ reviews: [review()] }, '2026-11-18T10:00:00Z'))).toEqual({
        UOWNER: { reviewsWaiting: [7] },
      });
      expect(plan({ reviews: [review({ nudged: true })] }, '2026-11-20T10:00:00Z')).toEqual([]);
    });

    test('property: nudged exactly when 2 business days passed at the same wall time, across daylight saving', () => {
      const zones = ['America/Los_Angeles', 'Europe/Berlin', 'Africa/Cairo', 'Australia/Lord_Howe', 'Asia/Tokyo', null];
      // Requests in the days around 2026's daylight-saving changes, and anywhere else.
      const near = (iso: string) =>
        fc.integer({ min: -4 * 86_400_000, max: 2 * 86_400_000 }).map((ms) => new Date(Date.parse(iso) + ms));
      const requested = fc.oneof(
        near('2026-03-08T10:00:00Z'),
        near('2026-03-29T01:00:00Z'),
        near('2026-04-23T22:00:00Z'),
        near('2026-04-04T15:00:00Z'),
        near('2026-10-25T01:00:00Z'),
        near('2026-11-01T09:00:00Z'),
        fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }),
      );
      fc.assert(
        fc.property(
          fc.constantFrom(...zones),
          requested,
          fc.integer({ min: -3 * 60, max: 3 * 60 }),
          (zone, at, minutes) => {
            const nudgeAt = addBusinessDaysToInstant(at, 2, zone);
            const now = new Date(nudgeAt.getTime() + minutes * 60_000);
            const people = [{ userId: 'UOWNER', timeZone: zone, deleted: false }];
            const local = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(resolveZone(zone));
            const listed = plan({ people, reviews: [review({ requestedAt: at })], reminderHour: 0 }, now.toISOString());
            expect(listed.length).toBe(local.dayOfWeek <= 5 && minutes >= 0 ? 1 : 0);
          },
        ),
        { numRuns: 400 },
      );
    });

    test('asked on a Friday: the nudge waits until Tuesday', () => {
      const friday = review({ requestedAt: new Date('2026-11-20T09:00:00Z') });
      expect(plan({ reviews: [friday] }, '2026-11-23T10:00:00Z')).toEqual([]);
      expect(plan({ reviews: [friday] }, '2026-11-24T10:00:00Z')).toHaveLength(1);
    });
  });

  test('the order is deterministic: recipients by id, items by due date then incident and number', () => {
    const people: DigestPerson[] = ['UC', 'UA', 'UB'].map((userId) => ({ userId, timeZone: null, deleted: false }));
    const items = [
      item({ ownerId: 'UC', dueDate: '2026-11-18', incidentNumber: 2, number: 1, postmortemOwnerId: null }),
      item({ ownerId: 'UA', dueDate: '2026-11-17', incidentNumber: 1, number: 2, postmortemOwnerId: null }),
      item({ ownerId: 'UA', dueDate: '2026-11-11', incidentNumber: 1, number: 1, postmortemOwnerId: null }),
      item({ ownerId: 'UB', dueDate: '2026-11-18', incidentNumber: 1, number: 1, postmortemOwnerId: null }),
    ];
    const forward = plan({ people, items }, '2026-11-18T10:00:00Z');
    const backward = plan({ people: [...people].reverse(), items: [...items].reverse() }, '2026-11-18T10:00:00Z');
    expect(forward.map((d) => d.recipientId)).toEqual(['UA', 'UB', 'UC']);
    expect(forward[0]!.sections.overdue.map((e) => e.item.dueDate)).toEqual(['2026-11-11', '2026-11-17']);
    expect(backward).toEqual(forward);
  });
});

describe('property: at most one digest per person, only on their weekdays after the reminder hour', () => {
  const ZONES = [
    null,
    'UTC',
    'Europe/Berlin',
    'America/Los_Angeles',
    'Australia/Sydney',
    'Australia/Lord_Howe', // a half-hour daylight-saving shift
    'Pacific/Kiritimati', // UTC+14
    'Pacific/Pago_Pago', // UTC-11
    'Asia/Kathmandu', // UTC+5:45
    'America/St_Johns',
    'Africa/Cairo', // daylight saving changes on a Friday
    'Not/AZone', // unknown: taken as UTC
  ];
  const USERS = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6'];
  const userId = fc.constantFrom(...USERS);
  const isoDate = fc
    .date({ min: new Date('2019-06-01T00:00:00Z'), max: new Date('2031-06-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
  const person = fc.record({ timeZone: fc.constantFrom(...ZONES), deleted: fc.boolean() });
  const itemArb = fc.record({
    id: fc.nat(),
    incidentNumber: fc.integer({ min: 1, max: 5 }),
    number: fc.integer({ min: 1, max: 20 }),
    ownerId: userId,
    postmortemOwnerId: fc.option(userId, { nil: null }),
    dueDate: fc.option(isoDate, { nil: null }),
    priority: fc.constantFrom('high' as const, 'medium' as const, 'low' as const),
    status: fc.constantFrom('open' as const, 'done' as const, 'cancelled' as const),
    muted: fc.boolean(),
    snoozeCount: fc.integer({ min: 0, max: 4 }),
  });
  const draftArb = fc.record({
    id: fc.nat(),
    incidentNumber: fc.integer({ min: 1, max: 5 }),
    ownerId: fc.option(userId, { nil: null }),
    dueDate: fc.option(isoDate, { nil: null }),
    status: fc.constantFrom('drafting' as const, 'in_review' as const, 'published' as const),
    required: fc.boolean(),
    remindersSent: fc.integer({ min: 0, max: 2 }),
  });
  const instant = fc.date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2030-12-31T00:00:00Z'),
    noInvalidDate: true,
  });
  const reviewArb = fc.record({
    postmortemId: fc.nat(),
    incidentNumber: fc.integer({ min: 1, max: 5 }),
    reviewerId: userId,
    requestedAt: instant,
    nudged: fc.boolean(),
  });

  test('holds for any items, drafts, reviews, claims, reminder hour and now', () => {
    fc.assert(
      fc.property(
        fc.tuple(...USERS.map(() => person)),
        fc.array(itemArb, { maxLength: 40 }),
        fc.array(draftArb, { maxLength: 5 }),
        fc.array(reviewArb, { maxLength: 5 }),
        fc.integer({ min: 0, max: 23 }),
        instant,
        fc.subarray(USERS),
        (profiles, items, drafts, reviews, reminderHour, now, claimedUsers) => {
          const people = USERS.map((id, index) => ({ userId: id, ...profiles[index]! }));
          const localDate = (id: string) =>
            Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(
              resolveZone(people.find((p) => p.userId === id)!.timeZone),
            );
          const claimed = new Set(claimedUsers.map((id) => digestKey(id, localDate(id).toPlainDate().toString())));
          const digests = planDigests({ people, items, drafts, reviews, claimed, reminderHour }, now);
          const recipients = digests.map((d) => d.recipientId);
          expect(new Set(recipients).size).toBe(recipients.length);
          for (const digest of digests) {
            const local = localDate(digest.recipientId);
            expect(local.dayOfWeek).toBeLessThanOrEqual(5);
            expect(local.hour).toBeGreaterThanOrEqual(reminderHour);
            expect(digest.localDate).toBe(local.toPlainDate().toString());
            expect(digest.timeZone).toBe(local.timeZoneId);
            expect(claimedUsers).not.toContain(digest.recipientId);
            expect(people.find((p) => p.userId === digest.recipientId)!.deleted).toBe(false);
            const s = digest.sections;
            const listed = [...s.dueToday, ...s.dueSoon, ...s.overdue, ...s.escalated, ...s.reassign];
            expect(listed.length + s.overdueDrafts.length + s.reviewsWaiting.length).toBeGreaterThan(0);
            for (const entry of listed) expect([entry.item.status, entry.item.muted]).toEqual(['open', false]);
            for (const entry of [...s.dueToday, ...s.dueSoon, ...s.overdue, ...s.escalated]) {
              expect(entry.item.priority).not.toBe('low');
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
