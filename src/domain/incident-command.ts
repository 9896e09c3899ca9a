/**
 * The `/incident` grammar (SPEC §2): turns the text after the command into a typed request or a
 * user-facing explanation. Purely syntactic: anything that may begin with a `<when>` stays raw text
 * for the service to parse with the caller's time zone.
 */

import { closest } from './did-you-mean';
import {
  DEFAULT_SEVERITY,
  isMilestoneKind,
  isRole,
  isSeverity,
  MILESTONE_KINDS,
  type MilestoneKind,
  ROLES,
  type Role,
  SEVERITIES,
  type Severity,
} from './types';

/** What a `/incident` invocation asks for. */
export type IncidentCommand =
  | { kind: 'help' }
  | { kind: 'start'; here: boolean; private: boolean; severity: Severity; title: string }
  | { kind: 'start_modal' }
  | { kind: 'reopen'; whenText: string }
  | { kind: 'timeline_add'; text: string }
  | { kind: 'timeline_show' }
  | { kind: 'milestone'; milestone: MilestoneKind; whenText: string }
  | { kind: 'resolve'; text: string }
  | { kind: 'resolve_false_alarm'; summary: string }
  | { kind: 'resolve_duplicate'; duplicateOf: number; summary: string }
  | { kind: 'severity'; severity: Severity }
  | { kind: 'role'; role: Role; userId: string }
  | { kind: 'status'; text: string }
  | { kind: 'invalid'; message: string };

export type InvalidCommand = Extract<IncidentCommand, { kind: 'invalid' }>;

export const SUBCOMMANDS = [
  'start',
  'reopen',
  'timeline',
  'milestone',
  'resolve',
  'severity',
  'role',
  'status',
  'help',
] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

/** Titles become headers (Slack caps them at 150) and the start modal allows no more. */
export const MAX_TITLE_LENGTH = 150;

/** Usage of `/incident` in mrkdwn (so `<` is written `&lt;`), with an example for every subcommand. */
export const INCIDENT_HELP = [
  '*Declaring*',
  '• `/incident start sev2 Checkout returns 500s` declares an incident and creates a channel `#inc-&lt;date&gt;-&lt;title&gt;` (default sev3)',
  '• `/incident start --here sev1 Payments down` uses this channel instead; `--private` creates a private channel',
  '• `/incident start -- --here is broken` ends the flags, for a title that starts with `--`',
  '• `/incident start` opens a form',
  '*During the incident* (in its channel)',
  '• `/incident timeline 09:05 rolled back the deploy` adds a timeline entry; `/incident timeline` shows the timeline',
  '• `/incident milestone mitigated 14:05` sets started, detected, acknowledged, mitigated or resolved (default now)',
  '• `/incident status Rollback done, error rate falling` posts a status update; `/incident status` shows the incident card',
  '• `/incident severity sev1` changes the severity (sev1 is the worst, sev4 the mildest)',
  '• `/incident role commander @alice` assigns commander, comms or scribe',
  '*Closing*',
  '• `/incident resolve 14:30 Bad config rolled back` resolves it and starts the postmortem',
  '• `/incident resolve --false-alarm Monitoring blip` or `/incident resolve --duplicate-of #41` closes it without a postmortem',
  '• `/incident reopen` reopens a resolved incident',
  '• `/incident help` shows this',
  '*Times* (`&lt;when&gt;`): `14:05` (your time zone), `14:05 UTC`, `2026-11-20 14:05`, `2026-11-20T14:05:00Z`, `10m ago`, `2h ago`. Leave it out to mean now.',
  '*Capture without commands:* react with :pushpin: to a message in the incident channel, or use the message shortcut *Add to incident timeline*.',
].join('\n');

/** Parses the text after `/incident`; never throws, and explains every mistake with an example. */
export function parseIncidentCommand(text: string): IncidentCommand {
  const [head, rest] = splitFirstWord(typeof text === 'string' ? text : '');
  if (head === '') return { kind: 'help' };
  const parse = SUBCOMMAND_PARSERS.get(head.toLowerCase());
  return parse ? parse(rest) : unknownSubcommand(head, rest);
}

type Parser = (rest: string) => IncidentCommand;

const SUBCOMMAND_PARSERS = new Map<string, Parser>([
  ['start', parseStart],
  ['reopen', (rest) => ({ kind: 'reopen', whenText: rest })],
  ['timeline', parseTimeline],
  ['milestone', parseMilestone],
  ['resolve', parseResolve],
  ['severity', parseSeverity],
  ['role', parseRole],
  ['status', (rest) => ({ kind: 'status', text: rest })],
  ['help', () => ({ kind: 'help' })],
]);

