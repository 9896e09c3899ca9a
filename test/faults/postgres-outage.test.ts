/**
 * Faults with the real Postgres (issue 16, SPEC 8 "database unavailable"): the PostgreSQL server a
 * running `debrief serve` process uses is stopped during load — cleanly (`pg_ctl -m fast`), then as a
 * crash (`-m immediate`) — and started again. The process stays up; /healthz answers 503 naming the
 * database while it is down; a slash command is answered within Slack's 3 s telling the caller that
 * nothing changed and to retry; an event is answered non-2xx so that Slack redelivers it; once the
 * server is back everything works again without restarting the app, and nothing answered "nothing
 * was changed" was stored.
 *
 * The server stopped is a PRIVATE cluster (initdb in a temporary directory, its own port), never the
 * shared one of TEST_DATABASE_URL, which other test files use at the same time. Skipped without
 * TEST_DATABASE_URL (as every real-Postgres test) or where initdb cannot run. Takes about 30 s.
 */
import { sql } from 'kysely';
import { type DatabaseHandle, DatabaseUnavailableError, openPostgres } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import type { SlackStandIn } from '../kit/slack-stand-in';
import {
  type AppProcess,
  appEnvironment,
  type CompiledApp,
  compileApp,
  killStartedApps,
  runCli,
  settleAll,
  startApp,
} from './support/app-process';
import { type PrivateCluster, privateClusterUnavailable, startPrivateCluster } from './support/postgres';
import {
  command,
  type DeclaredIncident,
  type Delivery,
  declareThroughApp,
  deliver,
  loggedMessages,
  messageEvent,
  POSTERS,
  slackSettings,
  startSlackStandIn,
  waitFor,
} from './support/slack-side';

const alice = POSTERS[0]!;

interface Sent {
  kind: 'event' | 'command';
  key: string;
  eventId?: string;
  build: () => ReturnType<typeof command>;
  deliveries: Delivery[];
}

let skipReason: string | undefined;
beforeAll(async () => {
  skipReason = process.env.TEST_DATABASE_URL ? await privateClusterUnavailable() : 'TEST_DATABASE_URL is not set';
  if (skipReason && process.env.TEST_DATABASE_URL) console.warn(`postgres-outage: skipped (${skipReason})`);
});

