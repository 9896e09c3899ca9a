/**
 * Debrief slot finding (SPEC §6): three proposals of the requested length inside a window of business days
 * after resolution, judged by who is within 09:00–17:00 on a weekday in their own zone. Debrief does not
 * read calendars, so "free" only means "within working hours".
 *
 * Decisions (callers and tests rely on them):
 * - Business days and the window are counted in the postmortem owner's zone: the owner runs the debrief,
 *   and the postmortem's due date is counted in that zone too (policy.ts).
 * - The window runs from the later of `now` and 00:00 of the first business day after the day of
 *   resolution, to the end (24:00) of the `within`-th business day after it. It has "passed" when no slot
 *   in it keeps the owner within their hours; the window is then `now` to the end of the `within`-th
 *   business day after today.
 * - A slot is a candidate when it starts on a multiple of the step (UTC, which is every zone's quarter
 *   hour), lies wholly inside the window, and starts on a weekday in the owner's zone.
 * - A person is covered by a slot when it lies wholly inside 09:00–17:00 of one weekday in their zone
 *   (null or unknown zone: UTC). A weekday is each person's own.
 * - Ranking: slots covering every required person, earliest first; otherwise slots covering owner and
 *   commander, most required people first, then most optional, then earliest; otherwise (owner and
 *   commander have no hours in common) slots keeping more of the two in hours, the other nearest their
 *   hours, then as before.
 * - Spread: a proposal starts at least 2 hours from every other one on the same day (owner's date), so
 *   that three proposals are not one morning; when too few slots allow that, the rule is relaxed.
 * - Proposals are returned best first, which for the first kind is earliest first. When fewer than three slots
 *   keep owner and commander in hours, fewer are proposed rather than one without them.
 */
import { Temporal } from '@js-temporal/polyfill';
import { addBusinessDays, dateInZone, type IsoDate } from '../business-days';
import type { Severity } from '../types';
import { resolveZone } from '../when';

/** Working hours every participant is judged by, in their own zone. */
export const WORKDAY_START_HOUR = 9;
export const WORKDAY_END_HOUR = 17;
/** Proposals on one day start at least this far apart (see the spread decision above). */
export const PROPOSAL_SPREAD_MS = 2 * 3_600_000;
/** How many slots a proposal offers (SPEC §6). */
export const PROPOSAL_COUNT = 3;

/** SPEC §6: 60 minutes for sev1–2, 45 otherwise. */
export function defaultDebriefMinutes(severity: Severity): number {
  return severity === 'sev1' || severity === 'sev2' ? 60 : 45;
}

/** SPEC §6: within 3 business days of resolution for sev1, 5 otherwise. */
export function defaultDebriefWithin(severity: Severity): number {
  return severity === 'sev1' ? 3 : 5;
}

/** One invitee as the slot finder sees them. */
export interface SlotPerson {
  userId: string;
  /** IANA zone from Slack; null, empty or unknown means UTC. */
  timeZone: string | null;
  required: boolean;
}

/** What slot finding depends on; "now" is a parameter. */
export interface SlotInput {
  participants: readonly SlotPerson[];
  ownerId: string;
  commanderId: string | null;
  severity: Severity;
  resolvedAt: Date;
  now: Date;
  /** Meeting length; null or absent: the severity's default. */
  minutes?: number | null;
  /** Business days after resolution; null or absent: the severity's default. */
  withinBusinessDays?: number | null;
  /** Minutes between candidate starts. */
  stepMinutes?: 15 | 30;
}

/** Someone outside their working hours in a proposal, with the local time they would join at. */
export interface OutsideHours {
  userId: string;
  timeZone: string;
  /** `HH:MM` in their zone at the start. */
  localTime: string;
  /** `Mon` … `Sun` in their zone at the start. */
  localWeekday: string;
  /** e.g. `U0CAROL 22:30 Asia/Kolkata`, with `(Sat)` added when that is not a weekday for them. */
  label: string;
}

/** One proposed slot. */
export interface SlotProposal {
  start: Date;
  end: Date;
  /** People within their working hours, in the participants' order. */
  covered: string[];
  outside: OutsideHours[];
  requiredCovered: number;
  optionalCovered: number;
}

/** How good the proposals are: everyone required in hours, best coverage with owner and commander, or neither. */
export type ProposalQuality = 'all_required' | 'owner_and_commander' | 'owner_commander_apart';

/** The proposals and the window they were drawn from. */
export interface SlotProposals {
  minutes: number;
  withinBusinessDays: number;
  window: { start: Date; end: Date; afterResolution: boolean };
  quality: ProposalQuality;
  /** What to tell people about the choice, or null when every required person is in hours. */
  note: string | null;
  proposals: SlotProposal[];
}

