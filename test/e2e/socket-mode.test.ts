/**
 * Socket Mode end to end: Debrief started with an app-level token connects to the stand-in's
 * WebSocket (apps.connections.open, then hello), and everything Slack would have POSTed arrives as
 * envelopes that Bolt's SocketModeReceiver acknowledges; Slack's disconnects and a dropped socket
 * are survived by reconnecting, with /healthz saying so meanwhile.
 */
import { createServer } from 'node:net';
import { ConsoleLogger, LogLevel } from '@slack/logger';
import { loadConfig } from '../../src/config';
import type { DatabaseHandle } from '../../src/db/connect';
import { listTimeline } from '../../src/db/timeline';
import { type RunningDebrief, startDebrief } from '../../src/main';
import { BOT_USER_ID, followingInRealTime, TEAM_ID } from '../kit/simulated-workspace';
import {
  blockActionsBody,
  type EventSpec,
  eventCallbackBody,
  slashCommandBody,
  viewSubmissionBody,
} from '../kit/slack-requests';
import { SlackStandIn } from '../kit/slack-stand-in';
import type { SocketDelivery, SocketModeServer } from '../kit/socket-mode';
import { databaseKinds, openTestDatabase } from '../support/database';
import { GENERAL, PEOPLE } from '../support/harness';

const NOW = new Date('2026-11-20T20:00:00Z');
const APP_TOKEN = 'xapp-1-A0DEBRIEF1-1111111111-socketmodesimulated';
const BOT_TOKEN = 'xoxb-simulated';

