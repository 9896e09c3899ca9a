/**
 * Turns Slack's message markup into text for a Markdown document (SPEC 4 item 6): mentions become names,
 * channel links `#name`, broadcasts and user groups plain words, date tokens their fallback text, links
 * Markdown links. The Markdown helpers below then make sure nothing a person typed can bring Slack markup,
 * HTML or document structure (headings, code fences, table cells) back in.
 */
import { utcMinute } from '../durations';
import { displayName, type NameLookup } from './document';

/**
 * Slack tokens (`<@U1|x>`, `<#C1|x>`, `<!here>`, `<!date^…|x>`, `<https://…|x>`) and the three entities
 * Slack escapes. Lengths are bounded and no part can match the same text two ways, so matching stays
 * linear on long pasted text.
 */
const SLACK_MARKUP =
  /<([@#!][^<>|\n]{0,300})(?:\|([^<>\n]{0,1000}))?>|<((?:https?|mailto|ftp|tel|slack):[^<>|\s]{1,2000})(?:\|([^<>\n]{0,1000}))?>|&(amp|lt|gt);/gi;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>' };

/**
 * Slack message text as plain text: `<@U1>`/`<@U1|name>` → the name (from `names`, else the token's label,
 * else `@U1`), `<#C1|name>` → `#name`, `<!here>` → `here`, `<!subteam^S1|@team>` → `@team`,
 * `<!date^…|fallback>` → the fallback, `<https://x|label>` → `[label](https://x)`, and `&lt;` `&gt;` `&amp;`
 * decoded. What remains is what people typed; Markdown output escapes it further (`markdownInline`).
 */
export function slackTextToPlain(text: string, names: NameLookup = {}): string {
  // Most timeline text has no markup at all: skip the regex for it (exports run over 10,000 entries).
  if (!text.includes('<') && !text.includes('&')) return text;
  return text.replace(
    SLACK_MARKUP,
    (_match, special?: string, specialLabel?: string, url?: string, urlLabel?: string, entity?: string) => {
      if (entity !== undefined) return ENTITIES[entity.toLowerCase()] ?? '';
      if (url !== undefined) return link(decode(url), urlLabel === undefined ? null : decode(urlLabel));
      return specialToken(special ?? '', specialLabel === undefined ? null : decode(specialLabel), names);
    },
  );
}

function specialToken(body: string, label: string | null, names: NameLookup): string {
  const sigil = body[0];
  const rest = body.slice(1);
  const given = label !== null && label.trim() !== '' ? label.trim() : null;
  if (sigil === '@') {
    const fromLookup = displayName(names, rest);
    if (fromLookup !== `@${rest}` || given === null) return fromLookup;
    return given.replace(/^@/, '');
  }
  if (sigil === '#') return `#${given?.replace(/^#/, '') ?? rest}`;
  // `<!…>`: the command word comes before any `^` arguments.
  const [command = '', ...args] = rest.split('^');
  switch (command.toLowerCase()) {
    case 'date': {
      if (given !== null) return given;
      const seconds = Number(args[0]);
      return Number.isFinite(seconds) ? `${utcMinute(new Date(seconds * 1000))} UTC` : 'a date';
    }
    case 'subteam':
      return given ?? `@${args[0] ?? 'team'}`;
    default:
      // here, channel, everyone, group: the word, never a ping.
      return given?.replace(/^@/, '') ?? command;
  }
}

function link(url: string, label: string | null): string {
  const target = url.replace(/[()<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  if (label === null || label.trim() === '' || label === url) return target;
  return `[${label.replace(/[[\]\\]/g, '\\$&')}](${target})`;
}

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt);/gi, (_, name: string) => ENTITIES[name.toLowerCase()] ?? '');
}

// ---------------------------------------------------------------------------------------------
// Markdown escaping: applied to every piece of text a person or Slack supplied.
// ---------------------------------------------------------------------------------------------

/**
 * `<` as an entity: renders as `<` in Markdown, yet can start neither HTML nor anything that looks like a
 * Slack token (`<@`, `<!`, `<#`) — including ones a person typed as `&lt;@U1&gt;`.
 */
function escapeAngle(text: string): string {
  return text.includes('<') ? text.replace(/</g, '&lt;') : text;
}

/** Text for one line of Markdown (a list item, a timeline line, a heading): line breaks become ` / `. */
export function markdownInline(text: string, names: NameLookup): string {
  // The common case, plain one-line text, needs nothing but the trim.
  if (!/[<&\r\n]/.test(text)) return text.trim();
  const plain = escapeAngle(slackTextToPlain(text, names));
  return /[\r\n]/.test(plain)
    ? plain
        .split(/\r\n|\r|\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '')
        .join(' / ')
    : plain.trim();
}

/** Text for a Markdown table cell: `|` escaped, line breaks as `<br>` so that the row stays one line. */
export function markdownCell(text: string, names: NameLookup): string {
  return escapeAngle(slackTextToPlain(text, names))
    .trim()
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/**
 * A person's paragraphs, kept as Markdown but unable to break the document's outline: lines that would be
 * headings (`# …`, or `===`/`---` under text) are escaped, and an unclosed code fence is closed (with the
 * same fence, as CommonMark requires) so that it cannot swallow the sections after it.
 */
export function markdownBlock(text: string, names: NameLookup): string {
  const lines = escapeAngle(slackTextToPlain(text, names))
    .trim()
    .split(/\r\n|\r|\n/);
  const out: string[] = [];
  let open: { char: string; length: number } | null = null;
  for (const line of lines) {
    const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    const marker = fence?.[1] ?? '';
    const info = fence?.[2] ?? '';
    if (open !== null) {
      // Only the same character, at least as long, with nothing after it, closes a fence.
      if (fence && marker[0] === open.char && marker.length >= open.length && info.trim() === '') open = null;
      out.push(line);
    } else if (fence && !(marker[0] === '`' && info.includes('`'))) {
      // (A backtick fence's info string cannot hold a backtick in CommonMark: such a line is ordinary text.)
      open = { char: marker[0] ?? '`', length: marker.length };
      out.push(line);
    } else if (/^ {0,3}#/.test(line) || /^ {0,3}(=+|-+)\s*$/.test(line)) {
      out.push(`\\${line.trimStart()}`);
    } else {
      out.push(line);
    }
  }
  if (open !== null) out.push(open.char.repeat(open.length));
  return out.join('\n');
}
