/**
 * Debrief's logger: pino JSON lines behind @slack/logger's Logger interface, so that Bolt, the Web API
 * clients and Debrief's own code all write the same kind of line (SPEC 8: tokens, secrets, signing
 * headers and people's words never reach the logs).
 *
 * - Every line logged while a Slack request is handled carries its `request_id` and `workspace` (and
 *   `team_id` / `enterprise_id`), read from the request scope (AsyncLocalStorage, see request-scope.ts)
 *   by pino's `mixin`: code deep in a request needs no logger of its own.
 * - Redaction, in three layers: object fields that hold secrets or people's words (`token`,
 *   `authorization`, `headers`, `x-slack-signature`, `text`, `message`, `blocks`, `body`, …) are
 *   censored at any depth before pino sees them, and pino's own `redact` paths censor them again for
 *   anyone using the pino instance directly; every string runs through domain/redact.ts's
 *   redactSecrets plus a few log-only patterns (signatures, response URLs); and a JSON dump inside a
 *   string (the Web API client's `http request body: {…}` / `http request result: {…}` debug lines)
 *   is reduced to its field names and Slack's `ok` / `error`, since bodies carry message text.
 * - Errors are logged as their class, code, first message line and stack frames; a database error
 *   (SQLSTATE code) loses its message, which can quote the value it rejected.
 */
import { type Logger, LogLevel } from '@slack/logger';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import { redactSecrets } from '../domain/redact';
import { currentBindings, type LogBindings } from './request-scope';

export const CENSORED = '[redacted]';

/**
 * Object fields never logged, compared case-insensitively: credentials, Slack's signing headers, and
 * whatever can hold what people typed (message text, blocks, modal values, request bodies).
 */
const CENSORED_FIELDS = [
  'token',
  'bot_token',
  'bottoken',
  'user_token',
  'access_token',
  'refresh_token',
  'app_token',
  'apptoken',
  'client_secret',
  'clientsecret',
  'signing_secret',
  'signingsecret',
  'state_secret',
  'statesecret',
  'encryption_key',
  'encryptionkey',
  'password',
  'secret',
  'authorization',
  'cookie',
  'set-cookie',
  'headers',
  'x-slack-signature',
  'x-slack-request-timestamp',
  'body',
  'rawbody',
  'payload',
  'text',
  'message',
  'messages',
  'blocks',
  'attachments',
  'view',
  'values',
  'value',
  'submission',
  'response_url',
  'responseurl',
  'parameters',
];
const CENSORED_SET = new Set(CENSORED_FIELDS);

/**
 * pino's redact paths for the same fields, at the top level and one level down; `message` only at the
 * top level, so that a logged error keeps its (scrubbed) `err.message`.
 */
export const REDACT_PATHS = CENSORED_FIELDS.flatMap((field) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
  if (field === 'message') return [key];
  return key.startsWith('[') ? [key, `*${key}`] : [key, `*.${key}`];
});

/** Patterns only logs need on top of redactSecrets (which is about pasted credentials). */
const LOG_ONLY_PATTERNS: [RegExp, string][] = [
  // X-Slack-Signature values: v0= and 64 hex digits.
  [/v0=[0-9a-f]{64}/gi, '[redacted signature]'],
  // response_url and incoming webhook URLs post into a conversation without any other credential.
  [/https?:\/\/hooks\.slack\.com\/\S+/gi, '[redacted Slack hook URL]'],
];

/** Fields of a JSON dump kept by summarize: Slack's verdict, never content. */
const VERDICT_FIELDS = ['ok', 'error', 'warning', 'needed', 'provided'];

/** A string as it may be logged: credentials out, and JSON dumps reduced to their shape. */
export function scrubString(text: string): string {
  let scrubbed = text;
  // `prefix: {json}` or `prefix (body: {json})`: the JSON runs from the first brace to the last one.
  const start = text.search(/[{[]/);
  const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
  if (start >= 0 && end > start) {
    const summary = summarizeJson(text.slice(start, end + 1));
    if (summary !== undefined) scrubbed = `${text.slice(0, start)}${summary}${text.slice(end + 1)}`;
  }
  scrubbed = redactSecrets(scrubbed);
  for (const [pattern, replacement] of LOG_ONLY_PATTERNS) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

/** `{"ok":false,"error":"x","fields":[…names]}` for a JSON object, undefined when text is not JSON. */
function summarizeJson(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (Array.isArray(parsed)) return `[array of ${parsed.length}, omitted]`;
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const verdict = Object.fromEntries(
    VERDICT_FIELDS.filter((f) => ['string', 'boolean'].includes(typeof record[f])).map((f) => [f, record[f]]),
  );
  return JSON.stringify({ ...verdict, fields: Object.keys(record).sort() });
}

/** A copy of `value` with censored fields replaced and every string scrubbed (cycles and depth bounded). */
export function scrubValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return serializeError(value);
  if (value instanceof Date) return value.toISOString();
  if (seen.has(value) || depth > 6) return '[omitted]';
  seen.add(value);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrubValue(v, depth + 1, seen));
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = CENSORED_SET.has(key.toLowerCase()) ? CENSORED : scrubValue(field, depth + 1, seen);
  }
  return copy;
}

