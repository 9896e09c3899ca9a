import { Temporal } from '@js-temporal/polyfill';
import fc from 'fast-check';
import {
  defaultDebriefMinutes,
  defaultDebriefWithin,
  proposeDebriefSlots,
  type SlotInput,
  type SlotPerson,
} from '../../src/domain/debrief';

const iso = (d: Date) => d.toISOString().replace(':00.000Z', 'Z');
const starts = (result: ReturnType<typeof proposeDebriefSlots>) => result.proposals.map((p) => iso(p.start));

function person(userId: string, timeZone: string | null, required = true): SlotPerson {
  return { userId, timeZone, required };
}

/** Independent of the implementation: Temporal reads the local start and end. */
function inHours(start: Date, end: Date, timeZone: string | null): boolean {
  const zone = timeZone ?? 'UTC';
  const s = Temporal.Instant.fromEpochMilliseconds(start.getTime()).toZonedDateTimeISO(zone);
  const e = Temporal.Instant.fromEpochMilliseconds(end.getTime()).toZonedDateTimeISO(zone);
  return (
    s.dayOfWeek <= 5 &&
    s.toPlainDate().equals(e.toPlainDate()) &&
    s.hour * 60 + s.minute >= 9 * 60 &&
    e.hour * 60 + e.minute <= 17 * 60
  );
}

/** Weekday 09:00–17:00 intervals of a zone around a window, from Temporal's own wall-clock conversion. */
function workingHours(timeZone: string | null, from: Date, to: Date): [number, number][] {
  const zone = timeZone ?? 'UTC';
  let day = Temporal.Instant.fromEpochMilliseconds(from.getTime()).toZonedDateTimeISO(zone).toPlainDate();
  const last = Temporal.Instant.fromEpochMilliseconds(to.getTime()).toZonedDateTimeISO(zone).toPlainDate();
  const out: [number, number][] = [];
  for (day = day.subtract({ days: 1 }); Temporal.PlainDate.compare(day, last) <= 0; day = day.add({ days: 1 })) {
    if (day.dayOfWeek > 5) continue;
    const at = (hour: number) => day.toZonedDateTime({ timeZone: zone, plainTime: { hour } }).epochMilliseconds;
    out.push([at(9), at(17)]);
  }
  return out;
}

describe('defaults (SPEC 6)', () => {
  it('60 minutes for sev1–2, 45 otherwise; within 3 business days for sev1, 5 otherwise', () => {
    expect(['sev1', 'sev2', 'sev3', 'sev4'].map((s) => defaultDebriefMinutes(s as 'sev1'))).toEqual([60, 60, 45, 45]);
    expect(['sev1', 'sev2', 'sev3', 'sev4'].map((s) => defaultDebriefWithin(s as 'sev1'))).toEqual([3, 5, 5, 5]);
  });
});

