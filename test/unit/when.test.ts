import { Temporal } from '@js-temporal/polyfill';
import fc from 'fast-check';
import {
  CLOCK_SKEW_MS,
  formatEcho,
  formatUtc,
  type LeadingWhen,
  MAX_AGO_DAYS,
  MAX_AHEAD_DAYS,
  parseLeadingWhen,
  parseWhen,
  resolveZone,
  type WhenContext,
  type WhenDirection,
} from '../../src/domain/when';

const LA = 'America/Los_Angeles';
const BERLIN = 'Europe/Berlin';
const KOLKATA = 'Asia/Kolkata';
/** Friday 2026-11-20, 12:00 in Los Angeles (PST, UTC−8). */
const NOW = '2026-11-20T20:00:00Z';
const SUMMER_NOW = '2026-07-10T20:00:00Z';

function ctx(now: string, timeZone: string | null | undefined, direction: WhenDirection = 'past'): WhenContext {
  return { now: new Date(now), timeZone, direction };
}

function leading(text: string, now = NOW, timeZone: string | null | undefined = LA, direction: WhenDirection = 'past') {
  return parseLeadingWhen(text, ctx(now, timeZone, direction));
}

/** The instant a text names, as ISO; fails the test with the refusal message otherwise. */
function iso(text: string, now = NOW, timeZone: string | null | undefined = LA, direction: WhenDirection = 'past') {
  const result = leading(text, now, timeZone, direction);
  if (!result.ok) throw new Error(`refused ${JSON.stringify(text)}: ${result.message}`);
  if (result.at === null) throw new Error(`no time in ${JSON.stringify(text)}`);
  return result.at.toISOString();
}

function future(text: string, now = NOW, timeZone: string | null | undefined = LA) {
  return iso(text, now, timeZone, 'future');
}

function refusal(text: string, now = NOW, timeZone: string | null | undefined = LA, direction: WhenDirection = 'past') {
  const result = leading(text, now, timeZone, direction);
  if (result.ok) throw new Error(`accepted ${JSON.stringify(text)}: ${JSON.stringify(result)}`);
  return result.message;
}

function plainText(result: LeadingWhen) {
  expect(result.ok).toBe(true);
  if (result.ok) expect(result.at).toBeNull();
  return result;
}

describe('ISO-8601 with a zone', () => {
  it.each([
    ['2026-11-20T14:05:00Z', '2026-11-20T14:05:00.000Z'],
    ['2026-11-20T15:05+01:00', '2026-11-20T14:05:00.000Z'],
    ['2026-11-20T14:05Z', '2026-11-20T14:05:00.000Z'],
    ['2026-11-20t14:05z', '2026-11-20T14:05:00.000Z'],
    ['2026-11-20T14:05:07.123Z', '2026-11-20T14:05:07.123Z'],
    ['2026-11-20T14:05:07.123456789Z', '2026-11-20T14:05:07.123Z'],
    ['2026-11-20T19:35+05:30', '2026-11-20T14:05:00.000Z'],
    ['2026-11-20T06:05-0800', '2026-11-20T14:05:00.000Z'],
    ['2026-11-20T16:05+02', '2026-11-20T14:05:00.000Z'],
  ])('%s → %s whatever the caller zone', (text, expected) => {
    expect(iso(text)).toBe(expected);
    expect(iso(text, NOW, KOLKATA)).toBe(expected);
    expect(iso(text, NOW, null)).toBe(expected);
  });

  it('keeps the text after the time', () => {
    expect(leading('2026-11-20T14:05Z  deploy started ')).toEqual({
      ok: true,
      at: new Date('2026-11-20T14:05:00Z'),
      rest: 'deploy started',
      matched: '2026-11-20T14:05Z',
    });
  });

  it('reads an ISO time without an offset in the caller zone, or in UTC when followed by UTC', () => {
    expect(iso('2026-11-20T09:05')).toBe('2026-11-20T17:05:00.000Z');
    expect(iso('2026-11-20T09:05 UTC')).toBe('2026-11-20T09:05:00.000Z');
  });

  it('refuses an offset out of range and an impossible time', () => {
    expect(refusal('2026-11-20T14:05+25:00 x')).toContain('is not a time Debrief understands');
    expect(refusal('2026-11-20T25:00Z x')).toContain('not a valid time');
    expect(refusal('2026-11-20Tlater x')).toContain('is not a time Debrief understands');
  });
});

describe('HH:MM in the caller zone, looking back', () => {
  it('is today in Los Angeles in winter (PST)', () => {
    expect(iso('09:05')).toBe('2026-11-20T17:05:00.000Z');
  });

  it('is today in Los Angeles in summer (PDT)', () => {
    expect(iso('09:05', SUMMER_NOW)).toBe('2026-07-10T16:05:00.000Z');
  });

  it('takes seconds', () => {
    expect(iso('09:05:30')).toBe('2026-11-20T17:05:30.000Z');
  });

  it('accepts a one-digit hour', () => {
    expect(iso('9:05')).toBe('2026-11-20T17:05:00.000Z');
  });

  it('rolls back to yesterday when today would be in the future', () => {
    // 12:00 local now: 13:00 today is an hour ahead, so it means yesterday 13:00.
    expect(iso('13:00')).toBe('2026-11-19T21:00:00.000Z');
    expect(iso('23:59')).toBe('2026-11-20T07:59:00.000Z');
  });

  it('takes up to 5 minutes ahead as clock skew, i.e. now', () => {
    expect(iso('12:04')).toBe(new Date(NOW).toISOString());
    expect(iso('12:05')).toBe(new Date(NOW).toISOString());
    expect(iso('12:06')).toBe('2026-11-19T20:06:00.000Z');
    expect(iso('12:00')).toBe(new Date(NOW).toISOString());
  });

  it('uses Europe/Berlin (CET in winter, CEST in summer)', () => {
    expect(iso('09:05', NOW, BERLIN)).toBe('2026-11-20T08:05:00.000Z');
    expect(iso('09:05', SUMMER_NOW, BERLIN)).toBe('2026-07-10T07:05:00.000Z');
  });

  it('uses Asia/Kolkata (+05:30), whose date is already tomorrow', () => {
    // Now is 2026-11-21 01:30 in Kolkata: 09:05 today would be ahead, so it is 2026-11-20 09:05 IST.
    expect(iso('09:05', NOW, KOLKATA)).toBe('2026-11-20T03:35:00.000Z');
    expect(iso('01:00', NOW, KOLKATA)).toBe('2026-11-20T19:30:00.000Z');
  });

  it.each([[undefined], [null], [''], ['Mars/Olympus_Mons']])('treats zone %p as UTC', (zone) => {
    const read = (text: string) => parseLeadingWhen(text, { now: new Date(NOW), timeZone: zone, direction: 'past' });
    expect(read('09:05')).toMatchObject({ ok: true, at: new Date('2026-11-20T09:05:00Z') });
    expect(read('21:00')).toMatchObject({ ok: true, at: new Date('2026-11-19T21:00:00Z') });
    expect(parseLeadingWhen('09:05', { now: new Date(NOW), direction: 'past' })).toMatchObject({
      at: new Date('2026-11-20T09:05:00Z'),
    });
  });

  it('handles a DST gap day: 02:30 does not exist and moves forward by an hour', () => {
    expect(iso('02:30', '2026-03-08T20:00:00Z')).toBe('2026-03-08T10:30:00.000Z');
  });

  it('handles a DST overlap day: 01:30 happens twice and takes the earlier (PDT)', () => {
    expect(iso('01:30', '2026-11-01T20:00:00Z')).toBe('2026-11-01T08:30:00.000Z');
  });
});

