/**
 * The `/postmortem` grammar (SPEC 2): an optional leading `#<n>` naming the incident, then a subcommand.
 * Purely syntactic: due dates stay raw text (`dueText`) for the use case to read in the owner's zone,
 * and who may do what is decided by the use cases. Never throws; every mistake is explained with a
 * correct example.
 */

import {
  ACTION_EXAMPLE,
  type ActionCommand,
  CANCEL_EXAMPLE,
  DONE_EXAMPLE,
  parseActionCommand,
  parseCancelCommand,
  parseDoneCommand,
} from './action-command';
import { DEBRIEF_HELP, type DebriefCommand, parseDebriefCommand } from './debrief-command';
import { closest } from './did-you-mean';
import type { SectionKey } from './postmortem/document';

/** What a `/postmortem` invocation asks for. */
export type PostmortemCommand =
  | { kind: 'help' }
  | { kind: 'assign'; userId: string; dueText: string | null }
  | { kind: 'show' }
  | { kind: 'edit'; section: SectionKey | null }
  | { kind: 'export' }
  | { kind: 'publish' }
  | { kind: 'review'; reviewerIds: string[] }
  | { kind: 'waive'; reason: string }
  /** `action <text> <@owner> [options]`: the item as parseActionCommand reads it (the due date still text). */
  | { kind: 'action'; item: Extract<ActionCommand, { ok: true }> }
  | { kind: 'actions' }
  | { kind: 'done'; number: number }
  | { kind: 'cancel'; number: number; reason: string }
  /** `debrief …`: the meeting (SPEC 6), as parseDebriefCommand reads it (an `at` time still text). */
  | { kind: 'debrief'; debrief: DebriefCommand }
  | { kind: 'invalid'; message: string };

export interface ParsedPostmortemCommand {
  /** The `#<n>` the text began with, or null: the command then applies to the channel's incident. */
  incidentNumber: number | null;
  command: PostmortemCommand;
}

export const POSTMORTEM_SUBCOMMANDS = [
  'assign',
  'show',
  'edit',
  'export',
  'publish',
  'review',
  'waive',
  'action',
  'actions',
  'done',
  'cancel',
  'debrief',
  'help',
] as const;
export type PostmortemSubcommand = (typeof POSTMORTEM_SUBCOMMANDS)[number];

/** Subcommands of SPEC 2 still to come, refused honestly: none left (tests loop over it). */
export const LATER_SUBCOMMANDS: readonly string[] = [];

export const POSTMORTEM_EXAMPLES: Record<PostmortemSubcommand, string> = {
  assign: '/postmortem assign @alex due friday',
  show: '/postmortem show',
  edit: '/postmortem edit impact',
  export: '/postmortem export',
  publish: '/postmortem publish',
  review: '/postmortem review @sam @kim',
  waive: '/postmortem waive known vendor issue, fixed upstream',
  action: ACTION_EXAMPLE,
  actions: '/postmortem actions',
  done: DONE_EXAMPLE,
  cancel: CANCEL_EXAMPLE,
  debrief: '/postmortem debrief within 3 days for 60 min',
  help: '/postmortem help',
};

/** How each section is named in commands: the first name is the one shown in examples and help. */
export const SECTION_NAMES: Record<SectionKey, readonly string[]> = {
  summary: ['summary', 'overview', 'tldr'],
  impact: ['impact'],
  detection: ['detection', 'detect', 'detected'],
  response: ['response', 'respond'],
  contributingFactors: ['factors', 'contributing-factors', 'contributing', 'causes'],
  resolution: ['resolution', 'resolve', 'mitigation', 'fix'],
  lessonsLearned: ['lessons', 'lessons-learned', 'learned', 'learnings'],
  actionItems: ['action-items', 'actions', 'items'],
  supportingInformation: ['links', 'supporting', 'supporting-information', 'supporting-info', 'references'],
};

/** The section names people can type, one per section, in document order. */
export const SECTION_COMMAND_NAMES: readonly string[] = Object.values(SECTION_NAMES).map((names) => names[0]!);

