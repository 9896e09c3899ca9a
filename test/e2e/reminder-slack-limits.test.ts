import type { DatabaseHandle } from '../../src/db/connect';
import { ensureWorkspace } from '../../src/db/workspaces';
import { runReminderSweep } from '../../src/services/reminders';
import { type DeliveryOutcome, retryAfterOf, type WorkspaceAddress } from '../../src/services/slack-port';
import { SlackMessenger } from '../../src/slack/messenger';
import { WorkspaceClients } from '../../src/slack/workspace-clients';
import { SlackStandIn } from '../kit/slack-stand-in';
import { databaseKinds, openTestDatabase } from '../support/database';
import { quietLogger } from '../support/quiet-logger';
import { seedItemsDue } from '../support/reminder-seed';

/**
 * The reminder sweep through the real outbound port (SlackMessenger, @slack/web-api) against the Slack
 * stand-in over HTTP: after a 429 on users.info or conversations.open no call of that method goes to that
 * workspace until Retry-After has passed — across sweeps — and a person's DM channel is opened once and
 * remembered until a post into it is refused.
 */

const TEAM_ID = 'T0LIMITS';
const BOT_TOKEN = 'xoxb-limits';
const WORKSPACE: WorkspaceAddress = { teamId: TEAM_ID, enterpriseId: null, isEnterpriseInstall: false };
/** Tuesday 09:30 in Los Angeles. */
const TUESDAY = new Date('2026-11-24T17:30:00Z');
const DAY_MS = 86_400_000;
const digest = { kind: 'refused' as const, message: 'a DM' };

