/** The stand-in's Socket Mode: apps.connections.open, its tickets, and the envelopes on the WebSocket. */
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import WebSocket from 'ws';
import { blockActionsBody, eventCallbackBody, messageShortcutBody, slashCommandBody } from '../kit/slack-requests';
import { SlackStandIn } from '../kit/slack-stand-in';
import { envelopeTypeOf, type SocketModeServer, SocketOperationTimeoutError } from '../kit/socket-mode';

const BOT_TOKEN = 'xoxb-test';
const APP_TOKEN = 'xapp-1-A0DEBRIEF1-1-test';

let slack: SlackStandIn;
let socket: SocketModeServer;
const clients: WebSocket[] = [];

function webClient(token?: string): WebClient {
  return new WebClient(token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
}

async function slackError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    const failure = error as { code?: string; data?: { error?: string } };
    expect(failure.code).toBe(ErrorCode.PlatformError);
    return failure.data?.error ?? '';
  }
  throw new Error('expected the call to fail');
}

async function openUrl(token = APP_TOKEN): Promise<string> {
  const result = await webClient(token).apps.connections.open({});
  return String(result.url);
}

interface Client {
  ws: WebSocket;
  /** Messages the server sent, parsed, in order. */
  received: Record<string, unknown>[];
}

/** A bare WebSocket client: the app's side done by hand. */
async function connect(url: string): Promise<Client> {
  const ws = new WebSocket(url);
  clients.push(ws);
  const received: Record<string, unknown>[] = [];
  ws.on('message', (data) => received.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, received };
}

async function next(client: Client, count: number): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200 && client.received.length < count; i++) await new Promise((r) => setTimeout(r, 10));
  const message = client.received[count - 1];
  if (!message) throw new Error(`no message #${count}`);
  return message;
}

beforeEach(async () => {
  slack = new SlackStandIn({ teamId: 'T0001', botToken: BOT_TOKEN, botUserId: 'UBOT', botId: 'BBOT' });
  socket = slack.enableSocketMode({ appToken: APP_TOKEN, deadlineMs: 200 });
  await slack.start();
  slack.addUser({ id: 'U1', name: 'alice' });
  slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['U1', 'UBOT'] });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  expect(slack.internalErrors).toEqual([]);
  await slack.stop();
});