const EXAMPLES: Record<Subcommand, string> = {
  start: '/incident start sev2 Checkout returns 500s',
  reopen: '/incident reopen',
  timeline: '/incident timeline 09:05 rolled back the deploy',
  milestone: '/incident milestone mitigated 14:05',
  resolve: '/incident resolve 14:30 Bad config rolled back',
  severity: '/incident severity sev2',
  role: '/incident role commander @alice',
  status: '/incident status Rollback done, error rate falling',
  help: '/incident help',
};

// ---- start -------------------------------------------------------------------------------------

function parseStart(rest: string): IncidentCommand {
  if (rest === '') return { kind: 'start_modal' };
  const flags = readFlags(rest);
  if ('unknown' in flags) return unknownStartFlag(flags.unknown);
  const here = flags.names.includes('here');
  const isPrivate = flags.names.includes('private');
  if (here && isPrivate) {
    return invalid(
      '`--here` and `--private` cannot be combined: `--here` declares the incident in this channel, ' +
        '`--private` creates a new private channel. Pick one, e.g. `/incident start --private sev2 Leaked API key`',
    );
  }
  const severityWord = splitFirstWord(flags.rest);
  const severity = parseSeverityWord(severityWord[0]);
  if (severity === 'malformed') {
    return invalid(
      `${quote(severityWord[0])} is not a severity: use sev1, sev2, sev3 or sev4, e.g. \`/incident start sev2 Checkout returns 500s\``,
    );
  }
  const title = collapseWhitespace(severity ? severityWord[1] : flags.rest);
  if (title === '') return missingTitle(rest);
  if (title.length > MAX_TITLE_LENGTH) {
    return invalid(
      `The title is ${title.length} characters; keep it to ${MAX_TITLE_LENGTH} and put details in ` +
        '`/incident status` or the timeline, e.g. `/incident start sev2 Checkout returns 500s`',
    );
  }
  return { kind: 'start', here, private: isPrivate, severity: severity ?? DEFAULT_SEVERITY, title };
}

const START_FLAGS = ['here', 'private'] as const;

function unknownStartFlag(flag: string): InvalidCommand {
  return invalid(
    `Unknown flag ${quote(flag)}. \`/incident start\` takes \`--here\` (use this channel) or \`--private\` ` +
      '(create a private channel), e.g. `/incident start --here sev2 Checkout returns 500s`. ' +
      'To start a title with `--`, end the flags first: `/incident start -- --here is broken`',
  );
}

function missingTitle(written: string): InvalidCommand {
  const lead = written.length > 60 ? '' : `${collapseWhitespace(written.replace(/`/g, ''))} `;
  return invalid(
    `Give the incident a title, e.g. \`/incident start ${lead}Checkout returns 500s\` ` +
      '(or run `/incident start` alone to fill in a form)',
  );
}

// ---- timeline, milestone -----------------------------------------------------------------------

function parseTimeline(rest: string): IncidentCommand {
  // "show" alone is never a useful entry, and people type it expecting the view.
  if (rest === '' || /^(show|list)$/i.test(rest)) return { kind: 'timeline_show' };
  return { kind: 'timeline_add', text: rest };
}

function parseMilestone(rest: string): IncidentCommand {
  const [word, whenText] = splitFirstWord(rest);
  const milestone = word.toLowerCase();
  if (isMilestoneKind(milestone)) return { kind: 'milestone', milestone, whenText };
  const choices = orList(MILESTONE_KINDS);
  if (word === '') return invalid(`Say which milestone: ${choices}, e.g. \`${EXAMPLES.milestone}\``);
  const example = exampleWith(
    `/incident milestone ${closest(milestone, MILESTONE_KINDS) ?? 'mitigated'}`,
    whenText,
    '14:05',
  );
  return invalid(`Unknown milestone ${quote(word)}: use ${choices}, e.g. \`${example}\``);
}

// ---- resolve -----------------------------------------------------------------------------------

