import { ConfigError, loadConfig } from '../../src/config';

/** The least a single-workspace HTTP deployment needs. */
const MINIMAL = { SLACK_BOT_TOKEN: 'xoxb-1-minimal', SLACK_SIGNING_SECRET: 'signing-minimal' };
/** A valid ENCRYPTION_KEY: 32 bytes, base64. */
const KEY_32 = Buffer.alloc(32, 7).toString('base64');
/** Complete OAuth multi-workspace settings. */
const OAUTH = {
  SLACK_CLIENT_ID: '123.456',
  SLACK_CLIENT_SECRET: 'client-secret',
  SLACK_STATE_SECRET: 'state-secret',
  ENCRYPTION_KEY: KEY_32,
};

/** Runs loadConfig expecting a ConfigError and returns it. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(Object.keys(env))}`);
}

/** The problems that mention a variable by name. */
function problemsAbout(error: ConfigError, name: string): string[] {
  return error.problems.filter((p) => p.startsWith(`${name} `));
}

describe('loadConfig defaults', () => {
  const config = loadConfig(MINIMAL);

  test('listener, storage, scheduler and logging defaults', () => {
    expect(config.port).toBe(3000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.dataDir).toBe('./data');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.schedulerCron).toBe('*/5 * * * *');
    expect(config.messageLogRetentionDays).toBe(90);
    expect(config.logLevel).toBe('info');
    expect(config.encryptionKey).toBeUndefined();
    expect(config.shutdownTimeoutMs).toBe(10_000);
  });

  test('REMINDER_HOUR is a local hour 0-23, default 9; empty is unset', () => {
    expect(config.reminderHour).toBe(9);
    expect(loadConfig({ ...MINIMAL, REMINDER_HOUR: '0' }).reminderHour).toBe(0);
    expect(loadConfig({ ...MINIMAL, REMINDER_HOUR: ' 23 ' }).reminderHour).toBe(23);
    expect(loadConfig({ ...MINIMAL, REMINDER_HOUR: '' }).reminderHour).toBe(9);
    for (const bad of ['24', '-1', '9.5', 'nine']) {
      expect(problemsAbout(configError({ ...MINIMAL, REMINDER_HOUR: bad }), 'REMINDER_HOUR')).toEqual([
        `REMINDER_HOUR must be a whole hour of the day (0–23), got "${bad}"`,
      ]);
    }
  });

  test('POSTMORTEM_CHANNEL is a channel id where publications are announced, or nowhere', () => {
    expect(config.postmortemChannel).toBeNull();
    expect(loadConfig({ ...MINIMAL, POSTMORTEM_CHANNEL: 'C0123POSTMORTEMS' }).postmortemChannel).toBe(
      'C0123POSTMORTEMS',
    );
    expect(() => loadConfig({ ...MINIMAL, POSTMORTEM_CHANNEL: '#postmortems' })).toThrow(
      'POSTMORTEM_CHANNEL must be a channel ID such as C0123456789 (not a #name)',
    );
  });

  test('Slack defaults: public API URL, HTTP mode, no OAuth', () => {
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.slack.botToken).toBe('xoxb-1-minimal');
    expect(config.slack.signingSecret).toBe('signing-minimal');
    expect(config.slack.appToken).toBeUndefined();
    expect(config.slack.oauth).toBeUndefined();
  });

  test('empty values count as unset and take the default, for every variable with one', () => {
    const blank = loadConfig({
      ...MINIMAL,
      PORT: '',
      HOST: '',
      DATA_DIR: ' ',
      SLACK_API_URL: '',
      SCHEDULER_CRON: '\t',
      MESSAGE_LOG_RETENTION_DAYS: '',
      LOG_LEVEL: '',
      SHUTDOWN_TIMEOUT_S: '  ',
      DATABASE_URL: '',
      SLACK_APP_TOKEN: '',
      ENCRYPTION_KEY: '',
      SLACK_CLIENT_ID: ' ',
      SLACK_CLIENT_SECRET: '',
      SLACK_STATE_SECRET: '',
    });
    expect(blank).toEqual(loadConfig(MINIMAL));
  });

  test('empty required values are reported as missing, like unset ones', () => {
    const error = configError({ SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '  ' });
    expect(error.problems).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN is required/),
      expect.stringMatching(/^SLACK_SIGNING_SECRET is required/),
    ]);
  });

  test('values are trimmed', () => {
    const padded = loadConfig({ ...MINIMAL, HOST: ' 127.0.0.1 ', PORT: ' 8080 ', LOG_LEVEL: 'warn ' });
    expect(padded.host).toBe('127.0.0.1');
    expect(padded.port).toBe(8080);
    expect(padded.logLevel).toBe('warn');
  });

  test('SHUTDOWN_TIMEOUT_S is whole seconds, exposed in milliseconds', () => {
    expect(loadConfig({ ...MINIMAL, SHUTDOWN_TIMEOUT_S: '25' }).shutdownTimeoutMs).toBe(25_000);
    expect(loadConfig({ ...MINIMAL, SHUTDOWN_TIMEOUT_S: '1' }).shutdownTimeoutMs).toBe(1_000);
  });

  test('explicit values are parsed', () => {
    const custom = loadConfig({
      ...MINIMAL,
      PORT: '8080',
      HOST: '127.0.0.1',
      DATA_DIR: '/var/lib/debrief',
      DATABASE_URL: 'postgres://debrief:pw@db:5432/debrief',
      SCHEDULER_CRON: '* * * * *',
      MESSAGE_LOG_RETENTION_DAYS: '30',
      LOG_LEVEL: 'debug',
    });
    expect(custom.port).toBe(8080);
    expect(custom.host).toBe('127.0.0.1');
    expect(custom.dataDir).toBe('/var/lib/debrief');
    expect(custom.databaseUrl).toBe('postgres://debrief:pw@db:5432/debrief');
    expect(custom.schedulerCron).toBe('* * * * *');
    expect(custom.messageLogRetentionDays).toBe(30);
    expect(custom.logLevel).toBe('debug');
  });

  test('a custom SLACK_API_URL gets a trailing slash; one that has it is kept as is', () => {
    expect(loadConfig({ ...MINIMAL, SLACK_API_URL: 'http://localhost:4000/api' }).slack.apiUrl).toBe(
      'http://localhost:4000/api/',
    );
    expect(loadConfig({ ...MINIMAL, SLACK_API_URL: 'https://slack-gov.com/api/' }).slack.apiUrl).toBe(
      'https://slack-gov.com/api/',
    );
  });

  test('the returned configuration is frozen, nested Slack settings included', () => {
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.slack)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(3000);
  });
});

