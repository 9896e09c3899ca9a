/**
 * The `<when>` grammar of SPEC section 3: parses the times people type into commands and formats
 * stored instants for answers. Pure: "now" and the caller's time zone are always parameters.
 *
 * Behaviour choices (documented here because callers and users rely on them):
 * - am/pm is accepted on clock times (`9:05pm`, `9:05 pm`, `9pm`, `9 pm`, hours 1–12); a bare number
 *   (`500`, `5xx`, `sev2`) is never a time.
 * - A time token must end at whitespace or the end of the text; `09:05,` or `10m ago:` is refused
 *   with an explanation rather than silently stored as text at "now".
 * - `today`/`yesterday`/`tomorrow` followed by a clock time is an explicit local date and time.
 * - A date without a time (`2026-12-01`, `friday`, `in 2 weeks`) is accepted only looking forward and
 *   means the start of that day in the caller's zone (`dateOnly: true`); such a date counts as not
 *   past when it is today or later, so `due today` works. Looking back a date needs a time.
 * - Weekdays looking forward are never today: `friday` on a Friday is next week's Friday.
 * - Relative units: s, m/min (minutes), h, d, w; `in …` also takes mo/months and y/years.
 *   `ago` reaches back at most 365 days and `in` forward at most 2 years.
 * - The same bounds hold for absolute times (`0001-01-01T00:00Z`, `2062-01-01`): looking back a time
 *   more than MAX_AGO_DAYS before now is refused, looking forward one more than MAX_AHEAD_DAYS after now.
 * - A leading word that looks like a time but is none of the accepted forms is refused with the forms
 *   listed, never stored as text at "now": `9:5`, `9:5pm`, `09:05,`, `1h30 ago`, `10 ago`, `5mo ago`,
 *   `2026-11-20T14`. Exceptions kept as text: `1:1` (the one-on-one idiom), a number followed by a
 *   spelled calendar unit (`5 months ago we had the same thing`: months vary, so it is prose, not a time).
 */
import { Temporal } from '@js-temporal/polyfill';
import type { ParsedComponents } from 'chrono-node';
// English only: the package's root loads all of its 16 locales (about 3 MB more of heap per process).
import { casual, type ParsedResult } from 'chrono-node/en';

/** Which way a <when> may point: timeline entries look back, due dates and debriefs forward. */
export type WhenDirection = 'past' | 'future';

/** Everything a parse depends on besides the text, so that the module stays pure. */
export interface WhenContext {
  /** The instant "now" for this request (Slack's command time or the test clock). */
  now: Date;
  /** IANA zone from Slack users.info `tz`; undefined/empty → UTC. */
  timeZone?: string | null;
  /** past: timeline entries and milestones (look back); future: due dates and debrief times (look forward). */
  direction: WhenDirection;
  /** A correct example quoted in refusals, e.g. "`/incident timeline 09:05 rolled back deploy`"; a default fits the direction. */
  example?: string;
}

/**
 * The result of reading a leading <when>: `at` is null when the text does not start with one, `rest` is the
 * text after it (trimmed), `matched` the <when> as typed, and `dateOnly` is set when a date without a time of
 * day was given (future direction only); refusals carry a user-facing message with a correct example.
 */
export type LeadingWhen =
  | { ok: true; at: Date | null; rest: string; matched: string; dateOnly?: boolean }
  | { ok: false; message: string };

/** Times up to this far ahead are clock skew between Slack and us, taken as now. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/**
 * How far back any <when> may reach, relative (`99999d ago`) or absolute (`0001-01-01T00:00Z`).
 * Looking back is only for timeline entries and milestones of an incident being worked on: its
 * lead-up (the last deploy, a configuration change, the first occurrence) lies days or weeks back.
 * A year is generous for that, still catches a mistyped year (`2025` for `2026`) or a zero date
 * before it lands in a postmortem, and keeps `ago` and absolute times under one rule.
 */
export const MAX_AGO_DAYS = 365;
/**
 * How far ahead any <when> may reach, relative (`in 3 years`) or absolute (`2062-01-01`): due dates
 * and debriefs. Two years covers the longest-running action items (a migration, a contract renewal);
 * beyond that a date is almost always a typo, and backlog items (priority low) need no due date.
 */
export const MAX_AHEAD_DAYS = 731;

const DAY_MS = 86_400_000;
/** A <when> is never longer than this many words; it also keeps chrono away from huge inputs. */
const MAX_WHEN_TOKENS = 12;
const DEFAULT_EXAMPLES: Record<WhenDirection, string> = {
  past: '`/incident timeline 09:05 rolled back deploy`',
  future: '`friday`, `in 2 weeks` or `2026-12-01 15:00`',
};

type Refusal = { refused: string };
type Instant = Temporal.Instant;

/** A parsed leading <when>: where it ends in the text and the instant it names. */
interface Candidate {
  end: number;
  at: Instant;
  dateOnly: boolean;
}

interface Token {
  text: string;
  start: number;
  end: number;
}

