import type { DatabaseHandle } from '../../src/db/connect';
import { claimDigests, findDigest, releaseDigest, unclaimDigests } from '../../src/db/digests';
import { ensureWorkspace } from '../../src/db/workspaces';
import { LOOKUP_CONCURRENCY, runReminderSweep, SEND_CONCURRENCY } from '../../src/services/reminders';
import type { DeliveryOutcome, Notice, SlackUser, WorkspaceAddress } from '../../src/services/slack-port';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort, TEST_WORKSPACE } from '../support/fake-slack-port';
import { seedItemsDue } from '../support/reminder-seed';

/**
 * The sweep delivers a workspace's digests several at a time, with the guarantees of one at a time:
 * claimed before sent, one digest per person and date, a workspace-wide 429 stops new sends at once and
 * gives back the claims it never tried, and a 429 on users.info stops new lookups.
 */

const CREATED = new Date('2026-11-20T12:00:00Z');
/** Tuesday 09:30 in Los Angeles: every test person's digest is due. */
const LA_MORNING = new Date('2026-11-24T17:30:00Z');
const LATER = new Date(LA_MORNING.getTime() + 5 * 60_000);

/** A port whose sends wait until the test answers them, counting how many are in flight at once. */
class HeldSends extends FakeSlackPort {
  /** Sends waiting for an answer, oldest first. */
  readonly held: { userId: string; answer: (outcome: DeliveryOutcome) => void }[] = [];
  /** Answered at once with `sent` instead (a later, unthrottled sweep). */
  holding = true;
  inFlight = 0;
  maxInFlight = 0;

  override async sendDirectOnce(workspace: WorkspaceAddress, userId: string, notice: Notice) {
    this.calls.push({ method: 'sendDirectOnce', workspace, userId, notice });
    if (!this.holding) return { outcome: 'sent' as const, ts: '1.000' };
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<DeliveryOutcome>((resolve) => {
      this.held.push({
        userId,
        answer: (outcome) => {
          this.inFlight -= 1;
          resolve(outcome);
        },
      });
    });
  }

  sendsTo(userId: string): number {
    return this.calls.filter((c) => c.method === 'sendDirectOnce' && c.userId === userId).length;
  }

  get sends(): number {
    return this.calls.filter((c) => c.method === 'sendDirectOnce').length;
  }
}

