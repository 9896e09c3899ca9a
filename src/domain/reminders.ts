/**
 * Plans the daily reminder digests of SPEC 5: who gets one now, for which local date, and what it lists.
 * Sending, claiming (person, local date) in Postgres and marking sent are the caller's; this module only
 * decides. Pure: `now` is a parameter. Plan one workspace at a time (user ids are per workspace).
 *
 * Schedules, all in the recipient's own zone and on weekdays only, at or after REMINDER_HOUR:
 * - an item due today;
 * - a heads-up on the first weekday of the two days before the due date (a Monday due date, whose two days
 *   before are a weekend, gets it on the Friday before: SPEC leaves that case open, and none at all would
 *   surprise the owner on Monday);
 * - an overdue item on the first weekday after its due date, then weekly on the due date's weekday (the
 *   Monday after, when that weekday is a weekend day);
 * - to the postmortem owner, someone else's item overdue 7+ days on that same weekly cadence (escalation);
 * - to the postmortem owner, items whose owner left the workspace, to reassign: on the days the owner would
 *   have heard about them, and every Monday so that a far-off item is not forgotten until it is due;
 * - to the postmortem owner, a draft past its due date: every weekday when the postmortem is required, and
 *   only as often as the policy's `maxReminders` otherwise (sev3–4: once);
 * - to a reviewer, a review still waiting 2 business days after it was asked for (one nudge).
 * Low-priority (backlog) and muted items are never reminded.
 *
 * Per-item work is integer day arithmetic on `YYYY-MM-DD` strings: Temporal runs once per time zone, not
 * once per item, so that a sweep over 100,000 items stays well under a second.
 */
import { Temporal } from '@js-temporal/polyfill';
import { type ActionItem, epochDay, needsDecision, weekdayOfEpochDay } from './action-items';
import { addBusinessDays, addBusinessDaysToInstant, type IsoDate } from './business-days';
import { DEFAULT_POSTMORTEM_POLICY, type PostmortemPolicyConfig } from './policy';
import type { PostmortemStatus } from './postmortem/document';
import { resolveZone } from './when';

/** SPEC 1: REMINDER_HOUR's default. */
export const DEFAULT_REMINDER_HOUR = 9;
/** Items overdue this many days are escalated to the postmortem owner (SPEC 5). */
export const ESCALATION_DAYS = 7;
/** A review unanswered this many business days gets its one nudge (SPEC 2). */
export const REVIEW_NUDGE_BUSINESS_DAYS = 2;

/** Someone the plan may address: their Slack time zone (null = UTC) and whether they left the workspace. */
export interface DigestPerson {
  userId: string;
  timeZone: string | null;
  /** `users.info` says `deleted`: they get no digest, and their items go to the postmortem owner. */
  deleted: boolean;
}

/** An action item as the planner needs it. */
export interface DigestItem
  extends Pick<ActionItem, 'number' | 'ownerId' | 'dueDate' | 'priority' | 'status' | 'muted' | 'snoozeCount'> {
  /** The item's database id (the buttons' value). */
  id: number;
  incidentNumber: number;
  postmortemOwnerId: string | null;
}

/** A postmortem as the planner needs it. */
export interface DigestDraft {
  id: number;
  incidentNumber: number;
  ownerId: string | null;
  /** A date in the owner's zone. */
  dueDate: IsoDate | null;
  status: PostmortemStatus;
  /** From `postmortemPolicy(…).required`: required postmortems are reminded until done, optional ones per policy. */
  required: boolean;
  /** Digests that already listed this draft past its due date. */
  remindersSent: number;
}

/** A review asked of someone and not yet answered. */
export interface DigestReview {
  postmortemId: number;
  incidentNumber: number;
  reviewerId: string;
  requestedAt: Date;
  /** The one nudge was already sent. */
  nudged: boolean;
}

/** Everything a sweep plans from; the item, draft and review types may carry more fields, returned as given. */
export interface DigestInput<
  I extends DigestItem = DigestItem,
  D extends DigestDraft = DigestDraft,
  R extends DigestReview = DigestReview,
> {
  /** Everyone the items, drafts and reviews name; someone missing is taken as in UTC and still present. */
  people: readonly DigestPerson[];
  /** Open items (others are ignored). */
  items: readonly I[];
  drafts: readonly D[];
  reviews: readonly R[];
  /** `digestKey(person, localDate)` of digests already claimed or sent: never planned again. */
  claimed: ReadonlySet<string>;
  /** Local hour (0–23) from which digests go out; default 9. */
  reminderHour?: number;
  policy?: PostmortemPolicyConfig;
}

