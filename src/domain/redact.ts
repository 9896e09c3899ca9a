/**
 * Redaction of credential-looking text before anything is stored (SPEC §2, "Text that looks like a
 * credential…").
 *
 * Why a regex table and not secretlint: secretlint 12.0 (`@secretlint/core` + `preset-recommend`),
 * measured on Node 20 against the corpus in test/fixtures/redaction/corpus.ts (66 secrets, 67 incident
 * sentences) and 10,000 typical 200-character messages:
 *   - cost per message: secretlint median ~50 µs (p99 0.2-1.2 ms, async, ~25 rules); this table ~5 µs
 *     (p99 ~10 µs), synchronous. Message events arrive by the thousand per second: secretlint would
 *     spend a tenth of a core at 2,000 messages/s, for a fraction of the coverage;
 *   - coverage: secretlint found 19 of 66 (Slack xoxb/xoxp/xoxa/xapp, GitHub classic, GitLab, npm, PEM
 *     blocks, database URLs, Slack webhooks). It has no rule for bare AKIA/ASIA ids, Google AIza keys,
 *     Stripe keys, JWTs, Authorization headers, xoxc/xoxd/xoxr/xoxs tokens or NAME=value secrets, which
 *     are what gets pasted in incident channels. Neither changed any of the 67 ordinary sentences.
 * So: no dependency; a table of patterns, one per kind, ordered from the most specific.
 * Each rule also names cues (text any match contains); a message with none of them is not scanned:
 * 0.3 µs per typical 90-character message instead of 2.7 (Node 20).
 *
 * Each rule below names the kind of credential it removes; a match is replaced by `[redacted <kind>]`,
 * keeping any `NAME=`, `Authorization: Bearer ` or `scheme://user:` prefix so readers still see what
 * was pasted. Token shapes are matched even when glued to other text (`TOKEN_xoxb-…`). Values that are
 * already a marker are left alone, so redacting twice changes nothing. Patterns that can fail after a
 * long scan (JWT, URL scheme, NAME=) enter a run of word characters only at its start, so hostile
 * 40,000-character messages (repeated `eyJ-`, `password=`, `x://`, `Bearer `, `a:`) take ~1 ms, not seconds.
 */

import { escapeRegExp } from './regexp';

interface Rule {
  kind: string;
  /**
   * Text that every match of `pattern` contains (compared ignoring case). A message with no rule's
   * cue in it cannot match any rule, so it is returned as it is without running the patterns: most
   * incident talk holds no credential, and message events arrive by the thousand per second.
   */
  cues: string[];
  pattern: RegExp;
  /** Builds the replacement from the match; default: the whole match becomes the marker. */
  replace?: (kind: string, match: string, ...groups: (string | undefined)[]) => string;
}

const marker = (kind: string) => `[redacted ${kind}]`;
/** An unquoted value stops at the marker's space, so `[redacted` alone is a marker too. */
const isMarker = (value: string) => value.startsWith('[redacted');

/** A name that ends in one of these, followed by `=` or `:`, introduces a secret value. */
const SECRET_NAME_ENDING = `(?:passw(?:or)?d|[_-]pwd|secret(?:[_-]?(?:access[_-]?)?key)?|token|api[_-]?key|private[_-]?key)`;

/** Error codes such as `INVALID_TOKEN: …` name a failure, not a secret. */
const ERROR_CODE = `(?:invalid|expired|missing|bad|unknown|revoked|wrong|empty|no)[_-]${SECRET_NAME_ENDING}(?![A-Za-z0-9_.-])`;

/** Kind of secret a `NAME=value` holds, from how its name ends. */
function namedKind(name: string): string {
  const lower = name.toLowerCase();
  if (/secret[_-]?access[_-]?key$/.test(lower)) return 'AWS secret key';
  if (/passw(?:or)?d$|pwd$/.test(lower)) return 'password';
  if (/private[_-]?key$/.test(lower)) return 'private key';
  if (/api[_-]?key$/.test(lower)) return 'API key';
  if (/token$/.test(lower)) return 'token';
  return 'secret';
}

