/**
 * The debrief's calendar file `debrief-<n>.ics` (SPEC §6), built with the `ics` package: one VEVENT in UTC with
 * organizer and attendees, published (METHOD:PUBLISH) as a file to import, not sent as an invitation; and
 * the file that cancels it (METHOD:CANCEL, STATUS:CANCELLED, same UID, next sequence).
 *
 * Decisions:
 * - UID `debrief-<workspace>-<incident>@debrief` is stable, so importing a rescheduled debrief's file (with a
 *   higher `sequence`) updates the event instead of adding a second one.
 * - Slack ids carry no e-mail address, but ATTENDEE and ORGANIZER need one (RFC 5545 cal-address). Given
 *   addresses are used as they are; otherwise `noreply+<slack id>@debrief.invalid` (organizer:
 *   `noreply@debrief.invalid`): the reserved `.invalid` domain can never receive mail, so a calendar that
 *   offers to e-mail attendees reaches nobody, while the CN still names the person.
 * - RSVP=FALSE: nobody collects replies to a published file, and Debrief does not read calendars.
 * - DTSTAMP is the `stampedAt` parameter (the time the file is made), never the clock.
 * - `ics` folds lines at 75 characters and quotes ROLE values; RFC 5545 wants 75 octets and ROLE as a bare
 *   token, and strict parsers hold to both, so the output is unfolded, the ROLE values unquoted, and refolded
 *   at 75 octets without splitting a UTF-8 character. Double quotes cannot appear in a parameter value at
 *   all, so names lose theirs.
 */
import { createEvent, type EventAttributes } from 'ics';
import type { DebriefAgenda } from './agenda';

/** Someone named in the file. */
export interface IcsPerson {
  userId: string;
  name: string;
  email?: string | null;
}

/** What the calendar file holds. */
export interface DebriefIcsInput {
  /** Slack team or enterprise id: keeps UIDs of two workspaces apart. */
  workspaceId: string;
  incidentNumber: number;
  incidentTitle: string;
  start: Date;
  end: Date;
  organizer: IcsPerson;
  attendees: readonly (IcsPerson & { required: boolean })[];
  agenda: DebriefAgenda;
  /** The draft's link, read beforehand. */
  preReadUrl?: string | null;
  /** When the file is made ("now"): the DTSTAMP. */
  stampedAt: Date;
  /** 0 for the first file, one more for each reschedule. */
  sequence?: number;
}

/** The name Slack uploads the file under: `debrief-<incident number>.ics`. */
export function debriefIcsFileName(incidentNumber: number): string {
  return `debrief-${incidentNumber}.ics`;
}

/** The stable iCalendar UID of an incident's debrief. */
export function debriefIcsUid(workspaceId: string, incidentNumber: number): string {
  return `debrief-${safeToken(workspaceId)}-${incidentNumber}@debrief`;
}

/** What the file that takes a cancelled debrief off calendars holds: the meeting as it was scheduled. */
export interface DebriefCancellationIcsInput extends Omit<DebriefIcsInput, 'agenda' | 'preReadUrl'> {
  /** Who cancelled it, by name. */
  cancelledBy: string;
  /** Why no debrief will be held (`debrief skip`), or null for a plain cancel. */
  reason: string | null;
}

/** Builds the debrief's iCalendar file (CRLF lines, UTC times); an error from `ics` is thrown with its message. */
export function debriefIcs(input: DebriefIcsInput): string {
  return calendarFile(input, {
    method: 'PUBLISH',
    status: 'CONFIRMED',
    description: describeAgenda(input.agenda, input.preReadUrl ?? null),
    ...(input.preReadUrl ? { url: input.preReadUrl } : {}),
  });
}

/**
 * The same event (UID) with the next sequence, METHOD:CANCEL and STATUS:CANCELLED: importing it marks
 * or removes the meeting in a calendar that imported the scheduling file. Calendars that read METHOD
 * (Outlook, Apple) take it as a cancellation; those that read only the event (Google) take STATUS.
 */
