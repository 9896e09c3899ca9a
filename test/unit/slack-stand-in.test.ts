import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ConversationsMembersResponse,
  ErrorCode,
  LogLevel,
  WebClient,
  type WebClientOptions,
} from '@slack/web-api';
import {
  blockActionsBody,
  eventCallbackBody,
  messageShortcutBody,
  SlackRequestClient,
  slashCommandBody,
  viewSubmissionBody,
} from '../kit/slack-requests';
import { signSlackRequest } from '../kit/slack-signature';
import { RESPONSE_URL, SlackStandIn, SUPPORTED_METHODS } from '../kit/slack-stand-in';

const TOKEN = 'xoxb-test';
const START = Date.UTC(2026, 10, 20, 14, 0, 0);

let now: number;
let slack: SlackStandIn;
let client: WebClient;

function webClient(options: WebClientOptions = {}, token: string | null = TOKEN): WebClient {
  return new WebClient(token ?? undefined, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
    ...options,
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

/** The Slack error code of a failed call. */
async function slackError(call: Promise<unknown>): Promise<string> {
  const error = await rejection(call);
  expect(error.code).toBe(ErrorCode.PlatformError);
  return error.data.error;
}

async function post(url: string, body: string, contentType: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text.startsWith('{') ? JSON.parse(text) : undefined,
  };
}

const postJson = (url: string, body: unknown) => post(url, JSON.stringify(body), 'application/json');

beforeEach(async () => {
  now = START;
  slack = new SlackStandIn({ teamId: 'T0001', botToken: TOKEN, botUserId: 'UBOT', botId: 'BBOT', now: () => now });
  await slack.start();
  client = webClient();
  slack.addUser({ id: 'U1', name: 'alice', realName: 'Alice A', tz: 'America/New_York' });
  slack.addUser({ id: 'U2', name: 'bob', tz: 'Asia/Kolkata' });
  slack.addUser({ id: 'U3', name: 'guest', isRestricted: true });
  slack.addUser({ id: 'U4', name: 'nozone', tz: null });
  slack.addUser({ id: 'U5', name: 'gone', deleted: true });
  slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['U1', 'U2', 'UBOT'] });
  slack.addChannel({ id: 'CRANDOM', name: 'random', members: ['U1'] });
  slack.addChannel({ id: 'CSECRET', name: 'secret', isPrivate: true, members: ['U1'] });
});

afterEach(async () => {
  expect(slack.internalErrors).toEqual([]);
  await slack.stop();
});

describe('transport and auth', () => {
  it('serves the Web API under /api/ on an ephemeral port', () => {
    expect(slack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(slack.apiUrl).toBe(`${slack.baseUrl}api/`);
    // Only what Debrief calls: a feature that needs another method adds it to the stand-in.
    expect([...SUPPORTED_METHODS].sort()).toEqual([
      'apps.connections.open',
      'auth.test',
      'chat.postEphemeral',
      'chat.postMessage',
      'conversations.create',
      'conversations.history',
      'conversations.invite',
      'conversations.join',
      'conversations.members',
      'conversations.open',
      'conversations.replies',
      'files.completeUploadExternal',
      'files.getUploadURLExternal',
      'oauth.v2.access',
      'reactions.get',
      'users.info',
      'views.open',
      'views.publish',
      'views.update',
    ]);
  });

  it('answers auth.test as Slack does for a bot token', async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({
      ok: true,
      url: 'https://debrief-demo.slack.com/',
      team_id: 'T0001',
      user_id: 'UBOT',
      bot_id: 'BBOT',
      is_enterprise_install: false,
    });
  });

  it('answers not_authed without a token and invalid_auth with a wrong one', async () => {
    expect(await slackError(webClient({}, null).auth.test())).toBe('not_authed');
    expect(await slackError(webClient({}, 'xoxb-wrong').auth.test())).toBe('invalid_auth');
  });

  it('takes the token from the form body too, but not from a JSON body', async () => {
    const form = await post(`${slack.apiUrl}auth.test`, `token=${TOKEN}`, 'application/x-www-form-urlencoded');
    expect(form.json).toMatchObject({ ok: true });
    const json = await postJson(`${slack.apiUrl}auth.test`, { token: TOKEN });
    expect(json.json).toEqual({ ok: false, error: 'not_authed' });
  });

  it('accepts JSON bodies with a bearer token', async () => {
    const response = await post(
      `${slack.apiUrl}chat.postMessage`,
      JSON.stringify({ channel: 'CGENERAL', blocks: [{ type: 'divider' }], text: 'json' }),
      'application/json; charset=utf-8',
      { authorization: `Bearer ${TOKEN}` },
    );
    expect(response.json).toMatchObject({ ok: true, channel: 'CGENERAL' });
    // Slack gives blocks without a block_id a generated one.
    expect(slack.messagesIn('CGENERAL').at(-1)?.blocks).toEqual([{ type: 'divider', block_id: expect.any(String) }]);
  });

  it('answers unknown_method for a method it does not have', async () => {
    const error = await rejection(client.apiCall('chat.flyToTheMoon'));
    expect(error.data).toMatchObject({ ok: false, error: 'unknown_method', req_method: 'chat.flyToTheMoon' });
  });

  it('never crashes on malformed bodies', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const badJson = await post(`${slack.apiUrl}chat.postMessage`, '{"channel":', 'application/json', headers);
    expect([badJson.status, badJson.json]).toEqual([200, { ok: false, error: 'invalid_json' }]);
    const notForm = await post(`${slack.apiUrl}chat.postMessage`, 'hello', 'text/plain', headers);
    expect(notForm.json).toEqual({ ok: false, error: 'invalid_form_data' });
    const badBlocks = await post(
      `${slack.apiUrl}chat.postMessage`,
      'channel=CGENERAL&blocks=%5B%7Bnope',
      'application/x-www-form-urlencoded',
      headers,
    );
    expect(badBlocks.json).toEqual({ ok: false, error: 'invalid_blocks_format' });
    const wrongType = await post(
      `${slack.apiUrl}chat.postMessage`,
      JSON.stringify({ channel: 42 }),
      'application/json',
      headers,
    );
    expect(wrongType.json).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect((await fetch(`${slack.baseUrl}nowhere`)).status).toBe(404);
  });
});