/** Polls (the sweep runs on the database's I/O) until the condition holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const people = (n: number) => Array.from({ length: n }, (_, i) => `UP${String(i).padStart(3, '0')}`);

describe.each(databaseKinds())('concurrent reminder delivery on the %s database', (kind) => {
  let database: DatabaseHandle;
  let workspaceId: number;
  let incidents = 0;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    workspaceId = await ensureWorkspace(database.db, { teamId: TEST_WORKSPACE.teamId! });
  });
  afterAll(async () => database.close());
  beforeEach(async () => {
    await database.db.deleteFrom('reminder_digests').execute();
    await database.db.updateTable('action_items').set({ status: 'done' }).execute();
  });

  /** One resolved incident with a high item due on Tuesday for each owner (all in Los Angeles). */
  async function itemsDueFor(owners: string[]): Promise<void> {
    await seedItemsDue(database.db, { workspaceId, number: ++incidents }, owners, '2026-11-24');
  }

  function portFor(owners: string[]): HeldSends {
    const slack = new HeldSends();
    for (const owner of owners) slack.users.set(owner, { timeZone: 'America/Los_Angeles' });
    return slack;
  }

  const deps = (slack: FakeSlackPort, now: Date) => ({ db: database.db, slack, now, reminderHour: 9 });

  const states = async () =>
    Object.fromEntries(
      (
        await database.db
          .selectFrom('reminder_digests')
          .select((eb) => ['state', eb.fn.countAll<string>().as('n')])
          .groupBy('state')
          .execute()
      ).map((r) => [r.state, Number(r.n)]),
    );

  /**
   * Answers held sends oldest first, `sent`, waiting each time until as many are in flight as the pool
   * should allow by then (the first alone, one more per finished digest, at most SEND_CONCURRENCY):
   * a sweep that sends fewer at once never gets there and the wait times out.
   */
  async function answerSends(slack: HeldSends, count: number, total: number): Promise<void> {
    for (let answered = 0; answered < count; answered++) {
      const expected = Math.min(SEND_CONCURRENCY, answered + 1, total - answered);
      await until(() => slack.held.length >= expected, `${expected} sends in flight`);
      slack.held.shift()!.answer({ outcome: 'sent', ts: '1.000' });
    }
  }

  test('several digests are in flight at once, never more than the pool; one each; a second sweep sends nothing', async () => {
    const owners = people(3 * SEND_CONCURRENCY);
    await itemsDueFor(owners);
    const slack = portFor(owners);
    const sweep = runReminderSweep(deps(slack, LA_MORNING));
    await answerSends(slack, owners.length, owners.length);
    const report = await sweep;

    expect(slack.maxInFlight).toBeGreaterThan(1);
    expect(slack.maxInFlight).toBeLessThanOrEqual(SEND_CONCURRENCY);
    expect(report.sent.map((k) => k.userId)).toEqual(owners);
    for (const owner of owners) expect(slack.sendsTo(owner)).toBe(1);
    expect(await states()).toEqual({ sent: owners.length });

    const again = await runReminderSweep(deps(slack, LATER));
    expect(again).toMatchObject({ planned: 0, sent: [] });
    expect(slack.sends).toBe(owners.length);
  });

  test('claims run just ahead of the sends: a crash now would leave few claimed and unsent', async () => {
    const owners = people(6 * SEND_CONCURRENCY);
    await itemsDueFor(owners);
    const slack = portFor(owners);
    const sweep = runReminderSweep(deps(slack, LA_MORNING));
    // Half the sweep goes out, then every send hangs (as if the process died with them in flight).
    await answerSends(slack, 3 * SEND_CONCURRENCY, owners.length);
    await until(() => slack.held.length === SEND_CONCURRENCY, 'a full pool');
    await new Promise((resolve) => setTimeout(resolve, 50)); // a claim already on its way lands
    const { claimed = 0, sent = 0 } = await states();
    // In flight, plus at most one and a half claim batches (of SEND_CONCURRENCY) waiting to start.
    expect(claimed).toBeGreaterThanOrEqual(SEND_CONCURRENCY);
    expect(claimed).toBeLessThanOrEqual(SEND_CONCURRENCY + 1.5 * SEND_CONCURRENCY);
    expect(sent).toBe(3 * SEND_CONCURRENCY);
    slack.holding = false;
    while (slack.held.length > 0) slack.held.shift()!.answer({ outcome: 'sent', ts: '1.000' });
    expect((await sweep).sent).toHaveLength(owners.length);
    expect(await states()).toEqual({ sent: owners.length });
  });

  test('a workspace-wide 429 mid-sweep: no new send starts, the untried claims are given back, a later sweep sends them', async () => {
    const owners = people(3 * SEND_CONCURRENCY);
    await itemsDueFor(owners);
    const slack = portFor(owners);
    const sweep = runReminderSweep(deps(slack, LA_MORNING));
    const sentBefore = SEND_CONCURRENCY + 4;
    await answerSends(slack, sentBefore, owners.length);
    await until(() => slack.held.length === SEND_CONCURRENCY, 'a full pool');
    // One send goes out just before the 429 comes back: its worker is recording it (a round trip) when the
    // sweep learns of the limit, and must not start another send afterwards.
    slack.held.shift()!.answer({ outcome: 'sent', ts: '1.000' });
    const limited = slack.held.shift()!;
    limited.answer({
      outcome: 'refused',
      slackError: 'ratelimited',
      rateLimited: { retryAfterSeconds: 30 },
    });
    // From here on no send may start.
    const attempted = slack.sends;
    // Those already in flight finish.
    let done = false;
    const finishing = (async () => {
      for (;;) {
        const held = slack.held.shift();
        if (held) held.answer({ outcome: 'sent', ts: '1.000' });
        else await new Promise((resolve) => setTimeout(resolve, 1));
        if (slack.held.length === 0 && slack.inFlight === 0 && done) return;
      }
    })();
    const report = await sweep;
    done = true;
    await finishing;

    expect(slack.sends).toBe(attempted);
    expect(attempted).toBeLessThan(owners.length);
    const untried = owners.length - attempted;
    expect(report.rateLimited).toEqual([{ workspaceId, retryAfterSeconds: 30, left: untried }]);
    expect(report.sent).toHaveLength(attempted - 1);
    expect(report.refused).toEqual([expect.objectContaining({ userId: limited.userId, slackError: 'ratelimited' })]);
    // Nothing is left claimed: the refused one is released, the untried ones are as if never claimed.
    expect(await states()).toEqual({ sent: attempted - 1, failed: 1 });

    slack.holding = false;
    const later = await runReminderSweep(deps(slack, LATER));
    expect(later.sent).toHaveLength(untried + 1);
    expect(await states()).toEqual({ sent: owners.length });
    // Each person got exactly one digest that went out: the limited one was tried twice, the others once.
    for (const owner of owners) expect(slack.sendsTo(owner)).toBe(owner === limited.userId ? 2 : 1);
  });

  test('after a 429 on users.info no new lookup starts: everyone else waits for a later sweep', async () => {
    const owners = people(5 * LOOKUP_CONCURRENCY);
    await itemsDueFor(owners);
    class RateLimitedLookups extends FakeSlackPort {
      lookups = 0;
      override async lookupUser(workspace: WorkspaceAddress, userId: string): Promise<SlackUser> {
        const lookup = ++this.lookups;
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (lookup > 1) return super.lookupUser(workspace, userId);
        throw Object.assign(new Error('A rate-limit has been reached'), { retryAfter: 30 });
      }
    }
    const slack = new RateLimitedLookups();
    const report = await runReminderSweep(deps(slack, LA_MORNING));
    // Only those already asked for when the 429 came back.
    expect(slack.lookups).toBeLessThanOrEqual(LOOKUP_CONCURRENCY);
    expect(report.skippedPeople).toBe(owners.length - (slack.lookups - 1));
    expect(report.sent).toHaveLength(slack.lookups - 1);
  });

  test('claims in one statement: new and failed rows are won, claimed and sent ones not; given back as they were', async () => {
    const key = (userId: string) => ({ workspaceId, userId, localDate: '2026-11-24' });
    await claimDigests(database.db, [key('UCLAIMED'), key('UFAILED'), key('USENT')], CREATED);
    await releaseDigest(database.db, key('UFAILED'), 'channel_not_found');
    await database.db.updateTable('reminder_digests').set({ state: 'sent' }).where('user_id', '=', 'USENT').execute();

    const won = await claimDigests(
      database.db,
      ['UNEW', 'USENT', 'UFAILED', 'UCLAIMED'].map((u) => key(u)),
      CREATED,
    );
    expect(won.map((k) => k.userId).sort()).toEqual(['UFAILED', 'UNEW']);
    expect(await findDigest(database.db, key('UFAILED'))).toMatchObject({ state: 'claimed', attempts: 2 });

    await unclaimDigests(database.db, [key('UNEW'), key('UFAILED'), key('USENT')]);
    expect(await findDigest(database.db, key('UNEW'))).toBeUndefined();
    expect(await findDigest(database.db, key('UFAILED'))).toMatchObject({
      state: 'failed',
      attempts: 1,
      last_error: 'channel_not_found',
    });
    expect(await findDigest(database.db, key('USENT'))).toMatchObject({ state: 'sent' });
    expect(await findDigest(database.db, key('UCLAIMED'))).toMatchObject({ state: 'claimed' });
  });
});