describe('proposeDebriefSlots', () => {
  // 2027-02-01 is a Monday; no zone involved changes its clocks in February.
  it('London + New York: the three earliest common slots, spread 2 hours apart on one day', () => {
    const result = proposeDebriefSlots({
      participants: [
        person('UOWNER', 'Europe/London'),
        person('UCMD', 'America/New_York'),
        person('UTOKYO', 'Asia/Tokyo', false),
      ],
      ownerId: 'UOWNER',
      commanderId: 'UCMD',
      severity: 'sev2',
      resolvedAt: new Date('2027-02-01T12:00:00Z'),
      now: new Date('2027-02-01T12:05:00Z'),
    });
    expect(result.quality).toBe('all_required');
    expect(result.note).toBeNull();
    expect(result.minutes).toBe(60);
    expect(result.window).toEqual({
      start: new Date('2027-02-02T00:00:00Z'),
      end: new Date('2027-02-09T00:00:00Z'), // end of Monday 8 Feb: 5 business days after Monday 1 Feb
      afterResolution: true,
    });
    // New York 09:00 is 14:00 UTC; London 17:00 is 17:00 UTC.
    expect(starts(result)).toEqual(['2027-02-02T14:00Z', '2027-02-02T16:00Z', '2027-02-03T14:00Z']);
    for (const p of result.proposals) {
      expect(p.end.getTime() - p.start.getTime()).toBe(60 * 60_000);
      expect(p.covered).toEqual(['UOWNER', 'UCMD']);
      expect(p.outside.map((o) => o.userId)).toEqual(['UTOKYO']);
    }
    expect(result.proposals[0]!.outside[0]!.label).toBe('UTOKYO 23:00 Asia/Tokyo');
  });

  it('Los Angeles + Berlin + Sydney: no common hour, so owner and commander in hours and Berlin told its time', () => {
    const result = proposeDebriefSlots({
      participants: [
        person('UBERLIN', 'Europe/Berlin'),
        person('ULA', 'America/Los_Angeles'),
        person('USYD', 'Australia/Sydney'),
      ],
      ownerId: 'ULA',
      commanderId: 'USYD',
      severity: 'sev2',
      resolvedAt: new Date('2027-02-02T18:00:00Z'), // Tuesday
      now: new Date('2027-02-02T18:00:00Z'),
    });
    expect(result.quality).toBe('owner_and_commander');
    expect(result.note).toMatch(/No slot is inside 09:00–17:00 for every required participant/);
    // LA 14:00 Wednesday is Sydney 09:00 Thursday; LA 16:00 is the last 60-minute start; then Thursday LA.
    expect(starts(result)).toEqual(['2027-02-03T22:00Z', '2027-02-04T00:00Z', '2027-02-04T22:00Z']);
    for (const p of result.proposals) {
      expect(p.covered).toEqual(['ULA', 'USYD']);
      expect(p.outside.map((o) => o.userId)).toEqual(['UBERLIN']);
    }
    expect(result.proposals.map((p) => p.outside[0]!.label)).toEqual([
      'UBERLIN 23:00 Europe/Berlin',
      'UBERLIN 01:00 Europe/Berlin',
      'UBERLIN 23:00 Europe/Berlin',
    ]);
  });

  it('Los Angeles owner + Sydney commander never meet on a Friday: Sydney is already in its weekend', () => {
    const result = proposeDebriefSlots({
      participants: [person('ULA', 'America/Los_Angeles'), person('USYD', 'Australia/Sydney')],
      ownerId: 'ULA',
      commanderId: 'USYD',
      severity: 'sev3',
      resolvedAt: new Date('2027-02-04T18:00:00Z'), // Thursday LA
      now: new Date('2027-02-04T18:00:00Z'),
      withinBusinessDays: 2, // Friday and Monday
    });
    // Friday LA afternoon is Saturday in Sydney: the first proposal is Monday LA 14:00.
    expect(starts(result)[0]).toBe('2027-02-08T22:00Z');
  });

  it('owner and commander with no common hours: the best for the two of them, and it says so', () => {
    const result = proposeDebriefSlots({
      participants: [person('UBERLIN', 'Europe/Berlin'), person('ULA', 'America/Los_Angeles'), person('UX', null)],
      ownerId: 'UBERLIN',
      commanderId: 'ULA',
      severity: 'sev1',
      resolvedAt: new Date('2027-02-02T18:00:00Z'),
      now: new Date('2027-02-02T18:00:00Z'),
    });
    expect(result.quality).toBe('owner_commander_apart');
    expect(result.note).toMatch(/no working hours in common/);
    // Berlin 16:00 (LA 07:00) and LA 09:00 (Berlin 18:00) are both two hours from the other's hours; the
    // first also keeps the UTC participant in hours, so it wins.
    expect(starts(result)).toEqual(['2027-02-03T15:00Z', '2027-02-04T15:00Z', '2027-02-05T15:00Z']);
    for (const p of result.proposals) {
      expect(p.covered).toEqual(['UBERLIN', 'UX']);
      expect(p.outside.map((o) => o.label)).toEqual(['ULA 07:00 America/Los_Angeles']);
    }
  });

  it('a resolution on Friday starts the window on Monday', () => {
    const result = proposeDebriefSlots({
      participants: [person('UOWNER', 'Europe/London'), person('UCMD', 'Europe/London')],
      ownerId: 'UOWNER',
      commanderId: 'UCMD',
      severity: 'sev1',
      resolvedAt: new Date('2027-02-05T15:00:00Z'), // Friday
      now: new Date('2027-02-05T15:10:00Z'),
    });
    expect(result.window.start).toEqual(new Date('2027-02-08T00:00:00Z'));
    expect(result.window.end).toEqual(new Date('2027-02-11T00:00:00Z')); // Monday–Wednesday: 3 business days
    expect(starts(result)).toEqual(['2027-02-08T09:00Z', '2027-02-08T11:00Z', '2027-02-08T13:00Z']);
  });

  it('counts the window in the owner zone: Friday evening in Los Angeles is already Saturday in UTC', () => {
    const result = proposeDebriefSlots({
      participants: [person('ULA', 'America/Los_Angeles')],
      ownerId: 'ULA',
      commanderId: null,
      severity: 'sev3',
      resolvedAt: new Date('2027-02-06T03:00:00Z'), // Friday 19:00 in Los Angeles
      now: new Date('2027-02-06T03:00:00Z'),
    });
    expect(result.window.start).toEqual(new Date('2027-02-08T08:00:00Z')); // Monday 00:00 PST
    expect(starts(result)[0]).toBe('2027-02-08T17:00Z'); // Monday 09:00 PST
  });

  it('when the window has passed, proposes in the next N business days from now', () => {
    const result = proposeDebriefSlots({
      participants: [person('UOWNER', null), person('UCMD', null)],
      ownerId: 'UOWNER',
      commanderId: 'UCMD',
      severity: 'sev1',
      resolvedAt: new Date('2027-02-01T12:00:00Z'), // window Tue 2 – Thu 4 Feb
      now: new Date('2027-02-10T10:07:00Z'), // Wednesday the week after
    });
    expect(result.window).toEqual({
      start: new Date('2027-02-10T10:07:00Z'),
      end: new Date('2027-02-16T00:00:00Z'), // Thu, Fri, Mon
      afterResolution: false,
    });
    expect(result.note).toMatch(/3 business days after resolution have passed/);
    expect(starts(result)).toEqual(['2027-02-10T10:15Z', '2027-02-10T12:15Z', '2027-02-10T14:15Z']);
  });

  it('a window whose remaining hours keep nobody in hours counts as passed', () => {
    const result = proposeDebriefSlots({
      participants: [person('UOWNER', null)],
      ownerId: 'UOWNER',
      commanderId: null,
      severity: 'sev1',
      resolvedAt: new Date('2027-02-01T12:00:00Z'), // window ends Thursday 4 Feb 24:00
      now: new Date('2027-02-04T16:30:00Z'),
    });
    expect(result.window.afterResolution).toBe(false);
    expect(starts(result)[0]).toBe('2027-02-05T09:00Z');
  });

  it('DST, US week: New York moves on 14 March 2027, London not until the 28th', () => {
    const result = proposeDebriefSlots({
      participants: [person('ULON', 'Europe/London'), person('UNY', 'America/New_York')],
      ownerId: 'ULON',
      commanderId: 'UNY',
      severity: 'sev2',
      minutes: 180,
      resolvedAt: new Date('2027-03-11T12:00:00Z'), // Thursday
      now: new Date('2027-03-11T12:00:00Z'),
    });
    // Friday 12 March New York is EST (09:00 = 14:00 UTC); from Monday 15 March EDT (09:00 = 13:00 UTC).
    expect(starts(result)).toEqual(['2027-03-12T14:00Z', '2027-03-15T13:00Z', '2027-03-16T13:00Z']);
    expect(result.quality).toBe('all_required');
  });

  it('DST, EU week: a Berlin owner moves on 28 March 2027, New York already did', () => {
    const result = proposeDebriefSlots({
      participants: [person('UBER', 'Europe/Berlin'), person('UNY', 'America/New_York')],
      ownerId: 'UBER',
      commanderId: 'UNY',
      severity: 'sev2',
      minutes: 120,
      resolvedAt: new Date('2027-03-25T12:00:00Z'), // Thursday
      now: new Date('2027-03-25T12:00:00Z'),
    });
    // Friday 26 March: Berlin CET ends 16:00 UTC, New York starts 13:00 UTC → 13:00 or 14:00 for two hours.
    // Monday 29 March: Berlin CEST ends 15:00 UTC → 13:00 only.
    expect(starts(result)).toEqual(['2027-03-26T13:00Z', '2027-03-29T13:00Z', '2027-03-30T13:00Z']);
    const berlinEnd = proposeDebriefSlots({
      participants: [person('UBER', 'Europe/Berlin')],
      ownerId: 'UBER',
      commanderId: null,
      severity: 'sev2',
      minutes: 60,
      resolvedAt: new Date('2027-03-26T12:00:00Z'), // Friday: the window starts Monday, after the change
      now: new Date('2027-03-26T12:00:00Z'),
      withinBusinessDays: 1,
    });
    // Monday CEST: 09:00–17:00 is 07:00–15:00 UTC.
    expect(starts(berlinEnd)).toEqual(['2027-03-29T07:00Z', '2027-03-29T09:00Z', '2027-03-29T11:00Z']);
    expect(berlinEnd.window.end).toEqual(new Date('2027-03-29T22:00:00Z'));
  });

  it('offers fewer than three rather than a slot without owner or commander', () => {
    const result = proposeDebriefSlots({
      participants: [person('UOWNER', null), person('UCMD', 'Asia/Kolkata')],
      ownerId: 'UOWNER',
      commanderId: 'UCMD',
      severity: 'sev3',
      minutes: 105,
      withinBusinessDays: 1,
      stepMinutes: 30,
      resolvedAt: new Date('2027-01-01T00:00:00Z'), // Friday: the window is Monday 4 January
      now: new Date('2027-01-01T00:00:00Z'),
    });
    // UTC 09:00–17:00 and Kolkata 09:00–17:00 (03:30–11:30 UTC) share 09:00–11:30: two 105-minute starts.
    expect(starts(result)).toEqual(['2027-01-04T09:00Z', '2027-01-04T09:30Z']);
  });

  it('weights required people above optional ones', () => {
    const result = proposeDebriefSlots({
      participants: [
        person('UOWNER', 'Europe/London'),
        person('UCMD', 'Europe/London'),
        person('UREQ', 'America/New_York'),
        person('UOPT1', 'Asia/Kolkata', false),
        person('UOPT2', 'Asia/Kolkata', false),
        person('USYD', 'Australia/Sydney'),
      ],
      ownerId: 'UOWNER',
      commanderId: 'UCMD',
      severity: 'sev2',
      resolvedAt: new Date('2027-02-01T12:00:00Z'),
      now: new Date('2027-02-01T12:00:00Z'),
    });
    // Sydney shares no hour with London: New York (required) beats the two from Kolkata (optional).
    expect(result.quality).toBe('owner_and_commander');
    expect(result.proposals[0]!.covered).toEqual(['UOWNER', 'UCMD', 'UREQ']);
    expect(result.proposals[0]!.outside.find((o) => o.userId === 'UOPT1')!.label).toBe('UOPT1 19:30 Asia/Kolkata');
  });

  it('adds owner and commander missing from the list (UTC) and takes 30-minute steps', () => {
    const result = proposeDebriefSlots({
      participants: [],
      ownerId: 'UOWNER',
      commanderId: 'UCMD',
      severity: 'sev3',
      stepMinutes: 30,
      resolvedAt: new Date('2027-02-01T12:00:00Z'),
      now: new Date('2027-02-02T09:10:00Z'),
    });
    expect(starts(result)[0]).toBe('2027-02-02T09:30Z');
    expect(result.proposals[0]!.covered).toEqual(['UOWNER', 'UCMD']);
  });

  it('handles 20 people in many zones over 20 business days at 15-minute steps', () => {
    const zones = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata'];
    const participants = Array.from({ length: 20 }, (_, i) => person(`U${i}`, zones[i % zones.length]!, i < 12));
    const result = proposeDebriefSlots({
      participants,
      ownerId: 'U2',
      commanderId: 'U3',
      severity: 'sev2',
      withinBusinessDays: 20,
      resolvedAt: new Date('2027-03-01T12:00:00Z'),
      now: new Date('2027-03-01T12:00:00Z'),
    });
    expect(result.proposals).toHaveLength(3);
    for (const p of result.proposals) expect(p.covered).toEqual(expect.arrayContaining(['U2', 'U3']));
  });

  it('refuses lengths no working day holds', () => {
    const input: SlotInput = {
      participants: [],
      ownerId: 'U',
      commanderId: null,
      severity: 'sev1',
      resolvedAt: new Date('2027-02-01T12:00:00Z'),
      now: new Date('2027-02-01T12:00:00Z'),
    };
    expect(() => proposeDebriefSlots({ ...input, minutes: 481 })).toThrow(RangeError);
    expect(() => proposeDebriefSlots({ ...input, withinBusinessDays: 0 })).toThrow(RangeError);
  });
});

