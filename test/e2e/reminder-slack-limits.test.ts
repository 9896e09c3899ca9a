import type { DatabaseHandle } from '../../src/db/connect';
import { ensureWorkspace } from '../../src/db/workspaces';
import { runReminderSweep, SEND_CONCURRENCY } from '../../src/services/reminders';
import { type DeliveryOutcome, retryAfterOf, type WorkspaceAddress } from '../../src/services/slack-port';
import { SlackMessenger } from '../../src/slack/messenger';
import { WorkspaceClients } from '../../src/slack/workspace-clients';
import { WORKSPACE_POSTS } from '../kit/rate-limits';
import { SlackStandIn } from '../kit/slack-stand-in';
import { databaseKinds, openTestDatabase } from '../support/database';
import { quietLogger } from '../support/quiet-logger';
import { seedItemsDue } from '../support/reminder-seed';

/**
 * The reminder sweep through the real outbound port (SlackMessenger, @slack/web-api) against the Slack
 * stand-in over HTTP: after a 429 on users.info or on a direct message's chat.postMessage no call of that
 * method goes to that workspace until Retry-After has passed — across sweeps — and a digest is one
 * chat.postMessage to the person's user id, without conversations.open.
 */

const TEAM_ID = 'T0LIMITS';
const BOT_TOKEN = 'xoxb-limits';
const WORKSPACE: WorkspaceAddress = { teamId: TEAM_ID, enterpriseId: null, isEnterpriseInstall: false };
/** Tuesday 09:30 in Los Angeles. */
const TUESDAY = new Date('2026-11-24T17:30:00Z');
const DAY_MS = 86_400_000;
const digest = { kind: 'refused' as const, message: 'a DM' };