/** One item in a digest. */
export interface ItemReminder<I extends DigestItem = DigestItem> {
  item: I;
  /** Whole days past the due date on the digest's date; 0 when not overdue. */
  daysOverdue: number;
  /** Snoozed twice or 30+ days overdue: the digest asks for a new date with a reason, or to cancel. */
  needsDecision: boolean;
}

export interface DraftReminder<D extends DigestDraft = DigestDraft> {
  draft: D;
  daysOverdue: number;
}

export interface ReviewReminder<R extends DigestReview = DigestReview> {
  review: R;
}

/** What one digest lists, section by section; each list in a stable order (due date, incident, number). */
export interface DigestSections<
  I extends DigestItem = DigestItem,
  D extends DigestDraft = DigestDraft,
  R extends DigestReview = DigestReview,
> {
  dueToday: ItemReminder<I>[];
  /** Heads-up: due within the next 2 days. */
  dueSoon: ItemReminder<I>[];
  overdue: ItemReminder<I>[];
  /** Others' items overdue 7+ days in postmortems the recipient owns. */
  escalated: ItemReminder<I>[];
  /** Items in the recipient's postmortems whose owner left the workspace. */
  reassign: ItemReminder<I>[];
  overdueDrafts: DraftReminder<D>[];
  reviewsWaiting: ReviewReminder<R>[];
}

/** One digest to send: to whom, for which of their local dates (the claim key), and what it lists. */
export interface PlannedDigest<
  I extends DigestItem = DigestItem,
  D extends DigestDraft = DigestDraft,
  R extends DigestReview = DigestReview,
> {
  recipientId: string;
  localDate: IsoDate;
  /** The zone the date was taken in (a resolved IANA name; `UTC` for people without one). */
  timeZone: string;
  sections: DigestSections<I, D, R>;
}

/** The key a digest is claimed under: one per person and local date. */
export function digestKey(recipientId: string, localDate: IsoDate): string {
  return `${recipientId} ${localDate}`;
}

/** What is due to whom now: at most one digest per person, for their current local date, each with something in it. */
export function planDigests<
  I extends DigestItem = DigestItem,
  D extends DigestDraft = DigestDraft,
  R extends DigestReview = DigestReview,
>(input: DigestInput<I, D, R>, now: Date): PlannedDigest<I, D, R>[] {
  const reminderHour = input.reminderHour ?? DEFAULT_REMINDER_HOUR;
  if (!Number.isInteger(reminderHour) || reminderHour < 0 || reminderHour > 23) {
    throw new RangeError(`reminder hour must be a whole hour 0–23: ${reminderHour}`);
  }
  const policy = input.policy ?? DEFAULT_POSTMORTEM_POLICY;
  const recipients = new Recipients<I, D, R>(input.people, input.claimed, now, reminderHour);
  const dueDays = new Map<string, number>();
  const dayOf = (date: IsoDate): number => {
    let day = dueDays.get(date);
    if (day === undefined) {
      day = epochDay(date);
      dueDays.set(date, day);
    }
    return day;
  };

  for (const item of input.items) {
    if (item.status !== 'open' || item.muted) continue;
    const due = item.dueDate === null ? Number.NaN : dayOf(item.dueDate);
    if (recipients.person(item.ownerId).deleted) {
      planReassign(item, due, recipients);
      continue;
    }
    if (item.priority === 'low' || Number.isNaN(due)) continue;
    const owner = recipients.digestFor(item.ownerId);
    if (owner !== null) {
      const kind = ownerSchedule(due, owner.day);
      if (kind !== null) owner.sections[kind].push(itemReminder(item, due, owner.day));
    }
    const pmOwnerId = item.postmortemOwnerId;
    if (pmOwnerId !== null && pmOwnerId !== item.ownerId) {
      const pmOwner = recipients.digestFor(pmOwnerId);
      if (pmOwner !== null && isEscalationDay(due, pmOwner.day)) {
        pmOwner.sections.escalated.push(itemReminder(item, due, pmOwner.day));
      }
    }
  }

  for (const draft of input.drafts) {
    if (draft.status !== 'drafting' || draft.ownerId === null || draft.dueDate === null) continue;
    const maxReminders = (draft.required ? policy.required : policy.optional).maxReminders;
    if (maxReminders !== null && draft.remindersSent >= maxReminders) continue;
    const owner = recipients.digestFor(draft.ownerId);
    if (owner === null) continue;
    const late = owner.day.day - dayOf(draft.dueDate);
    if (late >= 1) owner.sections.overdueDrafts.push({ draft, daysOverdue: late });
  }

  for (const review of input.reviews) {
    if (review.nudged) continue;
    const reviewer = recipients.digestFor(review.reviewerId);
    if (reviewer === null) continue;
    if (reviewNudgeDue(review.requestedAt, now, reviewer.day.timeZone))
      reviewer.sections.reviewsWaiting.push({ review });
  }

  return recipients.planned();
}

