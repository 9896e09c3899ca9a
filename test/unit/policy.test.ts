import fc from 'fast-check';
import {
  addBusinessDays,
  addBusinessDaysToInstant,
  businessDaysAfter,
  businessDaysBetween,
  dateInZone,
  isBusinessDay,
} from '../../src/domain/business-days';
import {
  DEFAULT_POSTMORTEM_POLICY,
  type PostmortemParties,
  peakSeverity,
  postmortemDueDate,
  postmortemPermission,
  postmortemPolicy,
  severityLabel,
  waiveAllowed,
} from '../../src/domain/policy';
import { SEVERITIES } from '../../src/domain/types';
import { guest, member } from '../support/fixtures';

describe('business days', () => {
  // 2026-11-16 is a Monday.
  test.each([
    ['2026-11-16', 1, '2026-11-17'], // Mon + 1 → Tue
    ['2026-11-20', 1, '2026-11-23'], // Fri + 1 → Mon
    ['2026-11-16', 5, '2026-11-23'], // Mon + 5 → next Mon
    ['2026-11-20', 5, '2026-11-27'], // Fri + 5 → next Fri
    ['2026-11-21', 5, '2026-11-27'], // Sat + 5 → Mon…Fri: that Friday
    ['2026-11-22', 5, '2026-11-27'], // Sun + 5 → Friday
    ['2026-11-21', 1, '2026-11-23'], // Sat + 1 → Mon
    ['2026-11-21', 6, '2026-11-30'], // Sat + 6 → Monday after
    ['2026-11-18', 10, '2026-12-02'], // Wed + 10 → Wed two weeks on
    ['2026-11-21', 10, '2026-12-04'], // Sat + 10 → Friday of the second week
    ['2026-11-16', 0, '2026-11-16'],
    ['2026-12-31', 1, '2027-01-01'], // across a year
  ])('%s + %i business days = %s', (from, count, expected) => {
    expect(addBusinessDays(from, count)).toBe(expected);
  });

  test('agrees with counting weekdays one by one', () => {
    const naive = (from: string, count: number) => {
      const d = new Date(`${from}T00:00:00Z`);
      let left = count;
      while (left > 0) {
        d.setUTCDate(d.getUTCDate() + 1);
        if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) left -= 1;
      }
      return d.toISOString().slice(0, 10);
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 40 }), (offset, count) => {
        const from = new Date(Date.UTC(2024, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
        expect(addBusinessDays(from, count)).toBe(naive(from, count));
      }),
    );
  });

  test('refuses a negative or fractional count', () => {
    expect(() => addBusinessDays('2026-11-16', -1)).toThrow(RangeError);
    expect(() => addBusinessDays('2026-11-16', 1.5)).toThrow(RangeError);
  });

  test('weekdays are business days', () => {
    expect(isBusinessDay('2026-11-20')).toBe(true);
    expect(isBusinessDay('2026-11-21')).toBe(false);
    expect(isBusinessDay('2026-11-22')).toBe(false);
  });

  test('the date depends on the zone: Friday evening in Los Angeles is Saturday in UTC', () => {
    const at = new Date('2026-11-21T03:00:00Z'); // Fri 19:00 PST
    expect(dateInZone(at, 'America/Los_Angeles')).toBe('2026-11-20');
    expect(dateInZone(at, 'UTC')).toBe('2026-11-21');
    expect(dateInZone(at, null)).toBe('2026-11-21');
    expect(dateInZone(at, 'Not/AZone')).toBe('2026-11-21');
    expect(businessDaysAfter(at, 1, 'America/Los_Angeles')).toBe('2026-11-23'); // from Friday
    expect(businessDaysAfter(at, 5, 'America/Los_Angeles')).toBe('2026-11-27');
    expect(businessDaysAfter(at, 5, 'Asia/Tokyo')).toBe('2026-11-27'); // Saturday 12:00 there
    expect(businessDaysAfter(at, 1, 'Asia/Tokyo')).toBe('2026-11-23');
  });

  test('an instant plus business days keeps the wall-clock time in the zone, across daylight saving', () => {
    // Fri 2026-10-23 15:00 in Berlin (CEST, +02:00); Monday 10-26 is after the switch to CET (+01:00).
    const friday = new Date('2026-10-23T13:00:00Z');
    expect(addBusinessDaysToInstant(friday, 1, 'Europe/Berlin').toISOString()).toBe('2026-10-26T14:00:00.000Z');
    expect(addBusinessDaysToInstant(friday, 1, 'UTC').toISOString()).toBe('2026-10-26T13:00:00.000Z');
    // Cairo starts summer time on the last Friday of April at 00:00: Friday 2027-04-30 00:30 does not exist,
    // so Thursday 00:30 plus one business day moves forward by the gap, to 01:30 EEST (+03:00).
    const thursday = new Date('2027-04-28T22:30:00Z'); // Thu 00:30 EET (+02:00)
    expect(addBusinessDaysToInstant(thursday, 1, 'Africa/Cairo').toISOString()).toBe('2027-04-29T22:30:00.000Z');
  });

  test('counts business days that have ended between two instants', () => {
    const friday = new Date('2026-11-20T15:00:00Z');
    expect(businessDaysBetween(friday, new Date('2026-11-21T15:00:00Z'), 'UTC')).toBe(0); // Saturday
    expect(businessDaysBetween(friday, new Date('2026-11-23T09:00:00Z'), 'UTC')).toBe(1); // Monday
    expect(businessDaysBetween(friday, new Date('2026-12-04T09:00:00Z'), 'UTC')).toBe(10);
    expect(businessDaysBetween(friday, friday, 'UTC')).toBe(0);
    expect(businessDaysBetween(friday, new Date('2026-11-19T09:00:00Z'), 'UTC')).toBe(0);
  });
});

