/**
 * Issue 12, delivery: a failed event is answered non-2xx and stored exactly once after Slack's
 * retry; a slow database never turns a command into Slack's timeout; people's words and secrets
 * stay out of the logs. End to end through the real app and the Slack stand-in.
 */
import { sql } from 'kysely';
import { listTimeline } from '../../src/db/timeline';
import { SIGNING_SECRET, TEAM_ID } from '../kit/simulated-workspace';
import { eventCallbackBody, messageShortcutBody, slashCommandBody, viewSubmissionBody } from '../kit/slack-requests';
import { CapturingLogger } from '../support/capturing-logger';
import { databaseKinds } from '../support/database';
import { GENERAL, type Harness, PEOPLE, startHarness } from '../support/harness';

const NOW = new Date('2026-11-20T20:00:00Z');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds (polling), failing after 10 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited > 10_000) throw new Error('condition never held');
    await sleep(50);
  }
}

async function openIncident(h: Harness, title: string, slug: string) {
  await h.command(PEOPLE.alice.id, GENERAL, `start sev2 ${title}`);
  const channelId = h.slack.channelIdByName(`inc-20261120-${slug}`)!;
  for (const person of [PEOPLE.bob.id, PEOPLE.carol.id, PEOPLE.nozone.id]) h.slack.joinChannel(channelId, person);
  const { id } = await h.database.db
    .selectFrom('incidents')
    .select('id')
    .where('channel_id', '=', channelId)
    .executeTakeFirstOrThrow();
  return { channelId, incidentId: id };
}

const responseTexts = (h: Harness, url: string) =>
  h.slack.responsesAt(url).map((post) => String((post.body as { text?: string } | undefined)?.text ?? ''));

