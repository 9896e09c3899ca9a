import cron from 'node-cron';
import { z } from 'zod';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Every variable is read trimmed, and an empty (or all-blank) one counts as unset everywhere: `HOST=`
 * takes the default like a missing HOST, `SLACK_BOT_TOKEN=` is reported as missing. Compose files and
 * Helm charts write `NAME=` for "not set" often enough that anything else is a trap.
 */
const optionalText = z.string().optional();

const integer = (min: number, max: number, fallback: number, what: string) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined) return fallback;
      const parsed = /^[+-]?\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
        context.addIssue({ code: 'custom', message: `must be ${what} (${min}–${max}), got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });

const environmentSchema = z.object({
  SLACK_BOT_TOKEN: optionalText.refine((v) => v === undefined || /^xoxb-/.test(v), {
    message: 'must be a bot token starting with xoxb-',
  }),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xapp-'), {
    message: 'must be an app-level token starting with xapp-',
  }),
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_STATE_SECRET: optionalText,
  SLACK_API_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://slack.com/api/' })
    .default('https://slack.com/api/')
    .transform((url) => (url.endsWith('/') ? url : `${url}/`)),
  DATABASE_URL: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: 'must be a connection string such as postgres://user:password@host:5432/debrief',
  }),
  DATA_DIR: z.string().default('./data'),
  PORT: integer(0, 65535, 3000, 'a TCP port'),
  HOST: z.string().default('0.0.0.0'),
  SCHEDULER_CRON: z
    .string()
    .default('*/5 * * * *')
    .refine((v) => cron.validate(v), { message: 'must be a cron expression such as */5 * * * *' }),
  POSTMORTEM_CHANNEL: optionalText.refine((v) => v === undefined || /^[CG][A-Z0-9]+$/.test(v), {
    message: 'must be a channel ID such as C0123456789 (not a #name)',
  }),
  ENCRYPTION_KEY: optionalText.refine((v) => v === undefined || Buffer.from(v, 'base64').length === 32, {
    message: 'must be 32 bytes encoded as base64 (openssl rand -base64 32)',
  }),
  // SPEC 1: earlier keys, still accepted for reading while installations are re-sealed with ENCRYPTION_KEY.
  ENCRYPTION_KEYS_OLD: z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined) return [];
      const entries = value.split(',').map((entry) => entry.trim());
      const keys: string[] = [];
      entries.forEach((entry, index) => {
        const which = `entry ${index + 1} of ${entries.length}`;
        // A key's value is never echoed, not even a bad one: it may be a real key with a typo.
        if (entry === '') {
          context.addIssue({ code: 'custom', message: `${which} is empty: separate keys with single commas` });
        } else if (!/^[A-Za-z0-9+/]+={0,2}$/.test(entry) || entry.length % 4 !== 0) {
          context.addIssue({
            code: 'custom',
            message: `${which} is not base64: each key must be 32 bytes encoded as base64 (openssl rand -base64 32)`,
          });
        } else if (Buffer.from(entry, 'base64').length !== 32) {
          context.addIssue({
            code: 'custom',
            message: `${which} must be 32 bytes encoded as base64 (openssl rand -base64 32), got ${Buffer.from(entry, 'base64').length} bytes`,
          });
        } else {
          keys.push(entry);
        }
      });
      return keys;
    }),
  MESSAGE_LOG_RETENTION_DAYS: integer(1, 3650, 90, 'a number of days'),
  // SPEC 1/5: the local hour, in each recipient's own zone, from which daily reminder digests go out.
  REMINDER_HOUR: integer(0, 23, 9, 'a whole hour of the day'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: 'must be one of debug, info, warn, error' }).default('info'),
  // SPEC 1: how long SIGTERM waits for in-flight work. An hour at most: orchestrators kill long before.
  SHUTDOWN_TIMEOUT_S: integer(1, 3600, 10, 'a whole number of seconds'),
});

/** The known variables, trimmed, with empty ones removed (see optionalText). */
function normalized(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const name of Object.keys(environmentSchema.shape)) {
    const value = env[name]?.trim();
    values[name] = value === '' ? undefined : value;
  }
  return values;
}

type Environment = z.infer<typeof environmentSchema>;
type EnvironmentName = keyof Environment;

const OAUTH_NAMES = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;

/** What each OAuth setting is and where it comes from, for the message when one is missing. */
const OAUTH_HELP: Record<(typeof OAUTH_NAMES)[number], string> = {
  SLACK_CLIENT_ID: "the Client ID from the app's Basic Information page",
  SLACK_CLIENT_SECRET: "the Client Secret from the app's Basic Information page",
  SLACK_STATE_SECRET: 'a random secret of your own that signs the OAuth state (openssl rand -hex 32)',
};

/**
 * Rules across variables, checked on the raw environment so they are reported alongside per-variable
 * problems. Setting any OAuth variable selects multi-workspace (OAuth) mode, which needs all three
 * and ENCRYPTION_KEY, and in which a bot token would be ambiguous: tokens come from installations.
 */
function crossVariableProblems(env: Record<string, string | undefined>): string[] {
  const isSet = (name: EnvironmentName) => env[name] !== undefined;
  const problems: string[] = [];
  const oauthSet = OAUTH_NAMES.filter(isSet);
  if (oauthSet.length > 0) {
    for (const name of OAUTH_NAMES.filter((n) => !isSet(n))) {
      problems.push(
        `${name} is required in OAuth multi-workspace mode (${oauthSet.join(', ')} set): ${OAUTH_HELP[name]}`,
      );
    }
    if (!isSet('ENCRYPTION_KEY')) {
      problems.push(
        'ENCRYPTION_KEY is required in OAuth multi-workspace mode, to encrypt the stored installation tokens: 32 bytes encoded as base64 (openssl rand -base64 32)',
      );
    }
    if (isSet('SLACK_BOT_TOKEN')) {
      problems.push(
        `SLACK_BOT_TOKEN cannot be combined with OAuth multi-workspace mode (${oauthSet.join(', ')} set), where each workspace's token comes from its installation: unset SLACK_BOT_TOKEN, or unset ${oauthSet.join(', ')} to run for one workspace`,
      );
    }
  } else if (!isSet('SLACK_BOT_TOKEN')) {
    problems.push(
      "SLACK_BOT_TOKEN is required: the bot token (xoxb-…) from the app's OAuth & Permissions page (or set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET for OAuth multi-workspace mode)",
    );
  }
  if (!isSet('SLACK_APP_TOKEN') && !isSet('SLACK_SIGNING_SECRET')) {
    problems.push(
      'SLACK_SIGNING_SECRET is required to verify requests in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  return problems;
}

/** OAuth multi-workspace mode: the app's credentials; installations (and their tokens) live in the database. */
export interface OAuthSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly stateSecret: string;
}

