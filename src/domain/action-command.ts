/**
 * The action-item commands of `/postmortem` (SPEC 2 and 5): `action <text> <@owner> [options]`, `done <n>`
 * and `cancel <n> <reason>`. Purely syntactic: the due date stays text (`dueText`) for the caller to read
 * with `parseWhen(…, { direction: 'future' })` in the owner's zone. Every function here takes the text after
 * the subcommand word, never throws, and explains every mistake with a correct example.
 */
import {
  ACTION_ITEM_PRIORITIES,
  ACTION_ITEM_TYPES,
  type ActionItemPriority,
  type ActionItemType,
} from './action-items';

/** What `/postmortem action …` asks for, or what was wrong with it. */
export type ActionCommand =
  | {
      ok: true;
      text: string;
      ownerId: string;
      /** The `<when>` after `due`, unparsed. */
      dueText?: string;
      priority?: ActionItemPriority;
      type?: ActionItemType;
      ticketUrl?: string;
    }
  | { ok: false; message: string };

/** `done <n>`: the item number, or what was wrong. */
export type DoneCommand = { ok: true; number: number } | { ok: false; message: string };

/** `cancel <n> <reason>`: the item number and the reason, or what was wrong. */
export type CancelCommand = { ok: true; number: number; reason: string } | { ok: false; message: string };

/** A modal text field holds 3,000 characters (SPEC 2), and the item is edited in one. */
export const MAX_ACTION_TEXT_LENGTH = 3000;

export const ACTION_EXAMPLE =
  '/postmortem action Alert on checkout 5xx rate @alice due friday priority high type detect';
export const DONE_EXAMPLE = '/postmortem done 3';
export const CANCEL_EXAMPLE = '/postmortem cancel 3 covered by the new rate limiter (#2)';

const OPTION_NAMES = ['due', 'priority', 'type', 'ticket'] as const;
type OptionName = (typeof OPTION_NAMES)[number];

/** Slack's escaped user mention (`should_escape: true`): `<@U123>` or `<@U123|alice>`. */
const USER_MENTION = /<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>/g;

/** Parses the text after `/postmortem action`. */
export function parseActionCommand(input: string): ActionCommand {
  const text = typeof input === 'string' ? input : '';
  const mention = lastMention(text);
  if (mention === null) return missingOwner(text);
  const itemText = text.slice(0, mention.start).replace(/\s+/g, ' ').trim();
  if (itemText === '') {
    return fail('Say what needs doing before the owner: the text comes first, then the owner, then the options.');
  }
  if (itemText.length > MAX_ACTION_TEXT_LENGTH) {
    return fail(
      `The item is ${itemText.length} characters; keep it to ${MAX_ACTION_TEXT_LENGTH} and link a ticket for the details.`,
    );
  }
  const options = readOptions(text.slice(mention.end));
  if ('message' in options) return options;
  return { ok: true, text: itemText, ownerId: mention.userId, ...options.values };
}

/** Parses the text after `/postmortem done`: one item number, `3` or `#3`. */
export function parseDoneCommand(input: string): DoneCommand {
  const [word, rest] = splitFirstWord(typeof input === 'string' ? input : '');
  const number = itemNumber(word);
  if (number === null) return fail(numberProblem(word, 'done'), DONE_EXAMPLE);
  if (rest !== '') {
    return fail(`\`/postmortem done\` takes one item number and nothing after it.`, DONE_EXAMPLE);
  }
  return { ok: true, number };
}

/** Parses the text after `/postmortem cancel`: an item number and the reason, which is required. */
export function parseCancelCommand(input: string): CancelCommand {
  const [word, rest] = splitFirstWord(typeof input === 'string' ? input : '');
  const number = itemNumber(word);
  if (number === null) return fail(numberProblem(word, 'cancel'), CANCEL_EXAMPLE);
  const reason = rest.replace(/\s+/g, ' ').trim();
  if (reason === '') {
    return fail(`Say why #${number} will not be done; the postmortem keeps the reason.`, CANCEL_EXAMPLE);
  }
  return { ok: true, number, reason };
}

// ---- the owner -----------------------------------------------------------------------------------

function lastMention(text: string): { userId: string; start: number; end: number } | null {
  let last: RegExpExecArray | null = null;
  for (const match of text.matchAll(USER_MENTION)) last = match;
  if (last === null) return null;
  return { userId: last[1]!, start: last.index, end: last.index + last[0].length };
}

function missingOwner(text: string): ActionCommand {
  if (text.trim() === '') return fail('Say what needs doing and who owns it.');
  // Slack leaves `@name` unescaped when it could not match a person: say so rather than "mention someone".
  const unmatched = /(?:^|\s)(@[^\s@]+)/.exec(text);
  if (unmatched) {
    return fail(`Slack did not recognise ${quote(unmatched[1]!)} as a person: pick the owner from the @ list.`);
  }
  return fail('Mention the owner after the text, e.g. `@alice`.');
}