/** Usage of `/postmortem` in mrkdwn (so `<` is written `&lt;`): only what exists today. */
export const POSTMORTEM_HELP = [
  '*In the incident channel* (elsewhere, name the incident first: `/postmortem #42 show`)',
  '• `/postmortem assign @alex due friday` makes @alex the postmortem owner and sends them a checklist (the due date defaults to the severity policy)',
  '• `/postmortem show` shows each section’s completeness, what is missing to publish, blameless-language warnings and open action items',
  `• \`/postmortem edit impact\` opens a form for one section: ${SECTION_COMMAND_NAMES.map((n) => `\`${n}\``).join(', ')}; \`/postmortem edit\` lets you pick one`,
  '• `/postmortem export` uploads the document here as `postmortem-&lt;number&gt;.md`',
  '• `/postmortem review @sam @kim` asks for review (default: the commander); reviewers approve with a button',
  '• `/postmortem publish` publishes it once it is complete, or lists what is missing',
  '• `/postmortem waive known vendor issue, fixed upstream` (sev3–sev4, the commander) records that no postmortem will be written, and why',
  '• `/postmortem action Alert on checkout 5xx rate @alice due friday priority high type detect` adds an action item: the text, then its owner (the last mention), then `due`, `priority high|medium|low`, `type prevent|detect|mitigate|repair|process|investigate`, `ticket &lt;link&gt;` in any order (default: medium, due in 8 weeks; high: 4 weeks; low: backlog)',
  '• `/postmortem actions` lists the action items with Done, Snooze, Reassign, Edit and Mute',
  '• `/postmortem done 3` closes action item 3',
  '• `/postmortem cancel 3 covered by the new rate limiter` (the postmortem owner or the commander) cancels item 3, keeping the reason',
  DEBRIEF_HELP,
  '• `/postmortem help` shows this',
].join('\n');

/** Parses the text after `/postmortem`; never throws. */
export function parsePostmortemCommand(input: string): ParsedPostmortemCommand {
  const text = typeof input === 'string' ? input : '';
  const [first, afterFirst] = splitFirstWord(text);
  const number = incidentNumberWord(first);
  if (number === 'malformed') {
    return {
      incidentNumber: null,
      command: invalid(
        `${quote(first)} is not an incident number: write it as \`#\` and digits, e.g. \`/postmortem #42 show\`.`,
      ),
    };
  }
  const incidentNumber = number;
  const rest = incidentNumber === null ? text : afterFirst;
  const [head, args] = splitFirstWord(rest);
  if (head === '') {
    return {
      incidentNumber,
      command:
        incidentNumber === null
          ? { kind: 'help' }
          : invalid(`Say what to do with incident #${incidentNumber}, e.g. \`/postmortem #${incidentNumber} show\`.`),
    };
  }
  const word = head.toLowerCase();
  const parse = PARSERS.get(word);
  if (!parse) return { incidentNumber, command: unknownSubcommand(head, incidentNumber) };
  const parsed = parse(args, incidentNumber);
  // `/postmortem show #42` reads naturally too: a trailing number is taken when none led.
  if ('trailingNumber' in parsed) {
    if (incidentNumber !== null && parsed.trailingNumber !== incidentNumber) {
      return {
        incidentNumber,
        command: invalid(`Name one incident, before the subcommand: \`/postmortem #${incidentNumber} ${word}\`.`),
      };
    }
    return { incidentNumber: parsed.trailingNumber, command: parsed.command };
  }
  return { incidentNumber, command: parsed };
}

/** The section key a name stands for (`impact`, `Contributing factors`, `lessons_learned`), or null. */
export function sectionFromName(name: string): SectionKey | null {
  const wanted = normaliseName(name);
  if (wanted === '') return null;
  for (const [key, names] of Object.entries(SECTION_NAMES) as [SectionKey, readonly string[]][]) {
    if (normaliseName(key) === wanted || names.some((n) => normaliseName(n) === wanted)) return key;
  }
  return null;
}

// ---- subcommands -------------------------------------------------------------------------------

type Parsed = PostmortemCommand | { command: PostmortemCommand; trailingNumber: number };
type Parser = (args: string, incidentNumber: number | null) => Parsed;

const PARSERS = new Map<string, Parser>([
  ['assign', parseAssign],
  ['show', (args, n) => noArguments('show', args, n)],
  ['status', (args, n) => noArguments('show', args, n)],
  ['edit', parseEdit],
  ['export', (args, n) => noArguments('export', args, n)],
  ['publish', (args, n) => noArguments('publish', args, n)],
  ['review', parseReview],
  ['waive', parseWaive],
  ['help', () => ({ kind: 'help' })],
  ['action', (args) => fromActionParser(parseActionCommand(args), (item) => ({ kind: 'action', item }))],
  ['actions', (args, n) => noArguments('actions', args, n)],
  ['done', (args) => fromActionParser(parseDoneCommand(args), (done) => ({ kind: 'done', number: done.number }))],
  [
    'cancel',
    (args) =>
      fromActionParser(parseCancelCommand(args), (c) => ({ kind: 'cancel', number: c.number, reason: c.reason })),
  ],
  [
    'debrief',
    (args) => {
      const parsed = parseDebriefCommand(args);
      return parsed.ok ? { kind: 'debrief', debrief: parsed.command } : invalid(parsed.message);
    },
  ],
]);

/** Slack's escaped user mention (`should_escape: true`): `<@U123>` or `<@U123|alice>`. */
const USER_MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>$/;

