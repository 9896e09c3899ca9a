import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { RATE_LIMITS, WORKSPACE_POSTS } from '../kit/rate-limits';
import { compareScopes, manifestBotScopes, readScopesSeen } from '../kit/scopes';
import { followingInRealTime } from '../kit/simulated-workspace';
import {
  eventCallbackBody,
  SlackOperationTimeoutError,
  SlackRequestClient,
  slashCommandBody,
} from '../kit/slack-requests';
import { SlackStandIn, type SlackStandInOptions } from '../kit/slack-stand-in';

const TOKEN = 'xoxb-test';
const START = Date.UTC(2026, 10, 20, 14, 0, 0);

let now: number;
let slack: SlackStandIn;

async function standIn(options: Partial<SlackStandInOptions> = {}): Promise<SlackStandIn> {
  const started = new SlackStandIn({
    teamId: 'T0001',
    botToken: TOKEN,
    botUserId: 'UBOT',
    botId: 'BBOT',
    now: () => now,
    ...options,
  });
  await started.start();
  started.addUser({ id: 'U1', name: 'alice' });
  started.addUser({ id: 'U2', name: 'bob' });
  started.addChannel({ id: 'CGENERAL', name: 'general', members: ['U1', 'U2', 'UBOT'] });
  started.addChannel({ id: 'CRANDOM', name: 'random', members: ['U1'] });
  started.addChannel({ id: 'CSECRET', name: 'secret', isPrivate: true, members: ['U1', 'UBOT'] });
  return started;
}

function client(token = TOKEN): WebClient {
  return new WebClient(token, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });
}

/** The error a call rejects with (fails the test if it resolves). */
async function rejection(call: Promise<unknown>): Promise<any> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

beforeEach(async () => {
  now = START;
  slack = await standIn();
});

afterEach(async () => {
  expect(slack.internalErrors).toEqual([]);
  await slack.stop();
});

