/**
 * Three replicas behind one URL against one Postgres (issue 16: "every event processed once, every
 * digest sent once"): three `debrief serve` processes, a round-robin proxy in front of them (so Slack's
 * redelivery of an event reaches another replica than the first delivery), one database, one Slack.
 *
 * - A burst of message events, each delivered and then redelivered through the proxy; some delivered
 *   to all three replicas at the same instant; pushpins (which add timeline entries) raced the same way;
 *   and timeline commands: every message logged once, every pin and note in the timeline once
 *   (read back with `debrief export --format json`).
 * - Reminder digests: every replica runs the scheduler every second (SCHEDULER_CRON with seconds), so
 *   their sweeps start at the same instant; the items become due in one statement, and each person
 *   gets exactly one digest, however many sweeps follow.
 *
 * Needs the real Postgres (TEST_DATABASE_URL); works in a database of its own on that server.
 * Takes about 25 s.
 */
import { sql } from 'kysely';
import type { Db } from '../../src/db/connect';
import { ensureWorkspace } from '../../src/db/workspaces';
import { parseActionCommand } from '../../src/domain/action-command';
import { addActionItem } from '../../src/services/action-items';
import type { ActionContext } from '../../src/services/context';
import { assignRole, declareIncident, incidentInChannel, resolveIncident } from '../../src/services/incidents';
import { assignOwner } from '../../src/services/postmortems';
import { eventCallbackBody, type SignedBody } from '../kit/slack-requests';
import type { SlackStandIn } from '../kit/slack-stand-in';
import { FakeSlackPort } from '../support/fake-slack-port';
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
import { type ScratchDatabase, scratchDatabase } from './support/postgres';
import { type RoundRobinProxy, startRoundRobinProxy } from './support/round-robin-proxy';
import {
  command,
  type DeclaredIncident,
  declareThroughApp,
  deliver,
  loggedMessages,
  messageEvent,
  POSTERS,
  slackSettings,
  startSlackStandIn,
  TEAM_ID,
  waitFor,
} from './support/slack-side';

const REPLICAS = 3;
const EVENTS = 60;
const RACED_EVENTS = 10;
const PINS = 10;
const COMMANDS = 15;
const DAY_MS = 86_400_000;
const isoDate = (at: Date) => at.toISOString().slice(0, 10);

/** Zones from UTC+14 to UTC−11: at most moments one of them is on a weekday. */
const ZONES = [
  'Pacific/Kiritimati',
  'Pacific/Auckland',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Europe/Berlin',
  'UTC',
  'America/New_York',
  'America/Los_Angeles',
  'Pacific/Honolulu',
  'Pacific/Pago_Pago',
];

/**
 * How the digest sweep is driven. The replicas' schedulers use the real clock, and digests go out on
 * the recipient's weekdays only: each person gets a zone where it is a weekday now (not within
 * 15 minutes of midnight), and items due today there. When no zone has a weekday (Saturday noon UTC
 * to Sunday night), `debrief remind --now <next Monday>` in three processes takes the schedulers' place.
 */
type DigestRun =
  | { kind: 'scheduler'; zones: Map<string, string>; localDates: Map<string, string> }
  | { kind: 'remind'; monday: string };

function planDigestRun(now: Date): DigestRun {
  const local = (zone: string, at: Date) =>
    Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        weekday: 'short',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(at)
        .map((part) => [part.type, part.value]),
    ) as Record<string, string>;
  const weekdayZones = ZONES.filter((zone) => {
    const soon = local(zone, new Date(now.getTime() + 15 * 60_000));
    const here = local(zone, now);
    return here.day === soon.day && !['Sat', 'Sun'].includes(here.weekday!);
  });
  if (weekdayZones.length === 0) {
    const monday = new Date(now);
    monday.setUTCDate(monday.getUTCDate() + ((8 - monday.getUTCDay()) % 7 || 7));
    return { kind: 'remind', monday: `${isoDate(monday)}T12:00:00Z` };
  }
  const zones = new Map(POSTERS.map((p, i) => [p.id, weekdayZones[i % weekdayZones.length]!]));
  const localDates = new Map(
    POSTERS.map((p) => {
      const parts = local(zones.get(p.id)!, now);
      return [p.id, `${parts.year}-${parts.month}-${parts.day}`];
    }),
  );
  return { kind: 'scheduler', zones, localDates };
}

