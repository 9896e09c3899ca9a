/**
 * Patterns of text that looks like a credential; each match is replaced before anything is stored.
 * Tokens are matched even when glued to other words (`TOKEN_xoxb-…`); values already redacted are
 * left alone so that redacting twice changes nothing.
 */
const CREDENTIAL_PATTERNS: { name: string; pattern: RegExp }[] = [
  { name: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g },
  { name: 'Slack token', pattern: /xox[abeoprs]-[A-Za-z0-9-]{8,}/g },
  { name: 'Slack app token', pattern: /xapp-[A-Za-z0-9-]{8,}/g },
  { name: 'AWS access key', pattern: /(?:AKIA|ASIA)[0-9A-Z]{16}/g },
  { name: 'bearer token', pattern: /\b(Bearer)\s+(?!\[redacted )[A-Za-z0-9._~+/=-]{8,}/gi },
  {
    name: 'password',
    pattern:
      /\b((?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token)\s*[=:]\s*)(?!\[redacted )("[^"]*"|'[^']*'|\S+)/gi,
  },
];

/** Replaces every credential-looking part of text with `[redacted <kind>]`. */
export function redactSecrets(text: string): string {
  let redacted = text;
  for (const { name, pattern } of CREDENTIAL_PATTERNS) {
    redacted = redacted.replace(pattern, (_match, prefix?: string) =>
      // Keep a key=… or Bearer prefix so readers still see what kind of thing was pasted.
      typeof prefix === 'string' && /[=:]\s*$|^bearer$/i.test(prefix)
        ? `${/^bearer$/i.test(prefix) ? `${prefix} ` : prefix}[redacted ${name}]`
        : `[redacted ${name}]`,
    );
  }
  return redacted;
}

/** Text as Debrief stores it: credentials redacted, and NUL characters, which Postgres text cannot hold, removed. */
export function storableText(text: string): string {
  return redactSecrets(text.replaceAll('\u0000', ''));
}
