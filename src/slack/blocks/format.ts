/** Text helpers shared by the Block Kit builders: times, mentions, escaping, truncation, text objects. */

import type { MrkdwnElement, PlainTextElement } from '@slack/types';
import { formatUtc } from '../../domain/when';

export const TRUNCATION_NOTICE = '… (truncated)';
export const DEFAULT_DATE_FORMAT = '{date_short_pretty} {time}';

/** Writes a time as ISO-8601 UTC to the second (`2026-11-20T09:05:00Z`), as modal inputs show it. */
export function isoUtc(at: Date): string {
  if (Number.isNaN(at.getTime())) return '';
  return `${at.toISOString().slice(0, 19)}Z`;
}

/** A `<!date^…>` token: every reader sees the time in their own zone, with the UTC text as fallback. */
export function slackDate(at: Date, format: string = DEFAULT_DATE_FORMAT): string {
  const seconds = Math.floor(at.getTime() / 1000);
  if (!Number.isFinite(seconds)) return formatUtc(at);
  return `<!date^${seconds}^${format}|${formatUtc(at)}>`;
}

/** A user mention that Slack renders as the user's current display name. */
export function mention(userId: string): string {
  return `<@${userId}>`;
}

/**
 * What `escapeMrkdwn` keeps: entities already escaped, and Slack's own markup (user, channel and
 * user-group mentions, date tokens, links). Broadcasts (`<!here>`, `<!channel>`) are deliberately
 * absent so that quoted text never pings. Bounded lengths keep matching linear on huge pasted text.
 */
const KEPT_MARKUP =
  /&(?:amp|lt|gt);|<(?:(?:@[UW]|#[CG])[A-Z0-9]{1,30}(?:\|[^<>]{0,200})?|!subteam\^[A-Z0-9]{1,30}(?:\|[^<>]{0,200})?|!date\^[^<>]{1,300}|(?:https?|mailto):[^<>|\s]{1,800}(?:\|[^<>]{0,190})?)>/g;
/** No kept token is longer than this. */
const MAX_TOKEN_LENGTH = 1000;

/**
 * Escapes `&`, `<` and `>` for mrkdwn while keeping Slack's tokens (mentions, links, dates) and
 * entities already escaped; idempotent, so text Slack already escaped passes through unchanged.
 */
export function escapeMrkdwn(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(KEPT_MARKUP)) {
    out += escapeAll(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escapeAll(text.slice(last));
}

function escapeAll(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * User text for a bot post: escaped like `escapeMrkdwn`, and user-group mentions shown as plain
 * words, so nothing a person typed makes the bot notify a crowd (broadcasts are escaped already).
 */
export function quoteUserText(text: string): string {
  return escapeMrkdwn(text).replace(
    /<!subteam\^[A-Z0-9]{1,30}(?:\|([^<>]{0,200}))?>/g,
    (_, label?: string) => label ?? '@group',
  );
}

/** Turns Slack's escaped text back into what a person typed, for editing in a plain-text input. */
export function unescapeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>' })[name] ?? '');
}

/**
 * Shortens text to at most `max` characters, ending with a visible notice; never cuts a surrogate
 * pair, an escaped entity or a Slack token in half (a broken `<@U1…` would render as garbage).
 */
export function truncate(text: string, max: number, notice: string = TRUNCATION_NOTICE): string {
  if (text.length <= max) return text;
  if (max <= notice.length) return max >= 1 ? '…' : '';
  return `${cutSafely(text, max - notice.length).trimEnd()}${notice}`;
}

/**
 * Escapes user text for mrkdwn and truncates it to `max` characters with a visible notice; only the
 * part that can be shown is escaped, so a 40,000-character message costs no more than a short one.
 */
export function displayText(text: string, max: number, notice: string = TRUNCATION_NOTICE): string {
  // Escaping never shortens text, so a prefix longer than `max` still gets the notice.
  return truncate(escapeMrkdwn(cutSafely(text, max + MAX_TOKEN_LENGTH)), max, notice);
}

/** Cuts text to at most `length` characters without splitting a surrogate pair, entity or token. */
export function cutSafely(text: string, length: number): string {
  if (text.length <= length) return text;
  let cut = Math.max(0, length);
  if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  let kept = text.slice(0, cut);
  const openToken = kept.lastIndexOf('<');
  if (openToken !== -1 && !kept.includes('>', openToken)) kept = kept.slice(0, openToken);
  const openEntity = kept.lastIndexOf('&');
  if (openEntity !== -1 && openEntity > kept.length - 5 && !kept.includes(';', openEntity)) {
    kept = kept.slice(0, openEntity);
  }
  return kept;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** A plain_text object; emoji shortcodes render. */
export function plainText(text: string): PlainTextElement {
  return { type: 'plain_text', text, emoji: true };
}

/** A mrkdwn text object. */
export function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text };
}
