import type { DatabaseHandle } from '../../src/db/connect';
import { type DebriefRequest, requestOf } from '../../src/slack/context';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackWeb } from './support/fake-slack-web';
import { ADDRESS, buildListenerApp, type ListenerApp, NOW } from './support/listener-app';
import {
  blockAction,
  eventCallback,
  messageEvent,
  plainTextValue,
  reactionAddedEvent,
  slashCommand,
  TEAM_ID,
  tsAt,
  viewSubmission,
} from './support/payloads';

const ALICE = 'UALICE';

describe.each(databaseKinds())('the request middleware on the %s database', (kind) => {
  let database: DatabaseHandle;
  const web = new FakeSlackWeb();
  let t: ListenerApp;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    web.install();
  });
  afterAll(async () => {
    web.uninstall();
    await database.close();
  });
  beforeEach(() => {
    t = buildListenerApp(database.db);
  });

  test('the actor is resolved once per request however many parts of the listener ask', async () => {
    const lookups = jest.spyOn(t.slack, 'lookupUser');
    const actors: unknown[] = [];
    t.app.command('/probe', async ({ ack, context }) => {
      const request = requestOf(context);
      // Two use cases of one request, asking at the same time and then again.
      const [first, second] = await Promise.all([request.act(), request.act()]);
      const third = await request.act();
      actors.push(first.actor, second.actor, third.actor, (await request.scope()).workspaceId);
      await ack();
    });
    await t.send(slashCommand({ userId: ALICE, channelId: 'CPROBE', text: '', command: '/probe' }));
    expect(lookups.mock.calls).toEqual([[ADDRESS, ALICE]]);
    expect(actors.slice(0, 3)).toEqual([
      expect.objectContaining({ userId: ALICE }),
      expect.objectContaining({ userId: ALICE }),
      expect.objectContaining({ userId: ALICE }),
    ]);

    // Once per request, not once per process: the next request asks Slack again (a member may have become a guest).
    await t.send(slashCommand({ userId: ALICE, channelId: 'CPROBE', text: '', command: '/probe' }));
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  test('a real command that changes data looks the caller up exactly once', async () => {
    await t.declareHere('CONCE');
    const lookups = jest.spyOn(t.slack, 'lookupUser');
    await t.send(slashCommand({ userId: ALICE, channelId: 'CONCE', text: 'timeline 09:05 rolled back' }));
    expect(lookups.mock.calls).toEqual([[ADDRESS, ALICE]]);
  });

  test('lazily: a message event, even one that is stored, never asks Slack who wrote it', async () => {
    await t.declareHere('CLAZY');
    const lookups = jest.spyOn(t.slack, 'lookupUser');
    await t.send(eventCallback(messageEvent({ channelId: 'CLAZY', userId: ALICE, text: 'cpu at 95%', ts: tsAt(NOW) })));
    expect(
      await database.db.selectFrom('message_log').select('ts').where('channel_id', '=', 'CLAZY').execute(),
    ).toHaveLength(1);
    expect(lookups).not.toHaveBeenCalled();
  });

  test('who and where is read from every payload shape', async () => {
    const seen: Record<string, Pick<DebriefRequest, 'workspace' | 'userId' | 'channelId'>> = {};
    const keep =
      (name: string) =>
      async ({ context, ack }: { context: Parameters<typeof requestOf>[0]; ack?: () => Promise<void> }) => {
        const { workspace, userId, channelId } = requestOf(context);
        seen[name] = { workspace, userId, channelId };
        await ack?.();
      };
    // Probes see only what no route of Debrief's answers (src/slack/routes.ts): a probe command, and
    // an event of the reaction's shape (its channel under `item`) of a type Debrief does not handle.
    t.app.command('/probe', keep('command'));
    t.app.event('star_added', keep('reaction'));
    t.app.action('probe_button', keep('button'));
    t.app.view('probe_modal', keep('modal'));

    await t.send(slashCommand({ userId: ALICE, channelId: 'CWHERE', text: '', command: '/probe' }));
    const reaction = reactionAddedEvent({
      userId: ALICE,
      reaction: 'eyes',
      channelId: 'CWHERE',
      ts: tsAt(NOW),
      itemUser: 'UBOB',
    });
    await t.send(eventCallback({ ...reaction, type: 'star_added' }));
    await t.send(
      blockAction({
        userId: ALICE,
        channelId: 'CWHERE',
        action: { type: 'button', action_id: 'probe_button', value: '1' },
      }),
    );
    await t.send(
      viewSubmission({
        userId: ALICE,
        view: { callback_id: 'probe_modal' },
        values: { text: { text: plainTextValue('x') } },
      }),
    );

    const workspace = { teamId: TEAM_ID, enterpriseId: null, isEnterpriseInstall: false };
    expect(seen).toEqual({
      command: { workspace, userId: ALICE, channelId: 'CWHERE' },
      reaction: { workspace, userId: ALICE, channelId: 'CWHERE' },
      button: { workspace, userId: ALICE, channelId: 'CWHERE' },
      modal: { workspace, userId: ALICE, channelId: undefined },
    });
  });
});