describe('UTC clock times', () => {
  it.each([
    ['14:05 UTC', '2026-11-20T14:05:00.000Z'],
    ['14:05 utc', '2026-11-20T14:05:00.000Z'],
    ['14:05Z', '2026-11-20T14:05:00.000Z'],
    ['14:05z', '2026-11-20T14:05:00.000Z'],
    ['14:05:30 UTC', '2026-11-20T14:05:30.000Z'],
    ['21:00 UTC', '2026-11-19T21:00:00.000Z'],
  ])('%s → %s for a Los Angeles user', (text, expected) => {
    expect(iso(text)).toBe(expected);
  });

  it('rolls back by the UTC day, not the local one', () => {
    // Kolkata is already on 2026-11-21, but 19:00 UTC today (2026-11-20) is in the past.
    expect(iso('19:00 UTC', NOW, KOLKATA)).toBe('2026-11-20T19:00:00.000Z');
  });
});

describe('YYYY-MM-DD HH:MM', () => {
  it('is the caller zone', () => {
    expect(iso('2026-11-19 09:05')).toBe('2026-11-19T17:05:00.000Z');
    expect(iso('2026-11-19 09:05', NOW, BERLIN)).toBe('2026-11-19T08:05:00.000Z');
    expect(iso('2026-11-19 09:05', NOW, KOLKATA)).toBe('2026-11-19T03:35:00.000Z');
    expect(iso('2026-11-19 09:05:10', NOW, null)).toBe('2026-11-19T09:05:10.000Z');
  });

  it('is UTC with UTC or Z', () => {
    expect(iso('2026-11-19 09:05 UTC')).toBe('2026-11-19T09:05:00.000Z');
    expect(iso('2026-11-19 09:05Z')).toBe('2026-11-19T09:05:00.000Z');
  });

  it('accepts unpadded month and day', () => {
    expect(iso('2026-1-5 09:05 UTC')).toBe('2026-01-05T09:05:00.000Z');
  });

  it('follows the compatible rule in a DST gap (forward) and overlap (earlier offset)', () => {
    expect(iso('2026-03-08 02:30', '2026-03-09T00:00:00Z')).toBe('2026-03-08T10:30:00.000Z');
    expect(iso('2026-11-01 01:30')).toBe('2026-11-01T08:30:00.000Z');
    expect(iso('2026-03-29 02:30', NOW, BERLIN)).toBe('2026-03-29T01:30:00.000Z');
    expect(iso('2026-10-25 02:30', NOW, BERLIN)).toBe('2026-10-25T00:30:00.000Z');
  });

  it('refuses a date without a time looking back', () => {
    expect(refusal('2026-11-19 outage began')).toMatch(/needs a time of day.*`2026-11-19 09:05`/);
  });
});

describe('day words with a clock time', () => {
  it('pins yesterday, today and tomorrow', () => {
    expect(iso('yesterday 09:05 deploy')).toBe('2026-11-19T17:05:00.000Z');
    expect(iso('Today 09:05')).toBe('2026-11-20T17:05:00.000Z');
    expect(iso('yesterday 23:00 UTC')).toBe('2026-11-19T23:00:00.000Z');
    expect(future('tomorrow 10:00')).toBe('2026-11-21T18:00:00.000Z');
  });

  it('leaves a day word without a time as text when looking back', () => {
    expect(plainText(leading('yesterday we deployed'))).toMatchObject({ rest: 'yesterday we deployed' });
  });

  it('refuses today at a time that is ahead', () => {
    expect(refusal('today 15:00')).toContain('in the future');
  });
});

describe('am/pm', () => {
  const night = '2026-11-21T07:00:00Z'; // 23:00 on 2026-11-20 in Los Angeles
  it.each([
    ['9:05pm', '2026-11-21T05:05:00.000Z'],
    ['9:05 PM', '2026-11-21T05:05:00.000Z'],
    ['09:05pm', '2026-11-21T05:05:00.000Z'],
    ['9pm', '2026-11-21T05:00:00.000Z'],
    ['9 pm', '2026-11-21T05:00:00.000Z'],
    ['12:30am', '2026-11-20T08:30:00.000Z'],
    ['12pm', '2026-11-20T20:00:00.000Z'],
    ['9:05am', '2026-11-20T17:05:00.000Z'],
    ['9:05pm UTC', '2026-11-20T21:05:00.000Z'],
  ])('%s → %s', (text, expected) => {
    expect(iso(text, night)).toBe(expected);
  });

  it.each(['13:05pm', '0am', '00:30am', '13pm'])('refuses %s (12-hour hours run 1–12)', (text) => {
    expect(refusal(`${text} paged oncall`)).toContain('hours 1–12 with am/pm');
  });

  it('keeps the text after the meridiem', () => {
    expect(leading('9:05 pm paged oncall', night)).toMatchObject({ rest: 'paged oncall', matched: '9:05 pm' });
  });
});

