import { Temporal } from '@js-temporal/polyfill';
import type { KnownBlock } from '@slack/types';
import type { DatabaseHandle } from '../../src/db/connect';
import { ActionItemIds, actionItemBlockId } from '../../src/slack/action-item-ids';
import {
  BOT_USER_ID,
  type CommandResult,
  type SimulatedWorkspace,
  startSimulatedWorkspace,
} from '../kit/simulated-workspace';
import { blockActionsBody, viewSubmissionBody } from '../kit/slack-requests';
import type { RecordedCall } from '../kit/slack-stand-in';
import { databaseKinds, openTestDatabase } from '../support/database';
import { GENERAL, PEOPLE } from '../support/harness';

/**
 * Action items and reminder digests through the real app: signed slash commands and button clicks
 * into Bolt, the scheduler's sweep on a moving clock, the Slack stand-in for every Web API call.
 * Owners in Los Angeles, Berlin and Kolkata each get one digest per local weekday, in their morning.
 */

const { alice, bob, carol } = PEOPLE;
const ROBOT = { id: 'UROBOT', name: 'deploybot', isBot: true };
const OWNERS = [alice, bob, carol];

/** Thursday 2026-11-19, 19:00 UTC: 11:00 in Los Angeles, 20:00 in Berlin, already Friday 00:30 in Kolkata. */
const START = new Date('2026-11-19T19:00:00Z');
const HOUR = 3_600_000;