describe.each(databaseKinds())('Slack rate limits and direct messages in the reminder sweep (%s)', (kind) => {
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
  /** The product's outbound port over a fresh process's clients, on the test's clock. */
  const newMessenger = () =>
    new SlackMessenger(
      new WorkspaceClients({ kind: 'single', botToken: BOT_TOKEN }, slack.apiUrl, { logger: quietLogger() }),
      { now: () => now },
    );

  /** A stand-in with Slack's own limits or none (429s injected by the test), and a messenger over it. */
  async function startSlack(options: { rateLimits: boolean }): Promise<void> {
    slack = new SlackStandIn({
      teamId: TEAM_ID,
      botToken: BOT_TOKEN,
      botUserId: 'UDEBRIEF',
      botId: 'BDEBRIEF',
      rateLimits: options.rateLimits,
      now: () => now,
      // The product's messenger makes these calls: the scopes they need count for manifest.yml.
      reportScopes: true,
    });
    await slack.start();
    for (const id of ['UALICE', 'UBOB', 'UCAROL'])
      slack.addUser({ id, name: id.toLowerCase(), tz: 'America/Los_Angeles' });
    messenger = newMessenger();
  }

  beforeEach(async () => {
    now = TUESDAY.getTime();
    await startSlack({ rateLimits: false });
    await database.db.deleteFrom('reminder_digests').execute();
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

  test('a digest is one chat.postMessage to the user id, which Slack puts in their DM: no conversations.open', async () => {
    await itemsDue(['UALICE', 'UBOB'], '2026-11-24');
    expect((await sweep()).sent).toHaveLength(2);
    // Wednesday: the items are overdue (listed the first weekday after the due date), in a new process.
    messenger = newMessenger();
    now += DAY_MS;
    expect((await sweep()).sent).toHaveLength(2);
    expect([calls('conversations.open'), posts()]).toEqual([0, 4]);
    expect(slack.callsTo('chat.postMessage').map((c) => c.args.channel)).toEqual(
      expect.arrayContaining(['UALICE', 'UBOB']),
    );
    for (const id of ['UALICE', 'UBOB']) {
      expect(slack.messagesIn(slack.dmChannelWith(id)).map((m) => m.text)).toEqual([
        expect.stringContaining('action item'),
        expect.stringContaining('action item'),
      ]);
    }
  });

  test('chat.postMessage 429: no DM goes to the workspace until Retry-After, across sweeps; then they resume', async () => {
    await itemsDue(['UALICE', 'UBOB', 'UCAROL'], '2026-11-24');
    slack.failNext('chat.postMessage', { error: 'ratelimited', retryAfterSeconds: 20 });
    // The sweep starts with one send: its 429 stops the others, whose claims go back.
    const first = await sweep();
    expect(first).toMatchObject({ sent: [], rateLimited: [{ workspaceId, retryAfterSeconds: 20, left: 2 }] });
    expect(calls('chat.postMessage')).toBe(1);

    // 10 s later, still inside the window: refused at once, without a call to Slack.
    now += 10_000;
    const limited: DeliveryOutcome = {
      outcome: 'refused',
      slackError: 'ratelimited',
      rateLimited: { retryAfterSeconds: 10 },
    };
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UBOB', digest)).toEqual(limited);
    expect((await sweep()).sent).toEqual([]);
    expect(calls('chat.postMessage')).toBe(1);

    now += 10_000;
    expect((await sweep()).sent.map((k) => k.userId).sort()).toEqual(['UALICE', 'UBOB', 'UCAROL']);
    expect([calls('conversations.open'), calls('chat.postMessage'), posts()]).toEqual([0, 4, 3]);
  });

  test("Slack's own posting limit across the workspace: a sweep sends up to it, then none until Retry-After", async () => {
    // The stand-in's own buckets this time (Slack's tiers and chat.postMessage's limits), no 429 injected.
    await slack.stop();
    await startSlack({ rateLimits: true });
    const owners = Array.from({ length: WORKSPACE_POSTS.burst + 20 }, (_, i) => `UOWNER${i}`);
    for (const id of owners) slack.addUser({ id, name: id.toLowerCase(), tz: 'America/Los_Angeles' });
    await itemsDue(owners, '2026-11-24');
    // Tuesday: users.info (Tier 4) paces the first sweeps; a few minutes of Slack's clock sends everyone a digest.
    let tuesday = 0;
    for (let i = 0; i < 5 && tuesday < owners.length; i++, now += 2 * 60_000) tuesday += (await sweep()).sent.length;
    expect(tuesday).toBe(owners.length);

    // Wednesday (the items now overdue): the people are known, so the posts alone meet Slack's limit.
    now = TUESDAY.getTime() + DAY_MS;
    const postsBefore = calls('chat.postMessage');
    const first = await sweep();
    expect(first.sent).toHaveLength(WORKSPACE_POSTS.burst);
    expect(first.rateLimited).toEqual([expect.objectContaining({ workspaceId, retryAfterSeconds: 1 })]);
    const refusedAt429 = calls('chat.postMessage') - postsBefore - WORKSPACE_POSTS.burst;
    // Only the sends already on their way when the first 429 came back met it.
    expect(refusedAt429).toBeGreaterThanOrEqual(1);
    expect(refusedAt429).toBeLessThanOrEqual(SEND_CONCURRENCY);

    // Inside the Retry-After: a sweep makes no call at all.
    now += 500;
    const callsBefore = calls('chat.postMessage');
    expect((await sweep()).sent).toEqual([]);
    expect(calls('chat.postMessage')).toBe(callsBefore);

    // Later sweeps send the rest as the allowance refills (300 a minute), each person once.
    let wednesday = first.sent.length;
    for (let i = 0; i < 10 && wednesday < owners.length; i++) {
      now += 10_000;
      wednesday += (await sweep()).sent.length;
    }
    expect(wednesday).toBe(owners.length);
    const wednesdayPosts = slack
      .callsTo('chat.postMessage')
      .filter((c) => c.response.ok === true && c.at.getTime() >= TUESDAY.getTime() + DAY_MS);
    expect(new Set(wednesdayPosts.map((c) => c.args.channel)).size).toBe(owners.length);
    expect(wednesdayPosts).toHaveLength(owners.length);
  });

  test('a workspace that refuses the user id (channel_not_found) gets the DM opened and posted to, once', async () => {
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UBOB', digest)).toMatchObject({ outcome: 'sent' });
    const dm = slack.dmChannelWith('UBOB');
    expect(slack.callsTo('conversations.open').map((c) => [c.args.users, c.scope, c.response.ok])).toEqual([
      ['UBOB', 'im:write', true],
    ]);
    expect(slack.callsTo('chat.postMessage').map((c) => [c.args.channel, c.response.ok])).toEqual([
      ['UBOB', false],
      [dm, true],
    ]);
    expect(slack.messagesIn(dm).map((m) => m.text)).toEqual(['a DM']);
    // Someone Slack does not know: the open says so, and nothing more is tried.
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UNOBODY', digest)).toEqual({
      outcome: 'refused',
      slackError: 'user_not_found',
    });
    expect([calls('conversations.open'), calls('chat.postMessage')]).toEqual([2, 3]);
    // The open failing in a way that would leave a post's fate unknown (a 5xx) still posted nothing:
    // a definite refusal, so the digest may go on a later sweep.
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    slack.failNext('conversations.open', { error: 'internal_error', status: 500 });
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UCAROL', digest)).toEqual({
      outcome: 'refused',
      slackError: 'not_opened: http error',
    });
    expect(await messenger.sendDirectOnce(WORKSPACE, 'UCAROL', digest)).toMatchObject({ outcome: 'sent' });
  });

  test('a refused post releases the digest for a later sweep, sent once', async () => {
    await itemsDue(['UALICE'], '2026-11-24');
    slack.failNext('chat.postMessage', { error: 'msg_too_long' });
    expect((await sweep()).refused).toEqual([
      expect.objectContaining({ userId: 'UALICE', slackError: 'msg_too_long' }),
    ]);
    now += 5 * 60_000;
    expect((await sweep()).sent).toHaveLength(1);
    now += 5 * 60_000;
    expect((await sweep()).sent).toHaveLength(0);
    expect([calls('chat.postMessage'), posts()]).toEqual([2, 1]);
  });
});