describe.each(databaseKinds())(
  'issue 12: nothing acknowledged is lost, nothing waits past 3 s (%s database)',
  (kind) => {
    let h: Harness;
    let channelId: string;
    let incidentId: number;

    beforeAll(async () => {
      h = await startHarness(kind, NOW);
      ({ channelId, incidentId } = await openIncident(h, 'Checkout returns 500s', 'checkout-returns-500s'));
    });
    afterAll(async () => h.stop());

    const processedCount = async (eventId: string) =>
      (await h.database.db.selectFrom('processed_events').select('event_id').where('event_id', '=', eventId).execute())
        .length;

    test('a pushpin whose message fetch Slack refuses once (ok:false) is answered non-2xx, redelivered, and stored exactly once', async () => {
      // Not in the message log, so capturing it needs conversations.history.
      const ts = h.slack.addMessage(channelId, { user: PEOPLE.bob.id, text: 'connection pool exhausted at 19:52' });
      h.slack.failNext('conversations.history', { error: 'internal_error' });
      const pin = eventCallbackBody(h.slack, {
        kind: 'reaction_added',
        channelId,
        ts,
        userId: PEOPLE.carol.id,
        reaction: 'pushpin',
      });
      const response = await h.send(pin);

      const deliveries = response.deliveries ?? [];
      expect(deliveries).toHaveLength(2);
      expect(deliveries[0]!.timedOut).toBeFalsy();
      expect(deliveries[0]!.status).toBeGreaterThanOrEqual(300);
      expect(deliveries[1]!.status).toBe(200);
      const history = h.slack.callsTo('conversations.history').filter((call) => call.args.latest === ts);
      expect(history.map((call) => call.response.ok)).toEqual([false, true]);

      const pinned = (await listTimeline(h.database.db, incidentId)).filter((e) => e.message?.ts === ts);
      expect(pinned).toHaveLength(1);
      expect(pinned[0]).toMatchObject({ source: 'reaction', text: 'connection pool exhausted at 19:52' });
      const eventId = String(pin.payload.event_id);
      expect(await processedCount(eventId)).toBe(1);

      // Slack's later redelivery of the same event changes nothing.
      expect((await h.send(pin, { retryNum: 2, retryReason: 'http_error' })).status).toBe(200);
      expect((await listTimeline(h.database.db, incidentId)).filter((e) => e.message?.ts === ts)).toHaveLength(1);
      expect(await processedCount(eventId)).toBe(1);
    });

    test('a pushpin whose reactor lookup Slack answers HTTP 500 once is redelivered and stored exactly once', async () => {
      const { ts } = await h.event({
        kind: 'message',
        channelId,
        userId: PEOPLE.bob.id,
        text: 'p99 latency 4s on /pay',
      });
      h.slack.failNext('users.info', { error: 'internal_error', status: 500 });
      const pin = eventCallbackBody(h.slack, {
        kind: 'reaction_added',
        channelId,
        ts,
        userId: PEOPLE.nozone.id,
        reaction: 'pushpin',
      });
      const response = await h.send(pin);
      expect(response.deliveries?.map((d) => d.status >= 200 && d.status < 300)).toEqual([false, true]);
      expect(
        h.slack
          .callsTo('users.info')
          .filter((call) => call.args.user === PEOPLE.nozone.id)
          .map((c) => c.status),
      ).toEqual([500, 200]);
      const pinned = (await listTimeline(h.database.db, incidentId)).filter((e) => e.message?.ts === ts);
      expect(pinned).toHaveLength(1);
      expect(pinned[0]).toMatchObject({ authorId: PEOPLE.nozone.id, text: 'p99 latency 4s on /pay' });
      expect(await processedCount(String(pin.payload.event_id))).toBe(1);
    });

    test('a command held up by a database lock for 4 s is answered “working on it” in time, finishes, reports through response_url, and a repeat gets the same incident', async () => {
      const incidents = () =>
        h.database.db
          .selectFrom('incidents')
          .select(['id', 'number', 'channel_id'])
          .where('title', '=', 'Payment webhooks stalled')
          .execute();
      let locked!: () => void;
      const lockTaken = new Promise<void>((resolve) => {
        locked = resolve;
      });
      // Another transaction holds the row every declaration needs (the workspace's incident counter);
      // on the embedded database it holds PGlite's only connection.
      const holder = h.database.db.transaction().execute(async (trx) => {
        await trx.selectFrom('workspaces').select('id').where('team_id', '=', TEAM_ID).forUpdate().execute();
        locked();
        await sleep(4_000);
      });
      await lockTaken;
      // The request client throws operation_timeout if the app does not answer within Slack's 3 s.
      const first = await h.command(PEOPLE.alice.id, GENERAL, 'start sev2 Payment webhooks stalled');
      await holder;
      await h.settle();
      expect(first.status).toBe(200);
      expect(first.answer).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/Working on it/) });

      const rows = await incidents();
      expect(rows).toHaveLength(1);
      const { number, channel_id: incidentChannel } = rows[0]!;
      expect(incidentChannel).not.toBeNull();
      expect(responseTexts(h, first.responseUrl)).toEqual([
        expect.stringMatching(new RegExp(`^Declared incident #${number} \\(sev2\\) Payment webhooks stalled`)),
        `Incident #${number} is open in <#${incidentChannel}>.`,
      ]);

      // Seeing only "working on it", the person runs it again: the same incident, no second one.
      const again = await h.command(PEOPLE.alice.id, GENERAL, 'start sev2 Payment webhooks stalled');
      expect(again.answer.text).toBe(
        `You declared incident #${number} a moment ago; it is open in <#${incidentChannel}>.`,
      );
      expect(await incidents()).toHaveLength(1);
      expect(
        h.slack.callsTo('conversations.create').filter((c) => String(c.args.name).includes('payment-webhooks')),
      ).toHaveLength(1);
    });

    // PRODUCT BUG (SPEC 8, "the same person running the same start again … gets the incident just
    // declared"): src/services/incidents.ts declareIncident looks for the repeated declaration before
    // its transaction, so a repeat sent while the first is still waiting on the database (the person
    // saw only "working on it") finds nothing and declares a second incident once the lock goes.
    // Expected: one incident; re-checking after allocateIncidentNumber has locked the workspace row
    // (inside the transaction) would serialise the two. Passes once fixed: remove `.failing`.
    test('a repeat sent while the first start still waits on the database gets the same incident', async () => {
      const title = 'Refund queue frozen';
      const incidents = () =>
        h.database.db.selectFrom('incidents').select('number').where('title', '=', title).execute();
      let locked!: () => void;
      const lockTaken = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = h.database.db.transaction().execute(async (trx) => {
        await trx.selectFrom('workspaces').select('id').where('team_id', '=', TEAM_ID).forUpdate().execute();
        locked();
        await sleep(4_000);
      });
      await lockTaken;
      const first = await h.requests.send(
        slashCommandBody(h.slack, {
          userId: PEOPLE.alice.id,
          channelId: GENERAL,
          command: '/incident',
          text: `start sev2 ${title}`,
        }),
      );
      expect(String((first.json as { text?: string }).text)).toMatch(/Working on it/);
      // Seeing "working on it", the person runs it again before the first has finished.
      await h.command(PEOPLE.alice.id, GENERAL, `start sev2 ${title}`);
      await holder;
      await h.settle();
      expect(await incidents()).toHaveLength(1);
    });

    test('a users.info slower than the deadline: the caller is told honestly that nothing changed and to retry', async () => {
      const count = async () => (await h.database.db.selectFrom('incidents').select('id').execute()).length;
      const before = await count();
      // Someone not looked up yet (a cached user needs no users.info).
      h.slack.addUser({ id: 'UDAVE', name: 'dave', tz: 'Europe/London' });
      h.slack.delayNext('users.info', 2_700);
      const answer = await h.command('UDAVE', GENERAL, 'start sev3 Search index lagging');
      // The stand-in records the call when it finally answers, after the app gave up on it.
      await until(() => h.slack.callsTo('users.info').some((call) => call.args.user === 'UDAVE'));
      expect(answer.status).toBe(200);
      // Acknowledged in time ("working on it" or the answer itself); the outcome, wherever it went, is honest.
      const said = [answer.answer.text ?? '', ...responseTexts(h, answer.responseUrl)];
      expect(said.join('\n')).toMatch(/could not reach Slack, so nothing was changed\. Try again/);
      expect(said.join('\n')).not.toMatch(/Declared incident/);
      expect(await count()).toBe(before);
    });
  },
);