describe('loadConfig modes', () => {
  test('Socket Mode (SLACK_APP_TOKEN=xapp-…) needs no signing secret', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-socket' });
    expect(config.slack.appToken).toBe('xapp-1-socket');
    expect(config.slack.signingSecret).toBeUndefined();
  });

  test('HTTP mode without a signing secret is refused', () => {
    const error = configError({ SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^SLACK_SIGNING_SECRET is required/);
    expect(error.problems[0]).toContain('SLACK_APP_TOKEN');
  });

  test('an app token that is not xapp-… is refused', () => {
    const error = configError({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-not-an-app-token' });
    expect(problemsAbout(error, 'SLACK_APP_TOKEN')).toEqual([expect.stringContaining('xapp-')]);
  });

  test('without a bot token it is refused', () => {
    const error = configError({ SLACK_SIGNING_SECRET: 'sig' });
    expect(error.problems).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN is required/)]);
  });

  test('OAuth mode: the three OAuth settings and ENCRYPTION_KEY, no bot token', () => {
    const config = loadConfig({ SLACK_SIGNING_SECRET: 'sig', ...OAUTH });
    expect(config.slack.oauth).toEqual({
      clientId: '123.456',
      clientSecret: 'client-secret',
      stateSecret: 'state-secret',
    });
    expect(config.slack.botToken).toBeUndefined();
    expect(config.encryptionKey).toBe(KEY_32);
    expect(Object.isFrozen(config.slack.oauth)).toBe(true);
  });

  test('OAuth mode works with Socket Mode too', () => {
    const config = loadConfig({ SLACK_APP_TOKEN: 'xapp-1-socket', ...OAUTH });
    expect(config.slack.oauth?.clientId).toBe('123.456');
    expect(config.slack.appToken).toBe('xapp-1-socket');
  });

  test.each([
    [
      'SLACK_CLIENT_ID',
      { SLACK_CLIENT_ID: '123.456' },
      ['SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'ENCRYPTION_KEY'],
    ],
    [
      'SLACK_CLIENT_SECRET',
      { SLACK_CLIENT_SECRET: 'client-secret' },
      ['SLACK_CLIENT_ID', 'SLACK_STATE_SECRET', 'ENCRYPTION_KEY'],
    ],
    [
      'SLACK_CLIENT_ID and SLACK_CLIENT_SECRET',
      { SLACK_CLIENT_ID: '123.456', SLACK_CLIENT_SECRET: 'client-secret', ENCRYPTION_KEY: KEY_32 },
      ['SLACK_STATE_SECRET'],
    ],
  ])('partial OAuth settings (%s) name every missing one', (_label, oauth, missing) => {
    const error = configError({ SLACK_SIGNING_SECRET: 'sig', ...oauth });
    for (const name of missing) {
      expect(problemsAbout(error, name)).toEqual([expect.stringMatching(/required in OAuth multi-workspace mode/)]);
    }
    expect(error.problems).toHaveLength(missing.length);
    // In OAuth mode the bot token is not what is missing.
    expect(problemsAbout(error, 'SLACK_BOT_TOKEN')).toEqual([]);
  });

  test('OAuth mode without ENCRYPTION_KEY is refused: installation tokens are stored encrypted', () => {
    const { ENCRYPTION_KEY: _, ...withoutKey } = OAUTH;
    const error = configError({ SLACK_SIGNING_SECRET: 'sig', ...withoutKey });
    expect(error.problems).toEqual([expect.stringMatching(/^ENCRYPTION_KEY is required in OAuth .*base64/)]);
  });

  test('a bot token together with OAuth settings is refused as ambiguous', () => {
    const error = configError({ ...MINIMAL, ...OAUTH });
    expect(error.problems).toHaveLength(1);
    expect(problemsAbout(error, 'SLACK_BOT_TOKEN')).toEqual([expect.stringMatching(/cannot be combined with OAuth/)]);
    for (const name of ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET']) {
      expect(error.problems[0]).toContain(name);
    }
  });

  test('a valid ENCRYPTION_KEY is accepted', () => {
    expect(loadConfig({ ...MINIMAL, ENCRYPTION_KEY: KEY_32 }).encryptionKey).toBe(KEY_32);
  });

  test.each([
    ['too short', Buffer.alloc(16, 1).toString('base64')],
    ['too long', Buffer.alloc(48, 1).toString('base64')],
    ['hex instead of base64', Buffer.alloc(32, 1).toString('hex')],
  ])('ENCRYPTION_KEY must be 32 bytes base64 (%s)', (_label, key) => {
    const error = configError({ ...MINIMAL, ENCRYPTION_KEY: key });
    expect(problemsAbout(error, 'ENCRYPTION_KEY')).toEqual([expect.stringContaining('32 bytes')]);
  });
});