describe('proposeDebriefSlots properties', () => {
  const ZONES = [
    null,
    'UTC',
    'Europe/London',
    'Europe/Berlin',
    'America/New_York',
    'America/Los_Angeles',
    'Australia/Sydney',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Pacific/Auckland',
  ];
  const zone = fc.constantFrom(...ZONES);
  const scenario = fc.record({
    ownerZone: zone,
    commanderZone: zone,
    others: fc.array(fc.record({ zone, required: fc.boolean() }), { maxLength: 6 }),
    // Across 2027, DST changes included.
    resolvedAt: fc.integer({ min: Date.UTC(2027, 0, 1), max: Date.UTC(2027, 11, 31) }),
    nowOffsetMinutes: fc.integer({ min: 0, max: 20 * 24 * 60 }),
    minutes: fc.integer({ min: 1, max: 16 }).map((q) => q * 15),
    within: fc.integer({ min: 1, max: 6 }),
    step: fc.constantFrom(15 as const, 30 as const),
  });

  it('proposals have the length, lie in the window, start on an owner weekday, and keep owner and commander in hours when any slot does', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const participants = [
          person('UOWNER', s.ownerZone),
          person('UCMD', s.commanderZone),
          ...s.others.map((o, i) => person(`U${i}`, o.zone, o.required)),
        ];
        const now = new Date(s.resolvedAt + s.nowOffsetMinutes * 60_000);
        const result = proposeDebriefSlots({
          participants,
          ownerId: 'UOWNER',
          commanderId: 'UCMD',
          severity: 'sev2',
          minutes: s.minutes,
          withinBusinessDays: s.within,
          stepMinutes: s.step,
          resolvedAt: new Date(s.resolvedAt),
          now,
        });
        const { start: windowStart, end: windowEnd } = result.window;
        expect(windowStart.getTime()).toBeGreaterThanOrEqual(now.getTime());
        expect(result.proposals.length).toBeGreaterThanOrEqual(1);
        expect(result.proposals.length).toBeLessThanOrEqual(3);
        for (const p of result.proposals) {
          expect(p.end.getTime() - p.start.getTime()).toBe(s.minutes * 60_000);
          expect(p.start.getTime()).toBeGreaterThanOrEqual(windowStart.getTime());
          expect(p.end.getTime()).toBeLessThanOrEqual(windowEnd.getTime());
          const ownerLocal = Temporal.Instant.fromEpochMilliseconds(p.start.getTime()).toZonedDateTimeISO(
            s.ownerZone ?? 'UTC',
          );
          expect(ownerLocal.dayOfWeek).toBeLessThanOrEqual(5);
          // Covered exactly when the slot is inside that person's weekday 09:00–17:00, told independently.
          const expected = new Map<string, boolean>();
          for (const x of participants) expected.set(x.userId, inHours(p.start, p.end, x.timeZone));
          expect(p.covered).toEqual(participants.map((x) => x.userId).filter((id) => expected.get(id)));
          expect(p.outside.map((o) => o.userId)).toEqual(
            participants.map((x) => x.userId).filter((id) => !expected.get(id)),
          );
        }
        // Oracle: owner's and commander's 09:00–17:00 on their weekdays, straight from Temporal; both fit when an
        // aligned start of the requested length lies in the window and in one interval of each.
        const stepMs = s.step * 60_000;
        const lengthMs = s.minutes * 60_000;
        const ownerHours = workingHours(s.ownerZone, windowStart, windowEnd);
        const commanderHours = workingHours(s.commanderZone, windowStart, windowEnd);
        const bothFit = ownerHours.some(([o0, o1]) =>
          commanderHours.some(([c0, c1]) => {
            const first = Math.ceil(Math.max(windowStart.getTime(), o0, c0) / stepMs) * stepMs;
            return first + lengthMs <= Math.min(windowEnd.getTime(), o1, c1);
          }),
        );
        if (bothFit) {
          for (const p of result.proposals) expect(p.covered).toEqual(expect.arrayContaining(['UOWNER', 'UCMD']));
        } else {
          expect(result.quality).toBe('owner_commander_apart');
        }
      }),
      { numRuns: 100 },
    );
  });
});