describe('relative: ago', () => {
  const now = new Date(NOW).getTime();
  it.each([
    ['10m ago', 10 * 60_000],
    ['2h ago', 2 * 3_600_000],
    ['90s ago', 90_000],
    ['1d ago', 86_400_000],
    ['1w ago', 7 * 86_400_000],
    ['5 min ago', 5 * 60_000],
    ['2 hours ago', 2 * 3_600_000],
    ['1 hour 30 minutes ago', 90 * 60_000],
    ['1h30m ago', 90 * 60_000],
    ['1h 30m ago', 90 * 60_000],
    ['an hour ago', 3_600_000],
    ['a minute ago', 60_000],
    ['10M AGO', 10 * 60_000],
    ['0m ago', 0],
    ['365d ago', 365 * 86_400_000],
  ])('%s', (text, millis) => {
    expect(iso(`${text} paged oncall`)).toBe(new Date(now - millis).toISOString());
  });

  it('is exact across a DST change (2h ago is 7200 s ago)', () => {
    expect(iso('2h ago', '2026-11-01T10:30:00Z')).toBe('2026-11-01T08:30:00.000Z');
  });

  it.each(['99999d ago', '366d ago', '53w ago', '999999999999999999999999h ago'])('caps %s', (text) => {
    expect(refusal(`${text} something`)).toContain('too far back');
  });

  it('needs the word ago; otherwise the number is text', () => {
    plainText(leading('10m users affected'));
    plainText(leading('2 hours later the db recovered'));
    plainText(leading('5 months ago we had the same thing'));
  });

  it('refuses ago glued to punctuation rather than storing it as text', () => {
    expect(refusal('10m ago: rolled back')).toContain('is not a time Debrief understands');
  });
});

describe('longest leading match', () => {
  it('takes the full date, time and UTC', () => {
    expect(leading('2026-11-20 09:05 UTC rolled back deploy')).toEqual({
      ok: true,
      at: new Date('2026-11-20T09:05:00Z'),
      rest: 'rolled back deploy',
      matched: '2026-11-20 09:05 UTC',
    });
  });

  it('reads a bare clock time as local', () => {
    expect(leading('09:05 rolled back')).toEqual({
      ok: true,
      at: new Date('2026-11-20T17:05:00Z'),
      rest: 'rolled back',
      matched: '09:05',
    });
  });

  it('does not look for a time after the first word', () => {
    expect(leading('rolled back at 09:05')).toEqual({ ok: true, at: null, rest: 'rolled back at 09:05', matched: '' });
  });

  it.each([
    '500 errors spiking',
    '5xx rate up',
    'sev2 declared',
    '<@U123|bob> paged',
    '2024-2026 roadmap slipped',
    '1:1 with vendor',
    '3 people paged',
    'friday deploy broke it',
    'in 2 weeks we will know',
    'now the db is up',
    '🔥 everything',
    '',
    '   ',
  ])('treats %p as text', (text) => {
    expect(plainText(leading(text))).toMatchObject({ rest: text.trim(), matched: '' });
  });

  it('trims the text around the time', () => {
    expect(leading('   09:05    rolled   back  ')).toMatchObject({ rest: 'rolled   back', matched: '09:05' });
    expect(leading('09:05\n\nrolled back')).toMatchObject({ rest: 'rolled back' });
  });

  it('gives an empty rest when the text is only a time', () => {
    expect(leading('09:05')).toMatchObject({ ok: true, rest: '', matched: '09:05' });
  });
});

describe('invalid tokens are refused, not stored as text', () => {
  it.each([
    ['25:99 rolled back', 'not a valid time'],
    ['24:00 rolled back', 'not a valid time'],
    ['23:60', 'not a valid time'],
    ['12:00:61', 'not a valid time'],
    ['2026-13-01 10:00 x', 'there is no month 13'],
    ['2026-13-01', 'there is no month 13'],
    ['2026-02-30 10:00', 'February 2026 has 28 days'],
    ['2026-11-20 25:99 x', 'not a valid time'],
    ['09:05, rolled back', 'is not a time Debrief understands'],
    ['09:05: rolled back', 'is not a time Debrief understands'],
    ['10:30-11:00 war room', 'is not a time Debrief understands'],
    ['2026-11-20, outage', 'is not a time Debrief understands'],
    ['2026-11-20 09:05, outage', 'is not a time Debrief understands'],
  ])('%p', (text, why) => {
    const message = refusal(text);
    expect(message).toContain(why);
    // Every refusal carries a correct example.
    expect(message).toContain('`/incident timeline 09:05 rolled back deploy`');
  });

  it('accepts February 29 in a leap year', () => {
    expect(iso('2028-02-29 10:00 UTC', '2028-03-01T00:00:00Z')).toBe('2028-02-29T10:00:00.000Z');
    expect(refusal('2027-02-29 10:00 UTC')).toContain('February 2027 has 28 days');
  });

  it('uses the example the caller supplies', () => {
    const result = parseLeadingWhen('25:99', { ...ctx(NOW, LA), example: '`/incident milestone mitigated 09:05`' });
    expect(result).toMatchObject({
      ok: false,
      message: expect.stringContaining('`/incident milestone mitigated 09:05`'),
    });
  });
});

describe('what looks like a time but is none of the accepted forms is refused', () => {
  it.each([
    ['9:5 rolled back', '9:5'],
    ['9:5', '9:5'],
    ['09:5 rolled back', '09:5'],
    ['9:5pm paged', '9:5pm'],
    ['23:0 UTC failover', '23:0'],
    ['1h30 ago rolled back', '1h30 ago'],
    ['1h30 ago', '1h30 ago'],
    ['10 ago rolled back', '10 ago'],
    ['1.5h ago db restarted', '1.5h ago'],
    ['1 hour 30 ago paged', '1 hour 30 ago'],
    ['5mo ago same thing', '5mo ago'],
    ['2026-11-20T14 deploy', '2026-11-20T14'],
    ['2026-11-20 9:5 deploy', '9:5'],
  ])('%p', (text, spelled) => {
    const message = refusal(text);
    expect(
      message.startsWith(
        `\`${spelled}\` is not a time Debrief understands: write \`09:05\`, \`09:05 UTC\`, \`2026-11-20 09:05\``,
      ),
    ).toBe(true);
    expect(message).toContain('`10m ago` or `2h ago`');
    expect(message).toContain('`/incident timeline 09:05 rolled back deploy`');
  });

  it('names the malformed time as typed', () => {
    expect(refusal('9:5 rolled back')).toBe(
      '`9:5` is not a time Debrief understands: write `09:05`, `09:05 UTC`, `2026-11-20 09:05`, `2026-11-20T09:05Z`, `10m ago` or `2h ago`, then a space and the text. For example: `/incident timeline 09:05 rolled back deploy`.',
    );
    expect(refusal('1h30 ago rolled back')).toMatch(/^`1h30 ago` is not a time Debrief understands/);
  });

  it('spells the forms with the caller’s own date, and the forward forms when looking forward', () => {
    expect(refusal('9:5 x', NOW, KOLKATA)).toContain('`2026-11-21 09:05`');
    const ahead = refusal('9:5 x', NOW, LA, 'future');
    expect(ahead).toContain('`friday` or `in 2 weeks`');
    expect(ahead).not.toContain('ago');
  });

  it.each([
    '1:1 with vendor',
    '5 months ago we had the same thing',
    '3 sprints ago this broke too',
    '2 hours later the db recovered',
    '500 errors ago',
    'a while ago',
  ])('keeps %p as text', (text) => {
    expect(plainText(leading(text))).toMatchObject({ rest: text });
  });
});

