import type { DatabaseHandle } from '../../src/db/connect';
import { ensureWorkspace } from '../../src/db/workspaces';
import { parseActionCommand } from '../../src/domain/action-command';
import { createMetrics } from '../../src/observability/metrics';
import { addActionItem } from '../../src/services/action-items';
import type { ActionContext } from '../../src/services/context';
import { assignRole, declareIncident, incidentInChannel, resolveIncident } from '../../src/services/incidents';
import { assignOwner } from '../../src/services/postmortems';
import { runReminderSweep } from '../../src/services/reminders';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort, TEST_WORKSPACE } from '../support/fake-slack-port';

/** The reminder sweep counts its digests through the metrics port: sent, failed and skipped, with reasons. */

const CREATED = new Date('2026-11-20T12:00:00Z');
/** Tuesday 09:30 in Los Angeles: every test person's digest is due. */
const LA_MORNING = new Date('2026-11-24T17:30:00Z');
const LATER = new Date(LA_MORNING.getTime() + 5 * 60_000);

describe.each(databaseKinds())('reminder digest metrics on the %s database', (kind) => {
  let database: DatabaseHandle;
  let slack: FakeSlackPort;
  let workspaceId: number;
  let sequence = 0;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    workspaceId = await ensureWorkspace(database.db, { teamId: TEST_WORKSPACE.teamId! });
  });
  afterAll(async () => database.close());
  beforeEach(async () => {
    slack = new FakeSlackPort();
    for (const id of ['UALICE', 'UBOB', 'UCAROL', 'UDAVE']) slack.users.set(id, { timeZone: 'America/Los_Angeles' });
    await database.db.deleteFrom('reminder_digests').execute();
    await database.db.updateTable('action_items').set({ status: 'done' }).execute();
    await database.db.updateTable('postmortems').set({ status: 'closed' }).execute();
  });

  const as = (userId: string): ActionContext => ({
    db: database.db,
    slack,
    workspace: TEST_WORKSPACE,
    workspaceId,
    now: CREATED,
    actor: { userId, isGuest: false, isExternal: false, timeZone: null },
  });

  /** A resolved incident whose postmortem UCAROL owns, with an item due on Tuesday for each owner. */
  async function itemsFor(owners: string[]) {
    const channelId = `CMET${++sequence}`;
    slack.members.set(channelId, new Set(owners));
    await declareIncident(
      { ...as('UALICE'), now: new Date('2026-11-19T10:00:00Z') },
      { title: `Checkout ${sequence}`, severity: 'sev2', isPrivate: false, channelId, here: true },
    );
    let found = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    await assignRole(as('UALICE'), found, 'commander', 'UALICE');
    found = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    await resolveIncident(as('UALICE'), found, { occurredAt: new Date('2026-11-19T12:00:00Z'), summary: 'fixed' });
    found = await incidentInChannel(as('UALICE'), channelId, { example: 'x', includeClosed: true });
    await assignOwner(as('UALICE'), found, { ownerId: 'UCAROL', dueText: '2026-12-31' });
    for (const owner of owners) {
      const parsed = parseActionCommand(`Item for ${owner} <@${owner}> due 2026-11-24`);
      if (!parsed.ok) throw new Error(parsed.message);
      await addActionItem(as('UALICE'), found, parsed);
    }
  }

  let metrics = createMetrics({ defaultMetrics: false });
  /** debrief_digests_total as `outcome/reason` → count. */
  async function digests(): Promise<Record<string, number>> {
    const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'debrief_digests_total');
    return Object.fromEntries((metric?.values ?? []).map((v) => [`${v.labels.outcome}/${v.labels.reason}`, v.value]));
  }
  const deps = (now: Date) => ({ db: database.db, slack, now, reminderHour: 9, metrics });

  test('sent, refused, unknown and a person Slack cannot describe', async () => {
    metrics = createMetrics({ defaultMetrics: false });
    await itemsFor(['UALICE', 'UBOB', 'UCAROL', 'UDAVE']);
    slack.onceOutcomes.set('UALICE', [{ outcome: 'refused', slackError: 'fatal_error' }]);
    slack.onceOutcomes.set('UBOB', [{ outcome: 'unknown', reason: 'ETIMEDOUT' }]);
    slack.failingLookups.add('UDAVE');
    await runReminderSweep(deps(LA_MORNING));
    expect(await digests()).toEqual({
      'sent/none': 1,
      'failed/refused': 1,
      'failed/unknown': 1,
      'skipped/no_person': 1,
    });
    // A later sweep sends the refused one; the unknown one stays claimed and is not counted again.
    slack.failingLookups.clear();
    await runReminderSweep(deps(LATER));
    expect(await digests()).toEqual({
      'sent/none': 3,
      'failed/refused': 1,
      'failed/unknown': 1,
      'skipped/no_person': 1,
    });
  });

  test('a 429 on the workspace’s limit: that digest failed, the ones after it wait', async () => {
    metrics = createMetrics({ defaultMetrics: false });
    await itemsFor(['UALICE', 'UBOB', 'UCAROL']);
    slack.onceOutcomes.set('UALICE', [
      { outcome: 'refused', slackError: 'ratelimited', rateLimited: { retryAfterSeconds: 30 } },
    ]);
    await runReminderSweep(deps(LA_MORNING));
    expect(await digests()).toEqual({ 'failed/rate_limited': 1, 'skipped/rate_limited': 2 });
  });
});
