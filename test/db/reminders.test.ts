import type { DatabaseHandle } from '../../src/db/connect';
import { claimDigest, findDigest, releaseDigest } from '../../src/db/digests';
import { ensureWorkspace } from '../../src/db/workspaces';
import { parseActionCommand } from '../../src/domain/action-command';
import { addActionItem } from '../../src/services/action-items';
import type { ActionContext } from '../../src/services/context';
import {
  assignRole,
  declareIncident,
  type IncidentInChannel,
  incidentInChannel,
  resolveIncident,
} from '../../src/services/incidents';
import { assignOwner, requestReview } from '../../src/services/postmortems';
import { planSweep, runReminderSweep } from '../../src/services/reminders';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort, type PortCall, TEST_WORKSPACE } from '../support/fake-slack-port';

/** The reminder sweep's claims against a real database: one digest per person and local date. */

/** Created on Friday 2026-11-20; items fall due on Tuesday 2026-11-24. */
const CREATED = new Date('2026-11-20T12:00:00Z');
/** Tuesday 09:30 in Berlin (08:30 UTC): Bob's digest is due, Alice's (Los Angeles, 00:30) not yet. */
const BERLIN_MORNING = new Date('2026-11-24T08:30:00Z');
/** Tuesday 09:30 in Los Angeles (17:30 UTC). */
const LA_MORNING = new Date('2026-11-24T17:30:00Z');