describe('loadConfig problems', () => {
  test.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['PORT', '1e3'],
    ['MESSAGE_LOG_RETENTION_DAYS', '0'],
    ['SLACK_API_URL', 'not a url'],
    ['SLACK_API_URL', 'ftp://slack.example/api/'],
    ['SHUTDOWN_TIMEOUT_S', '0'],
    ['SHUTDOWN_TIMEOUT_S', '-5'],
    ['SHUTDOWN_TIMEOUT_S', '2.5'],
    ['SHUTDOWN_TIMEOUT_S', '10s'],
    ['SHUTDOWN_TIMEOUT_S', '3601'],
    ['LOG_LEVEL', 'verbose'],
    ['SCHEDULER_CRON', 'every five minutes'],
    ['DATABASE_URL', 'mysql://db/debrief'],
  ])('%s=%s is refused', (name, value) => {
    const error = configError({ ...MINIMAL, [name]: value });
    expect(problemsAbout(error, name)).toHaveLength(1);
    expect(error.problems).toHaveLength(1);
  });

  test('SHUTDOWN_TIMEOUT_S says what it should look like', () => {
    const error = configError({ ...MINIMAL, SHUTDOWN_TIMEOUT_S: '10s' });
    expect(error.problems).toEqual(['SHUTDOWN_TIMEOUT_S must be a whole number of seconds (1–3600), got "10s"']);
  });

  test('every problem is listed at once, in one error and its message', () => {
    const error = configError({
      PORT: 'abc',
      SLACK_API_URL: 'not a url',
      LOG_LEVEL: 'loud',
      SHUTDOWN_TIMEOUT_S: 'forever',
      ENCRYPTION_KEY: 'c2hvcnQ=',
    });
    const named = [
      'PORT',
      'SLACK_API_URL',
      'LOG_LEVEL',
      'SHUTDOWN_TIMEOUT_S',
      'ENCRYPTION_KEY',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
    ];
    for (const name of named) {
      expect(problemsAbout(error, name)).toHaveLength(1);
      expect(error.message).toContain(`- ${name} `);
    }
    expect(error.problems).toHaveLength(named.length);
    expect(error.name).toBe('ConfigError');
    // Each problem says what the value should look like.
    expect(problemsAbout(error, 'PORT')[0]).toMatch(/TCP port/);
    expect(problemsAbout(error, 'SLACK_API_URL')[0]).toMatch(/https:\/\/slack\.com\/api\//);
    expect(problemsAbout(error, 'LOG_LEVEL')[0]).toMatch(/debug, info, warn, error/);
    expect(problemsAbout(error, 'SHUTDOWN_TIMEOUT_S')[0]).toMatch(/whole number of seconds/);
    expect(problemsAbout(error, 'SLACK_BOT_TOKEN')[0]).toMatch(/xoxb-/);
  });

  test('missing OAuth settings are listed alongside per-variable problems', () => {
    const error = configError({ SLACK_SIGNING_SECRET: 'sig', SLACK_CLIENT_ID: '123.456', PORT: '99999' });
    expect(problemsAbout(error, 'PORT')).toHaveLength(1);
    for (const name of ['SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'ENCRYPTION_KEY']) {
      expect(problemsAbout(error, name)).toHaveLength(1);
    }
    expect(error.problems).toHaveLength(4);
  });

  test('every problem is worded for operators: the variable, then what it should be (no raw validator text)', () => {
    const names = [
      'SLACK_BOT_TOKEN',
      'SLACK_APP_TOKEN',
      'SLACK_API_URL',
      'DATABASE_URL',
      'PORT',
      'SCHEDULER_CRON',
      'ENCRYPTION_KEY',
      'MESSAGE_LOG_RETENTION_DAYS',
      'LOG_LEVEL',
      'SHUTDOWN_TIMEOUT_S',
    ];
    const error = configError(Object.fromEntries(names.map((name) => [name, '%%%'])));
    for (const name of names) expect(problemsAbout(error, name).length).toBeGreaterThan(0);
    for (const problem of error.problems) {
      expect(problem).toMatch(/^[A-Z_]+ (must|is required|cannot)/);
      expect(problem).not.toMatch(/expected|Invalid input|Too small/);
    }
  });

  test('a missing bot token and a missing signing secret are both reported', () => {
    const error = configError({});
    expect(problemsAbout(error, 'SLACK_BOT_TOKEN')).toHaveLength(1);
    expect(problemsAbout(error, 'SLACK_SIGNING_SECRET')).toHaveLength(1);
  });
});

