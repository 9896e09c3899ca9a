/**
 * Action items (SPEC 5): their fields, default due dates, and the changes people make to them (done,
 * cancel, snooze, a new date after a decision). Who may make a change is `postmortemPermission`
 * (`item_update`, `item_cancel`) in policy.ts. Pure: "today" and instants are parameters.
 *
 * Dates here are plain `YYYY-MM-DD` strings in the owner's zone, compared and shifted with integer day
 * arithmetic rather than Temporal, because the reminder planner does this for every open item.
 */
import { dateInZone, type IsoDate } from './business-days';
import {
  type ActionItemPriority,
  type ActionItemStatus,
  type ActionItemType,
  DEFAULT_ACTION_ITEM_TYPE,
} from './postmortem/document';

export {
  ACTION_ITEM_PRIORITIES,
  ACTION_ITEM_STATUSES,
  ACTION_ITEM_TYPES,
  type ActionItemPriority,
  type ActionItemStatus,
  type ActionItemType,
  DEFAULT_ACTION_ITEM_TYPE,
} from './postmortem/document';

/** An action item as the domain sees it; mirrors the `action_items` table. */
export interface ActionItem {
  /** Number within the incident (`#3`). */
  number: number;
  text: string;
  ownerId: string;
  /** A date in the owner's zone; null for backlog (low priority). */
  dueDate: IsoDate | null;
  priority: ActionItemPriority;
  type: ActionItemType;
  status: ActionItemStatus;
  /** Why it was cancelled ("decided not to do: …"); null unless cancelled. */
  cancelReason: string | null;
  ticketUrl: string | null;
  createdBy: string;
  createdAt: Date;
  doneAt: Date | null;
  /** No more reminders; the item still shows in lists. */
  muted: boolean;
  /** Snoozes since the last decision about the date (see `needsDecision`). */
  snoozeCount: number;
}

/** Priority when `/postmortem action` names none: medium, i.e. a due date 8 weeks out (SPEC names no default). */
export const DEFAULT_ACTION_ITEM_PRIORITY: ActionItemPriority = 'medium';

/** Weeks from creation to the default due date; low priority is backlog and gets none (SPEC 5). */
export const DEFAULT_DUE_WEEKS: Readonly<Record<ActionItemPriority, number | null>> = {
  high: 4,
  medium: 8,
  low: null,
};

/** How many snoozes, or days overdue, before the digest asks the owner to decide (new date or cancel). */
export const SNOOZES_BEFORE_DECISION = 2;
export const OVERDUE_DAYS_BEFORE_DECISION = 30;

/** How far one snooze moves the due date. */
export const SNOOZE_DAYS = 7;