describe('scopes', () => {
  it('gives the seeded bot token the bot scopes of manifest.yml', async () => {
    const declared = manifestBotScopes();
    expect(declared).toEqual(expect.arrayContaining(['chat:write', 'users:read', 'channels:manage']));
    expect((await client().users.info({ user: 'U1' })).ok).toBe(true);
  });

  it('answers missing_scope with needed and provided when the token lacks the method’s scope', async () => {
    await slack.stop();
    slack = await standIn({ botScopes: ['chat:write', 'channels:read'] });
    const error = await rejection(client().users.info({ user: 'U1' }));
    expect(error.code).toBe(ErrorCode.PlatformError);
    expect(error.data).toMatchObject({
      ok: false,
      error: 'missing_scope',
      needed: 'users:read',
      provided: 'chat:write,channels:read',
    });
    expect((await client().chat.postMessage({ channel: 'CGENERAL', text: 'allowed' })).ok).toBe(true);
    expect(slack.messagesIn('CGENERAL')).toHaveLength(1);
  });

  it('asks each method for its documented scope, by channel type where Slack does', async () => {
    await slack.stop();
    slack = await standIn({ botScopes: [] });
    const needed = async (call: Promise<unknown>) => (await rejection(call)).data.needed;
    const web = client();
    expect(await needed(web.chat.postMessage({ channel: 'CGENERAL', text: 'x' }))).toBe('chat:write');
    expect(await needed(web.chat.postEphemeral({ channel: 'CGENERAL', user: 'U1', text: 'x' }))).toBe('chat:write');
    expect(await needed(web.conversations.create({ name: 'inc-1' }))).toBe('channels:manage');
    expect(await needed(web.conversations.create({ name: 'inc-2', is_private: true }))).toBe('groups:write');
    expect(await needed(web.conversations.invite({ channel: 'CGENERAL', users: 'U1' }))).toBe('channels:manage');
    expect(await needed(web.conversations.invite({ channel: 'CSECRET', users: 'U2' }))).toBe('groups:write');
    expect(await needed(web.conversations.join({ channel: 'CRANDOM' }))).toBe('channels:join');
    expect(await needed(web.conversations.members({ channel: 'CGENERAL' }))).toBe('channels:read');
    expect(await needed(web.conversations.members({ channel: 'CSECRET' }))).toBe('groups:read');
    expect(await needed(web.conversations.history({ channel: 'CGENERAL' }))).toBe('channels:history');
    expect(await needed(web.conversations.replies({ channel: 'CSECRET', ts: '1.000001' }))).toBe('groups:history');
    expect(await needed(web.reactions.get({ channel: 'CGENERAL', timestamp: '1.000001' }))).toBe('reactions:read');
    expect(await needed(web.users.info({ user: 'U1' }))).toBe('users:read');
    expect(await needed(web.conversations.open({ users: 'U1' }))).toBe('im:write');
    // views.* and auth.test need no scope.
    expect((await web.auth.test()).ok).toBe(true);
    const trigger = slack.issueTriggerId({ userId: 'U1' });
    const modal = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'T' }, blocks: [] };
    expect((await web.views.open({ trigger_id: trigger, view: modal })).ok).toBe(true);
  });

  it('holds an OAuth-issued token to the scopes that were granted', async () => {
    await slack.stop();
    slack = await standIn({ clientId: '1.2', clientSecret: 'secret' });
    const code = slack.issueOAuthCode({ userId: 'U1', scopes: ['chat:write'] });
    const { access_token } = await new WebClient(undefined, {
      slackApiUrl: slack.apiUrl,
      logLevel: LogLevel.ERROR,
    }).oauth.v2.access({ client_id: '1.2', client_secret: 'secret', code });
    const installed = client(access_token);
    expect((await installed.chat.postMessage({ channel: 'CGENERAL', text: 'hi' })).ok).toBe(true);
    expect((await rejection(installed.users.info({ user: 'U1' }))).data).toMatchObject({
      error: 'missing_scope',
      needed: 'users:read',
      provided: 'chat:write',
    });
  });

  it('records the scope each call needed, and the scopes of commands and events', async () => {
    await client().chat.postMessage({ channel: 'CGENERAL', text: 'hi' });
    await client().auth.test();
    expect(slack.lastCall('chat.postMessage')?.scope).toBe('chat:write');
    expect(slack.lastCall('auth.test')).not.toHaveProperty('scope');
    slashCommandBody(slack, { userId: 'U1', channelId: 'CGENERAL', command: '/incident', text: 'help' });
    const posted = eventCallbackBody(slack, { kind: 'message', channelId: 'CSECRET', userId: 'U1', text: 'hi' });
    const ts = (posted.payload.event as { ts: string }).ts;
    eventCallbackBody(slack, { kind: 'reaction_added', channelId: 'CSECRET', ts, userId: 'U1', reaction: 'pushpin' });
    expect(slack.scopesUsed).toEqual(['chat:write', 'commands', 'groups:history', 'reactions:read']);
  });

  it('reports the scopes it saw to a shared directory, which the suite compares with the manifest', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'scopes-test-'));
    try {
      const reporting = new SlackStandIn({
        teamId: 'T0001',
        botToken: TOKEN,
        botUserId: 'UBOT',
        botId: 'BBOT',
        scopesSeenDir: dir,
      });
      await reporting.start();
      reporting.addUser({ id: 'U1', name: 'alice' });
      await new WebClient(TOKEN, { slackApiUrl: reporting.apiUrl, logLevel: LogLevel.ERROR }).users.info({
        user: 'U1',
      });
      await reporting.stop();
      expect(readScopesSeen(dir)).toEqual(new Set(['users:read']));
      expect(readFileSync(path.join(dir, `scopes-${process.pid}.txt`), 'utf8')).toBe('users:read\n');
      expect(compareScopes(['users:read', 'chat:write'], ['users:read', 'files:write'])).toEqual({
        unused: ['files:write'],
        undeclared: ['chat:write'],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rate limits', () => {
  it('answers a burst over a method’s tier with HTTP 429 and Retry-After, then lets calls through again', async () => {
    const { burst, perMinute } = RATE_LIMITS[2];
    const web = client();
    for (let n = 0; n < burst; n++) await web.conversations.create({ name: `inc-${n}` });
    const error = await rejection(web.conversations.create({ name: 'inc-one-too-many' }));
    expect(error.code).toBe(ErrorCode.RateLimitedError);
    expect(error.retryAfter).toBe(Math.ceil(60 / perMinute));
    expect(slack.channelIdByName('inc-one-too-many')).toBeUndefined();
    // Other methods have their own allowance.
    expect((await web.users.info({ user: 'U1' })).ok).toBe(true);
    now += error.retryAfter * 1000;
    expect((await web.conversations.create({ name: 'inc-after-the-wait' })).ok).toBe(true);
  });

  it('limits chat.postMessage per channel', async () => {
    const { burst } = RATE_LIMITS['per-channel'];
    const web = client();
    for (let n = 0; n < burst; n++) await web.chat.postMessage({ channel: 'CGENERAL', text: `update ${n}` });
    const error = await rejection(web.chat.postMessage({ channel: 'CGENERAL', text: 'one too many' }));
    expect([error.code, error.retryAfter]).toEqual([ErrorCode.RateLimitedError, 1]);
    expect((await web.chat.postMessage({ channel: 'CSECRET', text: 'another channel' })).ok).toBe(true);
    expect(slack.callsTo('chat.postMessage').filter((call) => call.status === 429)).toHaveLength(1);
  });

  it('limits chat.postMessage across the workspace too, whatever the channels', async () => {
    const perChannel = RATE_LIMITS['per-channel'].burst;
    const people = Math.ceil(WORKSPACE_POSTS.burst / perChannel) + 1;
    for (let n = 0; n < people; n++) slack.addUser({ id: `UP${n}`, name: `person${n}` });
    const web = client();
    // Direct messages to many people, each under its own channel's limit.
    for (let n = 0; n < WORKSPACE_POSTS.burst; n++) {
      await web.chat.postMessage({ channel: `UP${n % people}`, text: `digest ${n}` });
    }
    const error = await rejection(web.chat.postMessage({ channel: 'CGENERAL', text: 'a fresh channel' }));
    expect([error.code, error.retryAfter]).toEqual([
      ErrorCode.RateLimitedError,
      Math.ceil(60 / WORKSPACE_POSTS.perMinute),
    ]);
    // Other methods are not held back.
    expect((await web.users.info({ user: 'U1' })).ok).toBe(true);
    now += error.retryAfter * 1000;
    expect((await web.chat.postMessage({ channel: 'CGENERAL', text: 'after the wait' })).ok).toBe(true);
    expect(slack.callsTo('chat.postMessage').filter((call) => call.status === 429)).toHaveLength(1);
  });

  it('counts posts to a user id and to the DM it names against one conversation', async () => {
    const { burst } = RATE_LIMITS['per-channel'];
    const web = client();
    const dm = (await web.chat.postMessage({ channel: 'U1', text: 'digest 0' })).channel!;
    for (let n = 1; n < burst; n++) {
      await web.chat.postMessage({ channel: n % 2 === 0 ? 'U1' : dm, text: `digest ${n}` });
    }
    const error = await rejection(web.chat.postMessage({ channel: 'U1', text: 'one too many' }));
    expect([error.code, error.retryAfter]).toEqual([ErrorCode.RateLimitedError, 1]);
    expect((await rejection(web.chat.postMessage({ channel: dm, text: 'nor here' }))).code).toBe(
      ErrorCode.RateLimitedError,
    );
  });

  it('can be turned off (a benchmark)', async () => {
    await slack.stop();
    slack = await standIn({ rateLimits: false });
    const web = client();
    for (let n = 0; n <= RATE_LIMITS[2].burst; n++) await web.conversations.create({ name: `inc-${n}` });
    expect(slack.callsTo('conversations.create').every((call) => call.status === 200)).toBe(true);
  });
});

describe('Slack’s clock', () => {
  it('runs in real time by default, so a trigger id expires 3 real seconds after it was issued', async () => {
    await slack.stop();
    slack = await standIn({ now: undefined });
    const trigger = slack.issueTriggerId({ userId: 'U1' });
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const modal = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'T' }, blocks: [] };
    expect((await rejection(client().views.open({ trigger_id: trigger, view: modal }))).data.error).toBe(
      'expired_trigger_id',
    );
  }, 10_000);

  it('follows a fixed or scripted app clock, running on in real time between its moves', () => {
    let appTime = new Date(START);
    const slackNow = followingInRealTime(() => appTime);
    const first = slackNow();
    expect(first).toBeGreaterThanOrEqual(START);
    expect(slackNow()).toBeGreaterThanOrEqual(first);
    appTime = new Date(START + 60 * 60 * 1000);
    expect(slackNow()).toBeGreaterThanOrEqual(START + 60 * 60 * 1000);
  });
});