function parseResolve(rest: string): IncidentCommand {
  // Only the first word can be a flag: `--duplicate-of` takes an argument, so flags do not chain.
  const [word, afterWord] = splitFirstWord(rest);
  const flag = flagName(word);
  if (flag === null) return { kind: 'resolve', text: rest };
  if (flag === '') return { kind: 'resolve', text: afterWord };
  if (flag === 'false-alarm') return resolveFalseAlarm(afterWord);
  if (flag === 'duplicate-of') return resolveDuplicate(afterWord);
  return invalid(
    `Unknown flag ${quote(word)}. \`/incident resolve\` takes \`--false-alarm\` or \`--duplicate-of #<n>\`, ` +
      'e.g. `/incident resolve --false-alarm Monitoring blip` or `/incident resolve 14:30 Bad config rolled back`',
  );
}

/** Asked when `--false-alarm` comes without its line (SPEC 4): the line is what gets recorded. */
export const FALSE_ALARM_QUESTION =
  'A false alarm is closed with one line on record: what paged, and should it have? ' +
  'e.g. `/incident resolve --false-alarm Disk alert on db-3 paged at 85 %; it should not have, the threshold is now 95 %`';

function resolveFalseAlarm(summary: string): IncidentCommand {
  if (flagName(splitFirstWord(summary)[0]) === 'duplicate-of') return bothResolveFlags();
  if (summary.trim() === '') return invalid(FALSE_ALARM_QUESTION);
  return { kind: 'resolve_false_alarm', summary };
}

function resolveDuplicate(rest: string): IncidentCommand {
  const [target, summary] = splitFirstWord(rest);
  if (flagName(target) === 'false-alarm') return bothResolveFlags();
  const match = /^#?(\d{1,9})$/.exec(target);
  const duplicateOf = match ? Number(match[1]) : 0;
  if (duplicateOf < 1) {
    const got = target === '' ? 'nothing' : quote(target);
    return invalid(
      `\`--duplicate-of\` needs the number of the incident this one duplicates (got ${got}), ` +
        'e.g. `/incident resolve --duplicate-of #41 Same outage as #41`',
    );
  }
  return { kind: 'resolve_duplicate', duplicateOf, summary };
}

function bothResolveFlags(): InvalidCommand {
  return invalid(
    'Use either `--false-alarm` or `--duplicate-of`, not both, e.g. `/incident resolve --duplicate-of #41`',
  );
}

// ---- severity, role ----------------------------------------------------------------------------

function parseSeverity(rest: string): IncidentCommand {
  const [word, extra] = splitFirstWord(rest);
  const severity = parseSeverityWord(word);
  if (!severity || severity === 'malformed') {
    const got = word === '' ? '' : ` (got ${quote(word)})`;
    return invalid(`Severity must be ${orList(SEVERITIES)}${got}, e.g. \`${EXAMPLES.severity}\``);
  }
  if (extra !== '') {
    return invalid(
      '`/incident severity` takes only the level; explain the change with `/incident status`, ' +
        `e.g. \`/incident severity ${severity}\``,
    );
  }
  return { kind: 'severity', severity };
}

const USER_MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

function parseRole(rest: string): IncidentCommand {
  const words = rest === '' ? [] : rest.split(/\s+/);
  // Accept the mention on either side of the role: both read naturally.
  const mentionAt = words.findIndex((word) => USER_MENTION.test(word));
  const roleWord = words.find((_, index) => index !== mentionAt) ?? '';
  const role = roleWord.toLowerCase();
  if (!isRole(role)) return unknownRole(roleWord);
  if (mentionAt === -1) return missingMention(role, words);
  if (words.length > 2) {
    return invalid(`\`/incident role\` takes one role and one person, e.g. \`/incident role ${role} @alice\``);
  }
  const userId = USER_MENTION.exec(words[mentionAt]!)![1]!;
  return { kind: 'role', role, userId };
}

function missingMention(role: Role, words: string[]): InvalidCommand {
  const example = `e.g. \`/incident role ${role} @alice\``;
  // Slack leaves `@name` unescaped when it could not match a user: say so rather than "mention someone".
  const unmatched = words.find((word) => word.startsWith('@'));
  if (unmatched)
    return invalid(`Slack did not recognise ${quote(unmatched)} as a person: pick them from the @ list, ${example}`);
  return invalid(`Mention the person to make ${role}, ${example}`);
}

function unknownRole(word: string): InvalidCommand {
  const roles = orList(ROLES);
  if (word === '') return invalid(`Say which role: ${roles}, e.g. \`${EXAMPLES.role}\``);
  const suggestion = closest(word.toLowerCase(), ROLES) ?? 'commander';
  return invalid(`Unknown role ${quote(word)}: use ${roles}, e.g. \`/incident role ${suggestion} @alice\``);
}

