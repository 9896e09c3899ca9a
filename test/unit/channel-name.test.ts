import fc from 'fast-check';
import { incidentChannelName, incidentChannelSlug, MAX_CHANNEL_NAME_LENGTH } from '../../src/domain/channel-name';

const NOV_20 = new Date('2026-11-20T14:05:00Z');
const VALID_NAME = /^inc-\d{8}-[a-z0-9]+(?:-[a-z0-9]+)*$/;

describe('incidentChannelSlug', () => {
  it.each([
    ['Checkout returns 500s', 'checkout-returns-500s'],
    ['  DB: primary / replica lag!! ', 'db-primary-replica-lag'],
    ['Café crème down', 'caf-cr-me-down'],
    ['--here is broken', 'here-is-broken'],
    ['<@U123|bob> broke it', 'u123-bob-broke-it'],
    ['ALL CAPS', 'all-caps'],
  ])('%j → %s', (title, slug) => {
    expect(incidentChannelSlug(title, 7)).toBe(slug);
  });

  it('falls back to the incident number when nothing of the title survives', () => {
    expect(incidentChannelSlug('🔥🔥', 7)).toBe('7');
    expect(incidentChannelSlug('日本語', 12)).toBe('12');
    expect(incidentChannelSlug('', 3)).toBe('3');
  });
});

describe('incidentChannelName', () => {
  it('prefixes the UTC date of declaration', () => {
    expect(incidentChannelName('Checkout returns 500s', 1, NOV_20, 1)).toBe('inc-20261120-checkout-returns-500s');
    // 23:30 in UTC-5 on the 19th is already the 20th in UTC.
    expect(incidentChannelName('x', 1, new Date('2026-11-19T23:30:00-05:00'), 1)).toBe('inc-20261120-x');
  });

  it('uses the incident number for a title with no ASCII letters or digits', () => {
    expect(incidentChannelName('🔥🔥', 7, NOV_20, 1)).toBe('inc-20261120-7');
  });

  it('adds -2, -3 … for later attempts', () => {
    expect(incidentChannelName('DB down', 1, NOV_20, 2)).toBe('inc-20261120-db-down-2');
    expect(incidentChannelName('DB down', 1, NOV_20, 3)).toBe('inc-20261120-db-down-3');
  });

  it('trims long slugs to fit 80 characters with the suffix, never ending in a hyphen', () => {
    // 13 characters of prefix leave 67 for the slug: the cut lands on the hyphen before `b`, which is dropped.
    const title = `${'a'.repeat(66)} b`;
    expect(incidentChannelName(title, 1, NOV_20, 1)).toBe(`inc-20261120-${'a'.repeat(66)}`);
    expect(incidentChannelName(title, 1, NOV_20, 2)).toBe(`inc-20261120-${'a'.repeat(65)}-2`);
    expect(incidentChannelName('x'.repeat(500), 1, NOV_20, 1)).toHaveLength(80);
    expect(incidentChannelName('x'.repeat(500), 1, NOV_20, 12)).toHaveLength(80);
  });

  it('refuses an invalid date (a caller bug, not user input)', () => {
    expect(() => incidentChannelName('x', 1, new Date('nope'), 1)).toThrow(RangeError);
  });

  it('always yields a valid Slack channel name within 80 characters', () => {
    const titles = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.string({ unit: 'binary' }),
    );
    const dates = fc.date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2999-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(
        titles,
        fc.integer({ min: 1, max: 1_000_000 }),
        dates,
        fc.integer({ min: 1, max: 999 }),
        (title, n, at, attempt) => {
          const name = incidentChannelName(title, n, at, attempt);
          expect(name).toMatch(VALID_NAME);
          expect(name.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME_LENGTH);
          expect(name.startsWith(`inc-${at.toISOString().slice(0, 10).replaceAll('-', '')}-`)).toBe(true);
          if (attempt >= 2) expect(name.endsWith(`-${attempt}`)).toBe(true);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