// ---- schedules -----------------------------------------------------------------------------------

/** Which owner section an item with due day `due` belongs to on `today`, or null for none today. */
function ownerSchedule(due: number, today: LocalDay): 'dueToday' | 'dueSoon' | 'overdue' | null {
  const ahead = due - today.day;
  if (ahead === 0) return 'dueToday';
  if (ahead > 0) {
    // The first weekday of [due-2, due-1]: due-2 itself, or due-1 when due-2 is a Sunday (today a Monday),
    // or, when both are weekend days (a Monday due date), the Friday before.
    if (ahead === 2 || (ahead === 1 && today.weekday === 1) || (ahead === 3 && today.weekday === 5)) return 'dueSoon';
    return null;
  }
  const late = -ahead;
  return late <= today.sinceLastWeekday || hitsWeeklyAnchor(late, today) ? 'overdue' : null;
}

/** Escalation: the first weekday on or after due+7, then weekly. */
function isEscalationDay(due: number, today: LocalDay): boolean {
  const late = today.day - due;
  return late >= ESCALATION_DAYS && hitsWeeklyAnchor(late, today);
}

/**
 * Whether today is the first weekday on or after due+7k for some k ≥ 1: a whole number of weeks late falls
 * on a day since the last weekday (today only, or Saturday to Monday on a Monday).
 */