describe('apps.connections.open', () => {
  it('answers the app-level token with a single-use WebSocket URL on the stand-in, recorded as the app’s call', async () => {
    const url = await openUrl();
    expect(url).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/link/\\?ticket=[0-9a-f-]{36}&app_id=${slack.appId}$`));
    expect(new URL(url).port).toBe(new URL(slack.baseUrl).port);
    expect(slack.lastCall('apps.connections.open')).toMatchObject({
      credential: 'app-level token',
      scope: 'connections:write',
      status: 200,
    });
    // An app-level scope: the manifest's bot scopes need not (and cannot) hold it.
    expect(slack.scopesUsed).not.toContain('connections:write');
  });

  it('refuses every other token as Slack does', async () => {
    expect(await slackError(webClient().apps.connections.open({}))).toBe('not_authed');
    expect(await slackError(webClient(BOT_TOKEN).apps.connections.open({}))).toBe('not_allowed_token_type');
    expect(await slackError(webClient('xapp-1-unknown').apps.connections.open({}))).toBe('invalid_auth');
    // And the app-level token is good for nothing else.
    expect(await slackError(webClient(APP_TOKEN).auth.test())).toBe('not_allowed_token_type');
  });

  it('needs connections:write on the app-level token, and Socket Mode turned on', async () => {
    const other = new SlackStandIn({ teamId: 'T0002', botToken: BOT_TOKEN, botUserId: 'UBOT', botId: 'BBOT' });
    await other.start();
    try {
      const client = new WebClient(APP_TOKEN, { slackApiUrl: other.apiUrl, retryConfig: { retries: 0 } });
      expect(await slackError(client.apps.connections.open({}))).toBe('invalid_auth');
      other.enableSocketMode({ appToken: APP_TOKEN, scopes: ['authorizations:read'] });
      expect(await slackError(client.apps.connections.open({}))).toBe('missing_scope');
    } finally {
      await other.stop();
    }
  });
});

describe('the WebSocket', () => {
  it('says hello, and a ticket opens one connection only', async () => {
    const url = await openUrl();
    const client = await connect(url);
    expect(await next(client, 1)).toMatchObject({
      type: 'hello',
      num_connections: 1,
      connection_info: { app_id: slack.appId },
      debug_info: { host: expect.any(String) },
    });
    await expect(connect(url)).rejects.toThrow('HTTP 401');
    await expect(connect(url.replace('/link/', '/elsewhere/'))).rejects.toThrow('HTTP 404');
    const second = await connect(await openUrl());
    expect(await next(second, 1)).toMatchObject({ type: 'hello', num_connections: 2 });
    expect(socket.connections.map((c) => c.id)).toEqual([1, 2]);
  });

  it('delivers envelopes on the newest connection and takes acknowledgements with payloads', async () => {
    const client = await connect(await openUrl());
    const body = slashCommandBody(slack, { userId: 'U1', channelId: 'CGENERAL', command: '/incident', text: 'help' });
    const delivered = socket.send(body);
    const envelope = await next(client, 2);
    expect(envelope).toMatchObject({
      type: 'slash_commands',
      accepts_response_payload: true,
      retry_attempt: 0,
      retry_reason: '',
      payload: { command: '/incident', text: 'help', user_id: 'U1', channel_id: 'CGENERAL' },
    });
    client.ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'the help' } }));
    const result = await delivered;
    expect(result).toMatchObject({ timedOut: false, ack: { payload: { text: 'the help' } }, connectionId: 1 });
    expect(socket.protocolErrors).toEqual([]);
  });

  it('delivers an unacknowledged event again, 3 times, with retry_attempt and retry_reason', async () => {
    const client = await connect(await openUrl());
    const body = eventCallbackBody(slack, { kind: 'message', channelId: 'CGENERAL', userId: 'U1', text: 'hello' });
    const delivered = socket.send(body);
    const last = await next(client, 5);
    client.ws.send(JSON.stringify({ envelope_id: last.envelope_id }));
    const result = await delivered;
    expect(result.deliveries.map((d) => [d.envelope.retry_attempt, d.envelope.retry_reason, d.timedOut])).toEqual([
      [0, '', true],
      [1, 'timeout', true],
      [2, 'timeout', true],
      [3, 'timeout', false],
    ]);
    // Each delivery its own envelope, the same event.
    expect(new Set(result.deliveries.map((d) => d.envelope.envelope_id)).size).toBe(4);
    expect(new Set(result.deliveries.map((d) => (d.envelope.payload as { event_id: string }).event_id)).size).toBe(1);
  });

  it('an unacknowledged command is the user’s operation_timeout', async () => {
    await connect(await openUrl());
    const body = slashCommandBody(slack, { userId: 'U1', channelId: 'CGENERAL', command: '/incident', text: 'help' });
    await expect(socket.send(body)).rejects.toBeInstanceOf(SocketOperationTimeoutError);
  });

  it('notes what Slack would not understand', async () => {
    const client = await connect(await openUrl());
    client.ws.send('not json');
    client.ws.send(JSON.stringify({ envelope_id: 'nobody-sent-this' }));
    client.ws.send(JSON.stringify({ hello: 'there' }));
    for (let i = 0; i < 200 && socket.protocolErrors.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(socket.protocolErrors).toEqual([
      expect.stringContaining('not JSON'),
      expect.stringContaining('unknown or already acknowledged nobody-sent-this'),
      expect.stringContaining('without envelope_id'),
    ]);
    socket.protocolErrors.length = 0;
  });

  it('sends disconnect messages, drops connections and refuses new ones on demand', async () => {
    const client = await connect(await openUrl());
    socket.disconnect('refresh_requested');
    expect(await next(client, 2)).toMatchObject({ type: 'disconnect', reason: 'refresh_requested' });
    const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
    socket.drop();
    expect(await closed).toBe(1006);
    expect(socket.openConnections).toBe(0);
    for (let i = 0; i < 200 && socket.connections[0]?.closedAt === undefined; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(socket.connections[0]).toMatchObject({ closedBy: 'server', closeCode: 1006 });
    socket.refuseConnections(true);
    await expect(connect(await openUrl())).rejects.toThrow('HTTP 503');
    await expect(socket.deliver({} as never)).rejects.toThrow(/no Socket Mode connection is open/);
  });
});

describe('envelope types', () => {
  it('follow the request: events, commands, interactions (view submissions may answer)', () => {
    const ts = slack.addMessage('CGENERAL', {
      user: 'UBOT',
      text: 'x',
      blocks: [
        { type: 'actions', elements: [{ type: 'button', action_id: 'go', text: { type: 'plain_text', text: 'Go' } }] },
      ],
    });
    const event = eventCallbackBody(slack, { kind: 'message', channelId: 'CGENERAL', userId: 'U1', text: 'hi' });
    const command = slashCommandBody(slack, { userId: 'U1', channelId: 'CGENERAL', command: '/incident' });
    const click = blockActionsBody(slack, {
      userId: 'U1',
      actionId: 'go',
      source: { channelId: 'CGENERAL', messageTs: ts },
    });
    const shortcut = messageShortcutBody(slack, { userId: 'U1', channelId: 'CGENERAL', messageTs: ts });
    expect([event, command, click, shortcut].map((b) => envelopeTypeOf(b.payload))).toEqual([
      'events_api',
      'slash_commands',
      'interactive',
      'interactive',
    ]);
    expect(() => envelopeTypeOf({ challenge: 'x' })).toThrow();
  });
});
