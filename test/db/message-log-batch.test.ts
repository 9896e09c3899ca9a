import type { DatabaseHandle } from '../../src/db/connect';
import { type ChannelMessageToLog, logChannelMessageOnce } from '../../src/db/message-log';
import { ensureWorkspace } from '../../src/db/workspaces';
import { declareIncident } from '../../src/services/incidents';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort, TEST_WORKSPACE } from '../support/fake-slack-port';

/**
 * Message events that arrive together share one statement (db/message-log.ts, MessageLogWriter).
 * Each caller must still get its own event's outcome, and one bad message must not cost the others.
 */

const NOW = new Date('2026-11-20T10:00:00Z');

describe.each(databaseKinds())('batched message logging on the %s database', (kind) => {
  let database: DatabaseHandle;
  let workspaceId: number;
  let channels = 0;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    workspaceId = await ensureWorkspace(database.db, { teamId: 'TBATCH' });
  });
  afterAll(async () => database.close());

  /** A channel with a capturing `--here` incident. */
  async function incidentChannel(): Promise<string> {
    const channelId = `CBATCH${++channels}`;
    await declareIncident(
      {
        db: database.db,
        slack: new FakeSlackPort(),
        workspace: TEST_WORKSPACE,
        workspaceId,
        now: NOW,
        actor: { userId: 'UALICE', isGuest: false, isExternal: false, timeZone: null },
      },
      { title: channelId, severity: 'sev2', isPrivate: false, channelId, here: true },
    );
    return channelId;
  }

  const message = (channelId: string, n: number, eventId: string | undefined = `Ev${channelId}x${n}`) =>
    ({
      workspaceId,
      claim: eventId === undefined ? undefined : { eventId, teamId: String(workspaceId) },
      channelId,
      ts: `1763629000.${String(n).padStart(6, '0')}`,
      threadTs: null,
      userId: 'UBOB',
      text: `message ${n}`,
      postedAt: NOW,
    }) satisfies ChannelMessageToLog;

  const rowsIn = async (channelId: string) =>
    database.db
      .selectFrom('message_log')
      .select(['ts', 'text'])
      .where('channel_id', '=', channelId)
      .orderBy('ts')
      .execute();
  const claimsLike = async (prefix: string) =>
    (
      await database.db
        .selectFrom('processed_events')
        .select('event_id')
        .where('event_id', 'like', `${prefix}%`)
        .execute()
    ).length;

  test('many messages at once: each is stored once, claimed once and told so', async () => {
    const channelId = await incidentChannel();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, n) => logChannelMessageOnce(database.db, message(channelId, n))),
    );
    expect(results.every((r) => r.captured && r.claimed && r.logged)).toBe(true);
    const rows = await rowsIn(channelId);
    expect(rows).toHaveLength(300);
    expect(rows[299]).toEqual({ ts: '1763629000.000299', text: 'message 299' });
    expect(await claimsLike(`Ev${channelId}x`)).toBe(300);
  });

  test('messages that arrive while a statement is in flight share the next one', async () => {
    const channelId = await incidentChannel();
    let statements = 0;
    // A handle of its own (so a writer of its own) that counts the statements sent through it.
    const counted = database.db.withPlugin({
      transformQuery: ({ node }) => {
        statements++;
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, n) => logChannelMessageOnce(counted, message(channelId, n))),
    );
    expect(results.every((r) => r.logged)).toBe(true);
    // The first goes alone at once; the 299 that arrived meanwhile go in statements of at most 256.
    expect(statements).toBe(3);
    expect(await rowsIn(channelId)).toHaveLength(300);
  });

  test('the same event twice among others (a retry racing its original): stored once, both answered', async () => {
    const channelId = await incidentChannel();
    const batch = Array.from({ length: 40 }, (_, n) => message(channelId, n));
    batch.splice(20, 0, message(channelId, 7)); // Slack's retry of event 7, in the same batch
    const results = await Promise.all(batch.map((m) => logChannelMessageOnce(database.db, m)));
    expect(results.every((r) => r.captured)).toBe(true);
    expect(await rowsIn(channelId)).toHaveLength(40);
    expect(await claimsLike(`Ev${channelId}x`)).toBe(40);
    // Once committed, a later retry claims nothing and logs nothing.
    expect(await logChannelMessageOnce(database.db, message(channelId, 7))).toEqual({
      captured: true,
      claimed: false,
      logged: false,
    });
  });

  test('messages outside incident channels are neither claimed nor stored, next to ones inside', async () => {
    const channelId = await incidentChannel();
    const results = await Promise.all([
      logChannelMessageOnce(database.db, message('CGENERAL', 1, 'EvGeneral1')),
      logChannelMessageOnce(database.db, message(channelId, 1)),
      logChannelMessageOnce(database.db, message('CGENERAL', 2, 'EvGeneral2')),
      logChannelMessageOnce(database.db, message(channelId, 2, undefined)),
    ]);
    expect(results).toEqual([
      { captured: false, claimed: false, logged: false },
      { captured: true, claimed: true, logged: true },
      { captured: false, claimed: false, logged: false },
      // Not an event delivery: nothing to claim, stored all the same.
      { captured: true, claimed: true, logged: true },
    ]);
    expect(await claimsLike('EvGeneral')).toBe(0);
    expect(await rowsIn('CGENERAL')).toEqual([]);
  });

  test('one message the database refuses fails alone: the rest of its batch is stored', async () => {
    const channelId = await incidentChannel();
    // A NUL byte is not storable in Postgres text (the capture service strips it; this bypasses that).
    const poison = { ...message(channelId, 25), userId: 'U\u0000BAD' };
    const batch = Array.from({ length: 50 }, (_, n) => (n === 25 ? poison : message(channelId, n)));
    const settled = await Promise.allSettled(batch.map((m) => logChannelMessageOnce(database.db, m)));
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
    expect(settled[25]!.status).toBe('rejected');
    expect(await rowsIn(channelId)).toHaveLength(49);
    // The refused event was not claimed: Slack's redelivery will be processed.
    expect(await claimsLike(`Ev${channelId}x25`)).toBe(0);
  });
});