describe('absolute times are bounded', () => {
  it('refuses a time more than a year back, showing it', () => {
    expect(refusal('0001-01-01T00:00Z')).toMatch(/^That time is too far back: 0001-01-01 00:00 UTC/);
    expect(refusal('2025-11-20 09:05 UTC rolled back')).toBe(
      'That time is too far back: 2025-11-20 09:05 UTC (01:05 your time). Timeline entries and milestones reach back at most 365 days; check the year, e.g. `/incident timeline 09:05 rolled back deploy`.',
    );
    expect(parseWhen('2025-11-19T20:00:00Z', ctx(NOW, LA))).toMatchObject({ ok: false });
  });

  it('accepts exactly a year back', () => {
    // 365 days before NOW (2026-11-20T20:00Z); 2026 is no leap year.
    expect(iso('2025-11-20T20:00:00Z')).toBe('2025-11-20T20:00:00.000Z');
    expect(iso('2025-11-21 09:05 UTC x')).toBe('2025-11-21T09:05:00.000Z');
  });

  it('refuses a due date more than two years ahead, and accepts one within', () => {
    expect(refusal('2062-01-01', NOW, LA, 'future')).toMatch(/^That time is too far ahead: 2062-01-01 08:00 UTC/);
    expect(refusal('2028-11-21T20:00:01Z', NOW, LA, 'future')).toContain('reach at most 731 days forward');
    expect(future('2028-11-20T20:00:00Z')).toBe('2028-11-20T20:00:00.000Z');
    expect(future('2028-11-01')).toBe('2028-11-01T07:00:00.000Z');
  });
});

describe('looking back, the future is refused', () => {
  const morning = '2026-11-20T16:00:00Z'; // 08:00 in Los Angeles

  it('shows the parsed time in UTC and the caller zone', () => {
    expect(refusal('2026-11-20 10:05 rolled back', morning)).toBe(
      'That time is in the future: 2026-11-20 18:05 UTC (10:05 your time). Timeline entries and milestones look back; give a past time, e.g. `/incident timeline 09:05 rolled back deploy`.',
    );
  });

  it('shows the local date when it differs from the UTC date', () => {
    expect(refusal('2026-11-21T03:00Z', morning)).toContain('2026-11-21 03:00 UTC (2026-11-20 19:00 your time)');
  });

  it('shows only UTC for a UTC user', () => {
    expect(refusal('2026-11-21T03:00Z', morning, null)).toContain('in the future: 2026-11-21 03:00 UTC.');
  });

  it('takes up to 5 minutes ahead as now, and refuses beyond', () => {
    expect(iso('2026-11-20T20:05:00Z')).toBe(new Date(NOW).toISOString());
    expect(iso('2026-11-20T20:02:00Z')).toBe(new Date(NOW).toISOString());
    expect(refusal('2026-11-20T20:05:01Z')).toContain('in the future');
  });
});