describe('events Slack would send', () => {
  it('refuses message and reaction events from a channel the bot is not in, changing nothing', () => {
    expect(() =>
      eventCallbackBody(slack, { kind: 'message', channelId: 'CRANDOM', userId: 'U1', text: 'not for the bot' }),
    ).toThrow(/bot is not a member/);
    expect(slack.messagesIn('CRANDOM')).toEqual([]);
    const ts = slack.addMessage('CRANDOM', { user: 'U1', text: 'seeded' });
    expect(() =>
      eventCallbackBody(slack, { kind: 'reaction_added', channelId: 'CRANDOM', ts, userId: 'U1', reaction: 'pushpin' }),
    ).toThrow(/bot is not a member/);
    expect(slack.messagesIn('CRANDOM')[0]?.reactions).toEqual([]);
    expect(() => eventCallbackBody(slack, { kind: 'message_deleted', channelId: 'CRANDOM', ts })).toThrow(
      /bot is not a member/,
    );
  });

  it('reports a deleted thread parent as message_changed to a Slackbot tombstone', () => {
    const parent = eventCallbackBody(slack, { kind: 'message', channelId: 'CGENERAL', userId: 'U1', text: 'DB down' });
    const ts = (parent.payload.event as { ts: string }).ts;
    const reply = eventCallbackBody(slack, {
      kind: 'message',
      channelId: 'CGENERAL',
      userId: 'U2',
      text: 'on it',
      threadTs: ts,
    });
    const deleted = eventCallbackBody(slack, { kind: 'message_deleted', channelId: 'CGENERAL', ts });
    expect(deleted.payload.event).toMatchObject({
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: 'CGENERAL',
      channel_type: 'channel',
      message: {
        type: 'message',
        subtype: 'tombstone',
        user: 'USLACKBOT',
        text: 'This message was deleted.',
        hidden: true,
        ts,
        thread_ts: ts,
        reply_count: 1,
      },
      previous_message: { ts, user: 'U1', text: 'DB down', reply_count: 1 },
    });
    expect(deleted.payload.event).not.toHaveProperty('deleted_ts');
    expect(slack.message('CGENERAL', ts)).toMatchObject({ subtype: 'tombstone', user: 'USLACKBOT' });
    // A reply (no replies of its own) is an ordinary message_deleted.
    const replyTs = (reply.payload.event as { ts: string }).ts;
    const replyDeleted = eventCallbackBody(slack, { kind: 'message_deleted', channelId: 'CGENERAL', ts: replyTs });
    expect(replyDeleted.payload.event).toMatchObject({ subtype: 'message_deleted', deleted_ts: replyTs });
  });

  it('reports a single-channel guest as both restricted and ultra-restricted', async () => {
    slack.addUser({ id: 'U9', name: 'contractor', isUltraRestricted: true });
    expect((await client().users.info({ user: 'U9' })).user).toMatchObject({
      is_restricted: true,
      is_ultra_restricted: true,
    });
  });
});