/**
 * Proposes three debrief slots of the requested length in the business-day window after resolution, preferring
 * slots inside every required person's working hours and always keeping owner and commander in hours if possible.
 */
export function proposeDebriefSlots(input: SlotInput): SlotProposals {
  const minutes = input.minutes ?? defaultDebriefMinutes(input.severity);
  const within = input.withinBusinessDays ?? defaultDebriefWithin(input.severity);
  const step = input.stepMinutes ?? 15;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > (WORKDAY_END_HOUR - WORKDAY_START_HOUR) * 60) {
    throw new RangeError(`a debrief lasts 1 to ${(WORKDAY_END_HOUR - WORKDAY_START_HOUR) * 60} minutes: ${minutes}`);
  }
  if (!Number.isInteger(within) || within < 1) throw new RangeError(`within must be ≥ 1 business day: ${within}`);
  if (step !== 15 && step !== 30) throw new RangeError(`step must be 15 or 30 minutes: ${step}`);

  const people = normalisePeople(input);
  const ownerZone = resolveZone(people.find((p) => p.userId === input.ownerId)?.timeZone);
  const lengthMs = minutes * 60_000;

  const resolvedDate = dateInZone(input.resolvedAt, ownerZone);
  const primary = {
    start: Math.max(input.now.getTime(), startOfDay(addBusinessDays(resolvedDate, 1), ownerZone)),
    end: startOfDay(nextDate(addBusinessDays(resolvedDate, within)), ownerZone),
  };
  let window = primary;
  let afterResolution = true;
  let slots = candidateSlots(people, input.ownerId, window, lengthMs, step, ownerZone);
  if (!slots.some((s) => s.ownerCovered)) {
    window = {
      start: input.now.getTime(),
      end: startOfDay(nextDate(addBusinessDays(dateInZone(input.now, ownerZone), within)), ownerZone),
    };
    afterResolution = false;
    slots = candidateSlots(people, input.ownerId, window, lengthMs, step, ownerZone);
  }

  const allRequired = slots.filter((s) => s.requiredCovered === s.requiredTotal);
  const withLeads = slots
    .filter((s) => s.leadsCovered === s.leadsTotal)
    .sort(
      (a, b) => b.requiredCovered - a.requiredCovered || b.optionalCovered - a.optionalCovered || a.start - b.start,
    );
  const apart = [...slots].sort(
    (a, b) =>
      b.leadsCovered - a.leadsCovered ||
      a.leadsDistance - b.leadsDistance ||
      b.requiredCovered - a.requiredCovered ||
      b.optionalCovered - a.optionalCovered ||
      a.start - b.start,
  );
  const quality: ProposalQuality =
    allRequired.length > 0 ? 'all_required' : withLeads.length > 0 ? 'owner_and_commander' : 'owner_commander_apart';
  // Owner and commander are never traded for coverage: when slots keep both in hours, only those are offered,
  // even if that makes fewer than three.
  const picked = pickSpread(withLeads.length > 0 ? [allRequired, withLeads] : [apart], PROPOSAL_COUNT);

  return {
    minutes,
    withinBusinessDays: within,
    window: { start: new Date(window.start), end: new Date(window.end), afterResolution },
    quality,
    note: noteFor(quality, afterResolution, within),
    proposals: picked.map((slot) => describe(slot, people, lengthMs)),
  };
}

// ---------------------------------------------------------------------------------------------
// Candidates
// ---------------------------------------------------------------------------------------------

interface Person extends SlotPerson {
  zone: string;
  lead: boolean;
}

interface Candidate {
  start: number;
  /** Index of the owner's local day the slot starts on, for the spread rule. */
  ownerDay: number;
  coveredMask: boolean[];
  ownerCovered: boolean;
  requiredCovered: number;
  requiredTotal: number;
  optionalCovered: number;
  leadsCovered: number;
  leadsTotal: number;
  /** Minutes owner and commander would have to move for the slot to fit their hours (0 when in hours). */
  leadsDistance: number;
}

interface Interval {
  start: number;
  end: number;
}

/** One entry per user; owner and commander are always required, added (zone UTC) when the list lacks them. */
function normalisePeople(input: SlotInput): Person[] {
  const byId = new Map<string, Person>();
  const leads = [input.ownerId, input.commanderId].filter((id): id is string => !!id);
  for (const p of input.participants) {
    const existing = byId.get(p.userId);
    if (existing) {
      existing.required ||= p.required;
      continue;
    }
    byId.set(p.userId, { ...p, zone: resolveZone(p.timeZone), lead: false });
  }
  for (const id of leads) {
    if (!byId.has(id)) byId.set(id, { userId: id, timeZone: null, required: true, zone: 'UTC', lead: false });
    const person = byId.get(id)!;
    person.required = true;
    person.lead = true;
  }
  return [...byId.values()];
}

