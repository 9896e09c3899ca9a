import { sql } from 'kysely';
import type { DatabaseHandle } from '../../src/db/connect';
import { listTimeline } from '../../src/db/timeline';
import * as capture from '../../src/services/capture';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackWeb } from './support/fake-slack-web';
import { ADDRESS, buildListenerApp, type ListenerApp, NOW } from './support/listener-app';
import { eventCallback, messageEvent, reactionAddedEvent, tsAt } from './support/payloads';

const ALICE = 'UALICE';
const GUEST = 'UGUEST';

describe.each(databaseKinds())('Events API through the app on the %s database', (kind) => {
  let database: DatabaseHandle;
  const web = new FakeSlackWeb();
  let t: ListenerApp;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    web.install();
  });
  afterAll(async () => {
    web.uninstall();
    await database.close();
  });
  beforeEach(() => {
    t = buildListenerApp(database.db);
    t.slack.users.set(GUEST, { isGuest: true });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const loggedMessages = (channelId: string) =>
    database.db.selectFrom('message_log').selectAll().where('channel_id', '=', channelId).execute();
  const processed = (eventId: string) =>
    database.db.selectFrom('processed_events').select('event_id').where('event_id', '=', eventId).execute();

  test('a message in an incident channel is acknowledged and stored in the message log', async () => {
    await t.declareHere('CMSG');
    const ts = tsAt(NOW);
    const body = eventCallback(messageEvent({ channelId: 'CMSG', userId: ALICE, text: 'db failover started', ts }));
    const delivery = await t.send(body);
    expect(delivery).toMatchObject({ status: 200, acks: [undefined], failure: undefined });
    expect(await loggedMessages('CMSG')).toEqual([
      expect.objectContaining({ ts, user_id: ALICE, text: 'db failover started', posted_at: NOW }),
    ]);
    expect(await processed(String(body.event_id))).toHaveLength(1);
  });

  test('Slack redelivering a message event (same event_id) stores it once', async () => {
    await t.declareHere('CRETRY');
    const body = eventCallback(
      messageEvent({ channelId: 'CRETRY', userId: ALICE, text: 'paging the db team', ts: tsAt(NOW) }),
    );
    await t.send(body);
    const retry = await t.send(body, { retryNum: 1, retryReason: 'http_timeout' });
    expect(retry).toMatchObject({ status: 200, acks: [undefined], failure: undefined });
    expect(await loggedMessages('CRETRY')).toHaveLength(1);
    expect(await processed(String(body.event_id))).toHaveLength(1);
  });

  test('a redelivered reaction event whose work committed is skipped by the middleware, before any listener or Slack call', async () => {
    const incidentId = await t.declareHere('CREPIN');
    const ts = tsAt(NOW);
    await t.send(eventCallback(messageEvent({ channelId: 'CREPIN', userId: ALICE, text: 'rollback started', ts })));
    // The reaction listener's use case: run for the first delivery, not for the retry.
    const captures = jest.spyOn(capture, 'captureReaction');
    const lookups = jest.spyOn(t.slack, 'lookupUser');
    const body = eventCallback(
      reactionAddedEvent({ userId: 'UBOB', reaction: 'pushpin', channelId: 'CREPIN', ts, itemUser: ALICE }),
    );
    await t.send(body);
    expect(lookups).toHaveBeenCalledTimes(1);

    const retry = await t.send(body, { retryNum: 1, retryReason: 'http_timeout' });
    expect(retry).toMatchObject({ status: 200, acks: [undefined], failure: undefined });
    expect(captures).toHaveBeenCalledTimes(1);
    expect(lookups).toHaveBeenCalledTimes(1);
    const pinned = (await listTimeline(database.db, incidentId)).filter((e) => e.source === 'reaction');
    expect(pinned).toHaveLength(1);
  });

  test('a listener that fails answers non-2xx (Slack retries), records nothing as processed, and the retry does the work', async () => {
    await t.declareHere('CFAIL');
    // A database failure inside the listener's transaction, after the event id was claimed in it.
    await sql`create or replace function listener_test_fail() returns trigger language plpgsql as $$
      begin raise exception 'injected failure' using errcode = 'XX000'; end $$`.execute(database.db);
    await sql`create trigger listener_test_fail before insert on message_log for each row
      when (new.channel_id = 'CFAIL') execute function listener_test_fail()`.execute(database.db);
    const body = eventCallback(
      messageEvent({ channelId: 'CFAIL', userId: ALICE, text: 'rollback done', ts: tsAt(NOW) }),
    );
    try {
      const delivery = await t.send(body);
      expect(delivery.status).toBe(500);
      expect(delivery.failure).toBeDefined();
      expect(await processed(String(body.event_id))).toEqual([]);
      expect(await loggedMessages('CFAIL')).toEqual([]);
      expect(t.logger.errors()).toEqual([expect.stringContaining('answered non-2xx so Slack retries')]);
    } finally {
      await sql`drop trigger listener_test_fail on message_log`.execute(database.db);
    }
    const retry = await t.send(body, { retryNum: 1, retryReason: 'http_error' });
    expect(retry.status).toBe(200);
    expect(await loggedMessages('CFAIL')).toHaveLength(1);
    expect(await processed(String(body.event_id))).toHaveLength(1);
  });

  test('a message outside incident channels is acknowledged and not stored', async () => {
    const delivery = await t.send(
      eventCallback(messageEvent({ channelId: 'CCHATTER', userId: ALICE, text: 'lunch?', ts: tsAt(NOW) })),
    );
    expect(delivery.status).toBe(200);
    expect(await loggedMessages('CCHATTER')).toEqual([]);
  });

  test('a guest’s :pushpin: is refused privately through the port and adds nothing to the timeline', async () => {
    const incidentId = await t.declareHere('CPIN');
    const ts = tsAt(NOW);
    await t.send(eventCallback(messageEvent({ channelId: 'CPIN', userId: ALICE, text: 'error rate at 40%', ts })));
    const delivery = await t.send(
      eventCallback(reactionAddedEvent({ userId: GUEST, reaction: 'pushpin', channelId: 'CPIN', ts, itemUser: ALICE })),
    );
    expect(delivery.status).toBe(200);
    expect(t.slack.calls).toEqual([
      {
        method: 'tellUser',
        workspace: ADDRESS,
        userId: GUEST,
        channelId: 'CPIN',
        notice: {
          kind: 'refused',
          message:
            'Your :pushpin: was not added to the timeline. Guests can read the incident but not change it. Ask a full member of the workspace to do it.',
        },
      },
    ]);
    expect((await listTimeline(database.db, incidentId)).filter((e) => e.source === 'reaction')).toEqual([]);
  });

  test('a member’s :pushpin: adds the logged message to the timeline at its own time', async () => {
    const incidentId = await t.declareHere('CPINNED');
    const ts = tsAt(new Date('2026-11-20T09:41:00Z'));
    await t.send(
      eventCallback(messageEvent({ channelId: 'CPINNED', userId: ALICE, text: 'found it: bad config', ts })),
    );
    await t.send(
      eventCallback(
        reactionAddedEvent({ userId: 'UBOB', reaction: 'pushpin', channelId: 'CPINNED', ts, itemUser: ALICE }),
      ),
    );
    expect(t.slack.calls).toEqual([]);
    const pinned = (await listTimeline(database.db, incidentId)).filter((e) => e.source === 'reaction');
    expect(pinned).toEqual([
      expect.objectContaining({ text: 'found it: bad config', occurredAt: new Date('2026-11-20T09:41:00Z') }),
    ]);
  });
});