describe('Slack’s 3-second deadline', () => {
  let app: Server;
  let appUrl: string;
  let received: IncomingMessage['headers'][];
  /** How the fake app answers its n-th request (0-based). */
  let answer: (n: number, response: ServerResponse) => void;

  beforeEach(async () => {
    received = [];
    app = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        received.push(request.headers);
        answer(received.length - 1, response);
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    app.closeAllConnections();
    await new Promise((resolve) => app.close(resolve));
  });

  const ok = (response: ServerResponse) => response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  const never = () => undefined;
  const event = () => eventCallbackBody(slack, { kind: 'message', channelId: 'CGENERAL', userId: 'U1', text: 'hi' });
  // A short deadline stands in for Slack's 3 s so the test does not wait.
  const requests = () => new SlackRequestClient(appUrl, 'secret', { deadlineMs: 200 });

  it('fails a slash command the app does not answer in time with Slack’s operation_timeout', async () => {
    answer = never;
    const command = slashCommandBody(slack, { userId: 'U1', channelId: 'CGENERAL', command: '/incident', text: 'x' });
    const error = await rejection(requests().send(command));
    expect(error).toBeInstanceOf(SlackOperationTimeoutError);
    expect(error.code).toBe('operation_timeout');
    expect(received).toHaveLength(1);
  });

  it('redelivers an event answered non-2xx, with X-Slack-Retry-Num and http_error', async () => {
    answer = (n, response) => (n === 0 ? response.writeHead(500).end() : ok(response));
    const result = await requests().send(event());
    expect(result.status).toBe(200);
    expect(result.deliveries?.map((d) => d.status)).toEqual([500, 200]);
    expect(received[0]).not.toHaveProperty('x-slack-retry-num');
    expect(received[1]).toMatchObject({ 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' });
  });

  it('redelivers an event not answered in time with http_timeout, at most 3 times', async () => {
    answer = never;
    const result = await requests().send(event());
    expect(result).toMatchObject({ status: 0, timedOut: true });
    expect(result.deliveries).toHaveLength(4);
    expect(received.map((h) => [h['x-slack-retry-num'], h['x-slack-retry-reason']])).toEqual([
      [undefined, undefined],
      ['1', 'http_timeout'],
      ['2', 'http_timeout'],
      ['3', 'http_timeout'],
    ]);
  });

  it('sends one given redelivery as asked, without retrying it', async () => {
    answer = (_n, response) => response.writeHead(500).end();
    const result = await requests().send(event(), { retryNum: 2, retryReason: 'http_timeout' });
    expect(result.status).toBe(500);
    expect(received).toHaveLength(1);
  });

  it('uses Slack’s own 3 s by default', () => {
    expect((new SlackRequestClient(appUrl, 'secret') as unknown as { deadlineMs: number }).deadlineMs).toBe(3000);
  });
});
