import { listRevisions, listTimeline } from '../../src/db/timeline';
import { blockActionsBody, eventCallbackBody, messageShortcutBody, viewSubmissionBody } from '../kit/slack-requests';
import { databaseKinds } from '../support/database';
import { GENERAL, type Harness, PEOPLE, startHarness } from '../support/harness';

const NOW = new Date('2026-11-20T20:00:00Z');

describe.each(databaseKinds())('capture without commands (%s database)', (kind) => {
  let h: Harness;
  let channelId: string;
  let incidentId: number;

  beforeAll(async () => {
    h = await startHarness(kind, NOW);
    await h.command(PEOPLE.alice.id, GENERAL, 'start sev2 Checkout returns 500s');
    channelId = h.slack.channelIdByName('inc-20261120-checkout-returns-500s')!;
    for (const person of [PEOPLE.bob.id, PEOPLE.carol.id, PEOPLE.guest.id]) h.slack.joinChannel(channelId, person);
    const row = await h.database.db
      .selectFrom('incidents')
      .select('id')
      .where('channel_id', '=', channelId)
      .executeTakeFirstOrThrow();
    incidentId = row.id;
  });
  afterAll(async () => h.stop());

  const timeline = () => listTimeline(h.database.db, incidentId);
  const loggedMessages = () =>
    h.database.db.selectFrom('message_log').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();

  test('people’s messages enter the message log; bot messages never do', async () => {
    await h.event({ kind: 'message', channelId, userId: PEOPLE.bob.id, text: 'seeing 500s on /checkout' });
    await h.event({ kind: 'message', channelId, userId: PEOPLE.carol.id, text: 'password=hunter2 for the replica' });
    await h.event({
      kind: 'bot_message',
      channelId,
      botId: 'BPAGER',
      userId: 'UPAGERBOT',
      text: 'ALERT: checkout 5xx > 5%',
    });
    const logged = await loggedMessages();
    expect(logged.map((m) => [m.user_id, m.text])).toEqual([
      [PEOPLE.bob.id, 'seeing 500s on /checkout'],
      [PEOPLE.carol.id, 'password=[redacted password] for the replica'],
    ]);
  });

  test('a pushpin adds the message at its own time; Slack’s retry of the same event adds nothing', async () => {
    const { ts } = await h.event({
      kind: 'message',
      channelId,
      userId: PEOPLE.bob.id,
      text: 'db primary is at 100% CPU',
    });
    const pin = eventCallbackBody(h.slack, {
      kind: 'reaction_added',
      channelId,
      ts,
      userId: PEOPLE.carol.id,
      reaction: 'pushpin',
    });
    expect((await h.send(pin)).status).toBe(200);
    expect((await h.send(pin, { retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
    const pinned = (await timeline()).filter((e) => e.source === 'reaction');
    expect(pinned).toHaveLength(1);
    expect(pinned[0]).toMatchObject({
      text: 'db primary is at 100% CPU',
      authorId: PEOPLE.carol.id,
      message: { ts, authorId: PEOPLE.bob.id },
    });
    expect(pinned[0]!.occurredAt.getTime()).toBe(Math.floor(Number(ts) * 1000));
    const processed = await h.database.db
      .selectFrom('processed_events')
      .selectAll()
      .where('event_id', '=', String(pin.payload.event_id))
      .execute();
    expect(processed).toHaveLength(1);
  });

  test('other reactions are ignored; removing the last pushpin removes the entry', async () => {
    const { ts } = await h.event({
      kind: 'message',
      channelId,
      userId: PEOPLE.carol.id,
      text: 'failing over to replica',
    });
    await h.event({ kind: 'reaction_added', channelId, ts, userId: PEOPLE.bob.id, reaction: 'eyes' });
    expect((await timeline()).some((e) => e.message?.ts === ts)).toBe(false);
    await h.event({ kind: 'reaction_added', channelId, ts, userId: PEOPLE.bob.id, reaction: 'pushpin' });
    await h.event({ kind: 'reaction_added', channelId, ts, userId: PEOPLE.alice.id, reaction: 'pushpin' });
    await h.event({ kind: 'reaction_removed', channelId, ts, userId: PEOPLE.bob.id, reaction: 'pushpin' });
    expect((await timeline()).some((e) => e.message?.ts === ts)).toBe(true);
    await h.event({ kind: 'reaction_removed', channelId, ts, userId: PEOPLE.alice.id, reaction: 'pushpin' });
    expect((await timeline()).some((e) => e.message?.ts === ts)).toBe(false);
  });

  test('a pushpin on a thread reply, not in our log, is fetched from Slack', async () => {
    const parent = h.slack.addMessage(channelId, { user: PEOPLE.bob.id, text: 'thread: root cause?' });
    const reply = h.slack.addMessage(channelId, {
      user: PEOPLE.carol.id,
      text: 'connection pool exhausted',
      threadTs: parent,
    });
    await h.event({ kind: 'reaction_added', channelId, ts: reply, userId: PEOPLE.bob.id, reaction: 'pushpin' });
    const entry = (await timeline()).find((e) => e.message?.ts === reply);
    expect(entry).toMatchObject({ text: 'connection pool exhausted', message: { authorId: PEOPLE.carol.id } });
  });

  test('a guest’s pushpin is refused and they are told why', async () => {
    const { ts } = await h.event({ kind: 'message', channelId, userId: PEOPLE.bob.id, text: 'guest will pin this' });
    await h.event({ kind: 'reaction_added', channelId, ts, userId: PEOPLE.guest.id, reaction: 'pushpin' });
    expect((await timeline()).some((e) => e.message?.ts === ts)).toBe(false);
    expect(h.slack.ephemeralsTo(PEOPLE.guest.id).at(-1)?.text).toMatch(/Guests can read/);
  });

  test('an edit in Slack is followed with history; a deletion leaves only a tombstone', async () => {
    const { ts } = await h.event({
      kind: 'message',
      channelId,
      userId: PEOPLE.bob.id,
      text: 'key AKIAIOSFODNN7EXAMPLE leaked?',
    });
    await h.event({ kind: 'reaction_added', channelId, ts, userId: PEOPLE.bob.id, reaction: 'pushpin' });
    await h.event({ kind: 'message_changed', channelId, ts, text: 'rotating the leaked key' });
    let entry = (await timeline()).find((e) => e.message?.ts === ts)!;
    expect(entry).toMatchObject({ text: 'rotating the leaked key', editCount: 1 });
    expect((await listRevisions(h.database.db, entry.id)).map((r) => r.text)).toEqual([
      'key [redacted AWS access key] leaked?',
    ]);
    await h.event({ kind: 'message_deleted', channelId, ts });
    entry = (await timeline()).find((e) => e.message?.ts === ts)!;
    expect(entry).toMatchObject({ text: '', erasedInSlack: true });
    expect((await listRevisions(h.database.db, entry.id)).every((r) => r.text === '')).toBe(true);
    const logged = (await loggedMessages()).find((m) => m.ts === ts)!;
    expect(logged).toMatchObject({ text: '', user_id: PEOPLE.bob.id });
  });

  test('missing, wrong and stale signatures are rejected before any work', async () => {
    const before = (await loggedMessages()).length;
    const forged = eventCallbackBody(h.slack, { kind: 'message', channelId, userId: PEOPLE.bob.id, text: 'forged' });
    expect((await h.send(forged, { signature: null })).status).toBe(401);
    expect((await h.send(forged, { signature: `v0=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await h.send(forged, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect((await loggedMessages()).length).toBe(before);
    const processed = await h.database.db
      .selectFrom('processed_events')
      .selectAll()
      .where('event_id', '=', String(forged.payload.event_id))
      .execute();
    expect(processed).toHaveLength(0);
  });

  test('the message shortcut captures in an incident channel, and asks which incident elsewhere', async () => {
    const inChannel = h.slack.addMessage(channelId, { user: PEOPLE.carol.id, text: 'cache flushed' });
    const first = messageShortcutBody(h.slack, { userId: PEOPLE.carol.id, channelId, messageTs: inChannel });
    expect((await h.send(first)).status).toBe(200);
    expect((await timeline()).find((e) => e.message?.ts === inChannel)).toMatchObject({
      source: 'shortcut',
      authorId: PEOPLE.carol.id,
    });
    expect(h.slack.responsesAt(first.responseUrl!).map((r) => (r.body as { text: string }).text)[0]).toMatch(
      /Added to the timeline of #1 at .* your time/,
    );

    const elsewhere = h.slack.addMessage(GENERAL, { user: PEOPLE.bob.id, text: 'customers report failed payments' });
    await h.send(messageShortcutBody(h.slack, { userId: PEOPLE.bob.id, channelId: GENERAL, messageTs: elsewhere }));
    const picker = h.slack.openedViews.at(-1)!;
    expect(picker.view).toMatchObject({ callback_id: 'add_to_timeline_pick' });
    const submitted = await h.send(
      viewSubmissionBody(h.slack, {
        userId: PEOPLE.bob.id,
        viewId: picker.viewId,
        values: { incident: String(incidentId) },
      }),
    );
    expect(submitted.status).toBe(200);
    expect((await timeline()).find((e) => e.message?.ts === elsewhere)).toMatchObject({
      source: 'shortcut',
      text: 'customers report failed payments',
      message: { channelId: GENERAL },
    });
  });

  test('the timeline view pages within Slack’s limits and lets the author edit an entry, keeping history', async () => {
    for (let i = 0; i < 45; i++) {
      await h.command(
        PEOPLE.bob.id,
        channelId,
        `timeline 2026-11-20T10:${String(i).padStart(2, '0')}:00Z step ${i} ${'x'.repeat(400)}`,
      );
    }
    const shown = await h.command(PEOPLE.bob.id, channelId, 'timeline');
    const blocks = shown.answer.blocks as {
      type: string;
      accessory?: { action_id: string; options: { value: string }[] };
    }[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(blocks).length).toBeLessThan(40_000);
    const older = JSON.stringify(blocks).includes('timeline_page');
    expect(older).toBe(true);

    const editable = blocks.find((b) => b.accessory?.action_id === 'timeline_entry_menu')!;
    const editValue = editable.accessory!.options.find((o) => o.value.startsWith('edit:'))!.value;
    const entryId = Number(editValue.split(':')[1]);
    h.slack.addMessage(channelId, { user: 'UDEBRIEF', text: 'timeline view', blocks });
    const viewTs = h.slack.messagesIn(channelId).at(-1)!.ts;
    await h.send(
      blockActionsBody(h.slack, {
        userId: PEOPLE.bob.id,
        actionId: 'timeline_entry_menu',
        source: { channelId, messageTs: viewTs },
        selected: editValue,
      }),
    );
    const modal = h.slack.openedViews.at(-1)!;
    expect(modal.view).toMatchObject({ callback_id: 'timeline_entry_edit' });
    const saved = await h.send(
      viewSubmissionBody(h.slack, {
        userId: PEOPLE.bob.id,
        viewId: modal.viewId,
        values: { text: 'step corrected <after> review', when: '2026-11-20T11:00:00Z' },
      }),
    );
    expect(saved.status).toBe(200);
    expect(saved.json).toBeUndefined();
    const edited = (await timeline()).find((e) => e.id === entryId)!;
    expect(edited).toMatchObject({ text: 'step corrected &lt;after&gt; review', editCount: 1 });
    expect(edited.occurredAt.toISOString()).toBe('2026-11-20T11:00:00.000Z');
    expect((await listRevisions(h.database.db, entryId))[0]).toMatchObject({
      change: 'edited',
      changed_by: PEOPLE.bob.id,
    });

    // The same (now stale) form submitted again loses to the edit that landed first.
    const stale = await h.send(
      viewSubmissionBody(h.slack, {
        userId: PEOPLE.bob.id,
        viewId: modal.viewId,
        values: { text: 'lost update', when: '11:00 UTC' },
      }),
    );
    expect(stale.json).toMatchObject({
      response_action: 'errors',
      errors: { text: expect.stringContaining('step corrected') },
    });
    const badTime = await h.send(
      viewSubmissionBody(h.slack, {
        userId: PEOPLE.bob.id,
        viewId: modal.viewId,
        values: { text: 'x', when: '25:99' },
      }),
    );
    expect(badTime.json).toMatchObject({ response_action: 'errors', errors: { when: expect.any(String) } });

    // Someone who neither wrote the entry nor commands the incident is refused before any modal opens.
    const opened = h.slack.openedViews.length;
    const refused = blockActionsBody(h.slack, {
      userId: PEOPLE.carol.id,
      actionId: 'timeline_entry_menu',
      source: { channelId, messageTs: viewTs },
      selected: editValue,
    });
    await h.send(refused);
    expect(h.slack.openedViews.length).toBe(opened);
    const refusal = h.slack.responses.at(-1)?.body as { text?: string };
    expect(refusal.text).toMatch(/Only the person who added this entry/);

    // Delete asks for confirmation, then hides the entry and keeps it in the history.
    await h.send(
      blockActionsBody(h.slack, {
        userId: PEOPLE.bob.id,
        actionId: 'timeline_entry_menu',
        source: { channelId, messageTs: viewTs },
        selected: `delete:${entryId}`,
      }),
    );
    const confirm = h.slack.openedViews.at(-1)!;
    expect(confirm.view).toMatchObject({ callback_id: 'timeline_entry_delete' });
    await h.send(viewSubmissionBody(h.slack, { userId: PEOPLE.bob.id, viewId: confirm.viewId }));
    expect((await timeline()).some((e) => e.id === entryId)).toBe(false);
    expect((await listRevisions(h.database.db, entryId)).map((r) => r.change)).toEqual(['removed', 'edited']);
  });
});
