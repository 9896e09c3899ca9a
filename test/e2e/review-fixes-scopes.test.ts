/**
 * Scope coverage through real features: the shortcut's picker asks Slack who is in a private
 * incident's channel (groups:read), a pushpin in a private incident channel fetches a message that
 * is not in the log (groups:history), and a confirmation that cannot be shown ephemerally where the
 * modal was opened (a DM between two people) goes by DM (chat.postMessage to the user id).
 */
import { listTimeline } from '../../src/db/timeline';
import { messageShortcutBody, viewSubmissionBody } from '../kit/slack-requests';
import { databaseKinds } from '../support/database';
import { GENERAL, type Harness, PEOPLE, startHarness } from '../support/harness';

const NOW = new Date('2026-11-20T20:00:00Z');

describe.each(databaseKinds())('scopes used by private incidents and DMs (%s database)', (kind) => {
  let h: Harness;
  let privateChannel: string;
  let privateIncidentId: number;

  beforeAll(async () => {
    h = await startHarness(kind, NOW);
    await h.command(PEOPLE.alice.id, GENERAL, 'start --private sev2 Vault unsealed');
    await h.command(PEOPLE.carol.id, GENERAL, 'start sev3 Docs site slow');
    privateChannel = h.slack.channelIdByName('inc-20261120-vault-unsealed')!;
    privateIncidentId = (
      await h.database.db
        .selectFrom('incidents')
        .select('id')
        .where('channel_id', '=', privateChannel)
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(async () => h.stop());

  const optionsOf = (view: Record<string, unknown>) => JSON.stringify(view.blocks);

  test('the shortcut’s picker lists a private incident only to members of its channel (conversations.members: groups:read)', async () => {
    const ts = h.slack.addMessage(GENERAL, { user: PEOPLE.bob.id, text: 'vault audit log shows unseal at 19:40' });

    const before = h.slack.calls.length;
    const openedBefore = h.slack.openedViews.length;
    await h.send(messageShortcutBody(h.slack, { userId: PEOPLE.alice.id, channelId: GENERAL, messageTs: ts }));
    // The modal opens at once with the public incidents, then gains the private one once Slack confirms membership.
    const alices = h.slack.openedViews.slice(openedBefore);
    expect(alices.map((v) => v.via)).toEqual(['views.open', 'views.update']);
    expect(optionsOf(alices[0]!.view)).not.toContain('Vault');
    const picker = alices[1]!;
    expect(picker.viewId).toBe(alices[0]!.viewId);
    expect(optionsOf(picker.view)).toContain('Vault unsealed');
    expect(optionsOf(picker.view)).toContain('Docs site slow');
    const members = h.slack.calls.slice(before).filter((c) => c.method === 'conversations.members');
    expect(members.map((c) => [c.args.channel, c.scope, c.response.ok])).toEqual([
      [privateChannel, 'groups:read', true],
    ]);

    // bob is not in the private channel: his picker never shows it.
    const opened = h.slack.openedViews.length;
    await h.send(messageShortcutBody(h.slack, { userId: PEOPLE.bob.id, channelId: GENERAL, messageTs: ts }));
    const bobs = h.slack.openedViews.slice(opened);
    expect(bobs.length).toBeGreaterThan(0);
    for (const view of bobs) expect(optionsOf(view.view)).not.toContain('Vault');
    expect(optionsOf(bobs[0]!.view)).toContain('Docs site slow');

    // alice adds it to the private incident.
    await h.send(
      viewSubmissionBody(h.slack, {
        userId: PEOPLE.alice.id,
        viewId: picker.viewId,
        values: { incident: String(privateIncidentId) },
      }),
    );
    expect((await listTimeline(h.database.db, privateIncidentId)).find((e) => e.message?.ts === ts)?.text).toBe(
      'vault audit log shows unseal at 19:40',
    );
  });

  test('a pushpin in a private incident channel on a message not in the log fetches it (conversations.history: groups:history)', async () => {
    const ts = h.slack.addMessage(privateChannel, { user: PEOPLE.alice.id, text: 'resealed with 3 of 5 keys' });
    const before = h.slack.calls.length;
    await h.event({
      kind: 'reaction_added',
      channelId: privateChannel,
      ts,
      userId: PEOPLE.alice.id,
      reaction: 'pushpin',
    });
    const history = h.slack.calls.slice(before).filter((c) => c.method === 'conversations.history');
    expect(history.map((c) => [c.args.channel, c.scope, c.response.ok])).toEqual([
      [privateChannel, 'groups:history', true],
    ]);
    expect((await listTimeline(h.database.db, privateIncidentId)).find((e) => e.message?.ts === ts)).toMatchObject({
      source: 'reaction',
      text: 'resealed with 3 of 5 keys',
    });
  });

  test('the start modal opened in a DM between two people confirms by DM (chat.postMessage to the user id: chat:write)', async () => {
    const dm = h.slack.addDirectMessage(PEOPLE.bob.id, PEOPLE.carol.id);
    await h.command(PEOPLE.bob.id, dm, 'start');
    const modal = h.slack.openedViews.at(-1)!;
    expect(modal.view).toMatchObject({ callback_id: 'incident_start' });
    expect(JSON.stringify(modal.view.blocks)).not.toContain('"value":"here"');
    const before = h.slack.calls.length;
    await h.send(
      viewSubmissionBody(h.slack, {
        userId: PEOPLE.bob.id,
        viewId: modal.viewId,
        values: { title: 'Disk full on build agents', severity: 'sev3', where: 'new' },
      }),
    );
    const channelId = h.slack.channelIdByName('inc-20261120-disk-full-on-build-agents');
    expect(channelId).toBeDefined();
    const calls = h.slack.calls.slice(before);
    // Debrief cannot show an ephemeral in someone else's DM, so it opens its own DM with bob.
    expect(calls.filter((c) => c.method === 'chat.postEphemeral').map((c) => c.response.ok)).toEqual([false]);
    const botDm = h.slack.dmChannelWith(PEOPLE.bob.id);
    const posted = calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === PEOPLE.bob.id);
    expect(posted.map((c) => [c.scope, c.response.ok, c.response.channel])).toEqual([['chat:write', true, botDm]]);
    expect(calls.filter((c) => c.method === 'conversations.open')).toEqual([]);
    expect(h.slack.messagesIn(botDm).at(-1)?.text).toBe(`Incident #3 is open in <#${channelId}>.`);
    expect(h.slack.messagesIn(dm)).toEqual([]);
  });

  test('this stand-in saw the scopes these features need', () => {
    expect(h.slack.scopesUsed).toEqual(expect.arrayContaining(['groups:read', 'groups:history']));
  });
});