describe.each(databaseKinds())('reminder digests on the %s database', (kind) => {
  let database: DatabaseHandle;
  let slack: FakeSlackPort;
  let sequence = 0;

  let workspaceId: number;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    workspaceId = await ensureWorkspace(database.db, { teamId: TEST_WORKSPACE.teamId! });
  });
  afterAll(async () => database.close());
  beforeEach(async () => {
    // Each test starts with no digests and nothing open, so that its sweeps see only its own items.
    slack = new FakeSlackPort();
    slack.users.set('UALICE', { timeZone: 'America/Los_Angeles' });
    slack.users.set('UBOB', { timeZone: 'Europe/Berlin' });
    slack.users.set('UCAROL', { timeZone: 'Asia/Kolkata' });
    await database.db.deleteFrom('reminder_digests').execute();
    await database.db.updateTable('action_items').set({ status: 'done' }).execute();
    await database.db.updateTable('postmortems').set({ status: 'closed' }).execute();
  });

  const as = (userId: string, now = CREATED): ActionContext => ({
    db: database.db,
    slack,
    workspace: TEST_WORKSPACE,
    workspaceId,
    now,
    actor: { userId, isGuest: false, isExternal: false, timeZone: null },
  });

  /** A resolved incident: alice commands it, bob owns its postmortem; everyone is in its channel. */
  async function incident(): Promise<IncidentInChannel> {
    const channelId = `CRM${++sequence}`;
    slack.members.set(channelId, new Set(['UALICE', 'UBOB', 'UCAROL']));
    await declareIncident(as('UALICE', new Date('2026-11-19T10:00:00Z')), {
      title: `Checkout ${sequence}`,
      severity: 'sev2',
      isPrivate: false,
      channelId,
      here: true,
    });
    let found = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    await assignRole(as('UALICE'), found, 'commander', 'UALICE');
    found = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    await resolveIncident(as('UALICE'), found, { occurredAt: new Date('2026-11-19T12:00:00Z'), summary: 'fixed' });
    found = await incidentInChannel(as('UALICE'), channelId, { example: 'x', includeClosed: true });
    await assignOwner(as('UALICE'), found, { ownerId: 'UBOB', dueText: '2026-12-31' });
    return found;
  }

  async function item(inc: IncidentInChannel, text: string) {
    const parsed = parseActionCommand(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return (await addActionItem(as('UALICE'), inc, parsed)).item;
  }

  const deps = (now: Date) => ({ db: database.db, slack, now, reminderHour: 9 });
  const digestsTo = (userId: string) =>
    slack.calls.filter(
      (c): c is Extract<PortCall, { method: 'sendDirectOnce' }> => c.method === 'sendDirectOnce' && c.userId === userId,
    );

  test('claims: exactly one of two claims wins; a failed digest can be claimed again, a claimed or sent one cannot', async () => {
    const key = { workspaceId, userId: 'UCLAIM', localDate: '2026-11-24' };
    const results = await Promise.all([claimDigest(database.db, key, CREATED), claimDigest(database.db, key, CREATED)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await claimDigest(database.db, key, CREATED)).toBe(false);
    await releaseDigest(database.db, key, 'channel_not_found');
    expect(await findDigest(database.db, key)).toMatchObject({ state: 'failed', last_error: 'channel_not_found' });
    const retries = await Promise.all([claimDigest(database.db, key, CREATED), claimDigest(database.db, key, CREATED)]);
    expect(retries.filter(Boolean)).toHaveLength(1);
    expect(await findDigest(database.db, key)).toMatchObject({ state: 'claimed', attempts: 2 });
  });

  test('each person gets one digest in their own morning; repeated and concurrent sweeps send nothing new', async () => {
    const inc = await incident();
    await item(inc, 'Alert on 5xx <@UALICE> due 2026-11-24');
    await item(inc, 'Runbook for rollbacks <@UBOB> due 2026-11-24');
    const berlin = await Promise.all([
      runReminderSweep(deps(BERLIN_MORNING)),
      runReminderSweep(deps(BERLIN_MORNING)),
      runReminderSweep(deps(BERLIN_MORNING)),
    ]);
    expect(berlin.reduce((n, r) => n + r.sent.length, 0)).toBe(1);
    expect(digestsTo('UBOB')).toHaveLength(1);
    expect(digestsTo('UALICE')).toHaveLength(0);
    const bobDigest = digestsTo('UBOB')[0]!.notice;
    expect(bobDigest).toMatchObject({
      kind: 'action_item_digest',
      digest: { recipientId: 'UBOB', localDate: '2026-11-24', timeZone: 'Europe/Berlin' },
    });
    if (bobDigest.kind !== 'action_item_digest') throw new Error('not a digest');
    expect(bobDigest.digest.dueToday.map((l) => l.item.text)).toEqual(['Runbook for rollbacks']);
    // 08:59 in Los Angeles: not yet.
    await runReminderSweep(deps(new Date(LA_MORNING.getTime() - 31 * 60_000)));
    expect(digestsTo('UALICE')).toHaveLength(0);
    await Promise.all([runReminderSweep(deps(LA_MORNING)), runReminderSweep(deps(LA_MORNING))]);
    await runReminderSweep(deps(new Date(LA_MORNING.getTime() + 3_600_000)));
    expect(digestsTo('UALICE')).toHaveLength(1);
    expect(digestsTo('UBOB')).toHaveLength(1);
    const stored = await database.db.selectFrom('reminder_digests').selectAll().orderBy('user_id').execute();
    expect(stored.map((d) => [d.user_id, d.local_date, d.state])).toEqual([
      ['UALICE', '2026-11-24', 'sent'],
      ['UBOB', '2026-11-24', 'sent'],
    ]);
  });

  test('a definite refusal releases the claim and a later sweep sends it; the others still get theirs', async () => {
    const inc = await incident();
    await item(inc, 'One <@UALICE> due 2026-11-24');
    await item(inc, 'Two <@UCAROL> due 2026-11-24');
    await item(inc, 'Three <@UBOB> due 2026-11-24');
    slack.onceOutcomes.set('UBOB', [{ outcome: 'refused', slackError: 'fatal_error' }]);
    const first = await runReminderSweep(deps(LA_MORNING));
    expect(first.sent.map((k) => k.userId).sort()).toEqual(['UALICE', 'UCAROL']);
    expect(first.refused).toEqual([expect.objectContaining({ userId: 'UBOB', slackError: 'fatal_error' })]);
    expect(await findDigest(database.db, { workspaceId, userId: 'UBOB', localDate: '2026-11-24' })).toMatchObject({
      state: 'failed',
    });
    const second = await runReminderSweep(deps(new Date(LA_MORNING.getTime() + 5 * 60_000)));
    expect(second.sent.map((k) => k.userId)).toEqual(['UBOB']);
    expect(digestsTo('UBOB')).toHaveLength(2);
    expect(digestsTo('UALICE')).toHaveLength(1);
  });

  test('429 ends the workspace’s sends for this sweep; the rest follow on a later sweep', async () => {
    const inc = await incident();
    await item(inc, 'One <@UALICE> due 2026-11-24');
    await item(inc, 'Two <@UBOB> due 2026-11-24');
    await item(inc, 'Three <@UCAROL> due 2026-11-24');
    // Recipients go in id order: UALICE first.
    slack.onceOutcomes.set('UALICE', [
      { outcome: 'refused', slackError: 'ratelimited', rateLimited: { retryAfterSeconds: 30 } },
    ]);
    const first = await runReminderSweep(deps(LA_MORNING));
    expect(first.sent).toEqual([]);
    expect(first.rateLimited).toEqual([{ workspaceId, retryAfterSeconds: 30, left: 2 }]);
    expect(slack.calls.filter((c) => c.method === 'sendDirectOnce')).toHaveLength(1);
    const second = await runReminderSweep(deps(new Date(LA_MORNING.getTime() + 5 * 60_000)));
    expect(second.sent.map((k) => k.userId).sort()).toEqual(['UALICE', 'UBOB', 'UCAROL']);
  });

  test('an unknown outcome keeps the claim: never sent twice', async () => {
    const inc = await incident();
    await item(inc, 'One <@UALICE> due 2026-11-24');
    slack.onceOutcomes.set('UALICE', [{ outcome: 'unknown', reason: 'ETIMEDOUT' }]);
    const first = await runReminderSweep(deps(LA_MORNING));
    expect(first.unknown).toEqual([expect.objectContaining({ userId: 'UALICE', reason: 'ETIMEDOUT' })]);
    await runReminderSweep(deps(new Date(LA_MORNING.getTime() + 5 * 60_000)));
    expect(digestsTo('UALICE')).toHaveLength(1);
    expect(await findDigest(database.db, { workspaceId, userId: 'UALICE', localDate: '2026-11-24' })).toMatchObject({
      state: 'claimed',
    });
  });

  test('someone Slack cannot describe now is skipped, and gets their digest on a later sweep', async () => {
    const inc = await incident();
    await item(inc, 'One <@UALICE> due 2026-11-24');
    slack.failingLookups.add('UALICE');
    const first = await runReminderSweep(deps(LA_MORNING));
    expect(first).toMatchObject({ sent: [], skippedPeople: 1 });
    slack.failingLookups.clear();
    await runReminderSweep(deps(new Date(LA_MORNING.getTime() + 5 * 60_000)));
    expect(digestsTo('UALICE')).toHaveLength(1);
  });

  test('an owner who left: their items go to the postmortem owner’s digest to reassign', async () => {
    const inc = await incident();
    await item(inc, 'Orphan <@UCAROL> due 2026-11-24');
    slack.users.set('UCAROL', { timeZone: 'Asia/Kolkata', deleted: true });
    await runReminderSweep(deps(BERLIN_MORNING));
    expect(digestsTo('UCAROL')).toHaveLength(0);
    const [bob] = digestsTo('UBOB');
    if (bob?.notice.kind !== 'action_item_digest') throw new Error('bob got no digest');
    expect(bob.notice.digest.reassign.map((l) => l.item.text)).toEqual(['Orphan']);
  });

  test('weekends: nothing is planned on a Saturday morning', async () => {
    const inc = await incident();
    await item(inc, 'One <@UBOB> due 2026-11-28');
    expect(await planSweep(deps(new Date('2026-11-28T09:30:00Z')))).toEqual([
      expect.objectContaining({ workspaceId, digests: [] }),
    ]);
  });

  test('a waiting review is nudged once through the reviewer’s digest; the dry run claims nothing', async () => {
    const inc = await incident();
    await requestReview(as('UBOB', new Date('2026-11-20T09:00:00Z')), inc, ['UCAROL']);
    // Two business days after Friday 14:30 in Kolkata: Tuesday 14:30 there.
    const kolkataTuesday = new Date('2026-11-24T09:30:00Z');
    const planned = await planSweep(deps(kolkataTuesday));
    expect(planned[0]!.digests.map((d) => d.recipientId)).toEqual(['UCAROL']);
    expect(await database.db.selectFrom('reminder_digests').selectAll().execute()).toEqual([]);
    await runReminderSweep(deps(kolkataTuesday));
    expect(digestsTo('UCAROL')).toHaveLength(1);
    // The next weekday the review is not listed again.
    await runReminderSweep(deps(new Date('2026-11-25T09:30:00Z')));
    expect(digestsTo('UCAROL')).toHaveLength(1);
  });
});