(process.env.TEST_DATABASE_URL ? describe : describe.skip)('PostgreSQL stopped and started under load', () => {
  let compiled: CompiledApp;
  let cluster: PrivateCluster | undefined;
  let database: DatabaseHandle;
  let slack: SlackStandIn;
  let app: AppProcess;
  let env: NodeJS.ProcessEnv;
  let incident: DeclaredIncident;

  beforeAll(async () => {
    if (skipReason) return;
    await settleAll([
      compileApp().then((c) => (compiled = c)),
      startPrivateCluster().then((d) => (cluster = d)),
      startSlackStandIn().then((s) => (slack = s)),
    ]);
    database = openPostgres(cluster!.url);
    await migrateToLatest(database.db);
    env = appEnvironment(slackSettings(slack, cluster!.url));
    app = await startApp(compiled, env, { name: 'debrief' });
    incident = await declareThroughApp(slack, app.url, database.db, 'Payments queue backs up');
  }, 90_000);

  afterAll(async () => {
    await killStartedApps();
    await database?.close();
    await cluster?.destroy();
    await slack?.stop();
    compiled?.remove();
  });

  /** The load of the running test, stopped after it whatever happened (a failed test must not leave it running). */
  let running: { stop(): Promise<Sent[]> } | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  /** A steady stream of timeline notes and message events, each delivered once, until stopped (or the app is gone). */
  function startLoad(tag: string) {
    const sent: Sent[] = [];
    let stopped = false;
    let n = 0;
    const worker = async (w: number) => {
      while (!stopped && app.alive()) {
        const i = n++;
        const person = POSTERS[i % POSTERS.length]!;
        let request: Sent;
        if (i % 2 === 0) {
          const text = `note ${tag}${i} by worker ${w}`;
          request = {
            kind: 'command',
            key: text,
            build: () => command(slack, person.id, incident.channelId, `timeline ${text}`),
            deliveries: [],
          };
        } else {
          const eventId = `EvPG${tag.toUpperCase()}${String(i).padStart(5, '0')}`;
          const body = messageEvent(slack, person.id, incident.channelId, `message ${tag}${i}`, eventId);
          request = {
            kind: 'event',
            key: String((body.payload.event as { ts: string }).ts),
            eventId,
            build: () => body,
            deliveries: [],
          };
        }
        sent.push(request);
        request.deliveries.push(await deliver(app.url, request.build()));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const workers = Promise.all([0, 1, 2, 3].map(worker));
    const load = {
      sent,
      async stop() {
        stopped = true;
        await workers;
        return sent;
      },
    };
    running = load;
    return load;
  }

  /** Fails with the end of the app's own output if it is no longer running. */
  function expectAlive() {
    if (!app.alive()) throw new Error(`the app process exited; its last output:\n${app.output().slice(-4000)}`);
  }

  async function health(): Promise<{ status: number; body: { status?: string } }> {
    expectAlive();
    const response = await fetch(`${app.url}/healthz`);
    return { status: response.status, body: (await response.json()) as { status?: string } };
  }

  /** Checks what the load stored against what it was told, once the database is back. */
  async function checkStored(sent: Sent[]) {
    // Slack redelivers the events it got no 200 for (up to 3 times); the database is back now.
    for (const event of sent.filter((r) => r.kind === 'event')) {
      for (let retryNum = 1; retryNum <= 3 && event.deliveries.at(-1)!.status !== 200; retryNum++) {
        event.deliveries.push(await deliver(app.url, event.build(), retryNum));
      }
    }
    const events = sent.filter((r) => r.kind === 'event');
    expect(events.filter((e) => e.deliveries.at(-1)!.status !== 200).map((e) => [e.key, e.deliveries])).toEqual([]);
    const logged = await loggedMessages(database.db, incident.channelId);
    for (const event of events)
      expect({ ts: event.key, logged: logged.get(event.key) }).toEqual({ ts: event.key, logged: 1 });

    const exported = JSON.parse(
      await runCli(compiled, env, ['export', '--incident', String(incident.number), '--format', 'json']),
    ) as { timeline: Array<{ text: string }> };
    const notes = new Map<string, number>();
    for (const entry of exported.timeline) notes.set(entry.text, (notes.get(entry.text) ?? 0) + 1);
    const outcomes: Record<string, number> = {};
    for (const sentCommand of sent.filter((r) => r.kind === 'command')) {
      const delivery = sentCommand.deliveries[0]!;
      const answer = delivery.answer ?? '';
      const stored = notes.get(sentCommand.key) ?? 0;
      // Every command was answered, in time, whatever the database was doing.
      expect({ note: sentCommand.key, status: delivery.status }).toEqual({ note: sentCommand.key, status: 200 });
      if (answer.startsWith('Added to the timeline')) {
        expect({ note: sentCommand.key, stored }).toEqual({ note: sentCommand.key, stored: 1 });
        outcomes.added = (outcomes.added ?? 0) + 1;
      } else if (answer === DatabaseUnavailableError.MESSAGE) {
        // "nothing was changed": and indeed nothing was.
        expect({ note: sentCommand.key, stored }).toEqual({ note: sentCommand.key, stored: 0 });
        outcomes.nothingChanged = (outcomes.nothingChanged ?? 0) + 1;
      } else if (answer === DatabaseUnavailableError.MESSAGE_OUTCOME_UNKNOWN || /^:hourglass/.test(answer)) {
        expect({ note: sentCommand.key, storedAtMostOnce: stored <= 1 }).toEqual({
          note: sentCommand.key,
          storedAtMostOnce: true,
        });
        outcomes.maybe = (outcomes.maybe ?? 0) + 1;
      } else {
        throw new Error(`unexpected answer to "${sentCommand.key}": ${answer}`);
      }
    }
    return outcomes;
  }

  test('a connection checked out between two statements when the server shuts down fails the next statement, not the process', async () => {
    if (skipReason) return;
    // pg-pool watches a connection's errors only while it is idle: the server's FATAL 57P01 arriving
    // on one held by a transaction between statements was an unhandled 'error' event that ended
    // `debrief serve` (found by the load below). In this process it would fail this test file.
    const own = openPostgres(cluster!.url, { timeouts: { connectMs: 1_000 } });
    try {
      const outcome = own.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await cluster!.stop('fast');
        // Let the server's goodbye arrive while nothing is running on the connection.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`select 1`.execute(trx);
      });
      await expect(outcome).rejects.toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await cluster!.start();
      await own.close();
    }
    await waitFor('/healthz to answer 200 again', async () => ((await health()).status === 200 ? true : undefined));
  });

  for (const mode of ['fast', 'immediate'] as const) {
    test(`pg_ctl stop -m ${mode} during load: the process stays up, says why it is unhealthy, tells callers to retry, and recovers by itself`, async () => {
      if (skipReason) return;
      expect((await health()).status).toBe(200);
      const load = startLoad(mode === 'fast' ? 'f' : 'i');
      await waitFor('some load answered before the outage', async () =>
        load.sent.filter((r) => r.deliveries[0]?.status === 200).length >= 10 ? true : undefined,
      );

      await cluster!.stop(mode);

      // /healthz names the database while it is down.
      const down = await waitFor('/healthz to answer 503', async () => {
        const answer = await health();
        return answer.status === 503 ? answer : undefined;
      });
      expect(down.body.status).toMatch(/database unavailable/);

      // A command during the outage is answered within Slack's 3 s: nothing changed, try again.
      const during = await deliver(
        app.url,
        command(slack, alice.id, incident.channelId, `timeline note during ${mode} outage`),
      );
      expect({ status: during.status, answer: during.answer }).toEqual({
        status: 200,
        answer: DatabaseUnavailableError.MESSAGE,
      });
      // An event during the outage is answered non-2xx, so that Slack delivers it again.
      const eventId = `EvPGDOWN${mode.toUpperCase()}`;
      const downEvent = messageEvent(slack, alice.id, incident.channelId, `message during the ${mode} outage`, eventId);
      const eventDelivery = await deliver(app.url, downEvent);
      expect(eventDelivery.status).toBeGreaterThanOrEqual(500);
      expectAlive();

      await cluster!.start();

      // It recovers by itself: healthy again, and the same command now works.
      await waitFor('/healthz to answer 200 again', async () => ((await health()).status === 200 ? true : undefined));
      const after = await deliver(
        app.url,
        command(slack, alice.id, incident.channelId, `timeline note after ${mode} outage`),
      );
      expect(after.answer).toMatch(/^Added to the timeline/);
      // Slack's redelivery of the event refused during the outage is now stored, once.
      expect((await deliver(app.url, downEvent, 1)).status).toBe(200);
      expect((await deliver(app.url, downEvent, 2)).status).toBe(200);
      const logged = await loggedMessages(database.db, incident.channelId);
      expect(logged.get(String((downEvent.payload.event as { ts: string }).ts))).toBe(1);

      const sent = await load.stop();
      const outcomes = await checkStored(sent);
      expectAlive();
      console.info(`pg_ctl stop -m ${mode}: ${sent.length} requests under load; commands ${JSON.stringify(outcomes)}`);
    }, 90_000);
  }

  test('the process that lived through both outages stops cleanly', async () => {
    if (skipReason) return;
    await app.stop();
    expect(await app.exited).toBe(0);
  });
});