describe('looking forward', () => {
  // NOW is Friday 2026-11-20, 12:00 in Los Angeles; dates without a time are the start of that local day.
  it('friday on a Friday is next week’s Friday', () => {
    expect(leading('friday', NOW, LA, 'future')).toEqual({
      ok: true,
      at: new Date('2026-11-27T08:00:00Z'),
      rest: '',
      matched: 'friday',
      dateOnly: true,
    });
    expect(future('friday', '2026-11-20T09:00:00Z')).toBe('2026-11-27T08:00:00.000Z'); // 01:00 Friday
    expect(future('friday', '2026-11-21T07:30:00Z')).toBe('2026-11-27T08:00:00.000Z'); // 23:30 Friday
    expect(future('Fri')).toBe('2026-11-27T08:00:00.000Z');
    expect(future('friday 15:00')).toBe('2026-11-27T23:00:00.000Z');
  });

  it('reads other weekdays as the next one', () => {
    expect(future('monday')).toBe('2026-11-23T08:00:00.000Z');
    expect(future('next monday')).toBe('2026-11-23T08:00:00.000Z');
    expect(future('thursday')).toBe('2026-11-26T08:00:00.000Z');
    expect(future('saturday')).toBe('2026-11-21T08:00:00.000Z');
  });

  it('reads relative dates', () => {
    expect(future('tomorrow')).toBe('2026-11-21T08:00:00.000Z');
    expect(future('today')).toBe('2026-11-20T08:00:00.000Z');
    expect(future('in 2 weeks')).toBe('2026-12-04T08:00:00.000Z');
    expect(future('in 3 days')).toBe('2026-11-23T08:00:00.000Z');
    expect(future('in 1 month')).toBe('2026-12-20T08:00:00.000Z');
    expect(future('in 2 hours')).toBe('2026-11-20T22:00:00.000Z');
    expect(future('in 90 min')).toBe('2026-11-20T21:30:00.000Z');
  });

  it('reads chrono phrases relative to now as exact distances', () => {
    expect(leading('now', NOW, LA, 'future')).toMatchObject({ ok: true, at: new Date(NOW), matched: 'now' });
    expect(future('2 hours from now')).toBe('2026-11-20T22:00:00.000Z');
    expect(future('2 hours from now', NOW, KOLKATA)).toBe('2026-11-20T22:00:00.000Z');
  });

  it('crosses DST by the calendar for days and exactly for hours', () => {
    const beforeFallBack = '2026-10-31T19:00:00Z'; // Saturday 12:00 PDT
    expect(future('in 1 day', beforeFallBack)).toBe('2026-11-01T07:00:00.000Z'); // midnight PDT
    expect(future('in 2 days', beforeFallBack)).toBe('2026-11-02T08:00:00.000Z'); // midnight PST
    expect(future('in 24h', beforeFallBack)).toBe('2026-11-01T19:00:00.000Z');
  });

  it('reads dates', () => {
    expect(future('2026-12-01')).toBe('2026-12-01T08:00:00.000Z');
    expect(future('2026-12-01', NOW, BERLIN)).toBe('2026-11-30T23:00:00.000Z');
    expect(future('2026-12-01', NOW, KOLKATA)).toBe('2026-11-30T18:30:00.000Z');
    expect(future('2026-12-01', NOW, null)).toBe('2026-12-01T00:00:00.000Z');
    expect(future('dec 3')).toBe('2026-12-03T08:00:00.000Z');
    expect(future('December 3rd at 3pm')).toBe('2026-12-03T23:00:00.000Z');
    expect(future('nov 19')).toBe('2027-11-19T08:00:00.000Z');
    expect(future('nov 20')).toBe('2026-11-20T08:00:00.000Z');
  });

  it('reads dates with times', () => {
    expect(future('2026-12-01 15:00')).toBe('2026-12-01T23:00:00.000Z');
    expect(future('2026-12-01 15:00 UTC')).toBe('2026-12-01T15:00:00.000Z');
    expect(future('2026-12-01 at 15:00')).toBe('2026-12-01T23:00:00.000Z');
    expect(future('2026-12-01T15:00Z')).toBe('2026-12-01T15:00:00.000Z');
    expect(future('friday 14:00 PST')).toBe('2026-11-27T22:00:00.000Z');
    expect(future('2027-03-14 02:30')).toBe('2027-03-14T10:30:00.000Z'); // DST gap: forward
  });

  it('reads a clock time as today if still ahead, else tomorrow', () => {
    expect(future('15:00')).toBe('2026-11-20T23:00:00.000Z');
    expect(future('11:00')).toBe('2026-11-21T19:00:00.000Z');
    expect(future('12:00')).toBe('2026-11-21T20:00:00.000Z');
    expect(future('3pm')).toBe('2026-11-20T23:00:00.000Z');
    expect(future('9am')).toBe('2026-11-21T17:00:00.000Z');
    expect(future('19:00 UTC')).toBe('2026-11-21T19:00:00.000Z');
  });

  it('marks dates without a time as dateOnly and times as not', () => {
    expect(leading('2026-12-01', NOW, LA, 'future')).toMatchObject({ dateOnly: true });
    expect(leading('2026-12-01 15:00', NOW, LA, 'future')).not.toHaveProperty('dateOnly');
    expect(leading('in 2 hours', NOW, LA, 'future')).not.toHaveProperty('dateOnly');
  });

  it('keeps the text after the date', () => {
    expect(leading('friday priority high', NOW, LA, 'future')).toMatchObject({
      rest: 'priority high',
      matched: 'friday',
    });
    expect(leading('in 2 weeks type prevent', NOW, LA, 'future')).toMatchObject({
      rest: 'type prevent',
      matched: 'in 2 weeks',
    });
    expect(leading('dec 3 priority low', NOW, LA, 'future')).toMatchObject({ matched: 'dec 3', rest: 'priority low' });
  });

  it('does not read a word that only starts like a date', () => {
    plainText(leading('fridays are hard', NOW, LA, 'future'));
    plainText(leading('500 errors', NOW, LA, 'future'));
    plainText(leading('sev2 review', NOW, LA, 'future'));
  });

  it.each([
    ['2026-11-01', 'That time is in the past: 2026-11-01 07:00 UTC (00:00 your time)'],
    ['2026-11-20T10:00Z', 'in the past'],
    ['2026-11-20 11:59', 'in the past'],
    ['10m ago', 'in the past'],
    ['yesterday', 'in the past'],
    ['last friday', 'That time is in the past: 2026-11-13 08:00 UTC (00:00 your time)'],
    ['last monday', 'That time is in the past: 2026-11-16 08:00 UTC (00:00 your time)'],
  ])('refuses the past: %s', (text, why) => {
    const message = refusal(text, NOW, LA, 'future');
    expect(message).toContain(why);
    expect(message).toContain('look forward');
  });

  it.each(['in 99999 days', 'in 3 years', 'in 999999999999999999999 months', 'in 105 weeks'])('caps %s', (text) => {
    expect(refusal(text, NOW, LA, 'future')).toContain('too far ahead');
  });

  it('refuses invalid tokens looking forward too', () => {
    expect(refusal('2026-13-01', NOW, LA, 'future')).toContain('there is no month 13');
    expect(refusal('2026-12-01 25:00', NOW, LA, 'future')).toContain('not a valid time');
  });
});

describe('parseWhen (the whole text)', () => {
  it('accepts a lone <when>', () => {
    expect(parseWhen(' 09:05 ', ctx(NOW, LA))).toEqual({ ok: true, at: new Date('2026-11-20T17:05:00Z') });
    expect(parseWhen('friday', ctx(NOW, LA, 'future'))).toEqual({
      ok: true,
      at: new Date('2026-11-27T08:00:00Z'),
      dateOnly: true,
    });
  });

  it('accepts now', () => {
    expect(parseWhen('now', ctx(NOW, LA))).toEqual({ ok: true, at: new Date(NOW) });
    expect(parseWhen('NOW', ctx(NOW, LA, 'future'))).toEqual({ ok: true, at: new Date(NOW) });
  });

  it('refuses trailing words, text that is not a time, and nothing', () => {
    expect(parseWhen('09:05 rolled back', ctx(NOW, LA))).toMatchObject({
      ok: false,
      message: expect.stringContaining('I read `09:05` as a time but not `rolled back`'),
    });
    expect(parseWhen('whenever', ctx(NOW, LA))).toMatchObject({
      ok: false,
      message: expect.stringContaining('`whenever` is not a time I can read'),
    });
    expect(parseWhen('', ctx(NOW, LA))).toMatchObject({ ok: false, message: expect.stringContaining('Give a time') });
  });

  it('passes refusals through', () => {
    expect(parseWhen('25:99', ctx(NOW, LA))).toMatchObject({ ok: false });
  });
});

describe('formatUtc', () => {
  it('prints YYYY-MM-DD HH:MM UTC, dropping seconds', () => {
    expect(formatUtc(new Date('2026-11-20T14:05:59.999Z'))).toBe('2026-11-20 14:05 UTC');
    expect(formatUtc(new Date('2026-01-02T03:04:00Z'))).toBe('2026-01-02 03:04 UTC');
  });

  it('does not throw on an invalid date', () => {
    expect(formatUtc(new Date(Number.NaN))).toBe('invalid time');
  });
});