describe.each(databaseKinds())(
  'issue 12: people’s words and secrets stay out of the logs at LOG_LEVEL=debug (%s database)',
  (kind) => {
    let h: Harness;
    let logger: CapturingLogger;
    let channelId: string;
    let incidentId: number;
    const PHRASE = 'zebra-quartz customer Mrs Ondine';

    beforeAll(async () => {
      logger = new CapturingLogger();
      h = await startHarness(kind, NOW, { logLevel: 'debug', logger });
      ({ channelId, incidentId } = await openIncident(h, 'Ledger drift', 'ledger-drift'));
    });
    afterAll(async () => h.stop());

    const expectNothingSecretLogged = () => {
      expect(logger.lines.length).toBeGreaterThan(0);
      for (const needle of ['zebra-quartz', 'Ondine']) expect(logger.containing(needle)).toEqual([]);
      expect(logger.containing('xoxb-')).toEqual([]);
      expect(logger.containing(SIGNING_SECRET)).toEqual([]);
      expect(logger.containing(h.slack.verificationToken)).toEqual([]);
      expect(logger.containing(/v0=[0-9a-f]{64}/)).toEqual([]);
      expect(logger.containing(/x-slack-signature/i)).toEqual([]);
    };

    test('listeners failing on a database error (whose detail carries the row) and on a Slack refusal, a status update and a timeline note log no words, tokens or signatures', async () => {
      // The database refuses the message (its error detail would carry the whole row): the event fails
      // on every delivery, and each failure is logged.
      await sql`alter table message_log add constraint review_fixes_refuse check (strpos(text, 'zebra-quartz') = 0)`.execute(
        h.database.db,
      );
      try {
        const failed = await h.send(
          eventCallbackBody(h.slack, {
            kind: 'message',
            channelId,
            userId: PEOPLE.bob.id,
            text: `${PHRASE} was double charged`,
          }),
        );
        expect(failed.deliveries?.map((d) => d.status >= 300)).toEqual([true, true, true, true]);
      } finally {
        await sql`alter table message_log drop constraint review_fixes_refuse`.execute(h.database.db);
      }

      // Slack refuses the fetch a pushpin needs, on every delivery.
      const ts = h.slack.addMessage(channelId, { user: PEOPLE.bob.id, text: `refund ${PHRASE} by hand` });
      h.slack.failNext('conversations.history', { error: 'internal_error', times: 4 });
      const pin = await h.send(
        eventCallbackBody(h.slack, {
          kind: 'reaction_added',
          channelId,
          ts,
          userId: PEOPLE.carol.id,
          reaction: 'pushpin',
        }),
      );
      expect(pin.deliveries?.map((d) => d.status >= 300)).toEqual([true, true, true, true]);

      // A status update with the phrase (posted in the channel) and a timeline note.
      await h.command(PEOPLE.alice.id, channelId, `status ${PHRASE} refunded`);
      await h.command(PEOPLE.alice.id, channelId, `timeline 19:00 ${PHRASE} called support`);

      // Eight failed deliveries were logged, by code.
      expect(logger.containing('Slack request failed').length).toBeGreaterThanOrEqual(8);
      expectNothingSecretLogged();
    });

    // PRODUCT BUG (SPEC 8): at LOG_LEVEL=debug, Bolt's own WebClient (src/slack/app.ts gives the App the
    // app logger, which Bolt shares with its client) logs every request and result body: views.open of
    // the shortcut's picker quotes the message, so people's words reach the logs. Passes once fixed:
    // remove `.failing`.
    test('the shortcut’s picker, opened at LOG_LEVEL=debug, does not put the quoted message in the logs', async () => {
      const elsewhere = h.slack.addChannel({ name: 'billing', members: [PEOPLE.alice.id, PEOPLE.bob.id] });
      const quoted = h.slack.addMessage(elsewhere, { user: PEOPLE.bob.id, text: `${PHRASE} asked twice` });
      await h.send(messageShortcutBody(h.slack, { userId: PEOPLE.alice.id, channelId: elsewhere, messageTs: quoted }));
      const picker = h.slack.openedViews.at(-1)!;
      expect(picker.view).toMatchObject({ callback_id: 'add_to_timeline_pick' });
      await h.send(
        viewSubmissionBody(h.slack, {
          userId: PEOPLE.alice.id,
          viewId: picker.viewId,
          values: { incident: String(incidentId) },
        }),
      );
      expect((await listTimeline(h.database.db, incidentId)).some((e) => e.message?.ts === quoted)).toBe(true);
      expectNothingSecretLogged();
    });
  },
);
