import { listTimeline } from '../../src/db/timeline';
import { viewSubmissionBody } from '../kit/slack-requests';
import { databaseKinds } from '../support/database';
import { GENERAL, type Harness, PEOPLE, startHarness } from '../support/harness';

const NOW = new Date('2026-11-20T20:00:00Z');

describe.each(databaseKinds())('/incident end to end (%s database)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, NOW);
  });
  afterAll(async () => h.stop());

  const incidentRow = (channelId: string) =>
    h.database.db.selectFrom('incidents').selectAll().where('channel_id', '=', channelId).executeTakeFirstOrThrow();

  test('start sev2 creates the channel, invites the caller, posts the card and a link, and reports back', async () => {
    const { status, answer, responseUrl } = await h.command(
      PEOPLE.alice.id,
      GENERAL,
      'start sev2 Checkout returns 500s',
    );
    expect(status).toBe(200);
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/Declared incident #1 \(sev2\) Checkout returns 500s/);

    const channelId = h.slack.channelIdByName('inc-20261120-checkout-returns-500s');
    expect(channelId).toBeDefined();
    expect(h.slack.membersOf(channelId!)).toEqual(expect.arrayContaining([PEOPLE.alice.id, 'UDEBRIEF']));
    const card = h.slack.messagesIn(channelId!)[0];
    expect(card?.blocks).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'header' })]));
    expect(h.slack.messagesIn(GENERAL).some((m) => m.text.includes(`<#${channelId}>`))).toBe(true);
    expect(h.slack.responsesAt(responseUrl).map((r) => (r.body as { text: string }).text)).toEqual([
      `Incident #1 is open in <#${channelId}>.`,
    ]);

    const row = await incidentRow(channelId!);
    expect(row).toMatchObject({
      number: 1,
      severity: 'sev2',
      status: 'investigating',
      channel_name: 'inc-20261120-checkout-returns-500s',
    });
    const timeline = await listTimeline(h.database.db, row.id);
    expect(timeline.map((e) => e.kind)).toEqual(['declared']);
  });

  test('a taken channel name gets the next suffix', async () => {
    h.slack.addChannel({ name: 'inc-20261120-search-is-slow' });
    await h.command(PEOPLE.bob.id, GENERAL, 'start Search is slow');
    expect(h.slack.channelIdByName('inc-20261120-search-is-slow-2')).toBeDefined();
    const row = await incidentRow(h.slack.channelIdByName('inc-20261120-search-is-slow-2')!);
    expect(row.severity).toBe('sev3');
  });

  test('timeline entries: ISO times are stored as given; HH:MM is read in the caller’s Slack zone', async () => {
    const channelId = h.slack.channelIdByName('inc-20261120-checkout-returns-500s')!;
    const iso = await h.command(PEOPLE.alice.id, channelId, 'timeline 2026-11-20T09:05:00Z rolled back deploy');
    expect(iso.answer.text).toMatch(/at 09:05 UTC — 01:05 your time: rolled back deploy$/);
    const local = await h.command(PEOPLE.alice.id, channelId, 'timeline 09:05 paged the database team');
    expect(local.answer.text).toMatch(/17:05 UTC — 09:05 your time/);
    const row = await incidentRow(channelId);
    const notes = (await listTimeline(h.database.db, row.id)).filter((e) => e.source === 'command');
    expect(notes.map((e) => [e.occurredAt.toISOString(), e.text, e.authorId])).toEqual([
      ['2026-11-20T09:05:00.000Z', 'rolled back deploy', PEOPLE.alice.id],
      ['2026-11-20T17:05:00.000Z', 'paged the database team', PEOPLE.alice.id],
    ]);
  });

  test('milestones are stored, recorded in the timeline and announced in the channel', async () => {
    const channelId = h.slack.channelIdByName('inc-20261120-checkout-returns-500s')!;
    const answer = await h.command(PEOPLE.bob.id, channelId, 'milestone detected 2026-11-20 09:01 UTC');
    expect(answer.answer.text).toMatch(/Milestone \*detected\* of #1 set to 09:01 UTC — 10:01 your time/);
    const row = await incidentRow(channelId);
    const milestones = await h.database.db
      .selectFrom('milestones')
      .selectAll()
      .where('incident_id', '=', row.id)
      .execute();
    expect(milestones.map((m) => [m.kind, m.occurred_at.toISOString(), m.set_by])).toEqual([
      ['detected', '2026-11-20T09:01:00.000Z', PEOPLE.bob.id],
    ]);
    const announcement = h.slack.messagesIn(channelId).at(-1);
    expect(announcement?.text).toMatch(/set milestone \*detected\*: <!date\^1795165260\^/);
  });

  test('refusals store nothing: a future time, an unknown severity or role, and a channel without an incident', async () => {
    const channelId = h.slack.channelIdByName('inc-20261120-checkout-returns-500s')!;
    const row = await incidentRow(channelId);
    const before = (await listTimeline(h.database.db, row.id)).length;
    const future = await h.command(PEOPLE.alice.id, channelId, 'timeline 2026-11-21T09:00:00Z will happen');
    expect(future.answer.text).toMatch(/future.*2026-11-21 09:00 UTC/s);
    const severity = await h.command(PEOPLE.alice.id, channelId, 'severity sev9');
    expect(severity.answer.text).toContain('`/incident severity sev2`');
    const role = await h.command(PEOPLE.alice.id, channelId, 'role pilot <@UBOB|bob>');
    expect(role.answer.text).toMatch(/commander, comms or scribe/);
    const outside = await h.command(PEOPLE.alice.id, GENERAL, 'timeline 09:00 something');
    expect(outside.answer.text).toMatch(/no incident.*`\/incident start/s);
    for (const answer of [future, severity, role, outside]) expect(answer.answer.response_type).toBe('ephemeral');
    expect((await listTimeline(h.database.db, row.id)).length).toBe(before);
  });

  test('guests and people from another organisation can read but not change the incident', async () => {
    const channelId = h.slack.channelIdByName('inc-20261120-checkout-returns-500s')!;
    const guest = await h.command(PEOPLE.guest.id, channelId, 'timeline 09:10 I think it is DNS');
    expect(guest.answer.text).toMatch(/Guests can read/);
    const partner = await h.command(PEOPLE.partner.id, channelId, 'severity sev1');
    expect(partner.answer.text).toMatch(/another organisation/);
    const shown = await h.command(PEOPLE.guest.id, channelId, 'timeline');
    expect(shown.answer.blocks?.length).toBeGreaterThan(0);
    const row = await incidentRow(channelId);
    expect(row.severity).toBe('sev2');
  });

  test('roles, severity, status, resolve and reopen: the first to steer becomes commander', async () => {
    const channelId = h.slack.channelIdByName('inc-20261120-checkout-returns-500s')!;
    const role = await h.command(PEOPLE.bob.id, channelId, 'role scribe <@UCAROL|carol>');
    expect(role.answer.text).toMatch(/<@UCAROL> is now \*scribe\* of #1 \(set by <@UBOB>\)\. <@UBOB> is commander/);
    const refused = await h.command(PEOPLE.alice.id, channelId, 'severity sev1');
    expect(refused.answer.text).toMatch(/commander is <@UBOB>/);
    await h.command(PEOPLE.carol.id, channelId, 'severity sev1');
    const status = await h.command(PEOPLE.alice.id, channelId, 'status Rollback at 40%, errors falling');
    expect(status.answer.response_type).toBe('in_channel');
    const resolved = await h.command(PEOPLE.bob.id, channelId, 'resolve 19:30 UTC rollback complete');
    expect(resolved.answer.text).toMatch(/resolved at 19:30 UTC — 20:30 your time/);
    let row = await incidentRow(channelId);
    expect(row).toMatchObject({ status: 'resolved', severity: 'sev1', summary: 'rollback complete' });
    const again = await h.command(PEOPLE.bob.id, channelId, 'resolve');
    expect(again.answer.text).toMatch(/is resolved. Reopen it first/);
    await h.command(PEOPLE.bob.id, channelId, 'reopen');
    row = await incidentRow(channelId);
    expect(row.status).toBe('investigating');
    const kinds = (await listTimeline(h.database.db, row.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['role', 'severity', 'status', 'milestone:resolved', 'reopened']));
  });

  test('start --here declares in the current channel and refuses a second active incident there', async () => {
    const war = h.slack.addChannel({ name: 'war-room', members: [PEOPLE.alice.id, PEOPLE.bob.id] });
    const first = await h.command(PEOPLE.alice.id, war, 'start --here SEV1 Payments down');
    expect(first.answer.response_type).toBe('in_channel');
    expect(h.slack.membersOf(war)).toContain('UDEBRIEF');
    const row = await incidentRow(war);
    expect(row).toMatchObject({ severity: 'sev1', title: 'Payments down' });
    const second = await h.command(PEOPLE.bob.id, war, 'start --here sev3 Something else');
    expect(second.answer.text).toMatch(/already has an active incident: #\d+ Payments down/);
  });

  test('a bare /incident start opens the modal first; its submission is validated, then declares', async () => {
    const before = h.slack.calls.length;
    const answer = await h.command(PEOPLE.alice.id, GENERAL, 'start');
    expect(answer.status).toBe(200);
    expect(h.slack.calls[before]?.method).toBe('views.open');
    const modal = h.slack.openedViews.at(-1)!;
    expect(modal.view).toMatchObject({ callback_id: 'incident_start' });

    const empty = await h.send(
      viewSubmissionBody(h.slack, { userId: PEOPLE.alice.id, viewId: modal.viewId, values: { title: '   ' } }),
    );
    expect(empty.json).toMatchObject({ response_action: 'errors', errors: { title: expect.stringMatching(/title/) } });

    const submitted = await h.send(
      viewSubmissionBody(h.slack, {
        userId: PEOPLE.alice.id,
        viewId: modal.viewId,
        values: { title: 'Webhooks delayed', severity: 'sev2', where: 'private' },
      }),
    );
    expect(submitted.status).toBe(200);
    expect(submitted.json).toBeUndefined();
    const channelId = h.slack.channelIdByName('inc-20261120-webhooks-delayed');
    expect(h.slack.channel(channelId!)).toMatchObject({ is_private: true });
    expect(await incidentRow(channelId!)).toMatchObject({
      severity: 'sev2',
      is_private: true,
      declared_by: PEOPLE.alice.id,
    });
    expect(h.slack.ephemeralsTo(PEOPLE.alice.id).at(-1)?.text).toMatch(`is open in <#${channelId}>`);
  });

  test('when Slack refuses to create the channel the incident stays recorded and a retry reuses it', async () => {
    h.slack.failNext('conversations.create', { error: 'restricted_action' });
    const failed = await h.command(PEOPLE.carol.id, GENERAL, 'start sev2 Login loops');
    const failure = h.slack.responsesAt(failed.responseUrl).map((r) => (r.body as { text: string }).text);
    expect(failure[0]).toMatch(
      /Incident #(\d+) is recorded, but Slack would not create its channel \(`restricted_action`\). Run the same command again/,
    );
    const number = Number(/#(\d+)/.exec(failure[0]!)![1]);
    const retried = await h.command(PEOPLE.carol.id, GENERAL, 'start sev2 Login loops');
    expect(retried.answer.text).toMatch(`Retrying the channel for incident #${number}`);
    const channelId = h.slack.channelIdByName('inc-20261120-login-loops');
    expect((await incidentRow(channelId!)).number).toBe(number);
  });

  test('Slack rate-limiting the user lookup: the caller is told to retry and nothing is stored', async () => {
    const count = async () => (await h.database.db.selectFrom('incidents').select('id').execute()).length;
    const before = await count();
    h.slack.failNext('users.info', { error: 'ratelimited', retryAfterSeconds: 30 });
    const answer = await h.command(PEOPLE.nozone.id, GENERAL, 'start sev4 Flaky test env');
    expect(answer.answer.text).toMatch(/rate-limiting Debrief.*Try again in 30 seconds/);
    expect(await count()).toBe(before);
  });
});
