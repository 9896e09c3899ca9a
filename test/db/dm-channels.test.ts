import type { DatabaseHandle } from '../../src/db/connect';
import { forgetDmChannels, knownDmChannels, rememberDmChannels } from '../../src/db/dm-channels';
import { ensureWorkspace } from '../../src/db/workspaces';
import { noteAppHomeChannel } from '../../src/services/dm-channels';
import { runReminderSweep } from '../../src/services/reminders';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort, TEST_WORKSPACE } from '../support/fake-slack-port';
import { seedItemsDue } from '../support/reminder-seed';

/**
 * A person's DM channel, once opened, is kept in Postgres: a later sweep, in a restarted process or on
 * another replica, posts straight into it instead of calling conversations.open (Slack's Tier 3) again.
 */

/** Tuesday 09:30 in Los Angeles: every test person's digest is due. */
const LA_MORNING = new Date('2026-11-24T17:30:00Z');
const OWNERS = ['UDM01', 'UDM02', 'UDM03'];

describe.each(databaseKinds())('DM channels kept between sweeps on the %s database', (kind) => {
  let database: DatabaseHandle;
  let workspaceId: number;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    workspaceId = await ensureWorkspace(database.db, { teamId: TEST_WORKSPACE.teamId! });
    await seedItemsDue(database.db, { workspaceId, number: 1 }, OWNERS, '2026-11-24');
  });
  afterAll(async () => database.close());

  /** A port as a fresh process has it: nothing remembered in memory. */
  const freshPort = () => {
    const slack = new FakeSlackPort();
    for (const owner of OWNERS) slack.users.set(owner, { timeZone: 'America/Los_Angeles' });
    return slack;
  };
  const sweep = (slack: FakeSlackPort) =>
    runReminderSweep({ db: database.db, slack, now: LA_MORNING, reminderHour: 9, warn: () => undefined });
  const dmChannelsGiven = (slack: FakeSlackPort) =>
    Object.fromEntries(
      slack.calls.flatMap((c) => (c.method === 'sendDirectOnce' ? [[c.userId, c.dmChannel ?? null]] : [])),
    );
  /** The same digests due again (as on a later day). */
  const dueAgain = () => database.db.deleteFrom('reminder_digests').execute();

  test('the first sweep stores the channels it opened; a later one, in a fresh process, posts straight into them', async () => {
    const first = freshPort();
    expect((await sweep(first)).sent).toHaveLength(3);
    expect(dmChannelsGiven(first)).toEqual({ UDM01: null, UDM02: null, UDM03: null });
    expect(Object.fromEntries(await knownDmChannels(database.db, workspaceId, OWNERS))).toEqual({
      UDM01: 'DUDM01',
      UDM02: 'DUDM02',
      UDM03: 'DUDM03',
    });

    await dueAgain();
    const restarted = freshPort();
    expect((await sweep(restarted)).sent).toHaveLength(3);
    expect(dmChannelsGiven(restarted)).toEqual({ UDM01: 'DUDM01', UDM02: 'DUDM02', UDM03: 'DUDM03' });
  });

  test('a channel Slack refuses is forgotten (the next sweep opens a DM again); a newer one replaces the old', async () => {
    await dueAgain();
    const slack = freshPort();
    slack.onceOutcomes.set('UDM01', [{ outcome: 'refused', slackError: 'channel_not_found' }]);
    slack.onceOutcomes.set('UDM02', [{ outcome: 'sent', ts: '2.000', channelId: 'DNEW02' }]);
    const report = await sweep(slack);
    expect(report.refused).toEqual([expect.objectContaining({ userId: 'UDM01', slackError: 'channel_not_found' })]);
    expect(Object.fromEntries(await knownDmChannels(database.db, workspaceId, OWNERS))).toEqual({
      UDM02: 'DNEW02',
      UDM03: 'DUDM03',
    });
    // The refused digest was released: the next sweep sends it, opening the DM afresh.
    const next = freshPort();
    expect((await sweep(next)).sent.map((k) => k.userId)).toEqual(['UDM01']);
    expect(dmChannelsGiven(next)).toEqual({ UDM01: null });
  });

  test('a sweep that opened more DMs than one statement takes parameters for stores them all', async () => {
    const many = Array.from({ length: 22_000 }, (_, i) => ({ userId: `UMANY${i}`, channelId: `DMANY${i}` }));
    await rememberDmChannels(database.db, workspaceId, many);
    const known = await knownDmChannels(
      database.db,
      workspaceId,
      many.map((c) => c.userId),
    );
    expect(known.size).toBe(22_000);
    expect(known.get('UMANY21999')).toBe('DMANY21999');
    await forgetDmChannels(database.db, workspaceId, many.slice(0, 3));
    expect((await knownDmChannels(database.db, workspaceId, ['UMANY0', 'UMANY2', 'UMANY3'])).size).toBe(1);
    await database.db.deleteFrom('dm_channels').where('user_id', 'like', 'UMANY%').execute();
  });

  test('a rate-limited post keeps the channel: Slack did not say it is gone', async () => {
    await dueAgain();
    const slack = freshPort();
    slack.onceOutcomes.set('UDM03', [
      {
        outcome: 'refused',
        slackError: 'ratelimited',
        rateLimited: { retryAfterSeconds: 30, wholeWorkspace: false },
      },
    ]);
    await sweep(slack);
    expect((await knownDmChannels(database.db, workspaceId, ['UDM03'])).get('UDM03')).toBe('DUDM03');
  });

  test('the channel app_home_opened names is used by the next sweep; the same one again writes nothing', async () => {
    await dueAgain();
    await database.db.deleteFrom('dm_channels').execute();
    const scope = { db: database.db, slack: freshPort(), workspaceId, workspace: TEST_WORKSPACE, now: LA_MORNING };
    await noteAppHomeChannel(scope, 'UDM01', 'DHOME01');
    // Not a DM channel id (an older payload without one, or anything else): nothing to remember.
    await noteAppHomeChannel(scope, 'UDM02', undefined);
    await noteAppHomeChannel(scope, 'UDM03', 'C0CHANNEL');
    const stored = () => database.db.selectFrom('dm_channels').select(['user_id', 'channel_id', 'opened_at']).execute();
    const before = await stored();
    expect(before.map((r) => [r.user_id, r.channel_id])).toEqual([['UDM01', 'DHOME01']]);
    await noteAppHomeChannel(scope, 'UDM01', 'DHOME01');
    expect(await stored()).toEqual(before);

    const slack = freshPort();
    expect((await sweep(slack)).sent).toHaveLength(3);
    expect(dmChannelsGiven(slack)).toEqual({ UDM01: 'DHOME01', UDM02: null, UDM03: null });
  });
});