export function debriefCancellationIcs(input: DebriefCancellationIcsInput): string {
  const reason = input.reason ? ` No debrief will be held: ${input.reason}` : '';
  return calendarFile(input, {
    method: 'CANCEL',
    status: 'CANCELLED',
    description: `Cancelled by ${input.cancelledBy}.${reason}`,
  });
}

function calendarFile(
  input: Omit<DebriefIcsInput, 'agenda' | 'preReadUrl'>,
  content: { method: 'PUBLISH' | 'CANCEL'; status: 'CONFIRMED' | 'CANCELLED'; description: string; url?: string },
): string {
  if (!(input.end.getTime() > input.start.getTime())) throw new RangeError('a debrief must end after it starts');
  const attributes = {
    productId: '-//Debrief//Debrief postmortem bot//EN',
    method: content.method,
    uid: debriefIcsUid(input.workspaceId, input.incidentNumber),
    sequence: input.sequence ?? 0,
    // Not in the package's types, but read by it (defaults to the clock, which the domain never reads).
    timestamp: input.stampedAt.getTime(),
    title: `Debrief: incident #${input.incidentNumber} ${input.incidentTitle.replace(/\s+/g, ' ').trim()}`,
    start: input.start.getTime(),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: input.end.getTime(),
    endInputType: 'utc',
    endOutputType: 'utc',
    description: content.description,
    ...(content.url ? { url: content.url } : {}),
    status: content.status,
    organizer: { name: paramText(input.organizer), email: input.organizer.email || 'noreply@debrief.invalid' },
    attendees: input.attendees.map((a) => ({
      name: paramText(a),
      email: a.email || `noreply+${safeToken(a.userId)}@debrief.invalid`,
      rsvp: false,
      role: a.required ? 'REQ-PARTICIPANT' : 'OPT-PARTICIPANT',
      partstat: 'NEEDS-ACTION',
    })),
  } as EventAttributes;
  const { error, value } = createEvent(attributes);
  if (error || value === null)
    throw new Error(`could not build the debrief calendar file: ${error?.message ?? 'no output'}`);
  return refold(value);
}

/** The agenda and pre-read as the event's plain-text description. */
function describeAgenda(agenda: DebriefAgenda, preReadUrl: string | null): string {
  const lines: string[] = [];
  if (preReadUrl) lines.push(`Pre-read (before the meeting): ${preReadUrl}`, '');
  lines.push(`Agenda (${agenda.minutes} min)`);
  for (const part of agenda.parts) {
    lines.push(`${part.title} — ${part.minutes} min`);
    for (const point of part.points) lines.push(`  - ${point}`);
  }
  return lines.join('\n');
}

/** A display name fit for a quoted parameter value: no double quotes or control characters. */
function paramText(person: IcsPerson): string {
  const cleaned = person.name
    .replace(/"/g, "'")
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned === '' ? person.userId : cleaned;
}

function safeToken(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_') || '_';
}

/** RFC 5545 §3.1: lines of at most 75 octets, continued with CRLF and one space. */
function refold(text: string): string {
  const unfolded = text.replace(/\r\n[ \t]/g, '');
  const lines = unfolded.split('\r\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return `${lines.map((line) => foldLine(unquoteRole(line))).join('\r\n')}\r\n`;
}

/** `ROLE="REQ-PARTICIPANT"` → `ROLE=REQ-PARTICIPANT`: the RFC's roleparam is a bare token. */
function unquoteRole(line: string): string {
  if (!line.startsWith('ATTENDEE;')) return line;
  return line.replace(/;ROLE="([A-Z-]+)"/, ';ROLE=$1').replace(/;PARTSTAT="([A-Z-]+)"/, ';PARTSTAT=$1');
}

function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const char of line) {
    const size = utf8Length(char.codePointAt(0)!);
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = 74; // the leading space of a continuation line counts
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}