describe('users.info', () => {
  it('gives tz, tz_label and the offset of the zone at the current time', async () => {
    const { user } = await client.users.info({ user: 'U1' });
    expect(user).toMatchObject({
      id: 'U1',
      team_id: 'T0001',
      name: 'alice',
      real_name: 'Alice A',
      tz: 'America/New_York',
      tz_label: 'Eastern Standard Time',
      tz_offset: -18000,
      is_restricted: false,
      is_bot: false,
      deleted: false,
      profile: expect.objectContaining({ real_name: 'Alice A', display_name: 'alice' }),
    });
    expect((await client.users.info({ user: 'U2' })).user).toMatchObject({
      tz_offset: 19800,
      tz_label: 'India Standard Time',
    });
    now = Date.UTC(2026, 6, 1, 12);
    expect((await client.users.info({ user: 'U1' })).user).toMatchObject({
      tz_offset: -14400,
      tz_label: 'Eastern Daylight Time',
    });
  });

  it('sends no tz fields for a user without a time zone, and flags guests and deleted users', async () => {
    const { user } = await client.users.info({ user: 'U4' });
    expect(user).not.toHaveProperty('tz');
    expect(user).not.toHaveProperty('tz_offset');
    expect((await client.users.info({ user: 'U3' })).user).toMatchObject({
      is_restricted: true,
      is_ultra_restricted: false,
    });
    expect((await client.users.info({ user: 'U5' })).user).toMatchObject({ deleted: true });
  });

  it('answers user_not_found for an unknown user', async () => {
    expect(await slackError(client.users.info({ user: 'UNOPE' }))).toBe('user_not_found');
  });
});

describe('conversations', () => {
  it('creates a channel as the bot, a member of it', async () => {
    const { channel } = await client.conversations.create({ name: 'inc-20261120-payments-down' });
    expect(channel).toMatchObject({
      id: expect.stringMatching(/^C[A-Z0-9]{8,}$/),
      name: 'inc-20261120-payments-down',
      is_channel: true,
      is_private: false,
      is_member: true,
      creator: 'UBOT',
      is_archived: false,
    });
    const secret = await client.conversations.create({ name: 'inc-secret', is_private: true });
    expect(secret.channel).toMatchObject({ is_private: true, is_member: true });
    expect(slack.membersOf(secret.channel!.id!)).toEqual(['UBOT']);
  });

  it('validates names like Slack', async () => {
    expect(await slackError(client.conversations.create({ name: 'general' }))).toBe('name_taken');
    expect(await slackError(client.conversations.create({ name: 'Inc-Upper' }))).toBe('invalid_name_specials');
    expect(await slackError(client.conversations.create({ name: 'inc 1' }))).toBe('invalid_name_specials');
    expect(await slackError(client.conversations.create({ name: 'a'.repeat(81) }))).toBe('invalid_name_maxlength');
    expect(await slackError(client.conversations.create({ name: '' }))).toBe('invalid_name_required');
    expect(await slackError(client.conversations.create({ name: '---' }))).toBe('invalid_name_punctuation');
    expect((await client.conversations.create({ name: 'a'.repeat(80) })).ok).toBe(true);
  });

  it('invites users; already_in_channel only when every user is already in', async () => {
    const { channel } = await client.conversations.create({ name: 'inc-1' });
    const id = channel!.id!;
    await client.conversations.invite({ channel: id, users: 'U1' });
    expect(slack.membersOf(id)).toEqual(['UBOT', 'U1']);
    await client.conversations.invite({ channel: id, users: 'U1,U2' });
    expect(slack.membersOf(id)).toEqual(['UBOT', 'U1', 'U2']);
    const error = await rejection(client.conversations.invite({ channel: id, users: 'U1,U2' }));
    expect(error.data).toMatchObject({
      error: 'already_in_channel',
      errors: [
        { user: 'U1', ok: false, error: 'already_in_channel' },
        { user: 'U2', ok: false, error: 'already_in_channel' },
      ],
    });
  });

  it('refuses the whole invite for an unknown user or the bot itself, unless forced', async () => {
    const { channel } = await client.conversations.create({ name: 'inc-2' });
    const id = channel!.id!;
    expect(await slackError(client.conversations.invite({ channel: id, users: 'U1,UNOPE' }))).toBe('user_not_found');
    expect(slack.membersOf(id)).toEqual(['UBOT']);
    expect(await slackError(client.conversations.invite({ channel: id, users: 'UBOT' }))).toBe('cant_invite_self');
    const forced = await client.conversations.invite({ channel: id, users: 'U1,UNOPE', force: true });
    expect(forced).toMatchObject({ ok: true, errors: [{ user: 'UNOPE', error: 'user_not_found' }] });
    expect(slack.membersOf(id)).toEqual(['UBOT', 'U1']);
    expect(await slackError(client.conversations.invite({ channel: 'CNOPE', users: 'U1' }))).toBe('channel_not_found');
    expect(await slackError(client.conversations.invite({ channel: 'CRANDOM', users: 'U2' }))).toBe('not_in_channel');
  });

  it('joins public channels, with a warning when already in, and cannot see private ones', async () => {
    const joined = await client.conversations.join({ channel: 'CRANDOM' });
    expect(joined.channel).toMatchObject({ id: 'CRANDOM', is_member: true });
    const again = await client.conversations.join({ channel: 'CRANDOM' });
    expect(again).toMatchObject({
      warning: 'already_in_channel',
      response_metadata: { warnings: ['already_in_channel'] },
    });
    expect(await slackError(client.conversations.join({ channel: 'CSECRET' }))).toBe('channel_not_found');
  });

  it('pages conversations.members with cursors', async () => {
    const first = await client.conversations.members({ channel: 'CGENERAL', limit: 2 });
    expect(first.members).toEqual(['U1', 'U2']);
    expect(first.response_metadata?.next_cursor).toBeTruthy();
    const second = await client.conversations.members({
      channel: 'CGENERAL',
      limit: 2,
      cursor: first.response_metadata!.next_cursor,
    });
    expect(second.members).toEqual(['UBOT']);
    expect(second.response_metadata?.next_cursor).toBe('');
    const all: string[] = [];
    const pages = client.paginate('conversations.members', { channel: 'CGENERAL', limit: 1 });
    for await (const page of pages as AsyncIterable<ConversationsMembersResponse>) all.push(...(page.members ?? []));
    expect(all).toEqual(['U1', 'U2', 'UBOT']);
  });

  it('fetches one message by ts with latest + inclusive + limit 1, as Slack recommends', async () => {
    const t1 = slack.addMessage('CGENERAL', { user: 'U1', text: 'first', ts: '1763647200.000100' });
    const t2 = slack.addMessage('CGENERAL', { user: 'U2', text: 'second', ts: '1763647260.000200' });
    slack.addMessage('CGENERAL', { user: 'U1', text: 'third' });
    const one = await client.conversations.history({ channel: 'CGENERAL', latest: t2, inclusive: true, limit: 1 });
    expect(one.messages?.map((m) => m.text)).toEqual(['second']);
    expect(one.has_more).toBe(true);
    const exclusive = await client.conversations.history({ channel: 'CGENERAL', latest: t2, limit: 1 });
    expect(exclusive.messages?.map((m) => m.ts)).toEqual([t1]);
    const after = await client.conversations.history({ channel: 'CGENERAL', oldest: t1 });
    expect(after.messages?.map((m) => m.text)).toEqual(['third', 'second']);
    expect(await slackError(client.conversations.history({ channel: 'CRANDOM' }))).toBe('not_in_channel');
    expect(await slackError(client.conversations.history({ channel: 'CGENERAL', latest: 'yesterday' }))).toBe(
      'invalid_ts_latest',
    );
  });

  it('gives a thread with conversations.replies, parent first, and keeps replies out of history', async () => {
    const parent = slack.addMessage('CGENERAL', { user: 'U1', text: 'payments are down' });
    const reply = slack.addMessage('CGENERAL', { user: 'U2', text: 'looking', threadTs: parent });
    const history = await client.conversations.history({ channel: 'CGENERAL' });
    expect(history.messages).toHaveLength(1);
    expect(history.messages?.[0]).toMatchObject({
      thread_ts: parent,
      reply_count: 1,
      reply_users: ['U2'],
      latest_reply: reply,
    });
    const thread = await client.conversations.replies({ channel: 'CGENERAL', ts: reply });
    expect(thread.messages?.map((m) => m.text)).toEqual(['payments are down', 'looking']);
    expect(thread.messages?.[1]).toMatchObject({ thread_ts: parent, parent_user_id: 'U1' });
    expect(await slackError(client.conversations.replies({ channel: 'CGENERAL', ts: '1.000001' }))).toBe(
      'thread_not_found',
    );
  });

  it('opens a DM (D…) once and reports it already open afterwards', async () => {
    const opened = await client.conversations.open({ users: 'U1' });
    expect(opened.channel?.id).toMatch(/^D/);
    const again = await client.conversations.open({ users: 'U1', return_im: true });
    expect(again).toMatchObject({
      no_op: true,
      already_open: true,
      channel: { id: opened.channel?.id, is_im: true, user: 'U1' },
    });
    expect(await slackError(client.conversations.open({ users: 'UNOPE' }))).toBe('user_not_found');
  });
});