describe('postmortem policy by peak severity', () => {
  test('sev1 and sev2 require a postmortem within 5 business days, reminded until done', () => {
    for (const severity of ['sev1', 'sev2'] as const) {
      expect(postmortemPolicy({ peakSeverity: severity, reopened: false })).toEqual({
        required: true,
        dueBusinessDays: 5,
        maxReminders: null,
        reason: `required for ${severity} (peak severity)`,
      });
    }
  });

  test('sev3 and sev4 get an optional draft within 10 business days, reminded once', () => {
    for (const severity of ['sev3', 'sev4'] as const) {
      const policy = postmortemPolicy({ peakSeverity: severity, reopened: false });
      expect(policy).toMatchObject({ required: false, dueBusinessDays: 10, maxReminders: 1 });
    }
  });

  test('a reopened incident requires one whatever its severity', () => {
    for (const severity of SEVERITIES) {
      expect(postmortemPolicy({ peakSeverity: severity, reopened: true })).toMatchObject({
        required: true,
        dueBusinessDays: 5,
        maxReminders: null,
      });
    }
    expect(postmortemPolicy({ peakSeverity: 'sev4', reopened: true }).reason).toMatch(/reopened/);
  });

  test('the peak is the most severe severity the incident had', () => {
    expect(peakSeverity('sev3')).toBe('sev3');
    expect(peakSeverity('sev3', ['sev1', 'sev4'])).toBe('sev1');
    expect(peakSeverity('sev2', ['sev3', 'sev4'])).toBe('sev2');
  });

  test('the due date counts business days from the resolution day in the zone', () => {
    const resolvedAt = new Date('2026-11-20T22:00:00Z'); // Friday in UTC, Saturday in Tokyo
    expect(postmortemDueDate({ peakSeverity: 'sev1', reopened: false, resolvedAt, timeZone: 'UTC' })).toBe(
      '2026-11-27',
    );
    expect(postmortemDueDate({ peakSeverity: 'sev3', reopened: false, resolvedAt, timeZone: 'UTC' })).toBe(
      '2026-12-04',
    );
    expect(postmortemDueDate({ peakSeverity: 'sev3', reopened: true, resolvedAt, timeZone: 'UTC' })).toBe('2026-11-27');
  });

  test('the policy is configurable in code', () => {
    const config = { ...DEFAULT_POSTMORTEM_POLICY, requiredSeverities: ['sev1', 'sev2', 'sev3'] as const };
    expect(postmortemPolicy({ peakSeverity: 'sev3', reopened: false }, config).required).toBe(true);
    expect(waiveAllowed({ peakSeverity: 'sev3', reopened: false }, config).allowed).toBe(false);
  });

  test('the metadata label shows the declared severity only when it differs from the peak', () => {
    expect(severityLabel('sev1', 'sev3')).toBe('sev1 (peak; declared sev3)');
    expect(severityLabel('sev2', 'sev2')).toBe('sev2');
  });
});