/** What every parsing step needs: the words, the clock and the zone. */
interface Scope {
  text: string;
  tokens: Token[];
  now: Instant;
  zone: string;
  direction: WhenDirection;
  example: string;
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/** Reads the longest leading part of `text` that is a <when>; the rest of the text is returned as `rest`. */
export function parseLeadingWhen(text: string, context: WhenContext): LeadingWhen {
  const scope = makeScope(text, context);
  const found = findLeadingCandidate(scope);
  if (found === null) return { ok: true, at: null, rest: scope.text.trim(), matched: '' };
  if ('refused' in found) return { ok: false, message: found.refused };
  const checked = checkDirection(found, scope);
  if ('refused' in checked) return { ok: false, message: checked.refused };
  return {
    ok: true,
    at: checked,
    rest: scope.text.slice(found.end).trim(),
    matched: scope.text.slice(0, found.end),
    ...(found.dateOnly ? { dateOnly: true } : {}),
  };
}

/** Reads a text that must be exactly one <when> (`now` is accepted too). */
export function parseWhen(
  text: string,
  context: WhenContext,
): { ok: true; at: Date; dateOnly?: boolean } | { ok: false; message: string } {
  const example = context.example ?? DEFAULT_EXAMPLES[context.direction];
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: `Give a time, e.g. ${example}.` };
  // "now" is only a <when> on its own: as the first word of a timeline entry it is ordinary text.
  if (trimmed.toLowerCase() === 'now') return { ok: true, at: new Date(context.now.getTime()) };
  const leading = parseLeadingWhen(trimmed, context);
  if (!leading.ok) return leading;
  if (leading.at === null) {
    return { ok: false, message: `${quote(clip(trimmed))} is not a time I can read. Give one like ${example}.` };
  }
  if (leading.rest !== '') {
    return {
      ok: false,
      message: `I read ${quote(leading.matched)} as a time but not ${quote(clip(leading.rest))}. Give only a time, e.g. ${example}.`,
    };
  }
  return { ok: true, at: leading.at, ...(leading.dateOnly ? { dateOnly: true } : {}) };
}

/** Formats an instant as stored and shown everywhere: `2026-11-20 14:05 UTC`. */
export function formatUtc(at: Date): string {
  if (Number.isNaN(at.getTime())) return 'invalid time';
  const wall = wallClock(at.getTime(), 'UTC');
  return `${wall.date} ${wall.time} UTC`;
}

/**
 * Echo for answers: `14:05 UTC — 15:05 your time`; both sides carry dates
 * (`2026-11-19 23:30 UTC — 2026-11-20 08:30 your time`) unless the instant is today both in UTC and in
 * the reader's zone, and the local side is left out when the reader's zone is UTC (`14:05 UTC`).
 */
export function formatEcho(at: Date, timeZone: string | null | undefined, now: Date): string {
  if (Number.isNaN(at.getTime())) return 'invalid time';
  const zone = resolveZone(timeZone);
  const utc = wallClock(at.getTime(), 'UTC');
  if (isUtcZone(zone)) {
    const sameDay = Number.isNaN(now.getTime()) || utc.date === wallClock(now.getTime(), 'UTC').date;
    return sameDay ? `${utc.time} UTC` : `${utc.date} ${utc.time} UTC`;
  }
  const local = wallClock(at.getTime(), zone);
  if (isToday(utc.date, local.date, now, zone)) return `${utc.time} UTC — ${local.time} your time`;
  return `${utc.date} ${utc.time} UTC — ${local.date} ${local.time} your time`;
}

const zoneCache = new Map<string, string>();

/** Resolves a Slack `tz` to a zone Temporal knows; empty or unknown names fall back to UTC. */
export function resolveZone(timeZone: string | null | undefined): string {
  if (!timeZone) return 'UTC';
  const cached = zoneCache.get(timeZone);
  if (cached !== undefined) return cached;
  try {
    const id = Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(timeZone).timeZoneId;
    zoneCache.set(timeZone, id);
    return id;
  } catch {
    // An unknown zone must not break a command: the user is then treated like one without a zone.
    return 'UTC';
  }
}

// ---------------------------------------------------------------------------------------------
// Finding the leading <when>
// ---------------------------------------------------------------------------------------------

function makeScope(text: string, context: WhenContext): Scope {
  const trimmed = text.trimStart();
  return {
    text: trimmed,
    tokens: leadingTokens(trimmed, MAX_WHEN_TOKENS),
    now: toInstant(context.now),
    zone: resolveZone(context.timeZone),
    direction: context.direction,
    example: context.example ?? DEFAULT_EXAMPLES[context.direction],
  };
}

