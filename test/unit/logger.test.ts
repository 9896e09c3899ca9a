import { LogLevel } from '@slack/logger';
import { createDebriefLogger, type DebriefLogger, REDACT_PATHS, scrubString } from '../../src/observability/logger';
import { runInScope, withLogBindings } from '../../src/observability/request-scope';

/** A logger at `level` whose lines are kept as written (each a string with its newline). */
function capturing(level: 'debug' | 'info' | 'warn' | 'error' = 'debug'): {
  logger: DebriefLogger;
  written: string[];
  lines: () => Record<string, unknown>[];
} {
  const written: string[] = [];
  const logger = createDebriefLogger({ level, destination: { write: (chunk: string) => void written.push(chunk) } });
  return { logger, written, lines: () => written.map((chunk) => JSON.parse(chunk) as Record<string, unknown>) };
}

const BOT_TOKEN = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const USER_TOKEN = 'xoxp-123456789012-1234567890123-1234567890123-0123456789abcdef0123456789abcdef';
const APP_TOKEN = 'xapp-1-A0123456789-1234567890123-0123456789abcdef';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const SIGNATURE = `v0=${'a1b2c3d4'.repeat(8)}`;
const RESPONSE_URL = 'https://hooks.slack.com/commands/T0001/1234567890/AbCdEfGhIjKlMnOp';
const WORDS = 'the payments database password is in the vault and Bob broke it';