// ---- options -------------------------------------------------------------------------------------

type OptionValues = Omit<Extract<ActionCommand, { ok: true }>, 'ok' | 'text' | 'ownerId'>;

/** Reads `due <when>`, `priority <p>`, `type <t>`, `ticket <url>` in any order, each at most once. */
function readOptions(text: string): { values: OptionValues } | { ok: false; message: string } {
  const words = text.trim() === '' ? [] : text.trim().split(/\s+/);
  if (words.length > 0 && !isOptionName(words[0]!)) {
    return fail(
      `After the owner only the options \`due\`, \`priority\`, \`type\` and \`ticket\` may follow (got ${quote(words[0]!)}); ` +
        'put the item text before the owner, and only one owner.',
    );
  }
  const values: OptionValues = {};
  const seen = new Set<OptionName>();
  let index = 0;
  while (index < words.length) {
    const name = words[index]!.toLowerCase() as OptionName;
    let end = index + 1;
    while (end < words.length && !isOptionName(words[end]!)) end += 1;
    const args = words.slice(index + 1, end);
    index = end;
    if (seen.has(name)) return fail(`\`${name}\` is given twice; give it once.`);
    seen.add(name);
    const problem = applyOption(name, args, values);
    if (problem !== null) return fail(problem);
  }
  return { values };
}

function applyOption(name: OptionName, args: string[], values: OptionValues): string | null {
  const value = args.join(' ');
  switch (name) {
    case 'due':
      if (value === '') return '`due` needs a date: `due friday`, `due in 2 weeks` or `due 2026-12-01`.';
      values.dueText = value;
      return null;
    case 'priority': {
      const priority = oneOf(args, ACTION_ITEM_PRIORITIES);
      if (priority === null) return choiceProblem('priority', value, ACTION_ITEM_PRIORITIES);
      values.priority = priority;
      return null;
    }
    case 'type': {
      const type = oneOf(args, ACTION_ITEM_TYPES);
      if (type === null) return choiceProblem('type', value, ACTION_ITEM_TYPES);
      values.type = type;
      return null;
    }
    case 'ticket': {
      const url = args.length === 1 ? ticketUrl(args[0]!) : null;
      if (url === null) {
        const got = value === '' ? 'nothing' : quote(value);
        return `\`ticket\` needs one http or https link (got ${got}), e.g. \`ticket https://jira.example.com/browse/OPS-12\`.`;
      }
      values.ticketUrl = url;
      return null;
    }
  }
}

function isOptionName(word: string): boolean {
  return (OPTION_NAMES as readonly string[]).includes(word.toLowerCase());
}

function oneOf<T extends string>(args: string[], choices: readonly T[]): T | null {
  if (args.length !== 1) return null;
  const word = args[0]!.toLowerCase();
  return (choices as readonly string[]).includes(word) ? (word as T) : null;
}

function choiceProblem(name: string, value: string, choices: readonly string[]): string {
  const got = value === '' ? 'nothing' : quote(value);
  return `\`${name}\` must be ${choices.join(', ')} (got ${got}).`;
}

/** The link of a `ticket` option: Slack sends links escaped as `<https://…>` or `<https://…|label>`. */
function ticketUrl(word: string): string | null {
  const escaped = /^<([^<>|]+)(?:\|[^<>]*)?>$/.exec(word);
  const raw = escaped ? escaped[1]! : word;
  if (!URL.canParse(raw)) return null;
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // Keep what the user wrote (minus Slack's brackets): `URL.href` would rewrite it.
  return raw;
}

// ---- numbers and messages ------------------------------------------------------------------------

function itemNumber(word: string): number | null {
  const match = /^#?(\d{1,9})$/.exec(word);
  if (!match) return null;
  const number = Number(match[1]);
  return number >= 1 ? number : null;
}

function numberProblem(word: string, subcommand: string): string {
  if (word === '') return `Say which action item, by its number (see \`/postmortem actions\`).`;
  return `\`/postmortem ${subcommand}\` needs an action item number like \`3\` or \`#3\` (got ${quote(word)}).`;
}

function splitFirstWord(text: string): [string, string] {
  const trimmed = text.trim();
  const end = trimmed.search(/\s/);
  if (end === -1) return [trimmed, ''];
  return [trimmed.slice(0, end), trimmed.slice(end).trim()];
}

function fail(problem: string, example: string = ACTION_EXAMPLE): { ok: false; message: string } {
  return { ok: false, message: `${problem} For example: \`${example}\`` };
}

/** Echoes what the user typed inside backticks, short and unable to break out of them. */
function quote(word: string): string {
  const clean = word.replace(/`/g, '').replace(/\s+/g, ' ');
  const short = clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
  return short === '' ? 'that' : `\`${short}\``;
}