function parseAssign(args: string, incidentNumber: number | null): Parsed {
  const example = exampleFor('assign', incidentNumber);
  const words = args === '' ? [] : args.split(/\s+/);
  const mentions = words.filter((w) => USER_MENTION.test(w));
  if (mentions.length === 0) return missingMention(words, `Say who owns the postmortem, e.g. \`${example}\`.`);
  if (mentions.length > 1) return invalid(`A postmortem has one owner: mention one person, e.g. \`${example}\`.`);
  if (!USER_MENTION.test(words[0] ?? '')) {
    return invalid(`Put the owner right after \`assign\`, then the due date, e.g. \`${example}\`.`);
  }
  const userId = USER_MENTION.exec(words[0]!)![1]!;
  const after = words.slice(1);
  if (after.length === 0) return { kind: 'assign', userId, dueText: null };
  if (after[0]!.toLowerCase() !== 'due') {
    return invalid(`After the owner only \`due <when>\` may follow, e.g. \`${example}\`.`);
  }
  const dueText = after.slice(1).join(' ').trim();
  if (dueText === '') return invalid(`Say when it is due after \`due\`, e.g. \`${example}\` or \`due 2026-12-04\`.`);
  return { kind: 'assign', userId, dueText };
}

function parseEdit(args: string, incidentNumber: number | null): Parsed {
  if (args === '') return { kind: 'edit', section: null };
  const trailing = trailingNumberOf(args);
  const name = trailing ? trailing.rest : args;
  if (name === '' && trailing) return { command: { kind: 'edit', section: null }, trailingNumber: trailing.number };
  const section = sectionFromName(name);
  if (section) {
    return trailing
      ? { command: { kind: 'edit', section }, trailingNumber: trailing.number }
      : { kind: 'edit', section };
  }
  const normal = normaliseName(name);
  const prefix = incidentNumber === null ? '/postmortem' : `/postmortem #${incidentNumber}`;
  const sections = SECTION_COMMAND_NAMES.map((n) => `\`${n}\``).join(', ');
  if (normal === 'timeline') {
    return invalid(
      `The timeline is kept with \`/incident timeline <when> <text>\` (and corrected from \`/incident timeline\`); \`/postmortem edit\` takes a section: ${sections}.`,
    );
  }
  if (normal.includes('rootcause')) {
    return invalid(
      `A postmortem lists contributing factors, not a single root cause: \`${prefix} edit factors\` (mark the trigger there).`,
    );
  }
  const meant = closest(normal, SECTION_COMMAND_NAMES.map(normaliseName));
  const suggestion = meant ? SECTION_COMMAND_NAMES.find((n) => normaliseName(n) === meant)! : 'impact';
  return invalid(`Unknown section ${quote(name)}. Sections: ${sections}, e.g. \`${prefix} edit ${suggestion}\`.`);
}

function parseReview(args: string, incidentNumber: number | null): Parsed {
  const words = args === '' ? [] : args.split(/\s+/);
  const trailing = words.length > 0 ? incidentNumberWord(words.at(-1)!) : null;
  const people = typeof trailing === 'number' ? words.slice(0, -1) : words;
  const example = exampleFor('review', incidentNumber);
  const stray = people.find((w) => !USER_MENTION.test(w));
  if (stray !== undefined) {
    if (stray.startsWith('@')) {
      return invalid(
        `Slack did not recognise ${quote(stray)} as a person: pick them from the @ list, e.g. \`${example}\`.`,
      );
    }
    return invalid(
      `\`review\` takes only the reviewers, mentioned, e.g. \`${example}\` (or nobody, to ask the commander).`,
    );
  }
  const reviewerIds = [...new Set(people.map((w) => USER_MENTION.exec(w)![1]!))];
  const command: PostmortemCommand = { kind: 'review', reviewerIds };
  return typeof trailing === 'number' ? { command, trailingNumber: trailing } : command;
}

function parseWaive(args: string, incidentNumber: number | null): Parsed {
  const reason = args.trim();
  if (reason === '') {
    return invalid(`Say why no postmortem is needed, e.g. \`${exampleFor('waive', incidentNumber)}\`.`);
  }
  return { kind: 'waive', reason };
}

/** The action-item subcommands have their own parsers (action-command.ts): their refusals carry examples. */
function fromActionParser<T extends { ok: true }>(
  parsed: T | { ok: false; message: string },
  command: (value: T) => PostmortemCommand,
): PostmortemCommand {
  return parsed.ok ? command(parsed) : invalid(parsed.message);
}