/** An error as a log field: class, code, first message line (not a database's), stack frames. */
export function serializeError(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  const fromDatabase = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trim().startsWith('at '))
    .slice(0, 8)
    .map((line) => line.trim());
  return {
    type: error.name,
    ...(code !== undefined && { code: String(code) }),
    ...(!fromDatabase && { message: scrubString((error.message.split('\n')[0] ?? '').slice(0, 300)) }),
    ...(frames.length > 0 && { stack: frames }),
  };
}

export interface DebriefLoggerOptions {
  level: 'debug' | 'info' | 'warn' | 'error';
  name?: string;
  /** Where lines go; default: stdout, with warn and error on stderr (as the console logger did). */
  destination?: DestinationStream;
}

/**
 * Bolt's Logger over pino. Arguments are formatted as the console would (strings joined by spaces),
 * except that plain objects become fields of the line and the first Error becomes its `err` field.
 */
export class DebriefLogger implements Logger {
  private name: string | undefined;

  constructor(
    readonly pino: Pino,
    private readonly bindings: LogBindings = {},
  ) {}

  debug(...msg: unknown[]): void {
    this.write('debug', msg);
  }
  info(...msg: unknown[]): void {
    this.write('info', msg);
  }
  warn(...msg: unknown[]): void {
    this.write('warn', msg);
  }
  error(...msg: unknown[]): void {
    this.write('error', msg);
  }

  setLevel(level: LogLevel): void {
    this.pino.level = level;
  }

  getLevel(): LogLevel {
    const level = this.pino.level;
    if (level === 'trace') return LogLevel.DEBUG;
    if (level === 'fatal' || level === 'silent') return LogLevel.ERROR;
    return level as LogLevel;
  }

  setName(name: string): void {
    this.name = name;
  }

  /** A logger whose lines also carry `bindings` (ids only). */
  child(bindings: LogBindings): DebriefLogger {
    const child = new DebriefLogger(this.pino, { ...this.bindings, ...bindings });
    if (this.name !== undefined) child.setName(this.name);
    return child;
  }

  private write(level: 'debug' | 'info' | 'warn' | 'error', args: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const words: string[] = [];
    for (const arg of args) {
      if (arg instanceof Error) {
        if (fields.err === undefined) fields.err = serializeError(arg);
        else words.push(`${arg.name}: ${scrubString(arg.message.split('\n')[0] ?? '')}`);
      } else if (typeof arg === 'string') {
        words.push(scrubString(arg));
      } else if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) {
        Object.assign(fields, scrubValue(arg));
      } else if (Array.isArray(arg)) {
        words.push(JSON.stringify(scrubValue(arg)));
      } else {
        words.push(String(arg));
      }
    }
    // The request's bindings (request_id, workspace) come from pino's mixin, see createPino.
    const line = { ...(this.name !== undefined && { name: this.name }), ...this.bindings, ...fields };
    this.pino[level](line, words.join(' '));
  }
}

/** stdout for debug and info, stderr for warn and error. */
function standardStreams(): DestinationStream {
  return pino.multistream(
    [
      { level: 'trace', stream: pino.destination({ fd: 1, sync: true }) },
      { level: 'warn', stream: pino.destination({ fd: 2, sync: true }) },
    ],
    { dedupe: true },
  );
}

/** The pino instance every Debrief logger writes through. */
export function createPino(options: DebriefLoggerOptions): Pino {
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // DebriefLogger hands over errors already serialized; pino's own serializer would keep the raw message.
      serializers: { err: (value: unknown) => (value instanceof Error ? serializeError(value) : value) },
      // For code that uses the pino instance directly; DebriefLogger scrubs before it gets here.
      mixin: () => ({ ...currentBindings() }),
      redact: { paths: REDACT_PATHS, censor: CENSORED },
    },
    options.destination ?? standardStreams(),
  );
}

export function createDebriefLogger(options: DebriefLoggerOptions): DebriefLogger {
  const logger = new DebriefLogger(createPino(options));
  logger.setName(options.name ?? 'debrief');
  return logger;
}