export interface Config {
  readonly slack: {
    /** Single-workspace mode: the one bot token. Undefined in OAuth mode. */
    readonly botToken: string | undefined;
    /** OAuth multi-workspace mode; undefined in single-workspace mode. */
    readonly oauth: OAuthSettings | undefined;
    readonly signingSecret: string | undefined;
    readonly appToken: string | undefined;
    readonly apiUrl: string;
  };
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  readonly schedulerCron: string;
  /** Where published postmortems are announced; null: nowhere. */
  readonly postmortemChannel: string | null;
  /** Base64 of 32 bytes; always set in OAuth mode. */
  readonly encryptionKey: string | undefined;
  /** ENCRYPTION_KEYS_OLD: earlier keys (base64 of 32 bytes each), still accepted for reading; empty when unset. */
  readonly encryptionKeysOld: readonly string[];
  readonly messageLogRetentionDays: number;
  /** REMINDER_HOUR: local hour (0–23, in each recipient's zone) from which reminder digests go out. */
  readonly reminderHour: number;
  readonly logLevel: LogLevel;
  /** SHUTDOWN_TIMEOUT_S in milliseconds: how long SIGTERM waits for in-flight work before exiting. */
  readonly shutdownTimeoutMs: number;
}

/** Raised when the environment is unusable; its message lists every problem at once, never a secret's value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Debrief cannot start: the configuration is invalid.\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment and returns one frozen Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const values = normalized(env);
  const parsed = environmentSchema.safeParse(values);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`)),
    ...crossVariableProblems(values),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return Object.freeze({
    slack: Object.freeze({
      botToken: e.SLACK_BOT_TOKEN,
      // crossVariableProblems guarantees all three (and ENCRYPTION_KEY) when any is set.
      oauth:
        e.SLACK_CLIENT_ID === undefined
          ? undefined
          : Object.freeze({
              clientId: e.SLACK_CLIENT_ID,
              clientSecret: e.SLACK_CLIENT_SECRET!,
              stateSecret: e.SLACK_STATE_SECRET!,
            }),
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
    }),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    port: e.PORT,
    host: e.HOST,
    schedulerCron: e.SCHEDULER_CRON,
    postmortemChannel: e.POSTMORTEM_CHANNEL ?? null,
    encryptionKey: e.ENCRYPTION_KEY,
    encryptionKeysOld: Object.freeze(e.ENCRYPTION_KEYS_OLD),
    messageLogRetentionDays: e.MESSAGE_LOG_RETENTION_DAYS,
    reminderHour: e.REMINDER_HOUR,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_S * 1000,
  });
}