// ---- unknown subcommands -----------------------------------------------------------------------

/** Words people try instead of a subcommand, mapped to the one they meant (a Map: `constructor` is a word too). */
const SYNONYMS = new Map<string, Subcommand>([
  ['declare', 'start'],
  ['new', 'start'],
  ['open', 'start'],
  ['create', 'start'],
  ['close', 'resolve'],
  ['sev', 'severity'],
  ['assign', 'role'],
  ['update', 'status'],
  ['note', 'timeline'],
  ['log', 'timeline'],
  ['add', 'timeline'],
]);

function unknownSubcommand(head: string, rest: string): InvalidCommand {
  const word = head.toLowerCase();
  const list = SUBCOMMANDS.map((name) => `\`${name}\``).join(', ');
  return invalid(`Unknown subcommand ${quote(head)}. ${suggestionFor(word, rest)} Subcommands: ${list}.`);
}

function suggestionFor(word: string, rest: string): string {
  const flag = flagName(word);
  if (flag !== null && (START_FLAGS as readonly string[]).includes(flag)) {
    return `Did you mean \`${exampleWith(`/incident start --${flag}`, rest, 'sev2 Checkout returns 500s')}\`?`;
  }
  if (isSeverity(word))
    return `Did you mean \`${exampleWith(`/incident start ${word}`, rest, 'Checkout returns 500s')}\`?`;
  if (isMilestoneKind(word)) return `Did you mean \`${exampleWith(`/incident milestone ${word}`, rest, '')}\`?`;
  const meant = SYNONYMS.get(word) ?? closest(word, SUBCOMMANDS);
  if (meant) return `Did you mean \`${exampleWith(`/incident ${meant}`, rest, exampleArgs(meant))}\`?`;
  return `For example \`${EXAMPLES.start}\` or \`${EXAMPLES.help}\`.`;
}

function exampleArgs(subcommand: Subcommand): string {
  return EXAMPLES[subcommand].replace(/^\/incident \S+ ?/, '');
}

/** Builds an example from what the user wrote, falling back to a canned tail when it is unusable. */
function exampleWith(command: string, rest: string, fallback: string): string {
  const tail = collapseWhitespace(rest);
  const usable = tail !== '' && tail.length <= 60 && !tail.includes('`');
  return `${command} ${usable ? tail : fallback}`.trim();
}

// ---- words, flags, severities ------------------------------------------------------------------

/** Splits off the first whitespace-separated word; the rest keeps its inner newlines but is trimmed. */
function splitFirstWord(text: string): [string, string] {
  const trimmed = text.trim();
  const end = trimmed.search(/\s/);
  if (end === -1) return [trimmed, ''];
  return [trimmed.slice(0, end), trimmed.slice(end).trim()];
}

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The name of a `--flag` word, lower-cased: `''` for the bare `--` that ends flags, `null` when the
 * word is not a flag. Dashes that macOS "smart punctuation" turns `--` into count as `--`.
 */
function flagName(word: string): string | null {
  const match = /^(?:--|—|–)(.*)$/.exec(word);
  return match ? match[1]!.toLowerCase() : null;
}

type FlagsRead = { names: string[]; rest: string } | { unknown: string };

function readFlags(text: string): FlagsRead {
  const names: string[] = [];
  let rest = text;
  for (;;) {
    const [word, after] = splitFirstWord(rest);
    const name = flagName(word);
    if (name === null) return { names, rest };
    if (name === '') return { names, rest: after };
    if (!(START_FLAGS as readonly string[]).includes(name)) return { unknown: word };
    names.push(name);
    rest = after;
  }
}

/** A severity word, `null` when the word is not one, `'malformed'` when it looks like one but is not valid. */
function parseSeverityWord(word: string): Severity | 'malformed' | null {
  const lower = word.toLowerCase();
  if (isSeverity(lower)) return lower;
  // `sev0`, `sev5` or `sev-1` are meant as severities; silently making them part of the title would hide the mistake.
  return /^sev[-_]?\d+$/.test(lower) ? 'malformed' : null;
}

// ---- messages ----------------------------------------------------------------------------------

function invalid(message: string): InvalidCommand {
  return { kind: 'invalid', message };
}

/** Echoes a word the user typed inside backticks, short and unable to break out of them. */
function quote(word: string): string {
  const clean = word.replace(/[`\s]/g, '');
  const short = clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
  return short === '' ? 'that' : `\`${short}\``;
}

function orList(words: readonly string[]): string {
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}