function hitsWeeklyAnchor(late: number, today: LocalDay): boolean {
  for (let days = Math.max(7, late - today.sinceLastWeekday + 1); days <= late; days += 1) {
    if (days % 7 === 0) return true;
  }
  return false;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Daylight saving moves a wall-clock span by at most this much (2 h covers every shift in the tz database). */
const SHIFT_MS = 2 * HOUR_MS;

/**
 * Whether 2 business days (same wall-clock time, `addBusinessDaysToInstant`) have passed since the request.
 * Temporal's zoned arithmetic is slow enough to matter per review, so the request's local date comes from
 * Intl and the business days from plain dates; only a request within daylight saving's reach of the answer
 * is settled exactly.
 */
function reviewNudgeDue(requestedAt: Date, now: Date, timeZone: string): boolean {
  const requestDate = localDateOf(requestedAt, timeZone);
  const wallDays = epochDay(businessDaysLater(requestDate)) - epochDay(requestDate);
  const approx = requestedAt.getTime() + wallDays * DAY_MS;
  if (now.getTime() < approx - SHIFT_MS) return false;
  if (now.getTime() >= approx + SHIFT_MS) return true;
  return now.getTime() >= addBusinessDaysToInstant(requestedAt, REVIEW_NUDGE_BUSINESS_DAYS, timeZone).getTime();
}

const laterDates = new Map<IsoDate, IsoDate>();
function businessDaysLater(date: IsoDate): IsoDate {
  let later = laterDates.get(date);
  if (later === undefined) {
    later = addBusinessDays(date, REVIEW_NUDGE_BUSINESS_DAYS);
    laterDates.set(date, later);
  }
  return later;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** The `YYYY-MM-DD` date of an instant in a (resolved) zone, through the runtime's own time-zone data. */
function localDateOf(at: Date, timeZone: string): IsoDate {
  let format = dateFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(at)) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

function planReassign<I extends DigestItem, D extends DigestDraft, R extends DigestReview>(
  item: I,
  due: number,
  recipients: Recipients<I, D, R>,
): void {
  const pmOwnerId = item.postmortemOwnerId;
  if (pmOwnerId === null) return;
  const pmOwner = recipients.digestFor(pmOwnerId);
  if (pmOwner === null) return;
  const today = pmOwner.day;
  const scheduled = item.priority !== 'low' && !Number.isNaN(due) && ownerSchedule(due, today) !== null;
  if (scheduled || today.weekday === 1) pmOwner.sections.reassign.push(itemReminder(item, due, today));
}

function itemReminder<I extends DigestItem>(item: I, due: number, today: LocalDay): ItemReminder<I> {
  const late = Number.isNaN(due) ? 0 : Math.max(0, today.day - due);
  return { item, daysOverdue: late, needsDecision: needsDecision(item, today.date) };
}

// ---- people, zones and digests -------------------------------------------------------------------

/** A zone's current local date and whether digests may go out there now. */
interface LocalDay {
  timeZone: string;
  date: IsoDate;
  /** `date` as days since 1970-01-01. */
  day: number;
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Days back to the previous weekday: 3 on a Monday, 1 otherwise. */
  sinceLastWeekday: number;
  /** A weekday, at or after the reminder hour. */
  open: boolean;
}

interface DigestBeingFilled<I extends DigestItem, D extends DigestDraft, R extends DigestReview> {
  recipientId: string;
  day: LocalDay;
  sections: DigestSections<I, D, R>;
}

const PRESENT: DigestPerson = { userId: '', timeZone: null, deleted: false };

/** Looks people up, computes each zone's local day once, and holds the digests being filled. */
class Recipients<I extends DigestItem, D extends DigestDraft, R extends DigestReview> {
  private readonly people = new Map<string, DigestPerson>();
  private readonly zones = new Map<string, LocalDay>();
  private readonly digests = new Map<string, DigestBeingFilled<I, D, R> | null>();

  constructor(
    people: readonly DigestPerson[],
    private readonly claimed: ReadonlySet<string>,
    private readonly now: Date,
    private readonly reminderHour: number,
  ) {
    for (const person of people) this.people.set(person.userId, person);
  }

  person(userId: string): DigestPerson {
    return this.people.get(userId) ?? PRESENT;
  }

  /** The digest `userId` gets now, or null when they get none (left, weekend, too early, already claimed). */
  digestFor(userId: string): DigestBeingFilled<I, D, R> | null {
    const known = this.digests.get(userId);
    if (known !== undefined) return known;
    const person = this.person(userId);
    let digest: DigestBeingFilled<I, D, R> | null = null;
    if (!person.deleted) {
      const day = this.localDay(person.timeZone);
      if (day.open && !this.claimed.has(digestKey(userId, day.date))) {
        digest = { recipientId: userId, day, sections: emptySections() };
      }
    }
    this.digests.set(userId, digest);
    return digest;
  }

  private localDay(timeZone: string | null): LocalDay {
    const key = timeZone ?? '';
    let day = this.zones.get(key);
    if (day === undefined) {
      day = localDayAt(this.now, resolveZone(timeZone), this.reminderHour);
      this.zones.set(key, day);
    }
    return day;
  }

  /** The digests with something in them, by recipient, each section sorted. */
  planned(): PlannedDigest<I, D, R>[] {
    const result: PlannedDigest<I, D, R>[] = [];
    for (const digest of this.digests.values()) {
      if (digest === null || isEmpty(digest.sections)) continue;
      const s = digest.sections;
      for (const list of [s.dueToday, s.dueSoon, s.overdue, s.escalated, s.reassign]) list.sort(byItem);
      s.overdueDrafts.sort((a, b) => a.draft.incidentNumber - b.draft.incidentNumber || a.draft.id - b.draft.id);
      s.reviewsWaiting.sort(
        (a, b) =>
          a.review.incidentNumber - b.review.incidentNumber ||
          a.review.requestedAt.getTime() - b.review.requestedAt.getTime() ||
          a.review.postmortemId - b.review.postmortemId,
      );
      result.push({
        recipientId: digest.recipientId,
        localDate: digest.day.date,
        timeZone: digest.day.timeZone,
        sections: s,
      });
    }
    return result.sort((a, b) => compareStrings(a.recipientId, b.recipientId));
  }
}

function localDayAt(now: Date, timeZone: string, reminderHour: number): LocalDay {
  const local = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(timeZone);
  const date = local.toPlainDate().toString();
  const day = epochDay(date);
  const weekday = weekdayOfEpochDay(day);
  return {
    timeZone,
    date,
    day,
    weekday,
    sinceLastWeekday: weekday === 1 ? 3 : 1,
    open: weekday <= 5 && local.hour >= reminderHour,
  };
}

function emptySections<I extends DigestItem, D extends DigestDraft, R extends DigestReview>(): DigestSections<I, D, R> {
  return { dueToday: [], dueSoon: [], overdue: [], escalated: [], reassign: [], overdueDrafts: [], reviewsWaiting: [] };
}

function isEmpty(sections: DigestSections<any, any, any>): boolean {
  return Object.values(sections).every((list) => list.length === 0);
}

/** Earliest due date first (undated last), then incident and item number. */
function byItem(a: ItemReminder, b: ItemReminder): number {
  const x = a.item;
  const y = b.item;
  if (x.dueDate !== y.dueDate) {
    if (x.dueDate === null) return 1;
    if (y.dueDate === null) return -1;
    return compareStrings(x.dueDate, y.dueDate);
  }
  return x.incidentNumber - y.incidentNumber || x.number - y.number || x.id - y.id;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