/** Splits off the first few whitespace-separated words, remembering where each sits in the text. */
function leadingTokens(text: string, max: number): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    if (tokens.length >= max) break;
    tokens.push({ text: match[0], start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

/** The explicit grammar wins on refusals and ties; looking forward, chrono may read a longer phrase. */
function findLeadingCandidate(scope: Scope): Candidate | Refusal | null {
  if (scope.tokens.length === 0) return null;
  const explicit = parseExplicit(scope);
  if (explicit !== null && 'refused' in explicit) return explicit;
  if (scope.direction === 'past') return explicit;
  const natural = parseNatural(scope);
  if (natural === null) return explicit;
  if (explicit === null || natural.end > explicit.end) return natural;
  return explicit;
}

function parseExplicit(scope: Scope): Candidate | Refusal | null {
  return (
    parseIsoDateTime(scope) ??
    parseDateAndTime(scope) ??
    parseDayWordAndTime(scope) ??
    parseClockTime(scope) ??
    parseAgo(scope) ??
    (scope.direction === 'future' ? parseIn(scope) : null)
  );
}

// ---------------------------------------------------------------------------------------------
// ISO-8601 and YYYY-MM-DD forms
// ---------------------------------------------------------------------------------------------

const ISO_DATETIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})t(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$/i;
const PLAIN_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DATE_LIKE = /^\d{4}-\d{1,2}-\d{1,2}/;

/** `2026-11-20T14:05:00Z`, `2026-11-20T15:05+01:00`; without an offset it is the caller's wall clock. */
function parseIsoDateTime(scope: Scope): Candidate | Refusal | null {
  const first = scope.tokens[0]!;
  const match = ISO_DATETIME.exec(first.text);
  if (!match) return null;
  const date = validDate(first.text, Number(match[1]), Number(match[2]), Number(match[3]), scope);
  if ('refused' in date) return date;
  const time = validTime(first.text, Number(match[4]), Number(match[5]), Number(match[6] ?? 0), null, scope);
  if ('refused' in time) return time;
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const wall = date.toPlainDateTime(time).with({ millisecond: millis });
  if (match[8] !== undefined) {
    const offset = parseOffset(match[8]);
    if (offset === null) return refuseUnreadable(first.text, scope);
    return { end: first.end, at: fromOffset(wall, offset), dateOnly: false };
  }
  const utc = takeUtcKeyword(scope, 1);
  return { end: utc ? utc.end : first.end, at: fromWall(wall, utc ? 'UTC' : scope.zone), dateOnly: false };
}

/** `YYYY-MM-DD HH:MM[:SS][ UTC]`, or a date alone (looking forward: the start of that day). */
function parseDateAndTime(scope: Scope): Candidate | Refusal | null {
  const first = scope.tokens[0]!;
  const match = PLAIN_DATE.exec(first.text);
  if (!match) return DATE_LIKE.test(first.text) ? refuseUnreadable(first.text, scope) : null;
  const date = validDate(first.text, Number(match[1]), Number(match[2]), Number(match[3]), scope);
  if ('refused' in date) return date;
  const clock = readClock(scope, 1);
  if (clock !== null && 'refused' in clock) return clock;
  if (clock !== null) {
    const zone = clock.utc ? 'UTC' : scope.zone;
    return { end: clock.end, at: fromWall(date.toPlainDateTime(clock.time), zone), dateOnly: false };
  }
  if (scope.direction === 'past') {
    return refuse(
      `${quote(first.text)} needs a time of day too, e.g. \`${first.text} 09:05\` (your time) or \`${first.text} 09:05 UTC\`. For example: ${scope.example}.`,
    );
  }
  return { end: first.end, at: startOfDay(date, scope.zone), dateOnly: true };
}

/** `yesterday 23:10`, `today 09:05`, `tomorrow 10:00`: a day word pins the date of a clock time. */
function parseDayWordAndTime(scope: Scope): Candidate | Refusal | null {
  const shift = DAY_WORDS[scope.tokens[0]!.text.toLowerCase()];
  if (shift === undefined) return null;
  const clock = readClock(scope, 1);
  if (clock === null || 'refused' in clock) return clock;
  const zone = clock.utc ? 'UTC' : scope.zone;
  const date = localDate(scope.now, zone).add({ days: shift });
  return { end: clock.end, at: fromWall(date.toPlainDateTime(clock.time), zone), dateOnly: false };
}

const DAY_WORDS: Record<string, number> = { yesterday: -1, today: 0, tomorrow: 1 };

// ---------------------------------------------------------------------------------------------
// Clock times: HH:MM[:SS], am/pm, UTC/Z
// ---------------------------------------------------------------------------------------------

const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:(am|pm)|(z))?$/i;
const HOUR_MERIDIEM = /^(\d{1,2})(am|pm)$/i;
const BARE_HOUR = /^\d{1,2}$/;
const MERIDIEM = /^(am|pm)$/i;
const UTC_WORD = /^utc$/i;
/** Starts like a clock time (`9:5`, `09:05,`, `10:30-11:00`, `9pm.`); `1:1` (one-on-one) is prose. */
const CLOCK_LIKE = /^\d{1,2}:\d|^\d{1,2}(am|pm)(?![a-z])/i;
const ONE_ON_ONE = /^1:1$/;

interface Clock {
  time: Temporal.PlainTime;
  utc: boolean;
  end: number;
}

/** A clock time alone: today, else yesterday looking back or tomorrow looking forward. */
function parseClockTime(scope: Scope): Candidate | Refusal | null {
  const clock = readClock(scope, 0);
  if (clock === null || 'refused' in clock) return clock;
  const zone = clock.utc ? 'UTC' : scope.zone;
  return { end: clock.end, at: nearestDay(clock.time, zone, scope), dateOnly: false };
}

/** Past: today unless that is more than the skew ahead, then yesterday. Future: today if still ahead, else tomorrow. */
function nearestDay(time: Temporal.PlainTime, zone: string, scope: Scope): Instant {
  const date = localDate(scope.now, zone);
  const sameDay = fromWall(date.toPlainDateTime(time), zone);
  if (scope.direction === 'past') {
    const tooLate = sameDay.epochMilliseconds > scope.now.epochMilliseconds + CLOCK_SKEW_MS;
    return tooLate ? fromWall(date.subtract({ days: 1 }).toPlainDateTime(time), zone) : sameDay;
  }
  const ahead = sameDay.epochMilliseconds > scope.now.epochMilliseconds;
  return ahead ? sameDay : fromWall(date.add({ days: 1 }).toPlainDateTime(time), zone);
}