describe.each(databaseKinds())('action items and reminder digests end to end (%s database)', (kind) => {
  let database: DatabaseHandle;
  let w: SimulatedWorkspace;
  let now = START;
  let channel: string;
  let incidentId: number;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    w = await startSimulatedWorkspace({ database, people: [...Object.values(PEOPLE), ROBOT], clock: () => now });
    w.slack.addChannel({
      id: GENERAL,
      name: 'general',
      members: [...Object.values(PEOPLE).map((p) => p.id), BOT_USER_ID],
    });
  });
  afterAll(async () => {
    expect(w.slack.internalErrors).toEqual([]);
    await w.stop();
    await database.close();
  });

  /** The command's answer, wherever it went: the acknowledgement, or response_url after "working on it". */
  function answerOf(result: CommandResult): { text: string; blocks?: KnownBlock[] } {
    const early = result.answer as { text?: string; blocks?: KnownBlock[] };
    if (early.text?.startsWith(':hourglass')) {
      const late = w.slack.responsesAt(result.responseUrl).at(-1)?.body as typeof early | undefined;
      return { text: late?.text ?? '', ...late };
    }
    return { text: early.text ?? '', ...early };
  }
  const postmortem = async (user: string, text: string, where = channel) =>
    answerOf(await w.command(user, where, text, '/postmortem'));
  const items = () =>
    database.db
      .selectFrom('action_items')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .orderBy('number')
      .execute();

  /** Digest DMs the bot posted to a person, in order. */
  function digestsTo(userId: string): RecordedCall[] {
    const dm = w.slack.dmChannelWith(userId);
    return w.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.status === 200 && c.response.ok === true && c.response.channel === dm)
      .filter((c) => String(c.args.text).startsWith('Your Debrief digest'));
  }

  test('an incident, its postmortem owner, and action items for owners in three time zones', async () => {
    await w.command(alice.id, GENERAL, 'start sev2 Checkout returns 500s');
    channel = w.slack.channelIdByName('inc-20261119-checkout-returns-500s')!;
    for (const person of [bob, carol]) w.slack.joinChannel(channel, person.id);
    incidentId = (
      await database.db.selectFrom('incidents').select('id').where('channel_id', '=', channel).executeTakeFirstOrThrow()
    ).id;
    await w.command(alice.id, channel, 'resolve rolled back the config');
    expect((await postmortem(alice.id, `assign <@${bob.id}|bob>`)).text).toContain('the postmortem of #1');

    for (const owner of OWNERS) {
      const answer = await postmortem(
        alice.id,
        `action Alert on checkout 5xx for ${owner.name} <@${owner.id}|${owner.name}> due 2026-11-24 priority high type detect`,
      );
      expect(answer.text).toContain(`due *2026-11-24* in <@${owner.id}>'s time zone (${owner.tz})`);
      expect(JSON.stringify(answer.blocks)).toContain(ActionItemIds.done);
    }
    // `friday` is read in the owner's zone: Thursday in Los Angeles, already Friday in Kolkata.
    const forAlice = await postmortem(
      bob.id,
      `action Runbook for rollbacks <@${alice.id}|alice> due friday priority low`,
    );
    expect(forAlice.text).toContain(`due *2026-11-20* in <@${alice.id}>'s time zone (America/Los_Angeles)`);
    const forCarol = await postmortem(
      bob.id,
      `action Runbook for failovers <@${carol.id}|carol> due friday priority low`,
    );
    expect(forCarol.text).toContain(`due *2026-11-27* in <@${carol.id}>'s time zone (Asia/Kolkata)`);
    const stored = await items();
    expect(stored.map((i) => [i.number, i.owner_id, i.due_date, i.priority])).toEqual([
      [1, alice.id, '2026-11-24', 'high'],
      [2, bob.id, '2026-11-24', 'high'],
      [3, carol.id, '2026-11-24', 'high'],
      [4, alice.id, '2026-11-20', 'low'],
      [5, carol.id, '2026-11-27', 'low'],
    ]);
  });

  test('bad input gets a clear answer and stores nothing', async () => {
    const before = (await items()).length;
    const cases: [string, RegExp][] = [
      [`Fix it <@${carol.id}|carol> due 2026-11-01`, /in the past/],
      [`Fix it <@${carol.id}|carol> due someday soon`, /not a time I can read/],
      [`Fix it <@${ROBOT.id}|deploybot>`, /is a bot; an action item needs a person/],
      ['Fix it @nobody', /Slack did not recognise `@nobody` as a person/],
      [`Fix it <@${carol.id}|carol> priority urgent`, /`priority` must be high, medium, low/],
    ];
    for (const [text, message] of cases) {
      const answer = await postmortem(alice.id, `action ${text}`);
      expect(answer.text).toMatch(message);
      expect(answer.text).toContain('/postmortem action');
    }
    expect((await postmortem(alice.id, 'done 99')).text).toContain('Incident #1 has no action item #99.');
    expect((await postmortem(alice.id, 'done three')).text).toContain('needs an action item number');
    expect((await postmortem(alice.id, 'cancel 1')).text).toContain('Say why #1 will not be done');
    expect(await items()).toHaveLength(before);
  });

  test('/postmortem actions lists the items with their buttons', async () => {
    const answer = await postmortem(carol.id, 'actions');
    expect(answer.text).toBe('Action items of incident #1: 5 open of 5.');
    const json = JSON.stringify(answer.blocks);
    for (const id of Object.values(ActionItemIds).filter((id) => id !== ActionItemIds.page)) expect(json).toContain(id);
  });

  test('each owner gets one digest per weekday in their own morning; repeated sweeps send nothing new', async () => {
    // Hourly sweeps (two at once each time, as two replicas would) from Saturday to Wednesday night.
    for (let at = Date.parse('2026-11-21T00:30:00Z'); at <= Date.parse('2026-11-25T23:30:00Z'); at += HOUR) {
      now = new Date(at);
      await Promise.all([w.debrief.scheduler.sweep(), w.debrief.scheduler.sweep()]);
    }
    for (let i = 0; i < 3; i++) await w.debrief.scheduler.sweep();
    for (const owner of OWNERS) {
      const sent = digestsTo(owner.id);
      const local = sent.map((c) =>
        Temporal.Instant.fromEpochMilliseconds(c.at.getTime()).toZonedDateTimeISO(owner.tz!),
      );
      // Monday's heads-up, Tuesday's due date, Wednesday's first overdue day: one each, between 09:00 and 10:00.
      expect(local.map((t) => t.toPlainDate().toString())).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
      for (const t of local) expect(t.hour).toBe(9);
      const texts = sent.map((c) => JSON.stringify(c.args.blocks));
      expect(texts[0]).toContain('Due in the next 2 days');
      expect(texts[1]).toContain('Due today');
      expect(texts[2]).toContain(':warning: *Overdue*');
      for (const text of texts) {
        expect(text).toContain(`for ${owner.name}`);
        // Only their own items: nobody else's, and never a low-priority one.
        for (const other of OWNERS.filter((o) => o !== owner)) expect(text).not.toContain(`for ${other.name}`);
        expect(text).not.toContain('Runbook');
      }
    }
    const claims = await database.db.selectFrom('reminder_digests').select(['user_id', 'state']).execute();
    expect(claims).toHaveLength(9);
    expect(claims.every((c) => c.state === 'sent')).toBe(true);
  });

  /** Clicks an element of an item's row in the person's latest digest DM. */
  async function clickInDigest(userId: string, itemNumber: number, actionId: string, selected?: string) {
    const item = (await items()).find((i) => i.number === itemNumber)!;
    const digest = digestsTo(userId).at(-1)!;
    const body = blockActionsBody(w.slack, {
      userId,
      actionId,
      blockId: actionItemBlockId(item.id),
      source: { channelId: String(digest.response.channel), messageTs: String(digest.response.ts) },
      ...(selected !== undefined && { selected }),
    });
    const response = await w.send(body);
    expect(response.status).toBe(200);
    return (w.slack.responsesAt(body.responseUrl!).at(-1)?.body as { text?: string } | undefined)?.text ?? '';
  }

  test('Done, Snooze and Reassign from a digest DM, checked against who may press them', async () => {
    expect(await clickInDigest(bob.id, 2, ActionItemIds.done)).toContain('#1·2 is done');
    // Overdue on Wednesday in Los Angeles: a week from today, not from the old due date.
    expect(await clickInDigest(alice.id, 1, ActionItemIds.snooze)).toContain('#1·1 is now due 2026-12-02');
    expect(await clickInDigest(carol.id, 3, ActionItemIds.reassign, alice.id)).toContain(
      `#1·3 now belongs to <@${alice.id}>`,
    );
    // Carol no longer owns #3, did not create it and does not own the postmortem: her old button is refused.
    expect(await clickInDigest(carol.id, 3, ActionItemIds.done)).toContain(
      "Only the item's owner, whoever created it, or the postmortem owner can change it.",
    );
    const stored = await items();
    expect(stored.slice(0, 3).map((i) => [i.number, i.owner_id, i.status, i.due_date, i.snooze_count])).toEqual([
      [1, alice.id, 'open', '2026-12-02', 1],
      [2, bob.id, 'done', '2026-11-24', 0],
      [3, alice.id, 'open', '2026-11-24', 0],
    ]);
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id'])
      .where('incident_id', '=', incidentId)
      .where('action', 'in', ['action_item.done', 'action_item.snoozed', 'action_item.reassigned'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'action_item.done', actor_id: bob.id },
      { action: 'action_item.snoozed', actor_id: alice.id },
      { action: 'action_item.reassigned', actor_id: carol.id },
    ]);
    // Alice was told by DM that #3 is hers now.
    const dm = w.slack.messagesIn(w.slack.dmChannelWith(alice.id));
    expect(dm.at(-1)?.text).toContain(`<@${carol.id}> gave you action item #1·3`);
  });

  test('Edit from a digest opens a zod-validated modal; Mute stops the item’s reminders', async () => {
    const before = w.slack.openedViews.length;
    await clickInDigest(alice.id, 1, ActionItemIds.edit);
    expect(w.slack.openedViews.length).toBe(before + 1);
    const viewId = w.slack.openedViews.at(-1)!.viewId;
    const submit = async (values: Record<string, string | null>) => {
      const response = await w.send(viewSubmissionBody(w.slack, { userId: alice.id, viewId, values }));
      expect(response.status).toBe(200);
      return response.json as { response_action?: string; errors?: Record<string, string> } | undefined;
    };
    expect(await submit({ ticket: 'ftp://example.com/x' })).toEqual({
      response_action: 'errors',
      errors: { ticket: 'Give an http or https link, e.g. https://jira.example.com/browse/OPS-12' },
    });
    expect((await submit({ due: 'someday soon' }))?.errors?.due).toMatch(/not a time I can read/);
    expect(
      await submit({ text: 'Alert on checkout 5xx & 4xx', due: '2026-12-04', priority: 'medium' }),
    ).toBeUndefined();
    const edited = (await items())[0]!;
    expect(edited).toMatchObject({
      text: 'Alert on checkout 5xx &amp; 4xx',
      due_date: '2026-12-04',
      priority: 'medium',
    });
    // The modal showed version n: submitting it again after the save is refused, not overwritten.
    expect((await submit({ text: 'Stale' }))?.errors?.text).toMatch(/Someone changed #1 while you were editing/);
    expect(await clickInDigest(alice.id, 1, ActionItemIds.mute)).toContain('#1·1 is muted');
    expect((await items())[0]!.muted).toBe(true);
    expect(await clickInDigest(alice.id, 1, ActionItemIds.mute)).toContain('#1·1 is unmuted');
  });

  test('Slack refusing one recipient (ok:false) does not stop the others; a 429 holds the rest back; all get it later', async () => {
    for (const owner of OWNERS) {
      await postmortem(alice.id, `action Second pass for ${owner.name} <@${owner.id}|${owner.name}> due 2026-12-01`);
    }
    const before = new Map<string, number>(OWNERS.map((o) => [o.id, digestsTo(o.id).length]));
    const newDigests = (userId: string) => digestsTo(userId).length - before.get(userId)!;
    // Tuesday 17:30 UTC: Tuesday morning or later for all three, so one sweep sends all three (alice first).
    now = new Date('2026-12-01T17:30:00Z');
    w.slack.failNext('chat.postMessage', { error: 'restricted_action' });
    await w.debrief.scheduler.sweep().catch(() => undefined);
    expect(OWNERS.map((o) => newDigests(o.id))).toEqual([0, 1, 1]);
    now = new Date('2026-12-01T17:35:00Z');
    await w.debrief.scheduler.sweep();
    expect(OWNERS.map((o) => newDigests(o.id))).toEqual([1, 1, 1]);

    // Wednesday: a 429 on the first post (alice's) stops the sweep's posts; the others' claims go back.
    now = new Date('2026-12-02T17:30:00Z');
    w.slack.failNext('chat.postMessage', { error: 'ratelimited', retryAfterSeconds: 30 });
    await w.debrief.scheduler.sweep();
    expect(OWNERS.map((o) => newDigests(o.id))).toEqual([1, 1, 1]);
    const claims = await database.db
      .selectFrom('reminder_digests')
      .select(['user_id', 'state', 'last_error'])
      .where('local_date', '=', '2026-12-02')
      .execute();
    expect(claims).toEqual([{ user_id: alice.id, state: 'failed', last_error: 'ratelimited' }]);
    // 20 s later, inside the Retry-After: nothing goes to Slack.
    const posts = w.slack.callsTo('chat.postMessage').length;
    now = new Date('2026-12-02T17:30:20Z');
    await w.debrief.scheduler.sweep();
    expect(w.slack.callsTo('chat.postMessage')).toHaveLength(posts);
    now = new Date('2026-12-02T17:35:00Z');
    await w.debrief.scheduler.sweep();
    await w.debrief.scheduler.sweep();
    expect(OWNERS.map((o) => newDigests(o.id))).toEqual([2, 2, 2]);
  });

  test('the Home tab shows the viewer’s open items, overdue first, and the postmortems they own', async () => {
    now = new Date('2026-12-02T18:00:00Z');
    await w.event({ kind: 'app_home_opened', userId: alice.id });
    const home = w.slack.homeOf(alice.id);
    expect(home).toBeDefined();
    const json = JSON.stringify(home!.blocks);
    expect(json).toContain('Your action items');
    // #1·3 (due 2026-11-24) is overdue and listed before #1·1 (due 2026-12-04); so is #1·4 (low, due 2026-11-20).
    expect(json.indexOf('#1·3')).toBeLessThan(json.indexOf('#1·1'));
    expect(json).toContain(':warning: *3 overdue*');
    // A button on the Home tab has no response URL: the change shows in the Home tab published again.
    const second = (await items()).find((i) => i.text === 'Second pass for alice')!;
    const click = blockActionsBody(w.slack, {
      userId: alice.id,
      actionId: ActionItemIds.done,
      blockId: actionItemBlockId(second.id),
      source: { viewId: String(home!.id) },
    });
    expect((await w.send(click)).status).toBe(200);
    expect((await items()).find((i) => i.id === second.id)?.status).toBe('done');
    const republished = JSON.stringify(w.slack.homeOf(alice.id)!.blocks);
    expect(republished).not.toContain('Second pass for alice');
    expect(republished).toContain('#1·3');
    await w.event({ kind: 'app_home_opened', userId: bob.id });
    expect(JSON.stringify(w.slack.homeOf(bob.id)!.blocks)).toMatch(
      /\*#1\* Checkout returns 500s — drafting, due \d{4}-\d{2}-\d{2}/,
    );
  });

  test("opening the Messages tab draws nothing: only the Home tab is Debrief's", async () => {
    await w.event({ kind: 'app_home_opened', userId: carol.id, tab: 'messages' });
    expect(w.slack.homeOf(carol.id)).toBeUndefined();
  });
});
