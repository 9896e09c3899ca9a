/**
 * Issue 12, capture: deletions that Slack reports as tombstones or out of order, `--here` incidents
 * after resolve, and long messages captured with the shortcut. End to end: signed requests into the
 * real app, assertions on what the Slack stand-in saw and what the database holds.
 */
import { listRevisions, listTimeline } from '../../src/db/timeline';
import { eventCallbackBody, messageShortcutBody, viewSubmissionBody } from '../kit/slack-requests';
import { databaseKinds } from '../support/database';
import { GENERAL, type Harness, PEOPLE, startHarness } from '../support/harness';
import { placesHolding } from '../support/stored-text';

const NOW = new Date('2026-11-20T20:00:00Z');

describe.each(databaseKinds())(
  'issue 12: capture follows deletions and closed --here incidents (%s database)',
  (kind) => {
    let h: Harness;
    let channelId: string;
    let incidentId: number;

    beforeAll(async () => {
      h = await startHarness(kind, NOW);
      await h.command(PEOPLE.alice.id, GENERAL, 'start sev2 Checkout returns 500s');
      channelId = h.slack.channelIdByName('inc-20261120-checkout-returns-500s')!;
      for (const person of [PEOPLE.bob.id, PEOPLE.carol.id]) h.slack.joinChannel(channelId, person);
      incidentId = (
        await h.database.db
          .selectFrom('incidents')
          .select('id')
          .where('channel_id', '=', channelId)
          .executeTakeFirstOrThrow()
      ).id;
    });
    afterAll(async () => h.stop());

    const timeline = (id = incidentId) => listTimeline(h.database.db, id);
    const logRow = (channel: string, ts: string) =>
      h.database.db
        .selectFrom('message_log')
        .selectAll()
        .where('channel_id', '=', channel)
        .where('ts', '=', ts)
        .executeTakeFirst();

    test('deleting a pinned message that has thread replies (a tombstone) erases its words from the entry, its history and the log', async () => {
      const words = 'primary db password is in the runbook page 7';
      const { ts: parent } = await h.event({ kind: 'message', channelId, userId: PEOPLE.bob.id, text: words });
      await h.event({ kind: 'message', channelId, userId: PEOPLE.carol.id, text: 'rotating it now', threadTs: parent });
      await h.event({ kind: 'reaction_added', channelId, ts: parent, userId: PEOPLE.carol.id, reaction: 'pushpin' });
      const edited = `${words}, section 2`;
      await h.event({ kind: 'message_changed', channelId, ts: parent, text: edited });
      let entry = (await timeline()).find((e) => e.message?.ts === parent)!;
      expect(entry).toMatchObject({ text: edited, editCount: 1 });
      expect((await listRevisions(h.database.db, entry.id)).map((r) => r.text)).toContain(words);

      const deletion = await h.event({ kind: 'message_deleted', channelId, ts: parent });
      // Slack reports it as message_changed whose message is Slackbot's tombstone, not as message_deleted.
      expect(deletion.status).toBe(200);
      expect(deletion.body.payload.event).toMatchObject({
        subtype: 'message_changed',
        message: { subtype: 'tombstone', user: 'USLACKBOT', text: 'This message was deleted.' },
      });

      entry = (await timeline()).find((e) => e.message?.ts === parent)!;
      expect(entry).toMatchObject({ text: '', erasedInSlack: true });
      const revisions = await listRevisions(h.database.db, entry.id);
      expect(revisions.length).toBeGreaterThan(0);
      expect(revisions.map((r) => r.text)).toEqual(revisions.map(() => ''));
      expect(await logRow(channelId, parent)).toMatchObject({ text: '', user_id: PEOPLE.bob.id });
      expect((await logRow(channelId, parent))!.deleted_at).not.toBeNull();
      expect(await placesHolding(h.database.db, 'runbook page 7')).toEqual([]);
      // Slack's tombstone text is not taken for an edit of the message.
      expect(await placesHolding(h.database.db, 'This message was deleted.')).toEqual([]);
      // The reply was not deleted and stays.
      const reply = await h.database.db
        .selectFrom('message_log')
        .select('text')
        .where('thread_ts', '=', parent)
        .executeTakeFirst();
      expect(reply?.text).toBe('rotating it now');
    });

    test('a deletion delivered before its message: the late message, a late pushpin and a retried edit store nothing', async () => {
      // Slack does not promise order: the message, its pushpin, an edit and the deletion are all built
      // (happen in Slack) first, then delivered deletion first.
      const words = 'wrong channel, customer list export at s3 bucket zeta';
      const message = eventCallbackBody(h.slack, { kind: 'message', channelId, userId: PEOPLE.bob.id, text: words });
      const ts = String((message.payload.event as { ts: string }).ts);
      const pin = eventCallbackBody(h.slack, {
        kind: 'reaction_added',
        channelId,
        ts,
        userId: PEOPLE.carol.id,
        reaction: 'pushpin',
      });
      const edit = eventCallbackBody(h.slack, { kind: 'message_changed', channelId, ts, text: `${words} (edited)` });
      const deletion = eventCallbackBody(h.slack, { kind: 'message_deleted', channelId, ts });

      expect((await h.send(deletion)).status).toBe(200);
      expect((await h.send(message)).status).toBe(200);
      expect((await h.send(pin)).status).toBe(200);
      expect((await h.send(edit, { retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);

      const logged = await logRow(channelId, ts);
      expect(logged === undefined || logged.text === '').toBe(true);
      expect((await timeline()).filter((e) => e.message?.ts === ts && e.text !== '')).toEqual([]);
      expect(await placesHolding(h.database.db, 'bucket zeta')).toEqual([]);
    });

    test('a deletion delivered before a retried edit of a pinned message: the edit stores nothing', async () => {
      const words = 'token for the status page is in vault path ops/sp';
      const { ts } = await h.event({ kind: 'message', channelId, userId: PEOPLE.bob.id, text: words });
      await h.event({ kind: 'reaction_added', channelId, ts, userId: PEOPLE.bob.id, reaction: 'pushpin' });
      const edit = eventCallbackBody(h.slack, {
        kind: 'message_changed',
        channelId,
        ts,
        text: 'vault path moved to ops/sp2',
      });
      const deletion = eventCallbackBody(h.slack, { kind: 'message_deleted', channelId, ts });
      expect((await h.send(deletion)).status).toBe(200);
      // Slack redelivers the edit it first failed to deliver.
      expect((await h.send(edit, { retryNum: 1, retryReason: 'http_error' })).status).toBe(200);

      const entry = (await timeline()).find((e) => e.message?.ts === ts)!;
      expect(entry).toMatchObject({ text: '', erasedInSlack: true });
      expect((await listRevisions(h.database.db, entry.id)).every((r) => r.text === '')).toBe(true);
      expect(await logRow(channelId, ts)).toMatchObject({ text: '' });
      expect(await placesHolding(h.database.db, 'ops/sp')).toEqual([]);
    });

    test('a --here incident after resolve: new messages are not logged and a new pushpin adds nothing; an edit of a captured message still follows', async () => {
      const ops = h.slack.addChannel({ name: 'ops', members: [PEOPLE.alice.id, PEOPLE.bob.id, PEOPLE.carol.id] });
      const started = await h.command(PEOPLE.alice.id, ops, 'start --here sev3 Queue backlog growing');
      expect(started.answer.response_type).toBe('in_channel');
      expect(h.slack.membersOf(ops)).toContain('UDEBRIEF');
      const here = await h.database.db
        .selectFrom('incidents')
        .select('id')
        .where('channel_id', '=', ops)
        .executeTakeFirstOrThrow();

      const { ts: captured } = await h.event({
        kind: 'message',
        channelId: ops,
        userId: PEOPLE.bob.id,
        text: 'consumer lag 40k',
      });
      await h.event({
        kind: 'reaction_added',
        channelId: ops,
        ts: captured,
        userId: PEOPLE.bob.id,
        reaction: 'pushpin',
      });
      expect((await timeline(here.id)).find((e) => e.message?.ts === captured)?.text).toBe('consumer lag 40k');

      await h.command(PEOPLE.alice.id, ops, 'resolve scaled the consumers');
      const row = await h.database.db
        .selectFrom('incidents')
        .select('status')
        .where('id', '=', here.id)
        .executeTakeFirst();
      expect(row?.status).toBe('resolved');

      const loggedBefore = await h.database.db
        .selectFrom('message_log')
        .select('ts')
        .where('incident_id', '=', here.id)
        .execute();
      const entriesBefore = (await timeline(here.id)).length;
      const { ts: later } = await h.event({
        kind: 'message',
        channelId: ops,
        userId: PEOPLE.carol.id,
        text: 'lunch at noon anyone?',
      });
      await h.event({
        kind: 'reaction_added',
        channelId: ops,
        ts: later,
        userId: PEOPLE.carol.id,
        reaction: 'pushpin',
      });
      const loggedAfter = await h.database.db
        .selectFrom('message_log')
        .select('ts')
        .where('incident_id', '=', here.id)
        .execute();
      expect(loggedAfter).toEqual(loggedBefore);
      expect(await logRow(ops, later)).toBeUndefined();
      expect((await timeline(here.id)).length).toBe(entriesBefore);
      expect(await placesHolding(h.database.db, 'lunch at noon')).toEqual([]);

      // What was captured while it was open is still followed.
      await h.event({ kind: 'message_changed', channelId: ops, ts: captured, text: 'consumer lag 40k, then 0' });
      expect((await timeline(here.id)).find((e) => e.message?.ts === captured)).toMatchObject({
        text: 'consumer lag 40k, then 0',
        editCount: 1,
      });
      expect(await logRow(ops, captured)).toMatchObject({ text: 'consumer lag 40k, then 0' });
      await h.event({ kind: 'message_deleted', channelId: ops, ts: captured });
      expect((await timeline(here.id)).find((e) => e.message?.ts === captured)).toMatchObject({
        text: '',
        erasedInSlack: true,
      });
    });

    test('the shortcut on a 5,000-character message in a channel Debrief is not in stores the full text through the picker', async () => {
      const elsewhere = h.slack.addChannel({ name: 'payments-team', members: [PEOPLE.alice.id, PEOPLE.bob.id] });
      const lines: string[] = [];
      for (let i = 0; lines.join(' ').length < 5_000; i++) lines.push(`step ${i}: retried settlement batch ok`);
      const text = lines.join(' ').slice(0, 4_999).concat('!');
      expect(text).toHaveLength(5_000);
      const ts = h.slack.addMessage(elsewhere, { user: PEOPLE.bob.id, text });

      const shortcut = messageShortcutBody(h.slack, { userId: PEOPLE.alice.id, channelId: elsewhere, messageTs: ts });
      expect((await h.send(shortcut)).status).toBe(200);
      const picker = h.slack.openedViews.at(-1)!;
      expect(picker.view).toMatchObject({ callback_id: 'add_to_timeline_pick' });
      // The message does not travel in the modal (private_metadata holds 3,000 characters).
      expect(String(picker.view.private_metadata).length).toBeLessThan(3_000);
      expect(String(picker.view.private_metadata)).not.toContain('settlement');

      const submitted = await h.send(
        viewSubmissionBody(h.slack, {
          userId: PEOPLE.alice.id,
          viewId: picker.viewId,
          values: { incident: String(incidentId) },
        }),
      );
      expect(submitted.status).toBe(200);
      expect(submitted.json).toBeUndefined();
      const entry = (await timeline()).find((e) => e.message?.ts === ts);
      expect(entry).toMatchObject({ source: 'shortcut', message: { channelId: elsewhere, authorId: PEOPLE.bob.id } });
      expect(entry!.text).toHaveLength(5_000);
      expect(entry!.text).toBe(text);
      // The person is told where it went; the waiting capture is gone.
      expect(h.slack.ephemeralsTo(PEOPLE.alice.id).at(-1)?.text).toMatch(
        /Added a message from <#.*> to the timeline of #1/,
      );
      expect(await h.database.db.selectFrom('pending_captures').selectAll().execute()).toEqual([]);
    });
  },
);