/** Reads a clock time starting at token `index`, with its optional am/pm and UTC words. */
function readClock(scope: Scope, index: number): Clock | Refusal | null {
  const token = scope.tokens[index];
  if (token === undefined) return null;
  const next = scope.tokens[index + 1];
  let hour: number;
  let minute = 0;
  let second = 0;
  let meridiem: string | null = null;
  let utc = false;
  let last = index;
  const clock = CLOCK.exec(token.text);
  const hourOnly = HOUR_MERIDIEM.exec(token.text);
  if (clock) {
    [hour, minute, second] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    meridiem = clock[4] ?? null;
    utc = clock[5] !== undefined;
    if (meridiem === null && !utc && next && MERIDIEM.test(next.text)) {
      meridiem = next.text;
      last += 1;
    }
  } else if (hourOnly) {
    [hour, meridiem] = [Number(hourOnly[1]), hourOnly[2]!];
  } else if (BARE_HOUR.test(token.text) && next && MERIDIEM.test(next.text)) {
    [hour, meridiem] = [Number(token.text), next.text];
    last += 1;
  } else {
    return CLOCK_LIKE.test(token.text) && !ONE_ON_ONE.test(token.text) ? refuseUnreadable(token.text, scope) : null;
  }
  const spelled = scope.text.slice(token.start, scope.tokens[last]!.end);
  const time = validTime(spelled, hour, minute, second, meridiem, scope);
  if ('refused' in time) return time;
  const utcWord = utc ? null : takeUtcKeyword(scope, last + 1);
  if (utcWord) return { time, utc: true, end: utcWord.end };
  return { time, utc, end: scope.tokens[last]!.end };
}

/** The `UTC` word after a time, if present at token `index`. */
function takeUtcKeyword(scope: Scope, index: number): Token | null {
  const token = scope.tokens[index];
  return token && UTC_WORD.test(token.text) ? token : null;
}

// ---------------------------------------------------------------------------------------------
// Relative times: `10m ago`, `2 hours ago`, `in 2 weeks`
// ---------------------------------------------------------------------------------------------

type Unit = 'seconds' | 'minutes' | 'hours' | 'days' | 'weeks' | 'months' | 'years';

const UNITS: Record<string, Unit> = {
  s: 'seconds',
  sec: 'seconds',
  secs: 'seconds',
  second: 'seconds',
  seconds: 'seconds',
  m: 'minutes',
  min: 'minutes',
  mins: 'minutes',
  minute: 'minutes',
  minutes: 'minutes',
  h: 'hours',
  hr: 'hours',
  hrs: 'hours',
  hour: 'hours',
  hours: 'hours',
  d: 'days',
  day: 'days',
  days: 'days',
  w: 'weeks',
  wk: 'weeks',
  wks: 'weeks',
  week: 'weeks',
  weeks: 'weeks',
};
/** Months and years vary in length, so they are only offered for due dates (`in 3 months`). */
const CALENDAR_UNITS: Record<string, Unit> = {
  mo: 'months',
  mos: 'months',
  month: 'months',
  months: 'months',
  y: 'years',
  yr: 'years',
  yrs: 'years',
  year: 'years',
  years: 'years',
};
const UNIT_MS: Partial<Record<Unit, number>> = {
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: DAY_MS,
  weeks: 7 * DAY_MS,
};
const COMPACT_DURATION = /^(?:\d+[a-z]+)+$/i;
const COMPACT_PART = /(\d+)([a-z]+)/gi;
const MAX_DURATION_PARTS = 4;

type Duration = Partial<Record<Unit, number>>;

/** `10m ago`, `1h30m ago`, `5 min ago`, `an hour ago`: exact time before now. */
function parseAgo(scope: Scope): Candidate | Refusal | null {
  const duration = readDuration(scope, 0, UNITS);
  const ago = duration === null ? undefined : scope.tokens[duration.next];
  if (duration === null || ago === undefined || !AGO_WORD.test(ago.text)) return refuseMalformedAgo(scope);
  const spelled = scope.text.slice(0, ago.end);
  if (!/^ago$/i.test(ago.text)) return refuseUnreadable(spelled, scope);
  const millis = exactMillis(duration.value);
  if (!(millis <= MAX_AGO_DAYS * DAY_MS)) {
    return refuse(
      `${quote(spelled)} is too far back: timeline entries and milestones reach back at most ${MAX_AGO_DAYS} days. For example: ${scope.example}.`,
    );
  }
  return { end: ago.end, at: scope.now.subtract({ milliseconds: millis }), dateOnly: false };
}

/** Words that can make up a duration someone meant to write: numbers, `1h30`, `1.5h`, unit words. */
// Each letter run must be followed by a digit or separator before the next one: no backtracking blow-up.
const DURATION_ISH = /^\d[\d.,:]*(?:[a-z]+[\d.,:]+)*[a-z]*$/i;
const AGO_WORD = /^ago(?![a-z])/i;

/**
 * `1h30 ago`, `10 ago`, `1.5h ago`, `5mo ago`: up to four number-or-unit words then `ago`, which is not
 * a duration `parseAgo` reads. Refused rather than stored as text at "now". A number followed by a word
 * that is no fixed-length unit (`5 months ago we …`, `3 sprints ago`) stays prose.
 */