/**
 * Every candidate slot in the window with who it covers. Working hours are precomputed once per zone and day
 * as UTC intervals, so the scan over slots is plain arithmetic (no Temporal call per slot or person).
 */
function candidateSlots(
  people: Person[],
  ownerId: string,
  window: Interval,
  lengthMs: number,
  step: number,
  ownerZone: string,
): Candidate[] {
  if (window.end - window.start < lengthMs) return [];
  const zones = [...new Set(people.map((p) => p.zone))];
  const hoursByZone = new Map(zones.map((z) => [z, workingIntervals(z, window)]));
  const ownerDays = weekdayIntervals(ownerZone, window);
  const zoneIndex = people.map((p) => zones.indexOf(p.zone));
  const cursors = zones.map(() => 0);
  const stepMs = step * 60_000;
  const out: Candidate[] = [];
  let dayCursor = 0;
  for (let start = Math.ceil(window.start / stepMs) * stepMs; start + lengthMs <= window.end; start += stepMs) {
    while (dayCursor < ownerDays.length && ownerDays[dayCursor]!.end <= start) dayCursor += 1;
    const day = ownerDays[dayCursor];
    if (!day || day.start > start) continue;
    const end = start + lengthMs;
    const zoneCovered = zones.map((zone, z) => {
      const hours = hoursByZone.get(zone)!;
      // Slots only move forward, so an interval ending before this slot ends can never cover a later one.
      while (cursors[z]! < hours.length && hours[cursors[z]!]!.end < end) cursors[z]! += 1;
      const interval = hours[cursors[z]!];
      return interval !== undefined && interval.start <= start && end <= interval.end;
    });
    const coveredMask = people.map((_, i) => zoneCovered[zoneIndex[i]!]!);
    let requiredCovered = 0;
    let requiredTotal = 0;
    let optionalCovered = 0;
    let leadsCovered = 0;
    let leadsTotal = 0;
    let leadsDistance = 0;
    people.forEach((p, i) => {
      const covered = coveredMask[i]!;
      if (p.required) {
        requiredTotal += 1;
        if (covered) requiredCovered += 1;
      } else if (covered) optionalCovered += 1;
      if (p.lead) {
        leadsTotal += 1;
        if (covered) leadsCovered += 1;
        else leadsDistance += distanceToHours(hoursByZone.get(p.zone)!, start, end);
      }
    });
    out.push({
      start,
      ownerDay: dayCursor,
      coveredMask,
      ownerCovered: coveredMask[people.findIndex((p) => p.userId === ownerId)]!,
      requiredCovered,
      requiredTotal,
      optionalCovered,
      leadsCovered,
      leadsTotal,
      leadsDistance,
    });
  }
  return out;
}

/** How many minutes a slot must move to fit the nearest working interval. */
function distanceToHours(hours: Interval[], start: number, end: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const h of hours) {
    const shift = start < h.start ? h.start - start : end > h.end ? end - h.end : 0;
    if (shift < best) best = shift;
  }
  return best === Number.POSITIVE_INFINITY ? 24 * 60 : best / 60_000;
}

/** 09:00–17:00 of every weekday in the zone that can touch the window, as UTC intervals (DST-correct per day). */
function workingIntervals(zone: string, window: Interval): Interval[] {
  const clock = zoneClock(zone, window);
  return localWeekdays(zone, window).map((date) => ({
    start: clock(date, WORKDAY_START_HOUR),
    end: clock(date, WORKDAY_END_HOUR),
  }));
}

/** 00:00–24:00 of every weekday in the zone that can touch the window, as UTC intervals. */
function weekdayIntervals(zone: string, window: Interval): Interval[] {
  const clock = zoneClock(zone, window);
  return localWeekdays(zone, window).map((date) => ({ start: clock(date, 0), end: clock(nextDate(date), 0) }));
}

function localWeekdays(zone: string, window: Interval): IsoDate[] {
  // One day of margin either side: local dates straddle the UTC window's edges.
  let day = Temporal.PlainDate.from(dateInZone(new Date(window.start), zone)).subtract({ days: 1 });
  const last = Temporal.PlainDate.from(dateInZone(new Date(window.end), zone)).add({ days: 1 });
  const days: IsoDate[] = [];
  for (; Temporal.PlainDate.compare(day, last) <= 0; day = day.add({ days: 1 })) {
    if (day.dayOfWeek <= 5) days.push(day.toString());
  }
  return days;
}

const DAY_MS = 86_400_000;