/** Trailing punctuation of an unquoted value belongs to the sentence, not the value. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}>]+$/;

const RULES: Rule[] = [
  // Multi-line blocks first, so that nothing inside them is matched piecemeal. A block pasted
  // without its END line is removed to the end of the text.
  {
    kind: 'private key',
    cues: ['-----begin '],
    pattern:
      /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  // Slack: xoxb xoxp xoxa xoxr xoxs xoxc xoxd xoxe (and rotating `xoxe.xoxp-`), app tokens, webhooks.
  { kind: 'Slack token', cues: ['xox'], pattern: /xox(?:e\.xox[a-z]|[abcdeprs])-[A-Za-z0-9%+/=-]{8,}/g },
  { kind: 'Slack app token', cues: ['xapp-'], pattern: /xapp-[A-Za-z0-9-]{8,}/g },
  {
    kind: 'Slack webhook',
    cues: ['https://hooks.slack.com/'],
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/g,
  },
  // Provider keys, recognised by their prefix.
  {
    kind: 'GitHub token',
    cues: ['gho_', 'ghp_', 'ghs_', 'ghu_', 'ghr_', 'github_pat_'],
    pattern: /gh[opsur]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{22,}/g,
  },
  { kind: 'GitLab token', cues: ['glpat-'], pattern: /glpat-[A-Za-z0-9_-]{20,}/g },
  {
    kind: 'Stripe key',
    cues: ['k_live_', 'k_test_', 'whsec_'],
    pattern: /(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,}/g,
  },
  { kind: 'npm token', cues: ['npm_'], pattern: /npm_[A-Za-z0-9]{36,}/g },
  { kind: 'Google API key', cues: ['aiza'], pattern: /AIza[0-9A-Za-z_-]{35}/g },
  { kind: 'AWS access key', cues: ['akia', 'asia'], pattern: /(?:AKIA|ASIA)[0-9A-Z]{16}/g },
  // A JWT is only matched where a base64url run starts (so not glued to `abc` or `_`): entered
  // mid-run, a message of repeated `eyJ` would cost quadratic time.
  { kind: 'JWT', cues: ['eyj'], pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g },
  // scheme://user:password@host keeps the user and host.
  {
    kind: 'password',
    cues: ['://'],
    pattern: /(?<![a-z0-9+.-])([a-z0-9+.-]+:\/\/[^\s:/?#@<>|]*:)([^\s/?#<>|]+)@/gi,
    // A marker cannot be matched again: the password stops at the marker's space, short of the `@`.
    replace: (kind, _match, prefix) => `${prefix}${marker(kind)}@`,
  },
  // Authorization: Bearer|Basic|Token … ; without a scheme, only a token-looking value.
  {
    kind: 'credentials',
    cues: ['authorization'],
    pattern:
      /(Authorization["']?[ \t]*[:=][ \t]*["']?)(?:(Bearer|Basic|Token|Bot)[ \t]+([A-Za-z0-9._~+/=-]+)|[A-Za-z0-9._~+/=-]{16,})/gi,
    replace: (_kind, match, prefix, scheme, schemeValue) => {
      if (scheme === undefined) return `${prefix}${marker('credentials')}`;
      if (isMarker(schemeValue!)) return match;
      const kind = /^basic$/i.test(scheme) ? 'basic credentials' : 'bearer token';
      return `${prefix}${scheme} ${marker(kind)}`;
    },
  },
  // A Bearer token outside a header: only a value with a digit in it, so "Bearer tokens" stays.
  {
    kind: 'bearer token',
    cues: ['bearer'],
    pattern: /(Bearer)[ \t]+(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (kind, _match, scheme) => `${scheme} ${marker(kind)}`,
  },
  // NAME=value, name: value, "name": "value", --name=value, where the name ends like a secret. An
  // unquoted value never ends in a backslash: that one escapes the quote after it (`\"`), and eating it
  // would let a second pass see a quoted value that the first could not.
  {
    kind: 'secret',
    // The endings of SECRET_NAME_ENDING.
    cues: [
      'passw',
      'pwd',
      'secret',
      'token',
      'apikey',
      'api_key',
      'api-key',
      'privatekey',
      'private_key',
      'private-key',
    ],
    pattern: new RegExp(
      String.raw`(?<![A-Za-z0-9_.-])(?!${ERROR_CODE})([A-Za-z0-9_.-]*${SECRET_NAME_ENDING})(\\?["']?[ \t]*(?::=|=>|[:=])[ \t]*)` +
        String.raw`("(?:[^"\\\n]|\\.)+"|'(?:[^'\\\n]|\\.)+'|\\"(?:[^"\\\n]|\\[^"\n])+\\"|[^\s"'\x60]*[^\s"'\x60\\])`,
      'gi',
    ),
    replace: (_kind, match, name, separator, value) => {
      const kind = namedKind(name!);
      const quote = /^(?:\\"|"|')/.exec(value!)?.[0];
      if (quote !== undefined) {
        const inner = value!.slice(quote.length, -quote.length);
        return isMarker(inner) ? match : `${name}${separator}${quote}${marker(kind)}${quote}`;
      }
      const trailing = TRAILING_PUNCTUATION.exec(value!)?.[0] ?? '';
      const secret = value!.slice(0, value!.length - trailing.length);
      if (secret === '' || isMarker(secret)) return match;
      return `${name}${separator}${marker(kind)}${trailing}`;
    },
  },
];

/** Any rule's cue: text without one is left as it is (see Rule.cues). */
const ANY_CUE = new RegExp(RULES.flatMap((rule) => rule.cues.map(escapeRegExp)).join('|'), 'i');

/** Replaces every credential-looking part of text with `[redacted <kind>]`. Pure and idempotent. */
export function redactSecrets(text: string): string {
  return ANY_CUE.test(text) ? applyEveryRule(text) : text;
}

/**
 * Every rule in turn, cues or not. Exported for the test that checks the cues: redactSecrets must
 * answer exactly what this does.
 */
export function applyEveryRule(text: string): string {
  let redacted = text;
  for (const { kind, pattern, replace } of RULES) {
    redacted = redacted.replace(pattern, (match: string, ...rest: unknown[]) => {
      if (replace === undefined) return marker(kind);
      const groups = rest.slice(0, countGroups(pattern)) as (string | undefined)[];
      return replace(kind, match, ...groups);
    });
  }
  return redacted;
}

const groupCounts = new Map<RegExp, number>();
/** Number of capturing groups of a pattern (the replace callback's arguments after them are offset and input). */
function countGroups(pattern: RegExp): number {
  let count = groupCounts.get(pattern);
  if (count === undefined) {
    count = new RegExp(`${pattern.source}|`).exec('')!.length - 1;
    groupCounts.set(pattern, count);
  }
  return count;
}

/** Text as Debrief stores it: credentials redacted, and NUL characters, which Postgres text cannot hold, removed. */
export function storableText(text: string): string {
  return redactSecrets(text.replaceAll('\u0000', ''));
}