describe('chat', () => {
  it('posts as the bot and answers with ts, channel and the message', async () => {
    const result = await client.chat.postMessage({ channel: 'CGENERAL', text: 'Incident declared' });
    expect(result).toMatchObject({
      ok: true,
      channel: 'CGENERAL',
      ts: expect.stringMatching(/^\d{10}\.\d{6}$/),
      message: { type: 'message', text: 'Incident declared', user: 'UBOT', bot_id: 'BBOT', ts: result.ts },
    });
    const next = await client.chat.postMessage({ channel: 'CGENERAL', text: 'again' });
    expect(next.ts! > result.ts!).toBe(true);
    expect(slack.messagesIn('CGENERAL').map((m) => m.text)).toEqual(['Incident declared', 'again']);
  });

  it("needs the bot in the channel; a user id posts into the bot's DM with them", async () => {
    expect(await slackError(client.chat.postMessage({ channel: 'CRANDOM', text: 'hi' }))).toBe('not_in_channel');
    expect(await slackError(client.chat.postMessage({ channel: 'CSECRET', text: 'hi' }))).toBe('channel_not_found');
    expect(await slackError(client.chat.postMessage({ channel: 'CNOPE', text: 'hi' }))).toBe('channel_not_found');
    const toUser = await client.chat.postMessage({ channel: 'U2', text: 'by user id' });
    expect(toUser.channel).toMatch(/^D/);
    const again = await client.chat.postMessage({ channel: toUser.channel!, text: 'by DM id' });
    expect(again.channel).toBe(toUser.channel);
    expect(slack.messagesIn(toUser.channel!).map((m) => m.text)).toEqual(['by user id', 'by DM id']);
    expect(await slackError(client.chat.postMessage({ channel: 'UNOPE', text: 'hi' }))).toBe('channel_not_found');
  });

  it('wants text, blocks or attachments, and truncates text at 40,000 characters', async () => {
    expect(await slackError(client.chat.postMessage({ channel: 'CGENERAL', text: '' }))).toBe('no_text');
    const long = await client.chat.postMessage({ channel: 'CGENERAL', text: 'x'.repeat(40_010) });
    expect(long.message?.text).toHaveLength(40_000);
  });

  it('refuses blocks over the limits with invalid_blocks in Slack’s format', async () => {
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const error = await rejection(client.chat.postMessage({ channel: 'CGENERAL', text: 'x', blocks: tooMany }));
    expect(error.data).toEqual({
      ok: false,
      error: 'invalid_blocks',
      errors: ['no more than 50 items allowed [json-pointer:/blocks]'],
      response_metadata: { messages: ['[ERROR] no more than 50 items allowed [json-pointer:/blocks]'] },
    });
    const longSection = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }];
    const sectionError = await rejection(
      client.chat.postMessage({ channel: 'CGENERAL', text: 'x', blocks: longSection }),
    );
    expect(sectionError.data.errors).toEqual([
      'failed to match all allowed schemas [json-pointer:/blocks/0/text]',
      'must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ]);
    const heavy = Array.from({ length: 5 }, () => ({
      type: 'section',
      text: { type: 'mrkdwn', text: 'x'.repeat(3000) },
    }));
    expect(await slackError(client.chat.postMessage({ channel: 'CGENERAL', text: 'x', blocks: heavy }))).toBe(
      'msg_blocks_too_long',
    );
    expect(slack.messagesIn('CGENERAL')).toEqual([]);
  });

  it('posts ephemeral messages only to members of the channel', async () => {
    const result = await client.chat.postEphemeral({ channel: 'CGENERAL', user: 'U1', text: 'only you' });
    expect(result.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(slack.ephemeralsTo('U1')).toMatchObject([
      { channel: 'CGENERAL', text: 'only you', via: 'chat.postEphemeral' },
    ]);
    expect(slack.messagesIn('CGENERAL')).toEqual([]);
    expect(await slackError(client.chat.postEphemeral({ channel: 'CGENERAL', user: 'U3', text: 'x' }))).toBe(
      'user_not_in_channel',
    );
    expect(await slackError(client.chat.postEphemeral({ channel: 'CRANDOM', user: 'U1', text: 'x' }))).toBe(
      'not_in_channel',
    );
  });

  it('reports reactions with reactions.get', async () => {
    const ts = slack.addMessage('CGENERAL', { user: 'U1', text: 'db failover at 14:05' });
    slack.addReaction('CGENERAL', ts, 'pushpin', 'U2');
    slack.addReaction('CGENERAL', ts, 'pushpin', 'U1');
    const result = await client.reactions.get({ channel: 'CGENERAL', timestamp: ts });
    expect(result).toMatchObject({
      type: 'message',
      channel: 'CGENERAL',
      message: { ts, text: 'db failover at 14:05', reactions: [{ name: 'pushpin', users: ['U2', 'U1'], count: 2 }] },
    });
    expect(await slackError(client.reactions.get({ channel: 'CGENERAL', timestamp: '1.000001' }))).toBe(
      'message_not_found',
    );
  });
});

describe('views', () => {
  const modal = (title = 'Declare incident', extra: object = {}) => ({
    type: 'modal' as const,
    callback_id: 'incident_start',
    title: { type: 'plain_text' as const, text: title },
    submit: { type: 'plain_text' as const, text: 'Declare' },
    blocks: [
      {
        type: 'input',
        block_id: 'title',
        label: { type: 'plain_text', text: 'Title' },
        element: { type: 'plain_text_input', action_id: 'title_input', max_length: 3000 },
      },
    ],
    ...extra,
  });

  it('opens a modal with a fresh trigger id and returns the view with a V… id', async () => {
    const triggerId = slack.issueTriggerId({ userId: 'U1' });
    const { view } = await client.views.open({ trigger_id: triggerId, view: modal() });
    expect(view).toMatchObject({
      id: expect.stringMatching(/^V/),
      type: 'modal',
      callback_id: 'incident_start',
      team_id: 'T0001',
      state: { values: {} },
      hash: expect.any(String),
      root_view_id: view?.id,
      previous_view_id: null,
      bot_id: 'BBOT',
    });
    expect(slack.openedViews).toMatchObject([{ viewId: view?.id, userId: 'U1', via: 'views.open' }]);
  });

  it('refuses unknown, reused and expired (> 3 s) trigger ids', async () => {
    expect(await slackError(client.views.open({ trigger_id: '123.456.abc', view: modal() }))).toBe(
      'invalid_trigger_id',
    );
    const used = slack.issueTriggerId();
    await client.views.open({ trigger_id: used, view: modal() });
    expect(await slackError(client.views.open({ trigger_id: used, view: modal() }))).toBe('exchanged_trigger_id');
    const onTime = slack.issueTriggerId();
    now += 3000;
    expect((await client.views.open({ trigger_id: onTime, view: modal() })).ok).toBe(true);
    const late = slack.issueTriggerId();
    now += 3001;
    expect(await slackError(client.views.open({ trigger_id: late, view: modal() }))).toBe('expired_trigger_id');
  });

  it('refuses views over the limits with invalid_arguments and response_metadata.messages', async () => {
    const error = await rejection(
      client.views.open({ trigger_id: slack.issueTriggerId(), view: modal('x'.repeat(25)) }),
    );
    expect(error.data).toEqual({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: {
        messages: [
          '[ERROR] failed to match all allowed schemas [json-pointer:/view/title]',
          '[ERROR] must be less than 25 characters [json-pointer:/view/title/text]',
        ],
      },
    });
    const metadata = modal('ok', { private_metadata: 'x'.repeat(3001) });
    const metadataError = await rejection(client.views.open({ trigger_id: slack.issueTriggerId(), view: metadata }));
    expect(metadataError.data.response_metadata.messages).toContain(
      '[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]',
    );
  });

  it('updates a view by id, honouring hash', async () => {
    const { view } = await client.views.open({ trigger_id: slack.issueTriggerId({ userId: 'U1' }), view: modal() });
    const updated = await client.views.update({ view_id: view!.id!, hash: view!.hash!, view: modal('Declared') });
    expect(updated.view).toMatchObject({ id: view?.id, title: { text: 'Declared' } });
    expect(updated.view?.hash).not.toBe(view?.hash);
    expect(await slackError(client.views.update({ view_id: view!.id!, hash: view!.hash!, view: modal() }))).toBe(
      'hash_conflict',
    );
    expect(await slackError(client.views.update({ view_id: 'VNOPE', view: modal() }))).toBe('not_found');
  });
});

describe('faults', () => {
  it('answers HTTP 429 with Retry-After, which a WebClient rejecting rate-limited calls reports', async () => {
    slack.failNext('chat.postMessage', { error: 'ratelimited', retryAfterSeconds: 7 });
    const limited = webClient({ rejectRateLimitedCalls: true });
    const error = await rejection(limited.chat.postMessage({ channel: 'CGENERAL', text: 'digest' }));
    expect(error.code).toBe(ErrorCode.RateLimitedError);
    expect(error.retryAfter).toBe(7);
    expect(slack.messagesIn('CGENERAL')).toEqual([]);
    expect((await limited.chat.postMessage({ channel: 'CGENERAL', text: 'digest' })).ok).toBe(true);
    expect(slack.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
  });

  it('sends the 429 as Slack does on the wire', async () => {
    slack.failNext('users.info', { error: 'ratelimited', retryAfterSeconds: 3, times: 2 });
    const raw = () =>
      post(`${slack.apiUrl}users.info`, 'user=U1', 'application/x-www-form-urlencoded', {
        authorization: `Bearer ${TOKEN}`,
      });
    for (const _ of [1, 2]) {
      const response = await raw();
      expect([response.status, response.headers.get('retry-after'), response.json]).toEqual([
        429,
        '3',
        { ok: false, error: 'ratelimited' },
      ]);
    }
    expect((await raw()).status).toBe(200);
  });

  it('can fail with any Slack error or an HTTP 5xx', async () => {
    slack.failNext('chat.postMessage', { error: 'fatal_error' });
    expect(await slackError(client.chat.postMessage({ channel: 'CGENERAL', text: 'x' }))).toBe('fatal_error');
    slack.failNext('chat.postMessage', { error: 'service_unavailable', status: 503 });
    const error = await rejection(client.chat.postMessage({ channel: 'CGENERAL', text: 'x' }));
    expect([error.code, error.statusCode]).toEqual([ErrorCode.HTTPError, 503]);
  });

  it('simulates a slow Slack', async () => {
    slack.delayNext('users.info', 300);
    const impatient = webClient({ timeout: 50 });
    const error = await rejection(impatient.users.info({ user: 'U1' }));
    expect(error.code).toBe(ErrorCode.RequestError);
    // The delay was used up: the next call answers.
    expect((await client.users.info({ user: 'U1' })).ok).toBe(true);
  });
});

describe('recording', () => {
  it('records every call with parsed arguments, without the token', async () => {
    await client.chat.postMessage({ channel: 'CGENERAL', text: 'hi', blocks: [{ type: 'divider' }] });
    await rejection(client.chat.postMessage({ channel: 'CRANDOM', text: 'no' }));
    const [first, second] = slack.callsTo('chat.postMessage');
    expect(first).toMatchObject({
      method: 'chat.postMessage',
      args: { channel: 'CGENERAL', text: 'hi', blocks: [{ type: 'divider' }] },
      status: 200,
      response: { ok: true },
      at: new Date(START),
    });
    expect(JSON.stringify(slack.calls)).not.toContain(TOKEN);
    expect(second?.response).toEqual({ ok: false, error: 'not_in_channel' });
    expect(slack.lastCall('chat.postMessage')).toBe(second);
    slack.reset();
    expect(slack.calls).toEqual([]);
    expect(slack.messagesIn('CGENERAL')).toHaveLength(1);
  });
});

describe('response URLs', () => {
  it('takes 5 messages, then answers 404 used_url', async () => {
    const url = slack.newResponseUrl({ channelId: 'CGENERAL', userId: 'U1' });
    for (const n of [1, 2, 3, 4, 5]) {
      expect(await postJson(url, { text: `update ${n}` })).toMatchObject({ status: 200, json: { ok: true } });
    }
    expect(await postJson(url, { text: 'sixth' })).toMatchObject({
      status: 404,
      json: { ok: false, error: 'used_url' },
    });
    expect(slack.ephemeralsTo('U1').map((e) => e.text)).toEqual([
      'update 1',
      'update 2',
      'update 3',
      'update 4',
      'update 5',
    ]);
    expect(slack.responsesAt(url).map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 404]);
  });

  it('expires after 30 minutes', async () => {
    const url = slack.newResponseUrl({ channelId: 'CGENERAL', userId: 'U1' });
    now += 30 * 60 * 1000 + 1;
    expect(await postJson(url, { text: 'late' })).toMatchObject({ status: 404, json: { error: 'expired_url' } });
  });

  it('posts in_channel as the bot, replaces or deletes the original, and checks blocks', async () => {
    const card = await client.chat.postMessage({ channel: 'CGENERAL', text: 'card' });
    const url = slack.newResponseUrl({ channelId: 'CGENERAL', userId: 'U1', messageTs: card.ts! });
    await postJson(url, { response_type: 'in_channel', text: 'Status: mitigated' });
    await postJson(url, { replace_original: true, text: 'card v2' });
    expect(slack.messagesIn('CGENERAL').map((m) => [m.text, m.user])).toEqual([
      ['card v2', 'UBOT'],
      ['Status: mitigated', 'UBOT'],
    ]);
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const refused = await postJson(url, { text: 'x', blocks: tooMany });
    expect(refused).toMatchObject({
      status: 400,
      json: { ok: false, error: 'invalid_blocks', errors: ['no more than 50 items allowed [json-pointer:/blocks]'] },
    });
    await postJson(url, { delete_original: true });
    expect(slack.messagesIn('CGENERAL').map((m) => m.text)).toEqual(['Status: mitigated']);
  });

  it('fails on demand like any endpoint', async () => {
    const url = slack.newResponseUrl({ channelId: 'CGENERAL', userId: 'U1' });
    slack.failNext(RESPONSE_URL, { error: 'internal_error', status: 500 });
    expect((await postJson(url, { text: 'x' })).status).toBe(500);
    expect((await postJson(url, { text: 'x' })).status).toBe(200);
    expect((await post(url, 'not json', 'application/json')).json).toEqual({ ok: false, error: 'invalid_payload' });
  });
});

describe('requests Slack sends to the app', () => {
  let app: Server;
  let received: { headers: IncomingMessage['headers']; body: string }[];
  let appUrl: string;

  beforeEach(async () => {
    received = [];
    app = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise((resolve) => app.close(resolve));
  });

  it('builds a slash command whose trigger id and response URL the stand-in honours', async () => {
    const body = slashCommandBody(slack, {
      userId: 'U1',
      channelId: 'CGENERAL',
      command: '/incident',
      text: 'start sev1 DB down',
    });
    expect(body.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.keys(body.payload)).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    expect(new URLSearchParams(body.rawBody).get('text')).toBe('start sev1 DB down');
    expect(body.payload).toMatchObject({ channel_name: 'general', user_name: 'alice', command: '/incident' });
    expect(
      (
        await client.views.open({
          trigger_id: body.triggerId!,
          view: { type: 'modal', title: { type: 'plain_text', text: 'T' }, blocks: [] },
        })
      ).ok,
    ).toBe(true);
    expect((await postJson(body.responseUrl!, { text: 'Declared' })).status).toBe(200);
    expect(slack.ephemeralsTo('U1')).toMatchObject([{ channel: 'CGENERAL', text: 'Declared', via: 'response_url' }]);
  });

  it('signs what it sends as Slack does, and can send retries and bad signatures', async () => {
    const requests = new SlackRequestClient(appUrl, 'secret');
    const body = eventCallbackBody(slack, { kind: 'message', channelId: 'CGENERAL', userId: 'U1', text: 'hello' });
    const answer = await requests.send(body, { retryNum: 1, retryReason: 'http_timeout' });
    expect(answer).toEqual({ status: 200, text: '{"ok":true}', json: { ok: true } });
    const [signed] = received;
    const timestamp = Number(signed!.headers['x-slack-request-timestamp']);
    expect(signed!.headers['x-slack-signature']).toBe(
      signSlackRequest('secret', signed!.body, timestamp)['x-slack-signature'],
    );
    expect(signed!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    await requests.send(body, { signature: null });
    expect(received[1]!.headers).not.toHaveProperty('x-slack-signature');
    await requests.send(body, { signature: 'v0=deadbeef' });
    expect(received[2]!.headers['x-slack-signature']).toBe('v0=deadbeef');
    await requests.send(body, { timestamp: 1_000_000 });
    expect(received[3]!.headers['x-slack-request-timestamp']).toBe('1000000');
  });

  it('stores messages before their events, and follows edits, deletions and reactions', () => {
    const posted = eventCallbackBody(slack, {
      kind: 'message',
      channelId: 'CGENERAL',
      userId: 'U1',
      text: 'DB is down',
    });
    expect(posted.payload).toMatchObject({
      type: 'event_callback',
      team_id: 'T0001',
      event_id: expect.stringMatching(/^Ev/),
      authorizations: [{ team_id: 'T0001', user_id: 'UBOT', is_bot: true }],
      is_ext_shared_channel: false,
      event: { type: 'message', channel: 'CGENERAL', user: 'U1', text: 'DB is down', channel_type: 'channel' },
    });
    const ts = (posted.payload.event as { ts: string }).ts;
    expect(slack.message('CGENERAL', ts)).toMatchObject({ text: 'DB is down' });
    const reply = eventCallbackBody(slack, {
      kind: 'message',
      channelId: 'CGENERAL',
      userId: 'U2',
      text: 'on it',
      threadTs: ts,
    });
    expect(reply.payload.event).toMatchObject({ thread_ts: ts, parent_user_id: 'U1' });
    const edited = eventCallbackBody(slack, {
      kind: 'message_changed',
      channelId: 'CGENERAL',
      ts,
      text: 'DB is down (eu-west)',
    });
    expect(edited.payload.event).toMatchObject({
      subtype: 'message_changed',
      hidden: true,
      message: { ts, text: 'DB is down (eu-west)', edited: { user: 'U1' } },
      previous_message: { ts, text: 'DB is down' },
    });
    const pinned = eventCallbackBody(slack, {
      kind: 'reaction_added',
      channelId: 'CGENERAL',
      ts,
      userId: 'U2',
      reaction: 'pushpin',
    });
    expect(pinned.payload.event).toMatchObject({
      type: 'reaction_added',
      item: { type: 'message', channel: 'CGENERAL', ts },
      item_user: 'U1',
    });
    expect(slack.messagesIn('CGENERAL')[0]?.reactions).toEqual([{ name: 'pushpin', users: ['U2'] }]);
    const deleted = eventCallbackBody(slack, {
      kind: 'message_deleted',
      channelId: 'CGENERAL',
      ts: reply.payload.event ? (reply.payload.event as { ts: string }).ts : '',
    });
    expect(deleted.payload.event).toMatchObject({ subtype: 'message_deleted', previous_message: { text: 'on it' } });
    expect(slack.messagesIn('CGENERAL').map((m) => m.text)).toEqual(['DB is down (eu-west)']);
  });

  it('builds bot messages', async () => {
    const ours = await client.chat.postMessage({ channel: 'CGENERAL', text: 'card' });
    const echo = eventCallbackBody(slack, { kind: 'bot_message', channelId: 'CGENERAL', ts: ours.ts! });
    expect(echo.payload.event).toMatchObject({ type: 'message', bot_id: 'BBOT', user: 'UBOT', text: 'card' });
    const legacy = eventCallbackBody(slack, {
      kind: 'bot_message',
      channelId: 'CGENERAL',
      botId: 'BPAGER',
      text: 'PagerDuty: triggered',
      legacy: true,
    });
    expect(legacy.payload.event).toMatchObject({ subtype: 'bot_message', bot_id: 'BPAGER', username: 'integration' });
    expect(legacy.payload.event).not.toHaveProperty('user');
  });

  it('builds block_actions from the element where it sits, with a usable trigger id and response URL', async () => {
    const card = await client.chat.postMessage({
      channel: 'CGENERAL',
      text: 'Pick a slot',
      blocks: [
        {
          type: 'actions',
          block_id: 'slots',
          elements: [
            {
              type: 'button',
              action_id: 'debrief_pick',
              text: { type: 'plain_text', text: 'Mon 10:00' },
              value: '2026-11-23T10:00:00Z',
            },
            {
              type: 'static_select',
              action_id: 'postmortem_owner_select',
              options: [{ text: { type: 'plain_text', text: 'Alice' }, value: 'U1' }],
            },
          ],
        },
      ],
    });
    const click = blockActionsBody(slack, {
      userId: 'U2',
      actionId: 'debrief_pick',
      source: { channelId: 'CGENERAL', messageTs: card.ts! },
    });
    expect(click.payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U2', username: 'bob', team_id: 'T0001' },
      container: { type: 'message', message_ts: card.ts, channel_id: 'CGENERAL', is_ephemeral: false },
      channel: { id: 'CGENERAL', name: 'general' },
      message: { ts: card.ts, text: 'Pick a slot' },
      actions: [{ type: 'button', action_id: 'debrief_pick', block_id: 'slots', value: '2026-11-23T10:00:00Z' }],
    });
    expect(new URLSearchParams(click.rawBody).get('payload')).toBe(JSON.stringify(click.payload));
    const select = blockActionsBody(slack, {
      userId: 'U2',
      actionId: 'postmortem_owner_select',
      selected: 'U1',
      source: { channelId: 'CGENERAL', messageTs: card.ts! },
    });
    expect((select.payload.actions as unknown[])[0]).toMatchObject({ selected_option: { value: 'U1' } });
    expect(() =>
      blockActionsBody(slack, {
        userId: 'U2',
        actionId: 'nope',
        source: { channelId: 'CGENERAL', messageTs: card.ts! },
      }),
    ).toThrow('no element with action_id nope');
    await postJson(click.responseUrl!, { replace_original: true, text: 'Debrief booked' });
    expect(slack.messagesIn('CGENERAL')[0]).toMatchObject({ text: 'Debrief booked', edited: { user: 'UBOT' } });
    expect(slack.messagesIn('CGENERAL')[0]).not.toHaveProperty('blocks');
    expect(
      (
        await client.views.open({
          trigger_id: click.triggerId!,
          view: { type: 'modal', title: { type: 'plain_text', text: 'Slot' }, blocks: [] },
        })
      ).ok,
    ).toBe(true);
  });

  it('builds view_submission with state.values from the view Slack holds', async () => {
    const { view } = await client.views.open({
      trigger_id: slack.issueTriggerId({ userId: 'U1' }),
      view: {
        type: 'modal',
        callback_id: 'incident_start',
        title: { type: 'plain_text', text: 'Declare' },
        submit: { type: 'plain_text', text: 'Declare' },
        blocks: [
          {
            type: 'input',
            block_id: 'title',
            label: { type: 'plain_text', text: 'Title' },
            element: { type: 'plain_text_input', action_id: 'title_input' },
          },
          {
            type: 'input',
            block_id: 'severity',
            label: { type: 'plain_text', text: 'Severity' },
            element: {
              type: 'static_select',
              action_id: 'severity_select',
              initial_option: { text: { type: 'plain_text', text: 'sev3' }, value: 'sev3' },
              options: ['sev1', 'sev3'].map((s) => ({ text: { type: 'plain_text', text: s }, value: s })),
            },
          },
        ],
      },
    });
    const submitted = viewSubmissionBody(slack, {
      userId: 'U1',
      viewId: view!.id!,
      values: { title_input: 'Payments down' },
    });
    expect(submitted.payload).toMatchObject({
      type: 'view_submission',
      view: {
        id: view?.id,
        callback_id: 'incident_start',
        state: {
          values: {
            title: { title_input: { type: 'plain_text_input', value: 'Payments down' } },
            severity: { severity_select: { type: 'static_select', selected_option: { value: 'sev3' } } },
          },
        },
      },
      response_urls: [],
    });
  });

  it('builds the add_to_timeline message shortcut', () => {
    const ts = slack.addMessage('CGENERAL', { user: 'U2', text: 'rolled back at 14:10' });
    const shortcut = messageShortcutBody(slack, { userId: 'U1', channelId: 'CGENERAL', messageTs: ts });
    expect(shortcut.payload).toMatchObject({
      type: 'message_action',
      callback_id: 'add_to_timeline',
      trigger_id: shortcut.triggerId,
      response_url: shortcut.responseUrl,
      user: { id: 'U1', username: 'alice', team_id: 'T0001' },
      channel: { id: 'CGENERAL', name: 'general' },
      message_ts: ts,
      message: { ts, user: 'U2', text: 'rolled back at 14:10' },
    });
  });
});

describe('oauth.v2.access', () => {
  const CLIENT_ID = '1111.2222';
  const CLIENT_SECRET = 'client-secret-value';
  const SCOPES = ['commands', 'chat:write', 'channels:manage'];
  const noToken = () => webClient({}, null);

  beforeEach(async () => {
    // The shared stand-in has no OAuth credentials; this one does (same workspace otherwise).
    await slack.stop();
    slack = new SlackStandIn({
      teamId: 'T0001',
      botToken: TOKEN,
      botUserId: 'UBOT',
      botId: 'BBOT',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      now: () => now,
    });
    await slack.start();
    client = webClient();
    slack.addUser({ id: 'U1', name: 'alice' });
    slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['U1', 'UBOT'] });
  });

  const exchange = (code: string, extra: Record<string, string> = {}) =>
    noToken().oauth.v2.access({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, code, ...extra });

  it('exchanges a code for a bot token, answering in Slack shape for a bot-only install', async () => {
    const code = slack.issueOAuthCode({ teamId: 'T0001', userId: 'U1', scopes: SCOPES });
    const { response_metadata: _, ...result } = await exchange(code);
    expect(result).toEqual({
      ok: true,
      app_id: 'A0DEBRIEF1',
      authed_user: { id: 'U1' },
      scope: 'commands,chat:write,channels:manage',
      token_type: 'bot',
      access_token: expect.stringMatching(/^xoxb-\d+-\d+-[A-Za-z0-9]{24}$/),
      bot_user_id: 'UBOT',
      team: { id: 'T0001', name: 'Debrief Demo' },
      enterprise: null,
      is_enterprise_install: false,
    });
    expect(slack.issuedBotTokens).toEqual([result.access_token]);
  });

  it('the issued token authenticates: auth.test answers for its workspace, and calls name it', async () => {
    const { access_token } = await exchange(slack.issueOAuthCode({ userId: 'U1', scopes: SCOPES }));
    const installed = webClient({}, access_token!);
    expect(await installed.auth.test()).toMatchObject({ ok: true, team_id: 'T0001', user_id: 'UBOT', bot_id: 'BBOT' });
    await installed.chat.postMessage({ channel: 'CGENERAL', text: 'hello from the installation' });
    expect(slack.credentialOf(access_token)).toBe('oauth #1');
    expect(slack.lastCall('chat.postMessage')).toMatchObject({ status: 200, credential: 'oauth #1' });
    // The seeded token still works and is named as such; recordings never hold a token.
    await client.auth.test();
    expect(slack.lastCall('auth.test')?.credential).toBe('bot token');
    const recorded = JSON.stringify(slack.calls.filter((call) => call.method !== 'oauth.v2.access'));
    expect(recorded).not.toContain(access_token!);
    expect(recorded).not.toContain(TOKEN);
    expect(slack.credentialOf('xoxb-unknown')).toBeUndefined();
  });

  it('takes the client credentials by HTTP Basic auth too, and never records the secret', async () => {
    const code = slack.issueOAuthCode({ userId: 'U1', scopes: SCOPES });
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    const response = await post(`${slack.apiUrl}oauth.v2.access`, `code=${code}`, 'application/x-www-form-urlencoded', {
      authorization: `Basic ${basic}`,
    });
    expect(response.json).toMatchObject({ ok: true, token_type: 'bot' });
    await exchange(slack.issueOAuthCode({ userId: 'U1', scopes: SCOPES }));
    const calls = slack.callsTo('oauth.v2.access');
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.args).not.toHaveProperty('client_secret');
      expect(call).not.toHaveProperty('token');
      expect(JSON.stringify(call.args)).not.toContain(CLIENT_SECRET);
    }
    expect(calls[1]!.args).toMatchObject({ client_id: CLIENT_ID });
  });

  it('answers invalid_client_id and bad_client_secret for wrong app credentials', async () => {
    const code = slack.issueOAuthCode({ userId: 'U1', scopes: SCOPES });
    expect(await slackError(noToken().oauth.v2.access({ client_id: '9.9', client_secret: CLIENT_SECRET, code }))).toBe(
      'invalid_client_id',
    );
    expect(await slackError(noToken().oauth.v2.access({ client_secret: CLIENT_SECRET, code } as never))).toBe(
      'invalid_client_id',
    );
    expect(await slackError(noToken().oauth.v2.access({ client_id: CLIENT_ID, client_secret: 'nope', code }))).toBe(
      'bad_client_secret',
    );
    // The code survived the refused attempts.
    expect(await exchange(code)).toMatchObject({ ok: true });
  });

  it('answers invalid_code for an unknown, missing, reused or expired code', async () => {
    expect(await slackError(exchange('123.456.nope'))).toBe('invalid_code');
    expect(await slackError(noToken().oauth.v2.access({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET }))).toBe(
      'invalid_code',
    );
    const code = slack.issueOAuthCode({ userId: 'U1', scopes: SCOPES });
    await exchange(code);
    expect(await slackError(exchange(code))).toBe('invalid_code');
    const late = slack.issueOAuthCode({ userId: 'U1', scopes: SCOPES });
    now += 10 * 60 * 1000 + 1;
    expect(await slackError(exchange(late))).toBe('invalid_code');
    expect(slack.issuedBotTokens).toHaveLength(1);
  });

  it('checks the redirect_uri when the authorize request named one, and the grant type', async () => {
    const code = slack.issueOAuthCode({ userId: 'U1', scopes: SCOPES, redirectUri: 'https://app.example/cb' });
    expect(await slackError(exchange(code))).toBe('bad_redirect_uri');
    expect(await slackError(exchange(code, { redirect_uri: 'https://evil.example/cb' }))).toBe('bad_redirect_uri');
    expect(await slackError(exchange(code, { grant_type: 'client_credentials' }))).toBe('invalid_grant_type');
    expect(await exchange(code, { redirect_uri: 'https://app.example/cb' })).toMatchObject({ ok: true });
  });

  it('without OAuth credentials configured every exchange is invalid_client_id', async () => {
    await slack.stop();
    slack = new SlackStandIn({ teamId: 'T0001', botToken: TOKEN, botUserId: 'UBOT', botId: 'BBOT', now: () => now });
    await slack.start();
    slack.addUser({ id: 'U1', name: 'alice' });
    const code = slack.issueOAuthCode({ userId: 'U1', scopes: SCOPES });
    expect(await slackError(exchange(code))).toBe('invalid_client_id');
  });

  it('revoked tokens answer token_revoked; the seeded token stays valid', async () => {
    const { access_token } = await exchange(slack.issueOAuthCode({ userId: 'U1', scopes: SCOPES }));
    slack.revokeIssuedTokens();
    expect(await slackError(webClient({}, access_token!).auth.test())).toBe('token_revoked');
    expect(slack.issuedBotTokens).toEqual([]);
    expect(await client.auth.test()).toMatchObject({ ok: true });
  });

  it('issues codes only for its own workspace and its own people', () => {
    expect(() => slack.issueOAuthCode({ teamId: 'T0OTHER', userId: 'U1', scopes: SCOPES })).toThrow(/one workspace/);
    expect(() => slack.issueOAuthCode({ userId: 'UNOBODY', scopes: SCOPES })).toThrow(/unknown user/);
    expect(slack.authorizeUrl).toBe(`${slack.baseUrl}oauth/v2/authorize`);
  });

  it('builds app_uninstalled and tokens_revoked events, revoking the issued tokens first', async () => {
    const { access_token } = await exchange(slack.issueOAuthCode({ userId: 'U1', scopes: SCOPES }));
    const revoked = eventCallbackBody(slack, { kind: 'tokens_revoked' });
    expect(revoked.payload).toMatchObject({
      type: 'event_callback',
      team_id: 'T0001',
      event: { type: 'tokens_revoked', tokens: { oauth: [], bot: ['UBOT'] } },
    });
    expect(await slackError(webClient({}, access_token!).auth.test())).toBe('token_revoked');
    const userTokens = eventCallbackBody(slack, { kind: 'tokens_revoked', userIds: ['U1'] });
    expect(userTokens.payload.event).toMatchObject({ tokens: { oauth: ['U1'], bot: [] } });

    const second = await exchange(slack.issueOAuthCode({ userId: 'U1', scopes: SCOPES }));
    const uninstalled = eventCallbackBody(slack, { kind: 'app_uninstalled' });
    expect(uninstalled.payload).toMatchObject({ team_id: 'T0001', event: { type: 'app_uninstalled' } });
    expect(await slackError(webClient({}, second.access_token!).auth.test())).toBe('token_revoked');
  });
});