function refuseMalformedAgo(scope: Scope): Refusal | null {
  if (!/^\d/.test(scope.tokens[0]!.text)) return null;
  for (let index = 0; index <= MAX_DURATION_PARTS && index < scope.tokens.length; index += 1) {
    const token = scope.tokens[index]!;
    if (index > 0 && AGO_WORD.test(token.text)) return refuseUnreadable(scope.text.slice(0, token.end), scope);
    if (!DURATION_ISH.test(token.text) && UNITS[token.text.toLowerCase()] === undefined) return null;
  }
  return null;
}

/** `in 2 weeks` is a date (start of that day); `in 90 min` or `in 1d 4h` is an exact instant. */
function parseIn(scope: Scope): Candidate | Refusal | null {
  if (!/^in$/i.test(scope.tokens[0]!.text)) return null;
  const duration = readDuration(scope, 1, { ...UNITS, ...CALENDAR_UNITS });
  if (duration === null) return null;
  const end = scope.tokens[duration.next - 1]!.end;
  const spelled = scope.text.slice(0, end);
  const tooFar = refuse(
    `${quote(spelled)} is too far ahead: due dates and debrief times reach at most ${MAX_AHEAD_DAYS} days forward. For example: ${scope.example}.`,
  );
  const { seconds, minutes, hours } = duration.value;
  const dateOnly = seconds === undefined && minutes === undefined && hours === undefined;
  const at = addToNow(scope, duration.value, dateOnly);
  if (at === null || at.epochMilliseconds - scope.now.epochMilliseconds > MAX_AHEAD_DAYS * DAY_MS) return tooFar;
  return { end, at, dateOnly };
}

/** Calendar units move the local date (DST-safe); hours and smaller are exact. Null when out of Temporal's range. */
function addToNow(scope: Scope, duration: Duration, dateOnly: boolean): Instant | null {
  // Temporal throws on absurd amounts; anything near that is far beyond the cap anyway.
  if (Object.values(duration).some((n) => !(n <= MAX_AHEAD_DAYS * 86_400))) return null;
  try {
    if (dateOnly) return startOfDay(localDate(scope.now, scope.zone).add(duration), scope.zone);
    return scope.now.toZonedDateTimeISO(scope.zone).add(duration).toInstant();
  } catch {
    return null;
  }
}

/** Reads up to four `<n><unit>` / `<n> <unit>` parts (`a`/`an` counts as 1 for the first). */
function readDuration(
  scope: Scope,
  start: number,
  units: Record<string, Unit>,
): { value: Duration; next: number } | null {
  const value: Duration = {};
  let index = start;
  let parts = 0;
  while (parts < MAX_DURATION_PARTS) {
    const read = readDurationPart(scope, index, units, parts === 0);
    if (read === null) break;
    for (const [unit, amount] of read.parts) value[unit] = (value[unit] ?? 0) + amount;
    index = read.next;
    parts += 1;
  }
  return parts === 0 ? null : { value, next: index };
}

function readDurationPart(
  scope: Scope,
  index: number,
  units: Record<string, Unit>,
  first: boolean,
): { parts: Array<[Unit, number]>; next: number } | null {
  const token = scope.tokens[index];
  if (token === undefined) return null;
  if (COMPACT_DURATION.test(token.text)) {
    const parts: Array<[Unit, number]> = [];
    for (const [, amount, unit] of token.text.matchAll(COMPACT_PART)) {
      const known = units[unit!.toLowerCase()];
      if (known === undefined) return null;
      parts.push([known, Number(amount)]);
    }
    return { parts, next: index + 1 };
  }
  const unitToken = scope.tokens[index + 1];
  const unit = unitToken ? units[unitToken.text.toLowerCase()] : undefined;
  if (unit === undefined) return null;
  if (/^\d+$/.test(token.text)) return { parts: [[unit, Number(token.text)]], next: index + 2 };
  if (first && /^an?$/i.test(token.text)) return { parts: [[unit, 1]], next: index + 2 };
  return null;
}