describe('the pino logger behind Bolt’s Logger interface', () => {
  test('writes one JSON object per line, with level, time, name and the message', () => {
    const { logger, written, lines } = capturing();
    logger.info('Debrief is listening on 127.0.0.1:3000');
    logger.warn('slow', 'sweep', 3);
    expect(written).toHaveLength(2);
    for (const chunk of written) expect(chunk.endsWith('\n') && chunk.indexOf('\n') === chunk.length - 1).toBe(true);
    expect(lines()[0]).toMatchObject({ level: 'info', name: 'debrief', msg: 'Debrief is listening on 127.0.0.1:3000' });
    expect(typeof lines()[0]!.time).toBe('string');
    expect(lines()[1]).toMatchObject({ level: 'warn', msg: 'slow sweep 3' });
  });

  test('levels: lines below the level are dropped; setLevel and getLevel speak Bolt’s LogLevel', () => {
    const { logger, lines } = capturing('info');
    expect(logger.getLevel()).toBe(LogLevel.INFO);
    logger.debug('hidden');
    logger.info('shown');
    logger.setLevel(LogLevel.DEBUG);
    expect(logger.getLevel()).toBe(LogLevel.DEBUG);
    logger.debug('now shown');
    logger.setLevel(LogLevel.ERROR);
    logger.warn('hidden again');
    logger.error('an error');
    expect(lines().map((l) => [l.level, l.msg])).toEqual([
      ['info', 'shown'],
      ['debug', 'now shown'],
      ['error', 'an error'],
    ]);
  });

  test('setName names the lines (Bolt names its own loggers)', () => {
    const { logger, lines } = capturing();
    logger.setName('bolt-app');
    logger.info('x');
    expect(lines()[0]!.name).toBe('bolt-app');
  });

  test('a request scope’s bindings reach every line logged inside it, across awaits and timers', async () => {
    const { logger, lines } = capturing();
    logger.info('before');
    await runInScope({ bindings: { request_id: 'req-1', workspace: 'T1', team_id: 'T1' } }, async () => {
      logger.info('inside');
      await new Promise((resolve) => setTimeout(resolve, 1));
      await withLogBindings({ job: 'nested' }, async () => logger.debug('deeper'));
      logger.pino.info('through pino directly');
    });
    logger.info('after');
    const [before, inside, deeper, direct, after] = lines();
    expect(before).not.toHaveProperty('request_id');
    expect(inside).toMatchObject({ request_id: 'req-1', workspace: 'T1', team_id: 'T1' });
    expect(deeper).toMatchObject({ request_id: 'req-1', workspace: 'T1', job: 'nested' });
    expect(direct).toMatchObject({ request_id: 'req-1', workspace: 'T1' });
    expect(after).not.toHaveProperty('request_id');
  });

  test('child loggers carry their bindings, and no key appears twice in a line', () => {
    const { logger, written, lines } = capturing();
    const child = logger.child({ request_id: 'req-2', workspace: 'E1', enterprise_id: 'E1' });
    runInScope({ bindings: { request_id: 'req-2', workspace: 'E1' } }, () => child.info('hello', { outcome: 'ok' }));
    expect(lines()[0]).toMatchObject({ request_id: 'req-2', workspace: 'E1', enterprise_id: 'E1', outcome: 'ok' });
    const keys = [...written[0]!.matchAll(/"([a-z_]+)":/g)].map((m) => m[1]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('errors become an err field: class, code, scrubbed message, frames; a database error’s message is dropped', () => {
    const { logger, lines } = capturing();
    const slackError = Object.assign(new Error(`An API error occurred: invalid_auth for ${BOT_TOKEN}`), {
      code: 'slack_webapi_platform_error',
    });
    logger.error('Slack call failed', slackError);
    const database = Object.assign(new Error(`invalid input syntax for type integer: "${WORDS}"`), { code: '22P02' });
    logger.error('database', database);
    const [slack, db] = lines();
    expect(slack!.err).toMatchObject({ type: 'Error', code: 'slack_webapi_platform_error' });
    expect(String((slack!.err as { message: string }).message)).toContain('[redacted Slack token]');
    expect((slack!.err as { stack: string[] }).stack[0]).toMatch(/^at /);
    expect(db!.err).toEqual(expect.objectContaining({ type: 'Error', code: '22P02' }));
    expect(db!.err).not.toHaveProperty('message');
  });
});

describe('redaction at LOG_LEVEL=debug', () => {
  test('tokens, secrets, signatures, response URLs and people’s words never reach a line', () => {
    const { logger, written } = capturing('debug');
    // Strings as Bolt, the Web API client and Debrief write them.
    logger.debug(`token ${BOT_TOKEN} and ${USER_TOKEN} and ${APP_TOKEN}`);
    logger.debug(`Authorization: Bearer ${BOT_TOKEN}`);
    logger.debug(`SLACK_SIGNING_SECRET=${SIGNING_SECRET}`);
    logger.debug(`x-slack-signature ${SIGNATURE}`);
    logger.debug(`respond to ${RESPONSE_URL}`);
    // The Web API client's debug dumps: request bodies and results hold message text.
    logger.debug(`http request body: ${JSON.stringify({ channel: 'C1', text: WORDS, token: BOT_TOKEN })}`);
    logger.debug(
      `http request result: ${JSON.stringify({ ok: true, messages: [{ text: WORDS, user: 'U1' }], has_more: false })}`,
    );
    logger.debug(
      `http request headers: ${JSON.stringify({ Authorization: `Bearer ${BOT_TOKEN}`, 'x-slack-signature': SIGNATURE })}`,
    );
    // Objects: secret fields and anything that can hold what people typed, at any depth.
    logger.debug('request', {
      headers: { 'x-slack-signature': SIGNATURE, 'x-slack-request-timestamp': '1700000000' },
      body: { text: WORDS, token: 'verification' },
      event: { type: 'message', text: WORDS, blocks: [{ type: 'rich_text', elements: [{ text: WORDS }] }] },
      installation: { bot: { token: BOT_TOKEN, id: 'B1' }, clientSecret: SIGNING_SECRET },
      message: WORDS,
      view: { state: { values: { a: { b: { value: WORDS } } } } },
      signingSecret: SIGNING_SECRET,
      response_url: RESPONSE_URL,
    });
    logger.debug('arguments', [`${BOT_TOKEN}`, { text: WORDS }]);
    // Bolt's Socket Mode acknowledgement: JSON inside parentheses.
    logger.debug(`ack() call begins (body: ${JSON.stringify({ response_type: 'ephemeral', text: WORDS })})`);
    logger.pino.debug({ token: BOT_TOKEN, nested: { text: WORDS, authorization: 'Bearer x' } }, 'pino directly');
    const all = written.join('');
    for (const secret of [BOT_TOKEN, USER_TOKEN, APP_TOKEN, SIGNING_SECRET, SIGNATURE, RESPONSE_URL, WORDS]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toContain('vault');
    // What stays: the shape and Slack's verdicts, which is what debugging needs.
    expect(all).toContain('http request body: {\\"fields\\":[\\"channel\\",\\"text\\",\\"token\\"]}');
    expect(all).toContain('{\\"ok\\":true,\\"fields\\":[\\"has_more\\",\\"messages\\",\\"ok\\"]}');
    expect(all).toContain('ack() call begins (body: {\\"fields\\":[\\"response_type\\",\\"text\\"]})');
    expect(all).toContain('"type":"message"');
    expect(all).toContain('"id":"B1"');
  });

  test('Slack’s error codes and method names survive scrubbing', () => {
    expect(scrubString('http request result: {"ok":false,"error":"not_in_channel","warning":"x"}')).toBe(
      'http request result: {"ok":false,"error":"not_in_channel","warning":"x","fields":["error","ok","warning"]}',
    );
    expect(scrubString("apiCall('chat.postMessage') start")).toBe("apiCall('chat.postMessage') start");
    expect(scrubString('http request url: http://127.0.0.1:1/api/users.info')).toBe(
      'http request url: http://127.0.0.1:1/api/users.info',
    );
  });

  test('pino’s redact paths cover the secret fields at the top level and one level down', () => {
    expect(REDACT_PATHS).toEqual(
      expect.arrayContaining(['token', '*.token', 'headers', '*.headers', '["x-slack-signature"]', 'text', 'message']),
    );
    // An error keeps its (scrubbed) message: `message` is censored at the top level only.
    expect(REDACT_PATHS).not.toContain('*.message');
  });
});