describe('loadConfig never prints a secret', () => {
  const secrets = {
    SLACK_BOT_TOKEN: 'xoxb-SECRETVALUE',
    SLACK_SIGNING_SECRET: 'SIGNINGSECRETVALUE',
    SLACK_CLIENT_SECRET: 'CLIENTSECRETVALUE',
    SLACK_STATE_SECRET: 'STATESECRETVALUE',
    DATABASE_URL: 'postgres://debrief:DBPASSWORDVALUE@db:5432/debrief',
  };

  function expectNoSecret(error: ConfigError) {
    const everything = `${error.message}\n${error.problems.join('\n')}\n${String(error.stack)}`;
    for (const fragment of ['SECRETVALUE', 'SIGNINGSECRETVALUE', 'CLIENTSECRETVALUE', 'STATESECRETVALUE']) {
      expect(everything).not.toContain(fragment);
    }
    expect(everything).not.toContain('DBPASSWORDVALUE');
    expect(everything).not.toContain('ENCKEYVALUE');
  }

  test('valid secrets are not echoed when something else is wrong', () => {
    const error = configError({ ...secrets, PORT: 'abc', SLACK_CLIENT_ID: '1.2' });
    expect(problemsAbout(error, 'PORT')).toHaveLength(1);
    expectNoSecret(error);
  });

  test('OAuth secrets are not echoed when the OAuth settings are incomplete or conflict', () => {
    const error = configError({
      SLACK_BOT_TOKEN: 'xoxb-SECRETVALUE',
      SLACK_SIGNING_SECRET: 'SIGNINGSECRETVALUE',
      SLACK_CLIENT_SECRET: 'CLIENTSECRETVALUE',
      SLACK_STATE_SECRET: 'STATESECRETVALUE',
    });
    expect(problemsAbout(error, 'SLACK_CLIENT_ID')).toHaveLength(1);
    expect(problemsAbout(error, 'ENCRYPTION_KEY')).toHaveLength(1);
    expect(problemsAbout(error, 'SLACK_BOT_TOKEN')).toHaveLength(1);
    expectNoSecret(error);
  });

  test('invalid secrets are reported without their value', () => {
    const error = configError({
      SLACK_BOT_TOKEN: 'SECRETVALUE-not-a-token',
      SLACK_SIGNING_SECRET: 'SIGNINGSECRETVALUE',
      SLACK_APP_TOKEN: 'xoxb-SECRETVALUE',
      DATABASE_URL: 'mysql://debrief:DBPASSWORDVALUE@db/debrief',
      ENCRYPTION_KEY: 'ENCKEYVALUE',
    });
    expect(problemsAbout(error, 'SLACK_BOT_TOKEN')).toHaveLength(1);
    expect(problemsAbout(error, 'SLACK_APP_TOKEN')).toHaveLength(1);
    expect(problemsAbout(error, 'DATABASE_URL')).toHaveLength(1);
    expect(problemsAbout(error, 'ENCRYPTION_KEY')).toHaveLength(1);
    expectNoSecret(error);
  });
});