/** The length of a duration made of fixed-length units (Infinity for absurd numbers, caught by the cap). */
function exactMillis(duration: Duration): number {
  let total = 0;
  for (const [unit, amount] of Object.entries(duration) as Array<[Unit, number]>) {
    total += amount * (UNIT_MS[unit] ?? Number.POSITIVE_INFINITY);
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Natural dates looking forward (chrono-node)
// ---------------------------------------------------------------------------------------------

/** `friday`, `next monday`, `tomorrow 9am`, `dec 3`, read by chrono in the caller's wall clock. */
function parseNatural(scope: Scope): Candidate | null {
  const last = scope.tokens[scope.tokens.length - 1]!;
  const head = scope.text.slice(0, last.end);
  const nowWall = wallFields(scope.now.epochMilliseconds, scope.zone);
  // chrono computes in the process zone; handing it a Date whose process-local fields are the caller's
  // wall clock makes its answers the caller's wall clock whatever zone the server runs in.
  const reference = new Date(
    nowWall.year,
    nowWall.month - 1,
    nowWall.day,
    nowWall.hour,
    nowWall.minute,
    nowWall.second,
    nowWall.millisecond,
  );
  reference.setFullYear(nowWall.year);
  let results: ParsedResult[];
  try {
    results = casual.parse(head, reference, { forwardDate: true });
  } catch {
    return null;
  }
  const result = results.find((r) => r.index === 0);
  if (result === undefined) return null;
  const end = result.text.length;
  // A <when> ends at a word boundary: `fridays` or `dec 3rd,` are not times.
  if (end < head.length && !/\s/.test(head[end]!)) return null;
  if (isRelativeToNow(result.start)) {
    // `now`, `2 hours from now`: an exact distance from now, whatever the wall clock does meanwhile.
    const at = scope.now.add({ milliseconds: result.start.date().getTime() - reference.getTime() });
    return { end, at, dateOnly: false };
  }
  const todayLocal = new Temporal.PlainDate(nowWall.year, nowWall.month, nowWall.day);
  const resolved = resolveNatural(result.start, result.text, scope, todayLocal);
  return resolved === null ? null : { end, ...resolved };
}

/** chrono marks these with the reference's own UTC offset, which is the process zone's, not the caller's. */
function isRelativeToNow(parts: ParsedComponents): boolean {
  const tags = parts.tags();
  return tags.has('result/relativeDateAndTime') || tags.has('casualReference/now');
}

/** Turns chrono's components into an instant, replacing its guesses for weekdays, years and times of day. */
function resolveNatural(
  parts: ParsedComponents,
  spelled: string,
  scope: Scope,
  todayLocal: Temporal.PlainDate,
): { at: Instant; dateOnly: boolean } | null {
  const hasTime = parts.isCertain('hour');
  const offsetMinutes = parts.isCertain('timezoneOffset') ? parts.get('timezoneOffset') : null;
  let time: Temporal.PlainTime;
  let date: Temporal.PlainDate;
  try {
    time = hasTime
      ? new Temporal.PlainTime(
          parts.get('hour') ?? 0,
          parts.get('minute') ?? 0,
          parts.get('second') ?? 0,
          parts.get('millisecond') ?? 0,
        )
      : new Temporal.PlainTime();
    date = Temporal.PlainDate.from(
      { year: parts.get('year') ?? 0, month: parts.get('month') ?? 0, day: parts.get('day') ?? 0 },
      { overflow: 'reject' },
    );
  } catch {
    return null;
  }
  const instantOf = (day: Temporal.PlainDate): Instant => {
    const wall = day.toPlainDateTime(time);
    return offsetMinutes === null ? fromWall(wall, scope.zone) : fromOffset(wall, offsetMinutes * 60_000);
  };
  const notPast = (day: Temporal.PlainDate): boolean =>
    hasTime
      ? instantOf(day).epochMilliseconds > scope.now.epochMilliseconds
      : Temporal.PlainDate.compare(day, todayLocal) >= 0;
  if (parts.isCertain('weekday') && !parts.isCertain('day')) {
    date = weekdayDate(parts.get('weekday') ?? 0, spelled, date, todayLocal);
  } else if (parts.isCertain('day') && parts.isCertain('month') && !parts.isCertain('year')) {
    date = firstNotPast([todayLocal.year, todayLocal.year + 1], date, notPast) ?? date;
  } else if (hasTime && !parts.isCertain('day') && !parts.isCertain('month')) {
    date = notPast(todayLocal) ? todayLocal : todayLocal.add({ days: 1 });
  }
  return hasTime ? { at: instantOf(date), dateOnly: false } : { at: startOfDay(date, scope.zone), dateOnly: true };
}

/**
 * `friday` and `next friday` are never today (chrono's forwardDate picks today on a Friday morning);
 * `last friday` is the one before today, so that it is refused as past rather than pushed a week ahead.
 */
function weekdayDate(
  weekday: number,
  spelled: string,
  chronoDate: Temporal.PlainDate,
  todayLocal: Temporal.PlainDate,
): Temporal.PlainDate {
  const todayWeekday = todayLocal.dayOfWeek % 7; // Temporal: Monday 1 … Sunday 7; chrono: Sunday 0 … Saturday 6
  if (/\b(last|past|previous)\b/i.test(spelled)) {
    return todayLocal.subtract({ days: (todayWeekday - weekday + 7) % 7 || 7 });
  }
  let date = chronoDate;
  while (Temporal.PlainDate.compare(date, todayLocal) <= 0) date = date.add({ days: 7 });
  return date;
}

/** `dec 3` without a year: this year's when it is still ahead, else next year's. */
function firstNotPast(
  years: number[],
  date: Temporal.PlainDate,
  notPast: (day: Temporal.PlainDate) => boolean,
): Temporal.PlainDate | null {
  for (const year of years) {
    try {
      const candidate = Temporal.PlainDate.from({ year, month: date.month, day: date.day }, { overflow: 'reject' });
      if (notPast(candidate)) return candidate;
    } catch {
      // February 29 in a common year: try the next year.
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Direction: timeline entries look back, due dates look forward
// ---------------------------------------------------------------------------------------------

function checkDirection(candidate: Candidate, scope: Scope): Date | Refusal {
  const ahead = candidate.at.epochMilliseconds - scope.now.epochMilliseconds;
  // Only refusals show the time: describing it costs two zone conversions.
  const shown = (): string => describe(candidate.at, scope.zone);
  if (scope.direction === 'past') {
    if (ahead > CLOCK_SKEW_MS) {
      return refuse(
        `That time is in the future: ${shown()}. Timeline entries and milestones look back; give a past time, e.g. ${scope.example}.`,
      );
    }
    if (-ahead > MAX_AGO_DAYS * DAY_MS) {
      return refuse(
        `That time is too far back: ${shown()}. Timeline entries and milestones reach back at most ${MAX_AGO_DAYS} days; check the year, e.g. ${scope.example}.`,
      );
    }
    // Slack's clock and ours disagree by a little: a few minutes ahead means "just now".
    return new Date(Math.min(candidate.at.epochMilliseconds, scope.now.epochMilliseconds));
  }
  const past = candidate.dateOnly
    ? Temporal.PlainDate.compare(localDate(candidate.at, scope.zone), localDate(scope.now, scope.zone)) < 0
    : ahead < 0;
  if (past) {
    return refuse(
      `That time is in the past: ${shown()}. Due dates and debrief times look forward; give a future time, e.g. ${scope.example}.`,
    );
  }
  if (ahead > MAX_AHEAD_DAYS * DAY_MS) {
    return refuse(
      `That time is too far ahead: ${shown()}. Due dates and debrief times reach at most ${MAX_AHEAD_DAYS} days forward; check the year, e.g. ${scope.example}.`,
    );
  }
  return new Date(candidate.at.epochMilliseconds);
}

// ---------------------------------------------------------------------------------------------
// Validation and refusals
// ---------------------------------------------------------------------------------------------

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function validDate(
  spelled: string,
  year: number,
  month: number,
  day: number,
  scope: Scope,
): Temporal.PlainDate | Refusal {
  const why = dateProblem(year, month, day);
  if (why === null) return Temporal.PlainDate.from({ year, month, day });
  return refuse(`${quote(spelled)} is not a valid date: ${why}. Write dates as YYYY-MM-DD, e.g. ${scope.example}.`);
}

function dateProblem(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const days = Temporal.PlainYearMonth.from({ year, month }).daysInMonth;
  if (day < 1 || day > days) return `${MONTH_NAMES[month - 1]} ${year} has ${days} days`;
  return null;
}

function validTime(
  spelled: string,
  hour: number,
  minute: number,
  second: number,
  meridiem: string | null,
  scope: Scope,
): Temporal.PlainTime | Refusal {
  const twelveHour = meridiem !== null;
  const hourOk = twelveHour ? hour >= 1 && hour <= 12 : hour >= 0 && hour <= 23;
  if (!hourOk || minute > 59 || second > 59) {
    const range = twelveHour ? 'hours 1–12 with am/pm' : 'hours 00–23';
    return refuse(
      `${quote(spelled)} is not a valid time (${range}, minutes and seconds 00–59). Write times like \`09:05\` or \`21:05\`, e.g. ${scope.example}.`,
    );
  }
  const pm = twelveHour && meridiem!.toLowerCase() === 'pm';
  const hour24 = twelveHour ? (hour % 12) + (pm ? 12 : 0) : hour;
  return new Temporal.PlainTime(hour24, minute, second);
}

/** `+01:00`, `-0530`, `+05`, `Z` → milliseconds east of UTC; null when out of range. */
function parseOffset(text: string): number | null {
  if (/^z$/i.test(text)) return 0;
  const digits = text.slice(1).replaceAll(':', '');
  const [hours, minutes, seconds] = [digits.slice(0, 2), digits.slice(2, 4), digits.slice(4, 6)].map((n) =>
    Number(n || 0),
  );
  if (hours! > 23 || minutes! > 59 || seconds! > 59) return null;
  const sign = text.startsWith('-') ? -1 : 1;
  return sign * ((hours! * 60 + minutes!) * 60 + seconds!) * 1000;
}

/** A word that starts like a time or date but is not one: refused so it is not stored as text at "now". */
function refuseUnreadable(spelled: string, scope: Scope): Refusal {
  return refuse(
    `${quote(clip(spelled))} is not a time Debrief understands: write ${acceptedForms(scope)}, then a space and the text. For example: ${scope.example}.`,
  );
}

/** The accepted forms, spelled with the caller's own date so that they can be copied. */
function acceptedForms(scope: Scope): string {
  const date = wallClock(scope.now.epochMilliseconds, scope.zone).date;
  const forms =
    scope.direction === 'past'
      ? ['09:05', '09:05 UTC', `${date} 09:05`, `${date}T09:05Z`, '10m ago', '2h ago']
      : ['15:00', '15:00 UTC', `${date} 15:00`, 'friday', 'in 2 weeks'];
  return `${forms.slice(0, -1).map(quote).join(', ')} or ${quote(forms.at(-1)!)}`;
}

function refuse(message: string): Refusal {
  return { refused: message };
}

function quote(text: string): string {
  return `\`${text.replaceAll('`', "'")}\``;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// Temporal helpers
// ---------------------------------------------------------------------------------------------

function toInstant(at: Date): Instant {
  return Temporal.Instant.fromEpochMilliseconds(at.getTime());
}

function localDate(at: Instant, zone: string): Temporal.PlainDate {
  const { year, month, day } = wallFields(at.epochMilliseconds, zone);
  return new Temporal.PlainDate(year, month, day);
}

/**
 * Wall-clock → instant by the iCalendar/Temporal "compatible" rule (gaps move forward, overlaps take the earlier
 * offset), computed the way Temporal does it but on the native zone clock (see `wallFields`).
 */
function fromWall(wall: Temporal.PlainDateTime, zone: string): Instant {
  const local = utcMs(wall);
  const possible = possibleInstants(local, zone);
  if (possible.length > 0) return Temporal.Instant.fromEpochMilliseconds(possible[0]!);
  // In a gap: the wall clock moved forward by the change of offset around it, then its later reading.
  const shift = offsetMs(local + DAY_MS, zone) - offsetMs(local - DAY_MS, zone);
  return Temporal.Instant.fromEpochMilliseconds(possibleInstants(local + shift, zone).at(-1)!);
}

/** The instants at which the zone's wall clock reads `local` (taken as UTC), earlier first: none in a gap, two in an overlap. */
function possibleInstants(local: number, zone: string): number[] {
  // Temporal's assumption too: the offsets a day either side are the only ones in between.
  const before = offsetMs(local - DAY_MS, zone);
  const after = offsetMs(local + DAY_MS, zone);
  const offsets = before === after ? [before] : [before, after];
  return offsets.map((offset) => local - offset).filter((at) => offsetMs(at, zone) === local - at);
}

/** How far the zone's wall clock is ahead of UTC at an instant. */
function offsetMs(epochMs: number, zone: string): number {
  return utcMs(wallFields(epochMs, zone)) - epochMs;
}

/** A wall clock read as if it were UTC; `setUTCFullYear` because `Date.UTC` takes years 0–99 as 1900–1999. */
function utcMs(wall: WallFields): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  return date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
}

function fromOffset(wall: Temporal.PlainDateTime, offsetMs: number): Instant {
  return wall.toZonedDateTime('UTC').toInstant().subtract({ milliseconds: offsetMs });
}

function startOfDay(date: Temporal.PlainDate, zone: string): Instant {
  return fromWall(date.toPlainDateTime(), zone);
}

function wallClock(epochMs: number, zone: string): { date: string; time: string } {
  const z = wallFields(epochMs, zone);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return { date: `${pad(z.year, 4)}-${pad(z.month)}-${pad(z.day)}`, time: `${pad(z.hour)}:${pad(z.minute)}` };
}

/** Whether `now` falls on the given dates, in UTC and in the zone. */
function isToday(utcDate: string, zoneDate: string, now: Date, zone: string): boolean {
  if (Number.isNaN(now.getTime())) return false;
  return wallClock(now.getTime(), 'UTC').date === utcDate && wallClock(now.getTime(), zone).date === zoneDate;
}

/** For refusals: `2026-11-20 18:05 UTC (10:05 your time)`, dated locally when the local day differs. */
function describe(at: Instant, zone: string): string {
  const epochMs = at.epochMilliseconds;
  const utc = wallClock(epochMs, 'UTC');
  const shown = `${utc.date} ${utc.time} UTC`;
  if (isUtcZone(zone)) return shown;
  const local = wallClock(epochMs, zone);
  const localText = local.date === utc.date ? local.time : `${local.date} ${local.time}`;
  return `${shown} (${localText} your time)`;
}

/** The fields of a zoned date-time, read from a zone's clock at an instant. */
interface WallFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/**
 * The polyfill's zone conversions compute in emulated bigints and were a quarter of a command's CPU; it reads
 * the zone's clock from this same Intl data, so reading it here natively gives the same fields.
 * One formatter per resolved zone (a few hundred at most); null where Intl does not know the zone (`+05:30`),
 * which is then left to Temporal.
 */
const wallFormats = new Map<string, Intl.DateTimeFormat | null>();

function wallFields(epochMs: number, zone: string): WallFields {
  if (zone === 'UTC') {
    const utc = new Date(epochMs);
    return {
      year: utc.getUTCFullYear(),
      month: utc.getUTCMonth() + 1,
      day: utc.getUTCDate(),
      hour: utc.getUTCHours(),
      minute: utc.getUTCMinutes(),
      second: utc.getUTCSeconds(),
      millisecond: utc.getUTCMilliseconds(),
    };
  }
  const format = wallFormat(zone);
  if (format === null) return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone);
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const { type, value } of format.formatToParts(epochMs)) parts[type] = value;
  const year = Number(parts.year);
  return {
    // ISO years count 1 BC as year 0.
    year: parts.era === 'BC' ? 1 - year : year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    // Offsets are whole seconds, so the wall clock's milliseconds are the instant's.
    millisecond: ((epochMs % 1000) + 1000) % 1000,
  };
}

function wallFormat(zone: string): Intl.DateTimeFormat | null {
  let format = wallFormats.get(zone);
  if (format !== undefined) return format;
  try {
    // h23: 'hour12: false' can print midnight as 24; the era tells years BC apart.
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    format = null;
  }
  wallFormats.set(zone, format);
  return format;
}

/** Zone names seen so far: building an Intl.DateTimeFormat costs far more than the echo it serves. */
const utcZones = new Map<string, boolean>();
const UTC_ZONES_REMEMBERED = 1_000;

function isUtcZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  const known = utcZones.get(zone);
  if (known !== undefined) return known;
  let utc: boolean;
  try {
    utc = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone === 'UTC';
  } catch {
    utc = false;
  }
  if (utcZones.size < UTC_ZONES_REMEMBERED) utcZones.set(zone, utc);
  return utc;
}