/**
 * Local wall time → UTC for one zone around the window, by the "compatible" rule (SPEC 3): a time in a gap
 * moves forward by the gap, a time in an overlap takes the earlier offset. Temporal's own wall-to-instant
 * conversion costs about 0.2 ms in the polyfill; asking it once for the zone's offset transitions near the
 * window and doing the rest in arithmetic makes the cost per zone, not per zone and day.
 */
function zoneClock(zone: string, window: Interval): (date: IsoDate, hour: number) => number {
  const from = window.start - 3 * DAY_MS;
  const to = window.end + 3 * DAY_MS;
  let zoned = Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO(zone);
  const pieces = [{ start: Number.NEGATIVE_INFINITY, offset: zoned.offsetNanoseconds / 1e6 }];
  for (;;) {
    const next = zoned.getTimeZoneTransition('next');
    if (next === null || next.epochMilliseconds >= to) break;
    pieces.push({ start: next.epochMilliseconds, offset: next.offsetNanoseconds / 1e6 });
    zoned = next;
  }
  return (date, hour) => {
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    const wall = Date.UTC(year, month - 1, day, hour);
    // The earliest piece in which the wall time exists wins (an overlap takes the earlier offset).
    for (let i = 0; i < pieces.length; i += 1) {
      const utc = wall - pieces[i]!.offset;
      const end = pieces[i + 1]?.start ?? Number.POSITIVE_INFINITY;
      if (utc >= pieces[i]!.start && utc < end) return utc;
    }
    // In a gap: read with the offset before the gap, which lands after it by the gap's length.
    const after = pieces.findIndex((p) => p.start > wall - p.offset);
    return wall - pieces[Math.max(0, after - 1)]!.offset;
  };
}

function startOfDay(date: IsoDate, zone: string): number {
  return Temporal.PlainDate.from(date).toZonedDateTime({ timeZone: zone }).epochMilliseconds;
}

function nextDate(date: IsoDate): IsoDate {
  return Temporal.PlainDate.from(date).add({ days: 1 }).toString();
}

// ---------------------------------------------------------------------------------------------
// Choosing and describing
// ---------------------------------------------------------------------------------------------

/** Takes `count` slots from the rankings in order, spread apart first, then relaxing the spread within each ranking. */
function pickSpread(rankings: Candidate[][], count: number): Candidate[] {
  const chosen: Candidate[] = [];
  const spreadOk = (slot: Candidate) =>
    chosen.every((c) => c.ownerDay !== slot.ownerDay || Math.abs(c.start - slot.start) >= PROPOSAL_SPREAD_MS);
  for (const ranking of rankings) {
    for (const relaxed of [false, true]) {
      for (const slot of ranking) {
        if (chosen.length >= count) return chosen;
        if (chosen.includes(slot) || (!relaxed && !spreadOk(slot))) continue;
        chosen.push(slot);
      }
    }
  }
  return chosen;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function describe(slot: Candidate, people: Person[], lengthMs: number): SlotProposal {
  const covered: string[] = [];
  const outside: OutsideHours[] = [];
  let requiredCovered = 0;
  let optionalCovered = 0;
  people.forEach((p, i) => {
    if (slot.coveredMask[i]) {
      covered.push(p.userId);
      if (p.required) requiredCovered += 1;
      else optionalCovered += 1;
      return;
    }
    const local = Temporal.Instant.fromEpochMilliseconds(slot.start).toZonedDateTimeISO(p.zone);
    const localTime = `${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')}`;
    const localWeekday = WEEKDAYS[local.dayOfWeek - 1]!;
    const weekend = local.dayOfWeek > 5 ? ` (${localWeekday})` : '';
    outside.push({
      userId: p.userId,
      timeZone: p.zone,
      localTime,
      localWeekday,
      label: `${p.userId} ${localTime} ${p.zone}${weekend}`,
    });
  });
  return {
    start: new Date(slot.start),
    end: new Date(slot.start + lengthMs),
    covered,
    outside,
    requiredCovered,
    optionalCovered,
  };
}

function noteFor(quality: ProposalQuality, afterResolution: boolean, within: number): string | null {
  const notes: string[] = [];
  if (!afterResolution) {
    notes.push(
      `The ${within} business days after resolution have passed; these slots are in the next ${within} business days.`,
    );
  }
  if (quality === 'owner_and_commander') {
    notes.push(
      'No slot is inside 09:00–17:00 for every required participant; these cover the most people, owner and commander included.',
    );
  } else if (quality === 'owner_commander_apart') {
    notes.push(
      'The postmortem owner and the commander have no working hours in common in this window; these slots are the best for the two of them.',
    );
  }
  return notes.length > 0 ? notes.join(' ') : null;
}
