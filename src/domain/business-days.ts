/**
 * Business-day arithmetic for due dates and nudges: weekdays (Monday to Friday) as dates in a given IANA
 * zone. Public holidays are not known here; a caller that knows them can skip them by moving the result.
 * Pure: instants and zones are parameters.
 */
import { Temporal } from '@js-temporal/polyfill';
import { resolveZone } from './when';

/** A calendar date written `YYYY-MM-DD`, meaning that day in whichever zone the caller names. */
export type IsoDate = string;

/** True for Monday to Friday. */
export function isBusinessDay(date: IsoDate): boolean {
  return Temporal.PlainDate.from(date).dayOfWeek <= 5;
}

/** The date `count` business days after `date` (count ≥ 0); from a weekend the count starts on Monday. */
export function addBusinessDays(date: IsoDate, count: number): IsoDate {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`business days must be a whole number ≥ 0: ${count}`);
  let day = Temporal.PlainDate.from(date);
  // Whole weeks first, so that a large count does not walk day by day.
  day = day.add({ weeks: Math.floor(count / 5) });
  let left = count % 5;
  while (left > 0) {
    day = day.add({ days: 1 });
    if (day.dayOfWeek <= 5) left -= 1;
  }
  // Whole weeks from a weekend day land on a weekend day: the deadline is then the Friday before, because
  // the business days counted were Monday to Friday of each week.
  if (count > 0 && count % 5 === 0 && day.dayOfWeek > 5) day = day.subtract({ days: day.dayOfWeek - 5 });
  return day.toString();
}

/** The date an instant falls on in the zone (unknown or empty zones are UTC, as everywhere in Debrief). */
export function dateInZone(at: Date, timeZone: string | null | undefined): IsoDate {
  return Temporal.Instant.fromEpochMilliseconds(at.getTime())
    .toZonedDateTimeISO(resolveZone(timeZone))
    .toPlainDate()
    .toString();
}

/** The date `count` business days after the day `at` falls on in the zone: a due date from a resolution time. */
export function businessDaysAfter(at: Date, count: number, timeZone: string | null | undefined): IsoDate {
  return addBusinessDays(dateInZone(at, timeZone), count);
}

/**
 * The instant `count` business days after `at`, at the same wall-clock time in the zone (a nudge "after one
 * business day"): Friday 15:00 plus one is Monday 15:00; a wall time lost to daylight saving moves forward.
 */
export function addBusinessDaysToInstant(at: Date, count: number, timeZone: string | null | undefined): Date {
  const zoned = Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(resolveZone(timeZone));
  const date = Temporal.PlainDate.from(addBusinessDays(zoned.toPlainDate().toString(), count));
  // The default "compatible" disambiguation: a wall time lost to daylight saving moves forward (SPEC 3).
  const moved = date.toZonedDateTime({ timeZone: zoned.timeZoneId, plainTime: zoned.toPlainTime() });
  return new Date(moved.epochMilliseconds);
}

/** How many business days end after `from`'s date up to and including `to`'s date, in the zone (0 when `to` is not later). */
export function businessDaysBetween(from: Date, to: Date, timeZone: string | null | undefined): number {
  let day = Temporal.PlainDate.from(dateInZone(from, timeZone));
  const end = Temporal.PlainDate.from(dateInZone(to, timeZone));
  if (Temporal.PlainDate.compare(end, day) <= 0) return 0;
  const days = day.until(end, { largestUnit: 'days' }).days;
  let count = Math.floor(days / 7) * 5;
  day = day.add({ days: Math.floor(days / 7) * 7 });
  while (Temporal.PlainDate.compare(day, end) < 0) {
    day = day.add({ days: 1 });
    if (day.dayOfWeek <= 5) count += 1;
  }
  return count;
}