describe('ENCRYPTION_KEYS_OLD: earlier keys, still read while installations are re-sealed', () => {
  const OLD_A = Buffer.alloc(32, 1).toString('base64');
  const OLD_B = Buffer.alloc(32, 2).toString('base64');

  test('unset, empty or blank: no old keys', () => {
    expect(loadConfig({ SLACK_SIGNING_SECRET: 'sig', ...OAUTH }).encryptionKeysOld).toEqual([]);
    expect(loadConfig({ SLACK_SIGNING_SECRET: 'sig', ...OAUTH, ENCRYPTION_KEYS_OLD: '  ' }).encryptionKeysOld).toEqual(
      [],
    );
  });

  test('comma-separated base64 keys, in their order, spaces around commas allowed', () => {
    const config = loadConfig({ SLACK_SIGNING_SECRET: 'sig', ...OAUTH, ENCRYPTION_KEYS_OLD: `${OLD_A} , ${OLD_B}` });
    expect(config.encryptionKeysOld).toEqual([OLD_A, OLD_B]);
    expect(Object.isFrozen(config.encryptionKeysOld)).toBe(true);
    expect(loadConfig({ SLACK_SIGNING_SECRET: 'sig', ...OAUTH, ENCRYPTION_KEYS_OLD: OLD_A }).encryptionKeysOld).toEqual(
      [OLD_A],
    );
  });

  test('one clear problem per bad entry, naming its position and never its value', () => {
    const short = Buffer.alloc(16, 3).toString('base64');
    const hex = Buffer.alloc(32, 4).toString('hex');
    const error = configError({
      SLACK_SIGNING_SECRET: 'sig',
      ...OAUTH,
      ENCRYPTION_KEYS_OLD: `${OLD_A},${short},,${hex},not*base64,${OLD_B}`,
    });
    expect(problemsAbout(error, 'ENCRYPTION_KEYS_OLD')).toEqual([
      'ENCRYPTION_KEYS_OLD entry 2 of 6 must be 32 bytes encoded as base64 (openssl rand -base64 32), got 16 bytes',
      'ENCRYPTION_KEYS_OLD entry 3 of 6 is empty: separate keys with single commas',
      'ENCRYPTION_KEYS_OLD entry 4 of 6 must be 32 bytes encoded as base64 (openssl rand -base64 32), got 48 bytes',
      'ENCRYPTION_KEYS_OLD entry 5 of 6 is not base64: each key must be 32 bytes encoded as base64 (openssl rand -base64 32)',
    ]);
    expect(error.problems).toHaveLength(4);
    for (const value of [OLD_A, OLD_B, short, hex, 'not*base64']) expect(error.message).not.toContain(value);
  });

  test('a bad old key is reported alongside other problems, as every problem is', () => {
    const error = configError({ SLACK_SIGNING_SECRET: 'sig', ...OAUTH, ENCRYPTION_KEYS_OLD: 'abc', PORT: 'x' });
    expect(problemsAbout(error, 'ENCRYPTION_KEYS_OLD')).toHaveLength(1);
    expect(problemsAbout(error, 'PORT')).toHaveLength(1);
  });
});