describe('files.uploadV2 (getUploadURLExternal, the upload, completeUploadExternal)', () => {
  it('keeps what the WebClient uploads, shares it into the channel and answers in Slack’s shapes', async () => {
    const content = '# Postmortem: Checkout\n\nÜmlauts and emoji 🔥 survive.\n';
    const result = (await client.files.uploadV2({
      channel_id: 'CGENERAL',
      filename: 'postmortem-7.md',
      title: 'Postmortem of incident #7',
      content,
      initial_comment: 'exported',
    })) as unknown as { files: { files: { id: string; title: string }[] }[] };
    const fileId = result.files[0]!.files[0]!.id;
    expect(fileId).toMatch(/^F/);
    expect(result.files[0]!.files[0]!.title).toBe('Postmortem of incident #7');
    expect(slack.uploadedFiles).toEqual([
      expect.objectContaining({
        id: fileId,
        filename: 'postmortem-7.md',
        title: 'Postmortem of incident #7',
        content,
        bytes: Buffer.byteLength(content),
        channelId: 'CGENERAL',
        initialComment: 'exported',
      }),
    ]);
    const [getUrl, complete] = [
      slack.lastCall('files.getUploadURLExternal')!,
      slack.lastCall('files.completeUploadExternal')!,
    ];
    expect(getUrl).toMatchObject({ scope: 'files:write', args: { filename: 'postmortem-7.md' } });
    expect(getUrl.response).toEqual({ ok: true, upload_url: expect.stringMatching(/\/upload\/v1\//), file_id: fileId });
    expect(complete.scope).toBe('files:write');
    expect(slack.messagesIn('CGENERAL').at(-1)).toMatchObject({ user: 'UBOT', text: 'exported' });
  });

  it('refuses to share into a channel the bot is not in, and keeps nothing', async () => {
    const upload = (channel_id: string) =>
      slackError(client.files.uploadV2({ channel_id, filename: 'x.md', content: 'x', title: 'x' }));
    expect(await upload('CRANDOM')).toBe('not_in_channel');
    expect(await upload('CSECRET')).toBe('channel_not_found');
    expect(slack.uploadedFiles).toEqual([]);
  });

  it('needs files:write, answers file_not_found for an id never uploaded, and 404 on an unknown upload URL', async () => {
    const narrow = new SlackStandIn({
      teamId: 'T0002',
      botToken: 'xoxb-narrow',
      botUserId: 'UBOT',
      botId: 'BBOT',
      botScopes: ['chat:write'],
    });
    await narrow.start();
    try {
      const call = new WebClient('xoxb-narrow', {
        slackApiUrl: narrow.apiUrl,
        retryConfig: { retries: 0 },
        logLevel: LogLevel.ERROR,
      });
      expect(await slackError(call.files.getUploadURLExternal({ filename: 'x.md', length: 1 }))).toBe('missing_scope');
    } finally {
      await narrow.stop();
    }
    const { file_id, upload_url } = await client.files.getUploadURLExternal({ filename: 'x.md', length: 1 });
    expect(
      await slackError(client.files.completeUploadExternal({ files: [{ id: file_id! }], channel_id: 'CGENERAL' })),
    ).toBe('file_not_found');
    expect((await post(`${upload_url!}nope`, 'x', 'text/plain')).status).toBe(404);
    expect((await post(upload_url!, 'x', 'text/plain')).text).toBe('OK - 1');
    await client.files.completeUploadExternal({ files: [{ id: file_id!, title: 'X' }] });
    expect(slack.uploadedFiles.at(-1)).toMatchObject({ id: file_id, content: 'x', title: 'X' });
    expect(slack.uploadedFiles.at(-1)?.channelId).toBeUndefined();
  });
});