describe('formatEcho', () => {
  const at = new Date('2026-11-20T14:05:00Z');

  it('shows UTC and local time today', () => {
    expect(formatEcho(at, BERLIN, new Date(NOW))).toBe('14:05 UTC — 15:05 your time');
    expect(formatEcho(at, LA, new Date(NOW))).toBe('14:05 UTC — 06:05 your time');
  });

  it('shows only UTC for a UTC user or one without a zone', () => {
    expect(formatEcho(at, null, new Date(NOW))).toBe('14:05 UTC');
    expect(formatEcho(at, undefined, new Date(NOW))).toBe('14:05 UTC');
    expect(formatEcho(at, '', new Date(NOW))).toBe('14:05 UTC');
    expect(formatEcho(at, 'UTC', new Date(NOW))).toBe('14:05 UTC');
    expect(formatEcho(at, 'Etc/UTC', new Date(NOW))).toBe('14:05 UTC');
    expect(formatEcho(at, 'Not/AZone', new Date(NOW))).toBe('14:05 UTC');
  });

  it('adds dates when the instant is not today in UTC', () => {
    expect(formatEcho(new Date('2026-11-19T14:05:00Z'), BERLIN, new Date(NOW))).toBe(
      '2026-11-19 14:05 UTC — 2026-11-19 15:05 your time',
    );
    expect(formatEcho(new Date('2026-11-19T14:05:00Z'), null, new Date(NOW))).toBe('2026-11-19 14:05 UTC');
  });

  it('adds dates when the local date differs', () => {
    // 23:30 UTC is already tomorrow in Kolkata.
    expect(formatEcho(new Date('2026-11-20T23:30:00Z'), KOLKATA, new Date('2026-11-20T12:00:00Z'))).toBe(
      '2026-11-20 23:30 UTC — 2026-11-21 05:00 your time',
    );
    // 14:05 UTC is today in UTC and in Kolkata, but Kolkata has already moved on to tomorrow.
    expect(formatEcho(at, KOLKATA, new Date(NOW))).toBe('2026-11-20 14:05 UTC — 2026-11-20 19:35 your time');
  });
});

describe('resolveZone', () => {
  it('returns known zones and falls back to UTC', () => {
    expect(resolveZone(LA)).toBe(LA);
    expect(resolveZone('Not/AZone')).toBe('UTC');
    expect(resolveZone(undefined)).toBe('UTC');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const ZONES = [
  'UTC',
  LA,
  BERLIN,
  KOLKATA,
  'America/New_York',
  'America/Sao_Paulo',
  'America/St_Johns',
  'Europe/London',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Africa/Casablanca',
];
const zoneArb = fc.oneof(fc.constantFrom<string | null | undefined>(...ZONES, null, undefined, '', 'Bad/Zone'));
const nowArb = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2090-12-31T00:00:00Z'),
  noInvalidDate: true,
});
const directionArb = fc.constantFrom<WhenDirection>('past', 'future');
const WORDS = [
  '09:05',
  '9:05pm',
  '9',
  'pm',
  'UTC',
  'utc',
  'Z',
  'ago',
  'AGO',
  '10m',
  '2',
  'hours',
  'an',
  'hour',
  'in',
  'weeks',
  '2026-11-20',
  '2026-13-01',
  '2026-11-20T14:05Z',
  '25:99',
  '24:00',
  '9:5',
  '1h30',
  '0001-01-01T00:00Z',
  '2062-01-01',
  'friday',
  'next',
  'tomorrow',
  'yesterday',
  'dec',
  '3',
  'now',
  'sev2',
  '5xx',
  '500',
  '<@U123|bob>',
  '🔥',
  'é',
  '\u00a0',
  '\n',
  '',
];
const textArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 6 })), { maxLength: 10 }).map((w) => w.join(' ')),
  fc.string({ maxLength: 5000 }),
);