describe.each(databaseKinds())('Slack rate limits and DM channels in the reminder sweep (%s)', (kind) => {
  let database: DatabaseHandle;
  let slack: SlackStandIn;
  let messenger: SlackMessenger;
  let workspaceId: number;
  /** Both Slack's clock and the messenger's: the test moves it. */
  let now = TUESDAY.getTime();
  let incidents = 0;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    workspaceId = await ensureWorkspace(database.db, { teamId: TEAM_ID });
  });
  afterAll(async () => database.close());
  beforeEach(async () => {
    now = TUESDAY.getTime();
    slack = new SlackStandIn({
      teamId: TEAM_ID,
      botToken: BOT_TOKEN,
      botUserId: 'UDEBRIEF',
      botId: 'BDEBRIEF',
      rateLimits: false,
      now: () => now,
    });
    await slack.start();
    for (const id of ['UALICE', 'UBOB', 'UCAROL'])
      slack.addUser({ id, name: id.toLowerCase(), tz: 'America/Los_Angeles' });
    messenger = new SlackMessenger(
      new WorkspaceClients({ kind: 'single', botToken: BOT_TOKEN }, slack.apiUrl, { logger: quietLogger() }),
      { now: () => now },
    );
    await database.db.deleteFrom('reminder_digests').execute();
    // Each test has a Slack of its own: DM channels another test's Slack opened do not exist in it.
    await database.db.deleteFrom('dm_channels').execute();
    await database.db.updateTable('action_items').set({ status: 'done' }).execute();
  });
  afterEach(async () => slack.stop());

  /** One resolved incident with a high item for each owner, due on the date given. */
  async function itemsDue(owners: string[], dueDate: string): Promise<void> {
    await seedItemsDue(database.db, { workspaceId, number: ++incidents }, owners, dueDate);
  }

  const sweep = () =>
    runReminderSweep({ db: database.db, slack: messenger, now: new Date(now), reminderHour: 9, warn: () => undefined });
  const calls = (method: string) => slack.callsTo(method).length;
  const posts = () => slack.callsTo('chat.postMessage').filter((c) => c.response.ok === true).length;

  test('users.info: after a 429 no call until Retry-After has passed, across sweeps; then lookups resume', async () => {
    await itemsDue(['UALICE', 'UBOB'], '2026-11-24');
    // Both lookups of the first sweep start together; both are answered 429.
    slack.failNext('users.info', { error: 'ratelimited', retryAfterSeconds: 30, times: 2 });
    const first = await sweep();
    expect(first).toMatchObject({ sent: [], skippedPeople: 2 });
    expect(calls('users.info')).toBe(2);

    // 5 s and 29 s later: still inside the window, so nobody is looked up (or sent to), not even tried.
    now += 5_000;
    expect(await sweep()).toMatchObject({ sent: [], skippedPeople: 2 });
    now += 24_000;
    expect(await sweep()).toMatchObject({ sent: [], skippedPeople: 2 });
    const refused = await messenger.lookupUser(WORKSPACE, 'UCAROL').catch((error: unknown) => error);
    expect(retryAfterOf(refused)).toBe(1);
    expect(calls('users.info')).toBe(2);

    // The window has passed: lookups go to Slack again and the digests follow.
    now += 1_000;
    const later = await sweep();
    expect(later.sent.map((k) => k.userId).sort()).toEqual(['UALICE', 'UBOB']);
    expect(calls('users.info')).toBe(4);
  });

  test('a DM channel is opened once: the next day’s digest is one chat.postMessage; channel_not_found forgets it', async () => {
    await itemsDue(['UALICE'], '2026-11-24');
    expect((await sweep()).sent).toHaveLength(1);
    expect([calls('conversations.open'), posts()]).toEqual([1, 1]);

    // Wednesday: the item is overdue (listed the first weekday after its due date); the DM is remembered.
    now += DAY_MS;
    expect((await sweep()).sent).toHaveLength(1);
    expect([calls('conversations.open'), posts()]).toEqual([1, 2]);

    // Thursday: the remembered channel is gone. The digest is refused and released; the next sweep opens
    // the DM afresh and sends it, once.
    await itemsDue(['UALICE'], '2026-11-26');
    now += DAY_MS;
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect((await sweep()).refused).toEqual([expect.objectContaining({ slackError: 'channel_not_found' })]);
    expect(calls('conversations.open')).toBe(1);
    now += 5 * 60_000;
    expect((await sweep()).sent).toHaveLength(1);
    expect([calls('conversations.open'), calls('chat.postMessage'), posts()]).toEqual([2, 4, 3]);
  });

  test('after a restart (or on another replica) the DM channel comes from Postgres: no conversations.open again', async () => {
    await itemsDue(['UALICE'], '2026-11-24');
    expect((await sweep()).sent).toHaveLength(1);
    expect(calls('conversations.open')).toBe(1);

    // Wednesday, in a new process: nothing in memory.
    messenger = new SlackMessenger(
      new WorkspaceClients({ kind: 'single', botToken: BOT_TOKEN }, slack.apiUrl, { logger: quietLogger() }),
      { now: () => now },
    );
    now += DAY_MS;
    expect((await sweep()).sent).toHaveLength(1);
    expect([calls('conversations.open'), posts()]).toEqual([1, 2]);
    const [first, second] = slack.callsTo('chat.postMessage').map((c) => c.args.channel);
    expect(second).toBe(first);
  });

  test('a post refused otherwise forgets the DM too, and the digest waits for a later sweep', async () => {
    const first = await messenger.sendDirectOnce(WORKSPACE, 'UBOB', digest);
    expect(first).toMatchObject({ outcome: 'sent' });
    slack.failNext('chat.postMessage', { error: 'msg_too_long' });
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UBOB', digest)).toEqual({
      outcome: 'refused',
      slackError: 'msg_too_long',
    });
    expect(calls('conversations.open')).toBe(1);
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UBOB', digest)).toMatchObject({ outcome: 'sent' });
    expect(calls('conversations.open')).toBe(2);
  });

  test('conversations.open 429: no open until Retry-After, while a remembered DM can still be posted to', async () => {
    await messenger.sendDirectOnce(WORKSPACE, 'UCAROL', digest);
    slack.failNext('conversations.open', { error: 'ratelimited', retryAfterSeconds: 20 });
    const limited: DeliveryOutcome = {
      outcome: 'refused',
      slackError: 'ratelimited',
      rateLimited: { retryAfterSeconds: 20, wholeWorkspace: true },
    };
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UALICE', digest)).toEqual(limited);
    now += 10_000;
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UBOB', digest)).toEqual({
      ...limited,
      rateLimited: { retryAfterSeconds: 10, wholeWorkspace: true },
    });
    expect(calls('conversations.open')).toBe(2);
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UCAROL', digest)).toMatchObject({ outcome: 'sent' });
    now += 10_000;
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UBOB', digest)).toMatchObject({ outcome: 'sent' });
    expect(calls('conversations.open')).toBe(3);
  });

  test('chat.postMessage 429 concerns that conversation only: its DM is kept, other conversations go on', async () => {
    await messenger.sendDirectOnce(WORKSPACE, 'UALICE', digest);
    slack.failNext('chat.postMessage', { error: 'ratelimited', retryAfterSeconds: 5 });
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UALICE', digest)).toEqual({
      outcome: 'refused',
      slackError: 'ratelimited',
      rateLimited: { retryAfterSeconds: 5, wholeWorkspace: false },
    });
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UBOB', digest)).toMatchObject({ outcome: 'sent' });
    now += 5_000;
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UALICE', digest)).toMatchObject({ outcome: 'sent' });
    expect([calls('conversations.open'), calls('chat.postMessage')]).toEqual([2, 4]);
  });
});