describe('waive', () => {
  test('is allowed for a sev3–4 peak only', () => {
    expect(waiveAllowed({ peakSeverity: 'sev3', reopened: false })).toEqual({ allowed: true });
    expect(waiveAllowed({ peakSeverity: 'sev4', reopened: false })).toEqual({ allowed: true });
    for (const severity of ['sev1', 'sev2'] as const) {
      const answer = waiveAllowed({ peakSeverity: severity, reopened: false });
      expect(answer.allowed).toBe(false);
      if (!answer.allowed) expect(answer.reason).toContain('peak severity');
    }
  });

  test('is refused for a reopened incident, which requires a postmortem', () => {
    const answer = waiveAllowed({ peakSeverity: 'sev4', reopened: true });
    expect(answer.allowed).toBe(false);
    if (!answer.allowed) expect(answer.reason).toMatch(/reopened/);
  });
});

describe('who may do what to a postmortem', () => {
  const base: PostmortemParties = {
    actor: member('UANY'),
    isChannelMember: true,
    commanderId: 'UCMD',
    ownerId: 'UOWN',
  };
  const allowed = (action: Parameters<typeof postmortemPermission>[0], parties: Partial<PostmortemParties>) =>
    postmortemPermission(action, { ...base, ...parties }).allowed;

  test('edit, action, review and debrief: any channel member who is not a guest', () => {
    for (const action of ['edit', 'action', 'review', 'debrief'] as const) {
      expect(allowed(action, {})).toBe(true);
      expect(allowed(action, { isChannelMember: false })).toBe(false);
      expect(allowed(action, { actor: guest('UANY') })).toBe(false);
    }
  });

  test('assign: the commander or the current owner', () => {
    expect(allowed('assign', { actor: member('UCMD') })).toBe(true);
    expect(allowed('assign', { actor: member('UOWN') })).toBe(true);
    expect(allowed('assign', {})).toBe(false);
    expect(allowed('assign', { commanderId: null, ownerId: null })).toBe(true);
  });

  test('publish: the owner or the commander; waive: the commander', () => {
    expect(allowed('publish', { actor: member('UOWN') })).toBe(true);
    expect(allowed('publish', { actor: member('UCMD') })).toBe(true);
    expect(allowed('publish', {})).toBe(false);
    expect(allowed('waive', { actor: member('UCMD') })).toBe(true);
    expect(allowed('waive', { actor: member('UOWN') })).toBe(false);
    expect(allowed('waive', { actor: guest('UCMD') })).toBe(false);
  });

  test('approve: anyone but the owner', () => {
    expect(allowed('approve', { actor: member('UOWN') })).toBe(false);
    expect(allowed('approve', { actor: member('UREV'), isChannelMember: false, reviewerIds: ['UREV'] })).toBe(true);
    expect(allowed('approve', { isChannelMember: false })).toBe(false);
  });

  test("action-item buttons: the item's owner, its creator or the postmortem owner; cancel: the owner or commander", () => {
    const item = { ownerId: 'UITEM', createdBy: 'UMAKER' };
    expect(allowed('item_update', { actor: member('UITEM'), item })).toBe(true);
    expect(allowed('item_update', { actor: member('UMAKER'), item })).toBe(true);
    expect(allowed('item_update', { actor: member('UOWN'), item })).toBe(true);
    expect(allowed('item_update', { actor: member('UCMD'), item })).toBe(false);
    expect(allowed('item_cancel', { actor: member('UCMD') })).toBe(true);
    expect(allowed('item_cancel', { actor: member('UOWN') })).toBe(true);
    expect(allowed('item_cancel', { actor: member('UITEM'), item })).toBe(false);
  });
});