describe('properties', () => {
  it('parseLeadingWhen never throws and always answers ok:true or ok:false with a message', () => {
    fc.assert(
      fc.property(textArb, nowArb, zoneArb, directionArb, (text, now, timeZone, direction) => {
        const result = parseLeadingWhen(text, { now, timeZone, direction });
        if (result.ok) {
          expect(result.at === null || !Number.isNaN(result.at.getTime())).toBe(true);
        } else {
          expect(result.message.trim().length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('reads the time at the start of a very long text', () => {
    const long = `09:05 ${'🔥 <@U123|bob> '.repeat(50_000)}`;
    const result = leading(long);
    expect(result).toMatchObject({ ok: true, at: new Date('2026-11-20T17:05:00Z') });
    expect(leading('x'.repeat(1_000_000), NOW, LA, 'future')).toMatchObject({ ok: true, at: null });
  });

  it('round-trips any instant written as ISO with any zone offset', () => {
    const instantArb = fc.date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(
        instantArb,
        fc.constantFrom(...ZONES),
        zoneArb,
        // Within both bounds: a year back, and (at least) as far ahead.
        fc.integer({ min: 0, max: MAX_AGO_DAYS * 86_400_000 }),
        (at, writtenIn, callerZone, gap) => {
          const zoned = Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(writtenIn);
          const texts = [at.toISOString(), zoned.toString({ timeZoneName: 'never', smallestUnit: 'millisecond' })];
          for (const text of texts) {
            const looking = parseWhen(text, {
              now: new Date(at.getTime() + gap),
              timeZone: callerZone,
              direction: 'past',
            });
            expect(looking).toEqual({ ok: true, at });
            const ahead = parseWhen(text, {
              now: new Date(at.getTime() - gap),
              timeZone: callerZone,
              direction: 'future',
            });
            expect(ahead).toEqual({ ok: true, at });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('looking back, an accepted time is within the last year, never after now, and the rest is a suffix of the text', () => {
    fc.assert(
      fc.property(textArb, nowArb, zoneArb, (text, now, timeZone) => {
        const result = parseLeadingWhen(text, { now, timeZone, direction: 'past' });
        if (!result.ok) return;
        if (result.at !== null) {
          expect(result.at.getTime()).toBeLessThanOrEqual(now.getTime());
          expect(result.at.getTime()).toBeGreaterThanOrEqual(now.getTime() - MAX_AGO_DAYS * 86_400_000);
        }
        expect(text.trim().endsWith(result.rest)).toBe(true);
        expect(text.trimStart().startsWith(result.matched)).toBe(true);
        if (result.at === null) expect(result.rest).toBe(text.trim());
      }),
      { numRuns: 400 },
    );
  });

  it('any absolute time beyond the bounds is refused, in either direction', () => {
    const DAY = 86_400_000;
    fc.assert(
      fc.property(nowArb, zoneArb, fc.integer({ min: 1, max: 100 * 365 * DAY }), (now, timeZone, beyond) => {
        const back = new Date(now.getTime() - MAX_AGO_DAYS * DAY - beyond);
        const ahead = new Date(now.getTime() + MAX_AHEAD_DAYS * DAY + beyond);
        expect(parseWhen(back.toISOString(), { now, timeZone, direction: 'past' })).toMatchObject({
          ok: false,
          message: expect.stringContaining('too far back'),
        });
        expect(parseWhen(ahead.toISOString(), { now, timeZone, direction: 'future' })).toMatchObject({
          ok: false,
          message: expect.stringContaining('too far ahead'),
        });
      }),
      { numRuns: 200 },
    );
  });

  it('looking forward, an accepted time is never beyond the bound', () => {
    fc.assert(
      fc.property(textArb, nowArb, zoneArb, (text, now, timeZone) => {
        const result = parseLeadingWhen(text, { now, timeZone, direction: 'future' });
        if (!result.ok || result.at === null) return;
        expect(result.at.getTime()).toBeLessThanOrEqual(now.getTime() + MAX_AHEAD_DAYS * 86_400_000);
      }),
      { numRuns: 400 },
    );
  });

  it('a clock time with a one-digit minute is refused, never stored as text at now', () => {
    const malformedArb = fc
      .tuple(
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom('', 'pm', 'am', 'Z', ',', ':', ':7', '.'),
      )
      .map(([h, m, suffix]) => `${h}:${m}${suffix}`)
      .filter((token) => token !== '1:1');
    fc.assert(
      fc.property(malformedArb, nowArb, zoneArb, directionArb, (token, now, timeZone, direction) => {
        const result = parseLeadingWhen(`${token} rolled back`, { now, timeZone, direction });
        expect(result).toMatchObject({ ok: false, message: expect.stringContaining('not a time Debrief understands') });
      }),
      { numRuns: 300 },
    );
  });

  it('numbers and units before `ago` are a time or a refusal, never text at now', () => {
    const partArb = fc.constantFrom(
      '1h30',
      '10',
      '1.5h',
      '90',
      '5mo',
      '2y',
      '1h',
      'h',
      '30',
      'min',
      '2',
      'hours',
      '1d2',
    );
    fc.assert(
      fc.property(
        fc.array(partArb, { minLength: 1, maxLength: 4 }),
        nowArb,
        zoneArb,
        directionArb,
        (parts, now, timeZone, direction) => {
          fc.pre(/^\d/.test(parts[0]!));
          const result = parseLeadingWhen(`${parts.join(' ')} ago rolled back`, { now, timeZone, direction });
          if (result.ok) expect(result.at).not.toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a clock time falls within the last day looking back and the next day looking forward', () => {
    const clockArb = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(clockArb, nowArb, zoneArb, fc.boolean(), (clock, now, timeZone, utc) => {
        const text = utc ? `${clock} UTC note` : `${clock} note`;
        const back = parseLeadingWhen(text, { now, timeZone, direction: 'past' });
        const ahead = parseLeadingWhen(text, { now, timeZone, direction: 'future' });
        // 25 hours: a day plus a DST shift.
        const window = 25 * 3_600_000;
        if (!back.ok || back.at === null || !ahead.ok || ahead.at === null) throw new Error(`not parsed: ${text}`);
        expect(back.at.getTime()).toBeLessThanOrEqual(now.getTime());
        expect(back.at.getTime()).toBeGreaterThan(now.getTime() - window - CLOCK_SKEW_MS);
        expect(ahead.at.getTime()).toBeGreaterThan(now.getTime());
        expect(ahead.at.getTime()).toBeLessThanOrEqual(now.getTime() + window);
        expect(back.rest).toBe('note');
      }),
      { numRuns: 300 },
    );
  });

  it('reads back what formatUtc prints (to the minute), e.g. a prefilled edit form', () => {
    fc.assert(
      fc.property(nowArb, zoneArb, fc.integer({ min: 0, max: 30 * 86_400_000 }), (at, timeZone, gap) => {
        const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
        const read = parseWhen(formatUtc(at), { now: new Date(at.getTime() + gap), timeZone, direction: 'past' });
        expect(read).toEqual({ ok: true, at: minute });
      }),
    );
  });

  it('echoes always name the UTC time', () => {
    fc.assert(
      fc.property(nowArb, nowArb, zoneArb, (at, now, timeZone) => {
        const echo = formatEcho(at, timeZone, now);
        expect(echo).toContain(`${formatUtc(at).slice(11)}`);
        expect(echo).toMatch(/^(\d{4}-\d{2}-\d{2} )?\d{2}:\d{2} UTC( — (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2} your time)?$/);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Zone clocks: read natively (Intl), they must agree with the Temporal polyfill's own conversions
// ---------------------------------------------------------------------------------------------

describe('zone clocks agree with Temporal', () => {
  // Every zone the runtime knows, plus UTC, a legacy alias and offset zones, which Intl cannot format.
  const ALL_ZONES = [...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC', 'Asia/Calcutta', '+05:30', '-08:00'];
  const allZoneArb = fc.constantFrom(...ALL_ZONES);
  const modernArb = fc.date({
    min: new Date('1970-01-01T00:00:00Z'),
    max: new Date('2100-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  });
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;

  const pad = (n: number, width = 2) => String(n).padStart(width, '0');

  /** `YYYY-MM-DD` and `HH:MM` as read by the polyfill's own zone conversion. */
  function temporalWall(ms: number, zone: string) {
    const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone);
    return { date: `${pad(z.year, 4)}-${pad(z.month)}-${pad(z.day)}`, time: `${pad(z.hour)}:${pad(z.minute)}` };
  }

  function zoneIdOf(zone: string) {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      return null;
    }
  }

  /** The zones whose echo shows only UTC. */
  const UTC_LIKE = new Set(ALL_ZONES.filter((zone) => resolveZone(zone) === 'UTC' || zoneIdOf(zone) === 'UTC'));

  /** formatEcho as written with Temporal's zone conversions. */
  function temporalEcho(at: Date, zone: string, now: Date) {
    const utc = temporalWall(at.getTime(), 'UTC');
    const sameUtcDay = utc.date === temporalWall(now.getTime(), 'UTC').date;
    if (UTC_LIKE.has(zone)) return sameUtcDay ? `${utc.time} UTC` : `${utc.date} ${utc.time} UTC`;
    const local = temporalWall(at.getTime(), zone);
    return sameUtcDay && local.date === temporalWall(now.getTime(), zone).date
      ? `${utc.time} UTC — ${local.time} your time`
      : `${utc.date} ${utc.time} UTC — ${local.date} ${local.time} your time`;
  }

  /** Wall clock → instant by Temporal itself, "compatible" disambiguation. */
  function temporalFromWall(wall: Temporal.PlainDateTime, zone: string) {
    return wall.toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
  }

  it('formatUtc and formatEcho print the wall clocks Temporal reads, 1970–2100, in any zone', () => {
    fc.assert(
      fc.property(modernArb, allZoneArb, fc.integer({ min: -3 * DAY, max: 3 * DAY }), (at, zone, gap) => {
        const now = new Date(at.getTime() + gap);
        const utc = temporalWall(at.getTime(), 'UTC');
        expect(formatUtc(at)).toBe(`${utc.date} ${utc.time} UTC`);
        expect(formatEcho(at, zone, now)).toBe(temporalEcho(at, zone, now));
        expect(formatEcho(at, zone, at)).toBe(temporalEcho(at, zone, at));
      }),
      { numRuns: 1000 },
    );
  });

  it('and over the whole Date range, years before 1000 and BC included', () => {
    const anyDateArb = fc.date({ noInvalidDate: true });
    fc.assert(
      fc.property(anyDateArb, anyDateArb, allZoneArb, (at, now, zone) => {
        const utc = temporalWall(at.getTime(), 'UTC');
        expect(formatUtc(at)).toBe(`${utc.date} ${utc.time} UTC`);
        expect(formatEcho(at, zone, now)).toBe(temporalEcho(at, zone, now));
        expect(formatEcho(at, zone, at)).toBe(temporalEcho(at, zone, at));
      }),
      { numRuns: 300 },
    );
    for (const year of [-271821, -1, 0, 1, 99, 999]) {
      const at = new Date(Date.UTC(2000, 5, 15, 12, 30));
      at.setUTCFullYear(year);
      for (const zone of ['UTC', BERLIN, LA, KOLKATA, '+05:30']) {
        expect(formatEcho(at, zone, at)).toBe(temporalEcho(at, zone, at));
      }
    }
  });

  it('yesterday and tomorrow are the days before and after Temporal’s local today', () => {
    const clockArb = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }));
    fc.assert(
      fc.property(modernArb, allZoneArb, clockArb, (now, zone, [hour, minute]) => {
        const today = Temporal.Instant.fromEpochMilliseconds(now.getTime())
          .toZonedDateTimeISO(resolveZone(zone))
          .toPlainDate();
        const time = { hour, minute };
        const clock = `${pad(hour)}:${pad(minute)}`;

        const yesterday = temporalFromWall(today.subtract({ days: 1 }).toPlainDateTime(time), resolveZone(zone));
        const back = parseWhen(`yesterday ${clock}`, { now, timeZone: zone, direction: 'past' });
        if (yesterday > now.getTime() + CLOCK_SKEW_MS) expect(back).toMatchObject({ ok: false });
        else expect(back).toEqual({ ok: true, at: new Date(Math.min(yesterday, now.getTime())) });

        const tomorrow = temporalFromWall(today.add({ days: 1 }).toPlainDateTime(time), resolveZone(zone));
        const ahead = parseWhen(`tomorrow ${clock}`, { now, timeZone: zone, direction: 'future' });
        if (tomorrow < now.getTime()) expect(ahead).toMatchObject({ ok: false });
        else expect(ahead).toEqual({ ok: true, at: new Date(tomorrow) });
      }),
      { numRuns: 500 },
    );
  });

  it('a wall clock next to an offset change (gap or overlap) names the instant Temporal gives', () => {
    fc.assert(
      fc.property(
        modernArb,
        allZoneArb,
        fc.integer({ min: -200, max: 200 }),
        fc.integer({ min: 0, max: 59 }),
        (from, zone, minutes, second) => {
          const zoned = Temporal.Instant.fromEpochMilliseconds(from.getTime()).toZonedDateTimeISO(zone);
          // The wall clock at the zone's next transition, give or take a few hours: through gaps and overlaps.
          const transition = zoned.getTimeZoneTransition('next') ?? zoned;
          const wall = transition.toPlainDateTime().add({ minutes }).with({ second, millisecond: 0 });
          fc.pre(wall.year >= 1000 && wall.year <= 9999);
          const expected = temporalFromWall(wall, zone);
          const text = `${wall.toPlainDate()} ${wall.toPlainTime().toString({ smallestUnit: 'second' })}`;
          const now = new Date(expected + HOUR);
          expect(parseWhen(text, { now, timeZone: zone, direction: 'past' })).toEqual({
            ok: true,
            at: new Date(expected),
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    ['America/New_York', '2026-03-08 02:30', '2026-03-08T07:30:00.000Z'], // gap: 03:30 EDT
    ['America/New_York', '2026-11-01 01:30', '2026-11-01T05:30:00.000Z'], // overlap: the earlier, EDT
    ['Europe/Berlin', '2026-03-29 02:30', '2026-03-29T01:30:00.000Z'], // gap: 03:30 CEST
    ['Europe/Berlin', '2026-10-25 02:30', '2026-10-25T00:30:00.000Z'], // overlap: the earlier, CEST
    ['Australia/Lord_Howe', '2026-10-04 02:15', '2026-10-03T15:45:00.000Z'], // half-hour gap: 02:45 +11:00
    ['Australia/Lord_Howe', '2026-04-05 01:45', '2026-04-04T14:45:00.000Z'], // half-hour overlap: +11:00
    ['Asia/Kolkata', '2026-11-20 09:05', '2026-11-20T03:35:00.000Z'],
    ['Pacific/Chatham', '2026-09-27 03:00', '2026-09-26T14:15:00.000Z'], // gap: 04:00 +13:45
    ['Pacific/Chatham', '2026-04-05 03:00', '2026-04-04T13:15:00.000Z'], // overlap: +13:45
    ['Pacific/Apia', '2011-12-30 12:00', '2011-12-30T22:00:00.000Z'], // the skipped day
  ])('%s %s → %s, as Temporal has it', (zone, text, expected) => {
    const at = new Date(expected);
    expect(temporalFromWall(Temporal.PlainDateTime.from(text.replace(' ', 'T')), zone)).toBe(at.getTime());
    expect(parseWhen(text, { now: new Date(at.getTime() + HOUR), timeZone: zone, direction: 'past' })).toEqual({
      ok: true,
      at,
    });
  });
});