(process.env.TEST_DATABASE_URL ? describe : describe.skip)('three replicas behind one URL, one Postgres', () => {
  let compiled: CompiledApp;
  let database: ScratchDatabase;
  let slack: SlackStandIn;
  let replicas: AppProcess[];
  let proxy: RoundRobinProxy;
  let env: NodeJS.ProcessEnv;
  let incident: DeclaredIncident;
  let plan: DigestRun;

  beforeAll(async () => {
    await settleAll([
      compileApp().then((c) => (compiled = c)),
      scratchDatabase().then((d) => (database = d)),
      startSlackStandIn().then((s) => (slack = s)),
    ]);
    plan = planDigestRun(new Date());
    // Before any replica looks anyone up (and caches their zone).
    if (plan.kind === 'scheduler')
      for (const person of POSTERS) slack.addUser({ ...person, tz: plan.zones.get(person.id)! });
    await seedActionItems(database.handle.db);
    env = appEnvironment({
      ...slackSettings(slack, database.url),
      // Every replica sweeps every second, on the second: their sweeps start together.
      SCHEDULER_CRON: '* * * * * *',
      REMINDER_HOUR: '0',
    });
    // The first start migrates; the others then start together.
    replicas = [await startApp(compiled, env, { name: 'replica 1' })];
    replicas.push(
      ...(await Promise.all(
        Array.from({ length: REPLICAS - 1 }, (_, i) => startApp(compiled, env, { name: `replica ${i + 2}` })),
      )),
    );
    proxy = await startRoundRobinProxy(replicas.map((r) => r.url));
    incident = await declareThroughApp(slack, proxy.url, database.handle.db, 'Login fails for SSO users');
  }, 90_000);

  afterAll(async () => {
    await proxy?.close();
    await killStartedApps();
    await slack?.stop();
    await database?.drop();
    compiled?.remove();
  });

  /**
   * One resolved incident whose postmortem bob owns, with an action item for each poster, due in two
   * months: not due yet, so no sweep has anything to send until the test makes them due.
   */
  async function seedActionItems(db: Db) {
    const fake = new FakeSlackPort();
    for (const person of POSTERS) fake.users.set(person.id, { timeZone: person.tz });
    fake.members.set('CSEEDED', new Set(POSTERS.map((p) => p.id)));
    const workspaceId = await ensureWorkspace(db, { teamId: TEAM_ID });
    const now = new Date(Date.now() - 5 * DAY_MS);
    const as = (userId: string): ActionContext => ({
      db,
      slack: fake,
      workspace: { teamId: TEAM_ID, enterpriseId: null, isEnterpriseInstall: false },
      workspaceId,
      now,
      actor: { userId, isGuest: false, isExternal: false, timeZone: null },
    });
    const [alice, bob] = POSTERS as [(typeof POSTERS)[0], (typeof POSTERS)[1]];
    await declareIncident(as(alice.id), {
      title: 'Seeded',
      severity: 'sev2',
      isPrivate: false,
      channelId: 'CSEEDED',
      here: true,
    });
    const find = (includeClosed = false) =>
      incidentInChannel(as(alice.id), 'CSEEDED', { example: 'x', ...(includeClosed && { includeClosed }) });
    await assignRole(as(alice.id), await find(), 'commander', alice.id);
    await resolveIncident(as(alice.id), await find(), { occurredAt: now, summary: 'fixed' });
    await assignOwner(as(alice.id), await find(true), {
      ownerId: bob.id,
      dueText: isoDate(new Date(Date.now() + 90 * DAY_MS)),
    });
    for (const person of POSTERS) {
      const due = isoDate(new Date(Date.now() + 60 * DAY_MS));
      const parsed = parseActionCommand(`Fix it for ${person.name} <@${person.id}> due ${due}`);
      if (!parsed.ok) throw new Error(parsed.message);
      await addActionItem(as(alice.id), await find(true), parsed);
    }
  }

  async function sweepsOf(replica: AppProcess): Promise<number> {
    const text = await (await fetch(`${replica.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('debrief_scheduler_sweeps_total{job="reminder_digests",outcome="ok"}'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  function expectAllAlive() {
    for (const replica of replicas) {
      if (!replica.alive())
        throw new Error(`${replica.name} exited; its last output:\n${replica.output().slice(-4000)}`);
    }
  }

  test('a burst with redeliveries landing on other replicas: every event processed once', async () => {
    const channel = incident.channelId;
    const events: Array<{ ts: string; text: string; eventId: string; body: SignedBody }> = [];
    for (let i = 0; i < EVENTS; i++) {
      const person = POSTERS[i % POSTERS.length]!;
      const eventId = `EvREPL${String(i).padStart(4, '0')}`;
      const text = `replica message ${i} from ${person.name}`;
      const body = messageEvent(slack, person.id, channel, text, eventId);
      events.push({ ts: String((body.payload.event as { ts: string }).ts), text, eventId, body });
    }
    // Through the one URL: first deliveries and Slack's redeliveries (round robin: another replica), overlapping.
    const firstRound = await Promise.all(events.map((e) => deliver(proxy.url, e.body)));
    const retryRound = await Promise.all(events.map((e) => deliver(proxy.url, e.body, 1)));
    // Some delivered to every replica at the same instant (a retry racing the first delivery).
    const raced = await Promise.all(
      events
        .slice(0, RACED_EVENTS)
        .flatMap((e) => replicas.map((replica, n) => deliver(replica.url, e.body, n === 0 ? undefined : n))),
    );
    for (const delivery of [...firstRound, ...retryRound, ...raced]) expect(delivery.status).toBe(200);
    const logged = await loggedMessages(database.handle.db, channel);
    expect([...logged.keys()].sort()).toEqual(events.map((e) => e.ts).sort());
    expect([...logged.values()].every((n) => n === 1)).toBe(true);

    // Pushpins add timeline entries: each pin's event raced on all three replicas at once.
    const pinned = events.slice(0, PINS);
    const pins = pinned.map((e, i) =>
      eventCallbackBody(
        slack,
        {
          kind: 'reaction_added',
          channelId: channel,
          ts: e.ts,
          userId: POSTERS[i % POSTERS.length]!.id,
          reaction: 'pushpin',
        },
        { eventId: `EvPIN${String(i).padStart(4, '0')}` },
      ),
    );
    const pinDeliveries = await Promise.all(
      pins.flatMap((body) => replicas.map((replica, n) => deliver(replica.url, body, n === 0 ? undefined : n))),
    );
    for (const delivery of pinDeliveries) expect(delivery.status).toBe(200);

    // Timeline notes through the one URL, each command once (Slack does not redeliver commands).
    const notes = Array.from({ length: COMMANDS }, (_, i) => `note r${i} while three replicas serve`);
    const answers = await Promise.all(
      notes.map((text, i) =>
        deliver(proxy.url, command(slack, POSTERS[i % POSTERS.length]!.id, channel, `timeline ${text}`)),
      ),
    );
    for (const answer of answers) expect(answer.answer).toMatch(/^Added to the timeline/);

    const exported = JSON.parse(
      await runCli(compiled, env, ['export', '--incident', String(incident.number), '--format', 'json']),
    ) as { timeline: Array<{ text: string; source: string }> };
    // A pinned message's entry holds its words.
    const pinnedEntries = exported.timeline.filter((entry) => entry.source === 'reaction').map((e) => e.text);
    expect(pinnedEntries.sort()).toEqual(pinned.map((e) => e.text).sort());
    const noteEntries = exported.timeline.filter((entry) => /^note r\d+ /.test(entry.text)).map((e) => e.text);
    expect(noteEntries.sort()).toEqual([...notes].sort());

    // Every replica took part.
    for (const replica of replicas) expect(proxy.handled.get(replica.url)).toBeGreaterThan(0);
    expectAllAlive();
  }, 60_000);

  test('sweeps on three replicas at the same instant: each person gets exactly one digest', async () => {
    const digests = () =>
      slack
        .callsTo('chat.postMessage')
        .filter((call) => call.status === 200 && String(call.args.text).startsWith('Your Debrief digest'));
    expect(digests()).toEqual([]);
    const run = plan;
    if (run.kind === 'scheduler') {
      // Due today in each person's own zone, in one statement: the next sweep of every replica finds all at once.
      await sql`update action_items set due_date = case owner_id ${sql.join(
        POSTERS.map((p) => sql`when ${p.id} then ${run.localDates.get(p.id)!}`),
        sql` `,
      )} end`.execute(database.handle.db);
      await waitFor('a digest for every poster', async () => (digests().length >= POSTERS.length ? true : undefined));
    } else {
      // No zone has a weekday now (Saturday noon UTC to Sunday night): digests only go out on weekdays, so
      // the sweep runs as `debrief remind --now <next Monday>` in three processes at once instead.
      await sql`update action_items set due_date = ${run.monday.slice(0, 10)}`.execute(database.handle.db);
      await Promise.all(Array.from({ length: REPLICAS }, () => runCli(compiled, env, ['remind', '--now', run.monday])));
    }
    // Every replica sweeps at least twice more: nobody gets a second digest.
    const swept = await Promise.all(replicas.map(sweepsOf));
    await waitFor('two more sweeps on every replica', async () => {
      const now = await Promise.all(replicas.map(sweepsOf));
      return now.every((count, i) => count >= swept[i]! + 2) ? true : undefined;
    });
    const recipients = digests().map(
      (call) => POSTERS.find((p) => slack.dmChannelWith(p.id) === call.response.channel)?.id,
    );
    expect(recipients.sort()).toEqual(POSTERS.map((p) => p.id).sort());
    const claims = await database.handle.db.selectFrom('reminder_digests').select(['user_id', 'state']).execute();
    console.info(
      `digest sweeps: ${run.kind === 'scheduler' ? `the replicas' schedulers, zones ${[...run.zones.values()].join(', ')}` : `debrief remind --now ${run.monday}`}`,
    );
    expect(claims.map((c) => `${c.user_id}:${c.state}`).sort()).toEqual(POSTERS.map((p) => `${p.id}:sent`).sort());
    expectAllAlive();
    for (const replica of replicas) await replica.stop();
    for (const replica of replicas) expect(await replica.exited).toBe(0);
  }, 60_000);
});
