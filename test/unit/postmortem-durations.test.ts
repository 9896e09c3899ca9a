import fc from 'fast-check';
import { formatDuration, incidentFacts, milestoneOrderProblems, utcMinute } from '../../src/domain/durations';

const t = (iso: string) => new Date(iso);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('formatDuration', () => {
  test.each([
    [0, '0m'],
    [30_000, '<1m'],
    [59_999, '<1m'],
    [MIN, '1m'],
    [45 * MIN, '45m'],
    [45 * MIN + 59_999, '45m'], // whole minutes, rounded down
    [3 * HOUR, '3h'],
    [3 * HOUR + 12 * MIN, '3h 12m'],
    [DAY, '1d'],
    [2 * DAY + 4 * HOUR + 5 * MIN, '2d 4h 5m'],
    [2 * DAY + 5 * MIN, '2d 5m'],
    [2 * DAY + 4 * HOUR, '2d 4h'],
    [-20 * MIN, '-20m'],
    [Number.NaN, 'unknown'],
  ])('%d ms → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  test('reads back to the whole minutes it was given', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 * 24 * 60 }), (minutes) => {
        const text = formatDuration(minutes * MIN + 59_000);
        const parsed = [...text.matchAll(/(\d+)([dhm])/g)].reduce(
          (sum, [, n, unit]) => sum + Number(n) * { d: 1440, h: 60, m: 1 }[unit as 'd' | 'h' | 'm'],
          0,
        );
        expect(parsed).toBe(minutes);
        expect(text).toMatch(/^(\d+d)?( ?\d+h)?( ?\d+m)?$/);
      }),
    );
  });
});

describe('utcMinute', () => {
  test('writes the instant in UTC to the minute', () => {
    expect(utcMinute(t('2026-11-20T09:05:59.999Z'))).toBe('2026-11-20 09:05');
    expect(utcMinute(t('2026-11-20T10:05:00+01:00'))).toBe('2026-11-20 09:05');
    expect(utcMinute(new Date(Number.NaN))).toBe('invalid time');
  });
});

describe('incidentFacts', () => {
  const declaredAt = t('2026-11-20T09:20:00Z');
  const milestones = {
    started: t('2026-11-20T09:00:00Z'),
    detected: t('2026-11-20T09:12:00Z'),
    acknowledged: t('2026-11-20T09:15:00Z'),
    mitigated: t('2026-11-20T09:45:00Z'),
    resolved: t('2026-11-20T12:12:00Z'),
  };

  test('Impact is started → mitigated; Response the earlier of detected and declared → resolved', () => {
    const facts = incidentFacts({ milestones, declaredAt });
    expect(facts.impact.durationMs).toBe(45 * MIN);
    expect(facts.impactEndedAt).toBe('mitigated');
    expect(facts.responseMs).toBe(3 * HOUR); // from detected 09:12, before the declaration
    expect(facts.ttdMs).toBe(12 * MIN);
    expect(facts.ttaMs).toBe(3 * MIN);
    expect(facts.ttmMs).toBe(45 * MIN);
    expect(facts.ttrMs).toBe(3 * HOUR + 12 * MIN);
    expect(facts.impactStartUnknown).toBe(false);
    expect(facts.outOfOrder).toEqual([]);
  });

  test('Response starts at the declaration when it came before detected', () => {
    const facts = incidentFacts({ milestones, declaredAt: t('2026-11-20T09:05:00Z') });
    expect(facts.responseMs).toBe(3 * HOUR + 7 * MIN);
  });

  test('Impact ends at resolved when there is no mitigated', () => {
    const { mitigated: _, ...rest } = milestones;
    const facts = incidentFacts({ milestones: rest, declaredAt });
    expect(facts.impact.durationMs).toBe(3 * HOUR + 12 * MIN);
    expect(facts.impactEndedAt).toBe('resolved');
    expect(facts.ttmMs).toBeNull();
  });

  test('without started: impact start unknown, and nothing falls back to another time', () => {
    const { started: _, ...rest } = milestones;
    const facts = incidentFacts({ milestones: rest, declaredAt });
    expect(facts.impactStartUnknown).toBe(true);
    expect(facts.impact.durationMs).toBeNull();
    expect(facts.ttdMs).toBeNull();
    expect(facts.ttmMs).toBeNull();
    expect(facts.ttrMs).toBeNull();
    expect(facts.ttaMs).toBe(3 * MIN); // detected → acknowledged does not need started
    expect(facts.responseMs).toBe(3 * HOUR);
  });

  test('each of TTD/TTA/TTM/TTR only where both milestones exist', () => {
    const facts = incidentFacts({ milestones: { started: milestones.started }, declaredAt });
    expect([facts.ttdMs, facts.ttaMs, facts.ttmMs, facts.ttrMs, facts.responseMs]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(facts.impact.durationMs).toBeNull(); // still going
  });

  test('an incident crossing midnight and one spanning several days', () => {
    const midnight = incidentFacts({
      milestones: { started: t('2026-11-20T23:40:00Z'), resolved: t('2026-11-21T00:25:00Z') },
      declaredAt: t('2026-11-20T23:50:00Z'),
    });
    expect(formatDuration(midnight.impact.durationMs!)).toBe('45m');
    expect(formatDuration(midnight.responseMs!)).toBe('35m');
    const days = incidentFacts({
      milestones: { started: t('2026-11-20T22:00:00Z'), mitigated: t('2026-11-23T02:05:00Z') },
      declaredAt,
    });
    expect(formatDuration(days.impact.durationMs!)).toBe('2d 4h 5m');
  });

  test("a reopened incident's later impact windows follow the first", () => {
    const facts = incidentFacts({
      milestones,
      declaredAt,
      laterImpactWindows: [
        { started: t('2026-11-21T08:00:00Z'), ended: t('2026-11-21T08:30:00Z') },
        { started: t('2026-11-22T08:00:00Z'), ended: null },
      ],
    });
    expect(facts.impact.durationMs).toBe(45 * MIN);
    expect(facts.laterImpactWindows.map((w) => w.durationMs)).toEqual([30 * MIN, null]);
  });

  test('milestones out of order are kept as they are and listed', () => {
    const facts = incidentFacts({
      milestones: { ...milestones, mitigated: t('2026-11-20T09:10:00Z') },
      declaredAt,
    });
    expect(facts.ttmMs).toBe(10 * MIN);
    expect(facts.outOfOrder.map((p) => [p.earlier, p.later])).toEqual([
      ['detected', 'mitigated'],
      ['acknowledged', 'mitigated'],
    ]);
    expect(facts.outOfOrder[0]!.message).toBe(
      'mitigated (2026-11-20 09:10 UTC) is before detected (2026-11-20 09:12 UTC)',
    );
  });

  test('every pair out of order is found, and none when in order', () => {
    expect(
      milestoneOrderProblems({ started: t('2026-11-20T10:00:00Z'), resolved: t('2026-11-20T09:00:00Z') }),
    ).toHaveLength(1);
    expect(milestoneOrderProblems({})).toEqual([]);
    // Equal times are not out of order (a milestone set twice to the same minute).
    expect(milestoneOrderProblems({ started: t('2026-11-20T10:00:00Z'), detected: t('2026-11-20T10:00:00Z') })).toEqual(
      [],
    );
  });
});