/** A port free a moment ago: Socket Mode's receiver serves /healthz on PORT and cannot report a picked one. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls until `check` holds (bounded): for work that follows an acknowledgement. */
async function eventually<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, withinMs = 20_000) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not so within ${withinMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(databaseKinds())('Socket Mode end to end (%s database)', (kind) => {
  let database: DatabaseHandle;
  let slack: SlackStandIn;
  let socket: SocketModeServer;
  let debrief: RunningDebrief;
  let channelId: string;
  let incidentId: number;
  let stopped = false;
  /** What the app logged. */
  const lines: string[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    slack = new SlackStandIn({
      teamId: TEAM_ID,
      botToken: BOT_TOKEN,
      botUserId: BOT_USER_ID,
      botId: 'BDEBRIEF',
      now: followingInRealTime(() => NOW),
      reportScopes: true,
    });
    socket = slack.enableSocketMode({ appToken: APP_TOKEN });
    await slack.start();
    for (const person of Object.values(PEOPLE)) slack.addUser(person);
    slack.addChannel({
      id: GENERAL,
      name: 'general',
      members: [...Object.values(PEOPLE).map((p) => p.id), BOT_USER_ID],
    });
    // No signing secret: over Socket Mode nothing is signed.
    const config = loadConfig({
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
    });
    const logger = new ConsoleLogger();
    logger.setLevel(LogLevel.INFO);
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      logger[level] = (...parts: unknown[]) => void lines.push(`${level} ${parts.map(String).join(' ')}`);
    }
    debrief = await startDebrief(config, { database, clock: () => NOW, logger });
  });

  afterAll(async () => {
    if (!stopped) await debrief?.stop();
    // Bolt's receiver.stop() sends the close frame without waiting for the handshake: let it finish
    // before the stand-in goes, or the app sees its socket cut.
    if (socket)
      await eventually(
        'the app closed its socket',
        async () => socket.openConnections,
        (n) => n === 0,
      );
    await slack?.stop();
    await database?.close();
  });

  afterEach(() => {
    expect(lines.filter((line) => line.includes(APP_TOKEN) || line.includes(BOT_TOKEN))).toEqual([]);
    expect(socket.protocolErrors).toEqual([]);
    expect(slack.internalErrors).toEqual([]);
  });

  const health = async () => {
    const response = await fetch(`${debrief.url}/healthz`);
    return { status: response.status, body: (await response.json()) as { status: string } };
  };
  const command = async (userId: string, channel: string, text: string) => {
    const delivery = await socket.send(
      slashCommandBody(slack, { userId, channelId: channel, command: '/incident', text }),
    );
    await debrief.background.drain();
    return delivery;
  };
  const event = async (spec: EventSpec) => {
    const body = eventCallbackBody(slack, spec);
    return { body, delivery: await socket.send(body) };
  };
  const timeline = () => listTimeline(database.db, incidentId);
  const loggedMessages = () =>
    database.db.selectFrom('message_log').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
  const answerOf = (delivery: SocketDelivery) => delivery.ack?.payload as { text?: string; blocks?: unknown[] };

  test('connects with the app-level token (hello) and /healthz turns 200', async () => {
    await eventually('healthz', health, (h) => h.status === 200);
    expect(socket.connections).toHaveLength(1);
    expect(socket.openConnections).toBe(1);
    const opens = slack.callsTo('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatchObject({ credential: 'app-level token', status: 200, response: { ok: true } });
    expect(socket.messages[0]?.message).toMatchObject({ type: 'hello', connection_info: { app_id: slack.appId } });
    expect(lines).toContain('info Socket Mode: connected to Slack');
    // The bot token does the Web API work; the app-level token nothing else.
    expect(slack.calls.filter((c) => c.credential === 'app-level token').map((c) => c.method)).toEqual([
      'apps.connections.open',
    ]);
    // connections:write is the app-level token's scope, not one the bot must be granted.
    expect(slack.scopesUsed).not.toContain('connections:write');
  });

  test('a slash command is acknowledged with its answer (accepts_response_payload) and its work follows', async () => {
    const started = await command(PEOPLE.alice.id, GENERAL, 'start sev2 Checkout returns 500s');
    expect(started.envelope).toMatchObject({ type: 'slash_commands', accepts_response_payload: true });
    expect(started.ack?.envelopeId).toBe(started.envelope.envelope_id);
    expect(answerOf(started).text).toMatch(/Declared incident #1 \(sev2\) Checkout returns 500s/);
    channelId = slack.channelIdByName('inc-20261120-checkout-returns-500s')!;
    expect(channelId).toBeDefined();
    for (const person of [PEOPLE.bob.id, PEOPLE.carol.id]) slack.joinChannel(channelId, person);
    const row = await database.db
      .selectFrom('incidents')
      .select('id')
      .where('channel_id', '=', channelId)
      .executeTakeFirstOrThrow();
    incidentId = row.id;

    // SocketOperationTimeoutError (Slack's operation_timeout) would be thrown past 3 s.
    const note = await command(PEOPLE.alice.id, channelId, 'timeline 09:05 paged the database team');
    expect(answerOf(note).text).toMatch(/17:05 UTC — 09:05 your time/);
    expect(
      (await timeline()).filter((e) => e.source === 'command').map((e) => [e.occurredAt.toISOString(), e.text]),
    ).toEqual([['2026-11-20T17:05:00.000Z', 'paged the database team']]);

    const help = await command(PEOPLE.bob.id, channelId, 'help');
    expect(help.ack?.envelopeId).toBe(help.envelope.envelope_id);
    expect(answerOf(help).text).toContain('/incident start sev2 Checkout returns 500s');
  });

  test('events are acknowledged by envelope_id and written to the message log and the timeline', async () => {
    const said = await event({ kind: 'message', channelId, userId: PEOPLE.bob.id, text: 'db primary is at 100% CPU' });
    expect(said.delivery.envelope).toMatchObject({
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: 0,
      payload: { type: 'event_callback', event: { type: 'message' } },
    });
    expect(said.delivery.deliveries).toHaveLength(1);
    expect(said.delivery.ack?.envelopeId).toBe(said.delivery.envelope.envelope_id);
    const ts = String((said.body.payload.event as { ts: string }).ts);
    await eventually('the message logged', loggedMessages, (logged) => logged.some((m) => m.ts === ts));

    const pin = await event({ kind: 'reaction_added', channelId, ts, userId: PEOPLE.carol.id, reaction: 'pushpin' });
    expect(pin.delivery.ack?.envelopeId).toBe(pin.delivery.envelope.envelope_id);
    const pinned = await eventually(
      'the pinned entry',
      async () => (await timeline()).filter((e) => e.source === 'reaction'),
      (entries) => entries.length === 1,
    );
    expect(pinned[0]).toMatchObject({
      text: 'db primary is at 100% CPU',
      authorId: PEOPLE.carol.id,
      message: { ts, authorId: PEOPLE.bob.id },
    });

    // Slack's redelivery of the same event (same event_id, retry_attempt 1) is acknowledged and changes nothing.
    const before = { timeline: await timeline(), logged: await loggedMessages() };
    const again = await socket.send(pin.body, { retryAttempt: 1, retryReason: 'timeout' });
    expect(again.envelope).toMatchObject({ retry_attempt: 1, retry_reason: 'timeout' });
    expect(again.envelope.envelope_id).not.toBe(pin.delivery.envelope.envelope_id);
    expect(again.ack?.envelopeId).toBe(again.envelope.envelope_id);
    const sayAgain = await socket.send(said.body, { retryAttempt: 1, retryReason: 'timeout' });
    expect(sayAgain.timedOut).toBe(false);
    // A later event through the same connection is processed after both redeliveries: then they are done.
    const marker = await event({ kind: 'message', channelId, userId: PEOPLE.alice.id, text: 'after the retries' });
    const markerTs = String((marker.body.payload.event as { ts: string }).ts);
    await eventually('the marker logged', loggedMessages, (logged) => logged.some((m) => m.ts === markerTs));
    await debrief.background.drain();
    expect(await timeline()).toEqual(before.timeline);
    expect((await loggedMessages()).filter((m) => m.ts !== markerTs)).toEqual(before.logged);
    const processed = await database.db
      .selectFrom('processed_events')
      .selectAll()
      .where('event_id', '=', String(pin.body.payload.event_id))
      .execute();
    expect(processed).toHaveLength(1);
  });

  test('an event whose work fails is not acknowledged: Slack redelivers it and it is stored exactly once', async () => {
    const said = await event({ kind: 'message', channelId, userId: PEOPLE.alice.id, text: 'failover finished' });
    const ts = String((said.body.payload.event as { ts: string }).ts);
    await eventually('the message logged', loggedMessages, (logged) => logged.some((m) => m.ts === ts));
    // The pushpin needs the reactor's users.info, which fails once: no acknowledgement, so a redelivery.
    slack.failNext('users.info', { error: 'internal_error', status: 500, times: 1 });
    const pin = await event({ kind: 'reaction_added', channelId, ts, userId: PEOPLE.nozone.id, reaction: 'pushpin' });
    expect(pin.delivery.deliveries.map((d) => d.timedOut)).toEqual([true, false]);
    await debrief.background.drain();
    const entries = (await timeline()).filter((e) => e.source === 'reaction' && e.message?.ts === ts);
    expect(entries).toHaveLength(1);
  });

  test('interactions: a timeline menu click opens the modal, and its submission is acknowledged with the answer', async () => {
    const shown = await command(PEOPLE.alice.id, channelId, 'timeline');
    const blocks = answerOf(shown).blocks as {
      accessory?: { action_id: string; options: { value: string }[] };
    }[];
    const menu = blocks.find((b) => b.accessory?.action_id === 'timeline_entry_menu')!;
    const editValue = menu.accessory!.options.find((o) => o.value.startsWith('edit:'))!.value;
    const entryId = Number(editValue.split(':')[1]);
    // The command's answer, as Slack would show it in the channel.
    const viewTs = slack.addMessage(channelId, { user: BOT_USER_ID, text: 'timeline', blocks });

    const clicked = await socket.send(
      blockActionsBody(slack, {
        userId: PEOPLE.alice.id,
        actionId: 'timeline_entry_menu',
        source: { channelId, messageTs: viewTs },
        selected: editValue,
      }),
    );
    expect(clicked.envelope).toMatchObject({ type: 'interactive', accepts_response_payload: false });
    expect(clicked.ack?.envelopeId).toBe(clicked.envelope.envelope_id);
    await debrief.background.drain();
    const modal = await eventually(
      'the edit modal',
      async () => slack.openedViews.at(-1),
      (view) => view?.view.callback_id === 'timeline_entry_edit',
    );

    const saved = await socket.send(
      viewSubmissionBody(slack, {
        userId: PEOPLE.alice.id,
        viewId: modal!.viewId,
        values: { text: 'paged the DBA on call', when: '2026-11-20T17:06:00Z' },
      }),
    );
    expect(saved.envelope).toMatchObject({ type: 'interactive', accepts_response_payload: true });
    expect(saved.ack?.envelopeId).toBe(saved.envelope.envelope_id);
    // Closing the modal is an acknowledgement without a response_action.
    expect(saved.ack?.payload?.response_action).toBeUndefined();
    const edited = await eventually(
      'the edited entry',
      async () => (await timeline()).find((e) => e.id === entryId),
      (entry) => entry?.text === 'paged the DBA on call',
    );
    expect(edited?.occurredAt.toISOString()).toBe('2026-11-20T17:06:00.000Z');

    // The same form again is stale: the acknowledgement carries the errors Slack shows in the modal.
    const stale = await socket.send(
      viewSubmissionBody(slack, { userId: PEOPLE.alice.id, viewId: modal!.viewId, values: { text: 'lost update' } }),
    );
    expect(stale.ack?.payload).toMatchObject({ response_action: 'errors', errors: { text: expect.any(String) } });
  });

  test('a disconnect warning, then refresh_requested: the app reconnects with a new URL and envelopes still arrive', async () => {
    const opened = socket.connections.length;
    socket.disconnect('warning');
    const second = await socket.waitForConnection(opened + 1);
    expect(socket.connections[opened - 1]).toMatchObject({ closedBy: 'app', closeCode: 1000 });
    socket.disconnect('refresh_requested');
    const third = await socket.waitForConnection(opened + 2);
    expect(third.id).not.toBe(second.id);
    expect(socket.openConnections).toBe(1);
    expect(slack.callsTo('apps.connections.open')).toHaveLength(opened + 2);
    await eventually('healthz', health, (h) => h.status === 200);

    const help = await command(PEOPLE.carol.id, channelId, 'help');
    expect(help.connectionId).toBe(third.id);
    expect(answerOf(help).text).toContain('/incident start');
    const said = await event({ kind: 'message', channelId, userId: PEOPLE.carol.id, text: 'after the refresh' });
    const ts = String((said.body.payload.event as { ts: string }).ts);
    await eventually('logged after the refresh', loggedMessages, (logged) => logged.some((m) => m.ts === ts));
  });

  test('a dropped socket: /healthz reports the outage while the link is down, and the app reconnects by itself', async () => {
    const opened = socket.connections.length;
    const urlsAsked = slack.callsTo('apps.connections.open').length;
    // Slack's link servers go away: the connection is cut without a close frame and new ones are refused.
    socket.refuseConnections(true);
    socket.drop();
    const down = await eventually('healthz down', health, (h) => h.status === 503);
    expect(down.body.status).toMatch(/^(Socket Mode reconnecting|Slack unreachable over Socket Mode .*; retrying)$/);
    expect(down.body.status).not.toContain('database');
    // It keeps trying, and says so, while the attempts are refused.
    await eventually(
      'refused reconnections',
      async () => slack.callsTo('apps.connections.open').length,
      (n) => n >= urlsAsked + 2,
      30_000,
    );
    expect(await health()).toMatchObject({
      status: 503,
      body: { status: 'Slack unreachable over Socket Mode (the WebSocket closed before Slack said hello); retrying' },
    });
    expect(lines).toContain('warn Socket Mode: the connection to Slack closed; reconnecting');
    await expect(
      socket.send(slashCommandBody(slack, { userId: PEOPLE.bob.id, channelId, command: '/incident', text: 'help' })),
    ).rejects.toThrow(/no Socket Mode connection is open/);

    socket.refuseConnections(false);
    await socket.waitForConnection(opened + 1, 30_000);
    await eventually('healthz up', health, (h) => h.status === 200);
    const help = await command(PEOPLE.bob.id, channelId, 'help');
    expect(answerOf(help).text).toContain('/incident start');
    const said = await event({ kind: 'message', channelId, userId: PEOPLE.bob.id, text: 'back after the outage' });
    const ts = String((said.body.payload.event as { ts: string }).ts);
    await eventually('logged after the outage', loggedMessages, (logged) => logged.some((m) => m.ts === ts));
  });

  test('apps.connections.open failing during a reconnect (HTTP 500) is retried with backoff, without a crash', async () => {
    const opened = socket.connections.length;
    const urlsAsked = slack.callsTo('apps.connections.open').length;
    slack.failNext('apps.connections.open', { error: 'internal_error', status: 500, times: 2 });
    socket.drop();
    await socket.waitForConnection(opened + 1, 30_000);
    expect(slack.callsTo('apps.connections.open').map((call) => call.status)).toEqual([
      ...Array(urlsAsked).fill(200),
      500,
      500,
      200,
    ]);
    expect(lines.filter((line) => /^warn Socket Mode: cannot reach Slack \(WebAPIHTTPError/.test(line))).toHaveLength(
      2,
    );
    await eventually('healthz up', health, (h) => h.status === 200);
    const help = await command(PEOPLE.carol.id, channelId, 'help');
    expect(answerOf(help).text).toContain('/incident start');
  });

  test('stopping while the link is down is clean: the attempt in flight ends without an unhandled rejection', async () => {
    socket.refuseConnections(true);
    const urlsAsked = slack.callsTo('apps.connections.open').length;
    socket.drop();
    await eventually(
      'a refused reconnection',
      async () => slack.callsTo('apps.connections.open').length,
      (n) => n > urlsAsked,
      30_000,
    );
    await debrief.stop();
    stopped = true;
    expect(socket.openConnections).toBe(0);
    await expect(fetch(`${debrief.url}/healthz`)).rejects.toThrow();
  });
});