/** `show`, `export`, `publish`, `actions`: nothing may follow, except the incident number people put last. */
function noArguments(
  kind: 'show' | 'export' | 'publish' | 'actions',
  args: string,
  incidentNumber: number | null,
): Parsed {
  if (args === '') return { kind };
  const number = incidentNumberWord(args);
  if (typeof number === 'number') return { command: { kind }, trailingNumber: number };
  return invalid(`\`/postmortem ${kind}\` takes nothing after it, e.g. \`${exampleFor(kind, incidentNumber)}\`.`);
}

// ---- unknown subcommands -------------------------------------------------------------------------

const SYNONYMS = new Map<string, PostmortemSubcommand>([
  ['owner', 'assign'],
  ['own', 'assign'],
  ['view', 'show'],
  ['check', 'show'],
  ['list', 'show'],
  ['items', 'actions'],
  ['todo', 'actions'],
  ['complete', 'done'],
  ['write', 'edit'],
  ['update', 'edit'],
  ['download', 'export'],
  ['markdown', 'export'],
  ['md', 'export'],
  ['submit', 'publish'],
  ['finish', 'publish'],
  ['approve', 'review'],
  ['skip', 'waive'],
]);

function unknownSubcommand(head: string, incidentNumber: number | null): PostmortemCommand {
  const word = head.toLowerCase();
  const list = POSTMORTEM_SUBCOMMANDS.map((name) => `\`${name}\``).join(', ');
  const section = sectionFromName(word);
  const prefix = incidentNumber === null ? '/postmortem' : `/postmortem #${incidentNumber}`;
  let hint: string;
  if (/^<#[CG][A-Z0-9]+(?:\|[^<>]*)?>$/.test(head)) {
    hint = 'Name the incident by its number, not its channel, e.g. `/postmortem #42 show`.';
  } else if (section) {
    hint = `Did you mean \`${prefix} edit ${SECTION_NAMES[section][0]}\`?`;
  } else if (USER_MENTION.test(head)) {
    hint = `Did you mean \`${prefix} assign ${head.replace(/[`]/g, '')}\`?`;
  } else {
    const meant = SYNONYMS.get(word) ?? closest(word, POSTMORTEM_SUBCOMMANDS);
    hint = meant
      ? `Did you mean \`${exampleFor(meant, incidentNumber)}\`?`
      : `For example \`${exampleFor('show', incidentNumber)}\` or \`/postmortem help\`.`;
  }
  return invalid(`Unknown subcommand ${quote(head)}. ${hint} Subcommands: ${list}.`);
}

function missingMention(words: string[], fallback: string): PostmortemCommand {
  // Slack leaves `@name` unescaped when it could not match a user: say so rather than "mention someone".
  const unmatched = words.find((w) => w.startsWith('@'));
  if (unmatched) {
    return invalid(`Slack did not recognise ${quote(unmatched)} as a person: pick them from the @ list. ${fallback}`);
  }
  return invalid(fallback);
}

function exampleFor(subcommand: PostmortemSubcommand, incidentNumber: number | null): string {
  const example = POSTMORTEM_EXAMPLES[subcommand];
  return incidentNumber === null ? example : example.replace('/postmortem ', `/postmortem #${incidentNumber} `);
}

// ---- words ---------------------------------------------------------------------------------------

/** The largest incident number accepted: beyond it the text is a typo, not an incident. */
const MAX_INCIDENT_NUMBER = 1_000_000_000;

/** `#42` → 42; null when the word is not `#…`; 'malformed' for `#`, `#0`, `#abc` or an absurd number. */
function incidentNumberWord(word: string): number | null | 'malformed' {
  if (!word.startsWith('#')) return null;
  const match = /^#(\d{1,10})$/.exec(word);
  const number = match ? Number(match[1]) : 0;
  return number >= 1 && number <= MAX_INCIDENT_NUMBER ? number : 'malformed';
}

function trailingNumberOf(args: string): { number: number; rest: string } | null {
  const words = args.split(/\s+/);
  const last = incidentNumberWord(words.at(-1) ?? '');
  return typeof last === 'number' ? { number: last, rest: words.slice(0, -1).join(' ') } : null;
}

/** Splits off the first whitespace-separated word; the rest is trimmed. */
function splitFirstWord(text: string): [string, string] {
  const trimmed = text.trim();
  const end = trimmed.search(/\s/);
  if (end === -1) return [trimmed, ''];
  return [trimmed.slice(0, end), trimmed.slice(end).trim()];
}

/** Lower case without spaces, dashes or underscores: `Lessons learned` = `lessons-learned` = `lessonsLearned`. */
function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

function invalid(message: string): PostmortemCommand {
  return { kind: 'invalid', message };
}

/** Echoes a word the user typed inside backticks, short and unable to break out of them. */
function quote(word: string): string {
  const clean = word.replace(/[`\s]/g, '');
  const short = clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
  return short === '' ? 'that' : `\`${short}\``;
}