// ---- plain dates ---------------------------------------------------------------------------------

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (NaN when it is not one), without Temporal: cheap per item. */
export function epochDay(date: IsoDate): number {
  const match = ISO_DATE.exec(date);
  if (!match) return Number.NaN;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  // Howard Hinnant's days_from_civil: years start in March so that the leap day is the last day of the year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The `YYYY-MM-DD` date of a day count since 1970-01-01 (the inverse of `epochDay`). */
export function dateOfEpochDay(days: number): IsoDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The date `days` days after `date` (negative: before). */
export function addDays(date: IsoDate, days: number): IsoDate {
  const start = epochDay(date);
  if (Number.isNaN(start)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return dateOfEpochDay(start + days);
}

/** ISO weekday of a day count since 1970-01-01: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOfEpochDay(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// ---- creating ------------------------------------------------------------------------------------

/** The due date an item gets when none is given: 4 weeks (high) or 8 weeks (medium) after its creation date in the owner's zone; none for low. */
export function defaultDueDate(
  priority: ActionItemPriority,
  createdAt: Date,
  ownerTimeZone: string | null | undefined,
): IsoDate | null {
  const weeks = DEFAULT_DUE_WEEKS[priority];
  return weeks === null ? null : addDays(dateInZone(createdAt, ownerTimeZone), weeks * 7);
}

/** What a new item is made of: the parsed command plus the due date the caller resolved (from `dueText`), if any. */
export interface NewActionItem {
  number: number;
  text: string;
  ownerId: string;
  /** An explicit due date (already parsed in the owner's zone); omitted → the priority's default. */
  dueDate?: IsoDate | null;
  priority?: ActionItemPriority;
  type?: ActionItemType;
  ticketUrl?: string | null;
  createdBy: string;
  createdAt: Date;
  ownerTimeZone: string | null | undefined;
}

/** A new open item with the defaults of SPEC 5 filled in (type prevent, priority medium, due date by priority). */
export function createActionItem(input: NewActionItem): ActionItem {
  const priority = input.priority ?? DEFAULT_ACTION_ITEM_PRIORITY;
  return {
    number: input.number,
    text: input.text,
    ownerId: input.ownerId,
    dueDate: input.dueDate ?? defaultDueDate(priority, input.createdAt, input.ownerTimeZone),
    priority,
    type: input.type ?? DEFAULT_ACTION_ITEM_TYPE,
    status: 'open',
    cancelReason: null,
    ticketUrl: input.ticketUrl ?? null,
    createdBy: input.createdBy,
    createdAt: input.createdAt,
    doneAt: null,
    muted: false,
    snoozeCount: 0,
  };
}

// ---- state ---------------------------------------------------------------------------------------

/** Whole days the item is past its due date on `today` (the owner's local date); 0 when not overdue or undated. */
export function daysOverdue(dueDate: IsoDate | null, today: IsoDate): number {
  if (dueDate === null) return 0;
  const days = epochDay(today) - epochDay(dueDate);
  return days > 0 ? days : 0;
}

/** Whether the digest must ask the owner for a new date (with a reason) or to cancel: snoozed twice, or 30+ days overdue. */
export function needsDecision(item: Pick<ActionItem, 'status' | 'dueDate' | 'snoozeCount'>, today: IsoDate): boolean {
  if (item.status !== 'open') return false;
  return (
    item.snoozeCount >= SNOOZES_BEFORE_DECISION || daysOverdue(item.dueDate, today) >= OVERDUE_DAYS_BEFORE_DECISION
  );
}

// ---- changes -------------------------------------------------------------------------------------

/** A change to an item, or why it cannot be made (a user-facing sentence). */
export type ItemChange = { ok: true; item: ActionItem } | { ok: false; message: string };

function notOpen(item: ActionItem): ItemChange {
  const state = item.status === 'done' ? 'already done' : 'cancelled';
  return { ok: false, message: `Action item #${item.number} is ${state}; nothing to change.` };
}

/** Closes an open item at `at`. */
export function completeItem(item: ActionItem, at: Date): ItemChange {
  if (item.status !== 'open') return notOpen(item);
  return { ok: true, item: { ...item, status: 'done', doneAt: at } };
}

/** Cancels an open item; the reason is required and kept ("decided not to do: <reason>"). */
export function cancelItem(item: ActionItem, reason: string): ItemChange {
  if (item.status !== 'open') return notOpen(item);
  const why = reason.trim();
  if (why === '') {
    return {
      ok: false,
      message: `Say why #${item.number} will not be done, e.g. \`/postmortem cancel ${item.number} covered by #2\`.`,
    };
  }
  return { ok: true, item: { ...item, status: 'cancelled', cancelReason: why } };
}

/**
 * Snoozes an open dated item by a week (no reason needed). An overdue item moves to a week from `today`
 * rather than a week from its old date: otherwise it would stay overdue on the same weekly cadence and
 * the snooze would change nothing the owner can notice.
 */
export function snoozeItem(item: ActionItem, today: IsoDate): ItemChange {
  if (item.status !== 'open') return notOpen(item);
  if (item.dueDate === null) {
    return { ok: false, message: `Action item #${item.number} has no due date (backlog); there is nothing to snooze.` };
  }
  const from = item.dueDate < today ? today : item.dueDate;
  return { ok: true, item: { ...item, dueDate: addDays(from, SNOOZE_DAYS), snoozeCount: item.snoozeCount + 1 } };
}

/**
 * Gives an item a new due date after the digest asked for a decision: the reason is required (the caller
 * records it in the audit log) and the snooze count starts again, because the question has been answered.
 */
export function redateItem(item: ActionItem, dueDate: IsoDate, reason: string, today: IsoDate): ItemChange {
  if (item.status !== 'open') return notOpen(item);
  if (Number.isNaN(epochDay(dueDate))) {
    return { ok: false, message: `\`${dueDate}\` is not a date; give one like \`2026-12-01\`.` };
  }
  if (dueDate < today) {
    return { ok: false, message: `The new due date ${dueDate} has already passed; give today or a later date.` };
  }
  if (reason.trim() === '') {
    return { ok: false, message: `Say why #${item.number} needs until ${dueDate}, so that the postmortem shows it.` };
  }
  return { ok: true, item: { ...item, dueDate, snoozeCount: 0 } };
}
