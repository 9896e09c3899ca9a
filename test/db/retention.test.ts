import { ConsoleLogger, LogLevel } from '@slack/logger';
import { loadConfig } from '../../src/config';
import type { DatabaseHandle } from '../../src/db/connect';
import { claimEvent } from '../../src/db/events';
import { listTimeline } from '../../src/db/timeline';
import { ensureWorkspace } from '../../src/db/workspaces';
import { startScheduler } from '../../src/scheduler';
import { captureFromShortcut, captureReaction, logChannelMessage } from '../../src/services/capture';
import { type ActionContext, declareIncident, incidentInChannel, resolveIncident } from '../../src/services/incidents';
import { forgetOldEventIds, purgeExpiredMessageLogs } from '../../src/services/retention';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort, TEST_WORKSPACE } from '../support/fake-slack-port';

const RESOLVED_AT = new Date('2026-08-01T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

describe.each(databaseKinds())('message log retention on the %s database', (kind) => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => database.close());

  test('deletes the words of closed incidents after the retention period, keeping the timeline and open incidents', async () => {
    const workspaceId = await ensureWorkspace(database.db, { teamId: 'TRET' });
    const scope = {
      db: database.db,
      slack: new FakeSlackPort(),
      workspace: TEST_WORKSPACE,
      workspaceId,
      now: RESOLVED_AT,
    };
    const context: ActionContext = {
      ...scope,
      actor: { userId: 'UALICE', isGuest: false, isExternal: false, timeZone: null },
    };
    for (const channelId of ['CCLOSED', 'COPEN']) {
      await declareIncident(context, { title: channelId, severity: 'sev3', isPrivate: false, channelId, here: true });
      await logChannelMessage(scope, {
        channelId,
        ts: '1785585600.000100',
        threadTs: null,
        userId: 'UBOB',
        text: 'the words',
      });
    }
    const closed = await incidentInChannel(context, 'CCLOSED', { example: 'x' });
    await captureReaction(scope, 'UALICE', { channelId: 'CCLOSED', ts: '1785585600.000100' });
    await resolveIncident(context, closed, { occurredAt: RESOLVED_AT, summary: '' });
    const logged = () => database.db.selectFrom('message_log').select('channel_id').orderBy('channel_id').execute();

    expect(await purgeExpiredMessageLogs(database.db, new Date(RESOLVED_AT.getTime() + 89 * DAY), 90)).toBe(0);
    expect(await logged()).toHaveLength(2);
    expect(await purgeExpiredMessageLogs(database.db, new Date(RESOLVED_AT.getTime() + 91 * DAY), 90)).toBe(1);
    expect(await logged()).toEqual([{ channel_id: 'COPEN' }]);
    expect(await purgeExpiredMessageLogs(database.db, new Date(RESOLVED_AT.getTime() + 92 * DAY), 90)).toBe(0);
    const timeline = await listTimeline(database.db, closed.row.id);
    expect(timeline.find((e) => e.source === 'reaction')?.text).toBe('the words');
  });

  test('forgets processed Slack event ids after a day, not before', async () => {
    expect(await claimEvent(database.db, 'EvRETENTION', 'TRET')).toBe(true);
    const claimedAt = new Date();
    expect(await forgetOldEventIds(database.db, new Date(claimedAt.getTime() + 23 * 60 * 60 * 1000))).toBe(0);
    expect(await claimEvent(database.db, 'EvRETENTION', 'TRET')).toBe(false);
    expect(await forgetOldEventIds(database.db, new Date(claimedAt.getTime() + 25 * 60 * 60 * 1000))).toBe(1);
    expect(await claimEvent(database.db, 'EvRETENTION', 'TRET')).toBe(true);
  });

  test('a scheduler sweep applies the retentions: old logs, event ids and abandoned shortcut captures go', async () => {
    expect(await claimEvent(database.db, 'EvSWEEP', 'TRET')).toBe(true);
    const workspaceId = await ensureWorkspace(database.db, { teamId: 'TSWEEP' });
    const scope = {
      db: database.db,
      slack: new FakeSlackPort(),
      workspace: TEST_WORKSPACE,
      workspaceId,
      now: RESOLVED_AT,
    };
    const context: ActionContext = {
      ...scope,
      actor: { userId: 'UALICE', isGuest: false, isExternal: false, timeZone: null },
    };
    await declareIncident(context, {
      title: 'sweep',
      severity: 'sev3',
      isPrivate: false,
      channelId: 'CSWEEP',
      here: true,
    });
    const message = { channelId: 'CSWEEP', ts: '1785585600.000200', threadTs: null, userId: 'UBOB', text: 'old words' };
    await logChannelMessage(scope, message);
    await resolveIncident(context, await incidentInChannel(context, 'CSWEEP', { example: 'x' }), {
      occurredAt: RESOLVED_AT,
      summary: '',
    });
    await captureFromShortcut(context, { ...message, channelId: 'CELSEWHERE' });
    const rows = async () => ({
      logged: (await database.db.selectFrom('message_log').select('ts').where('channel_id', '=', 'CSWEEP').execute())
        .length,
      pending: (
        await database.db.selectFrom('pending_captures').select('id').where('workspace_id', '=', workspaceId).execute()
      ).length,
    });
    expect(await rows()).toEqual({ logged: 1, pending: 1 });
    const logger = new ConsoleLogger();
    logger.setLevel(LogLevel.ERROR);
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret' });
    const scheduler = startScheduler({
      db: database.db,
      slack: new FakeSlackPort(),
      config,
      logger,
      clock: () => new Date(Date.now() + 2 * DAY),
    });
    await scheduler.sweep();
    await scheduler.stop();
    expect(await claimEvent(database.db, 'EvSWEEP', 'TRET')).toBe(true);
    expect(await rows()).toEqual({ logged: 0, pending: 0 });
  });
});
