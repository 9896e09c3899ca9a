/**
 * The `/postmortem debrief …` grammar (SPEC §2 and §6): turns the text after `debrief` into a typed request
 * or a user-facing explanation with a correct example. Purely syntactic: the `<when>` of `at <when>` stays
 * raw text for the service to parse with when.ts (direction 'future') in the caller's time zone, and the
 * defaults that depend on the incident (length, window) are left as null for the scheduler to fill in.
 */

/** What a `/postmortem debrief` invocation asks for; null options mean "use the severity's default". */
export type DebriefCommand =
  | { kind: 'propose'; withinBusinessDays: number | null; minutes: number | null }
  | { kind: 'at'; whenText: string }
  | { kind: 'cancel' }
  | { kind: 'skip'; reason: string };

/** The parse result: a command, or a message saying what was wrong with a correct example. */
export type DebriefCommandResult = { ok: true; command: DebriefCommand } | { ok: false; message: string };

/** Business days a proposal window may span: four weeks is already longer than a debrief should wait. */
export const MAX_WITHIN_BUSINESS_DAYS = 20;
/** Meeting lengths accepted: under 15 minutes there is no time for the agenda, over 4 hours nobody stays. */
export const MIN_DEBRIEF_MINUTES = 15;
export const MAX_DEBRIEF_MINUTES = 240;
/** A skip reason is shown in the document's `## Debrief`; a paragraph is plenty. */
export const MAX_SKIP_REASON_LENGTH = 1000;

const EXAMPLE_PROPOSE = '`/postmortem debrief within 3 days for 60 min`';
const EXAMPLE_AT = '`/postmortem debrief at 2026-11-24 15:00`';
const EXAMPLE_SKIP = '`/postmortem debrief skip discussed in the weekly ops review`';

/** Usage of `/postmortem debrief` in mrkdwn, one example per form. */
export const DEBRIEF_HELP = [
  '• `/postmortem debrief` proposes three slots (default length 60 min for sev1–2, 45 otherwise)',
  '• `/postmortem debrief within 3 days for 45 min` narrows the window (business days after resolution) and sets the length',
  '• `/postmortem debrief at 2026-11-24 15:00` schedules it at that time (your time zone unless you give one)',
  '• `/postmortem debrief cancel` cancels the scheduled debrief and tells the participants',
  '• `/postmortem debrief skip discussed in the weekly ops review` records that no debrief will be held, and why',
].join('\n');

/** Parses the text after `/postmortem debrief`; never throws, and explains every mistake with an example. */
export function parseDebriefCommand(text: string): DebriefCommandResult {
  const trimmed = (typeof text === 'string' ? text : '').trim();
  if (trimmed === '') return propose(null, null);
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  const head = (match?.[1] ?? '').toLowerCase();
  const rest = (match?.[2] ?? '').trim();
  if (head === 'cancel') return parseCancel(rest);
  if (head === 'skip') return parseSkip(rest);
  if (head === 'at') return parseAt(rest);
  return parseOptions(trimmed);
}

function propose(withinBusinessDays: number | null, minutes: number | null): DebriefCommandResult {
  return { ok: true, command: { kind: 'propose', withinBusinessDays, minutes } };
}

function refuse(message: string): DebriefCommandResult {
  return { ok: false, message };
}

function parseCancel(rest: string): DebriefCommandResult {
  // Cancelling tells every participant: a stray word is more likely a mistyped command than a note.
  if (rest !== '') {
    return refuse(
      `\`cancel\` takes nothing after it: run \`/postmortem debrief cancel\`. To record that no debrief will be held, use ${EXAMPLE_SKIP}`,
    );
  }
  return { ok: true, command: { kind: 'cancel' } };
}

function parseSkip(rest: string): DebriefCommandResult {
  const reason = rest.replace(/\s+/g, ' ');
  if (reason === '') return refuse(`Say why no debrief will be held, e.g. ${EXAMPLE_SKIP}`);
  if (reason.length > MAX_SKIP_REASON_LENGTH) {
    return refuse(
      `The reason is ${reason.length} characters; keep it to ${MAX_SKIP_REASON_LENGTH} and put details in the postmortem, e.g. ${EXAMPLE_SKIP}`,
    );
  }
  return { ok: true, command: { kind: 'skip', reason } };
}

function parseAt(rest: string): DebriefCommandResult {
  if (rest === '') return refuse(`Say when the debrief is, e.g. ${EXAMPLE_AT}`);
  return { ok: true, command: { kind: 'at', whenText: rest } };
}

const WITHIN = /^within\s+(\S+?)\s*(?:(?:business|working)\s+)?(?:days?|d)(?=\s|$)/i;
const FOR = /^for\s+(\S+?)\s*(?:minutes?|mins?|m)(?=\s|$)/i;

/** `within <N> days` and `for <minutes> min`, each at most once, in either order. */
function parseOptions(text: string): DebriefCommandResult {
  let rest = text;
  let within: number | null = null;
  let minutes: number | null = null;
  while (rest !== '') {
    const withinMatch = WITHIN.exec(rest);
    const forMatch = withinMatch ? null : FOR.exec(rest);
    if (withinMatch) {
      if (within !== null) return refuse(`Give \`within\` once, e.g. ${EXAMPLE_PROPOSE}`);
      const days = wholeNumber(withinMatch[1]!);
      if (days === null || days < 1 || days > MAX_WITHIN_BUSINESS_DAYS) {
        return refuse(
          `\`within\` takes a number of business days from 1 to ${MAX_WITHIN_BUSINESS_DAYS}, e.g. ${EXAMPLE_PROPOSE}`,
        );
      }
      within = days;
      rest = rest.slice(withinMatch[0].length).trim();
    } else if (forMatch) {
      if (minutes !== null) return refuse(`Give \`for\` once, e.g. ${EXAMPLE_PROPOSE}`);
      const length = wholeNumber(forMatch[1]!);
      if (length === null || length < MIN_DEBRIEF_MINUTES || length > MAX_DEBRIEF_MINUTES) {
        return refuse(
          `\`for\` takes the meeting length in minutes, from ${MIN_DEBRIEF_MINUTES} to ${MAX_DEBRIEF_MINUTES}, e.g. ${EXAMPLE_PROPOSE}`,
        );
      }
      minutes = length;
      rest = rest.slice(forMatch[0].length).trim();
    } else {
      return refuse(unknownOptions(rest));
    }
  }
  return propose(within, minutes);
}

function wholeNumber(text: string): number | null {
  if (!/^\d{1,6}$/.test(text)) return null;
  return Number(text);
}

function unknownOptions(rest: string): string {
  const shown = rest.length > 40 ? `${rest.slice(0, 40)}…` : rest;
  return (
    `I could not read \`${shown.replace(/`/g, "'")}\`. \`/postmortem debrief\` takes \`within <N> days\` and ` +
    `\`for <minutes> min\` (either, both, any order), \`at <when>\`, \`cancel\` or \`skip <reason>\`, e.g. ${EXAMPLE_PROPOSE} ` +
    `or ${EXAMPLE_AT}`
  );
}
