import type { DatabaseHandle } from '../../src/db/connect';
import { listTimeline } from '../../src/db/timeline';
import { correctEntry } from '../../src/services/timeline';
import { ActionIds, BlockIds, CallbackIds } from '../../src/slack/ids';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackWeb } from './support/fake-slack-web';
import { buildListenerApp, type ListenerApp } from './support/listener-app';
import {
  blockAction,
  noSelection,
  type Origin,
  plainTextValue,
  slashCommand,
  viewSubmission,
} from './support/payloads';

const ALICE = 'UALICE';
const COMMANDER = 'UCOMMANDER';

describe.each(databaseKinds())('modals and buttons through the app on the %s database', (kind) => {
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

  /** The view the app opened last, as Slack would hand it back on submission. */
  function lastOpenedView(): Record<string, unknown> {
    const view = web.openedViews().at(-1);
    if (!view) throw new Error('the app opened no modal');
    return view;
  }

  /** Adds an entry with `/incident timeline` as `userId` and opens its Edit modal from the overflow menu. */
  async function openEditModal(channelId: string, userId: string, text: string, origin?: Origin) {
    await t.send(slashCommand({ userId, channelId, text: `timeline 09:05 ${text}`, ...(origin && { origin }) }));
    const incident = await database.db
      .selectFrom('incidents')
      .select('id')
      .where('channel_id', '=', channelId)
      .executeTakeFirstOrThrow();
    const entry = (await listTimeline(database.db, incident.id)).find((e) => e.text === text);
    if (!entry) throw new Error(`no entry "${text}"`);
    const click = await t.send(
      blockAction({
        userId,
        channelId,
        ...(origin && { origin }),
        action: {
          type: 'overflow',
          action_id: ActionIds.timelineEntryMenu,
          selected_option: { text: { type: 'plain_text', text: 'Edit', emoji: true }, value: `edit:${entry.id}` },
        },
      }),
    );
    expect(click.acks).toEqual([undefined]);
    const view = lastOpenedView();
    expect(view.callback_id).toBe(CallbackIds.timelineEntryEdit);
    return { incidentId: incident.id, entry, view };
  }

  test('the start form with no title and no severity is answered with errors under those two inputs', async () => {
    await t.send(slashCommand({ userId: ALICE, channelId: 'CFORM', text: 'start' }));
    const view = lastOpenedView();
    expect(view.callback_id).toBe(CallbackIds.incidentStart);
    const lookups = jest.spyOn(t.slack, 'lookupUser');
    const before = await database.db.selectFrom('incidents').select('id').execute();

    const delivery = await t.send(
      viewSubmission({
        userId: ALICE,
        view,
        values: {
          [BlockIds.title]: { [BlockIds.title]: plainTextValue('   ') },
          [BlockIds.severity]: { [BlockIds.severity]: noSelection() },
          [BlockIds.where]: {
            [BlockIds.where]: {
              type: 'radio_buttons',
              selected_option: { text: { type: 'plain_text', text: 'Here' }, value: 'here' },
            },
          },
        },
      }),
    );

    expect(delivery.acks).toEqual([
      {
        response_action: 'errors',
        errors: {
          [BlockIds.title]: 'Give the incident a title, e.g. “Checkout returns 500s”.',
          [BlockIds.severity]: 'Pick a severity.',
        },
      },
    ]);
    expect(await database.db.selectFrom('incidents').select('id').execute()).toEqual(before);
    expect(lookups).not.toHaveBeenCalled();
  });

  test('an edit that lost a race (EditConflictError) is answered under the text input with the newer text', async () => {
    await t.declareHere('CEDIT', COMMANDER);
    await t.send(slashCommand({ userId: COMMANDER, channelId: 'CEDIT', text: `role commander <@${COMMANDER}>` }));
    const { incidentId, entry, view } = await openEditModal('CEDIT', ALICE, 'rolled back the deploy');
    // While Alice has the modal open, the commander corrects the same entry.
    await correctEntry(await t.actingAs(COMMANDER), {
      incidentId,
      entryId: entry.id,
      expectedVersion: entry.version,
      text: 'rolled back deploy 4521',
      occurredAt: entry.occurredAt,
    });

    const delivery = await t.send(
      viewSubmission({
        userId: ALICE,
        view,
        values: {
          [BlockIds.text]: { [BlockIds.text]: plainTextValue('rolled back the deploy at 09:05') },
          [BlockIds.when]: { [BlockIds.when]: plainTextValue('09:05') },
        },
      }),
    );

    expect(delivery.acks).toEqual([
      {
        response_action: 'errors',
        errors: {
          [BlockIds.text]:
            'Someone changed this entry while you had it open. It now reads: “rolled back deploy 4521”. Close this and try again.',
        },
      },
    ]);
    const stored = (await listTimeline(database.db, incidentId)).find((e) => e.id === entry.id);
    expect(stored?.text).toBe('rolled back deploy 4521');
  });

  test('a button whose Slack call is refused answers the clicker through response_url, with advice', async () => {
    await t.declareHere('CEXPIRED', COMMANDER);
    await t.send(slashCommand({ userId: ALICE, channelId: 'CEXPIRED', text: 'timeline 09:05 cache flushed' }));
    const incident = await database.db
      .selectFrom('incidents')
      .select('id')
      .where('channel_id', '=', 'CEXPIRED')
      .executeTakeFirstOrThrow();
    const entry = (await listTimeline(database.db, incident.id)).find((e) => e.text === 'cache flushed');
    web.answerOnce('views.open', { ok: false, error: 'expired_trigger_id' });
    const click = blockAction({
      userId: ALICE,
      channelId: 'CEXPIRED',
      action: {
        type: 'overflow',
        action_id: ActionIds.timelineEntryMenu,
        selected_option: { text: { type: 'plain_text', text: 'Edit', emoji: true }, value: `edit:${entry?.id}` },
      },
    });
    const delivery = await t.send(click);
    expect(delivery).toMatchObject({ status: 200, acks: [undefined], failure: undefined });
    expect(web.responses.filter((r) => r.url === click.response_url).map((r) => r.body)).toEqual([
      {
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Slack refused the request (`expired_trigger_id`), so nothing was changed. Slack took too long to answer; run the command again.',
      },
    ]);
  });

  test('an org-wide install’s interactions (team: null) act on the organisation’s workspace row, never team_id ""', async () => {
    const org: Origin = { teamId: 'T0ORGWS1', enterpriseId: 'E0ORG', isEnterpriseInstall: true };
    const declared = await t.send(
      slashCommand({ userId: ALICE, channelId: 'CORG', text: 'start --here sev2 Payments down', origin: org }),
    );
    expect(declared.answer?.response_type).toBe('in_channel');
    const { incidentId, entry, view } = await openEditModal('CORG', ALICE, 'card processor timing out', org);

    const submission = viewSubmission({
      userId: ALICE,
      view,
      origin: org,
      values: {
        [BlockIds.text]: { [BlockIds.text]: plainTextValue('card processor timing out in eu-west') },
        [BlockIds.when]: { [BlockIds.when]: plainTextValue('09:05') },
      },
    });
    expect(submission.team).toBeNull();
    const delivery = await t.send(submission);

    expect(delivery.acks).toEqual([undefined]);
    const stored = (await listTimeline(database.db, incidentId)).find((e) => e.id === entry.id);
    expect(stored?.text).toBe('card processor timing out in eu-west');
    const rows = await database.db
      .selectFrom('workspaces')
      .select(['team_id', 'enterprise_id', 'is_enterprise_install'])
      .where((eb) => eb.or([eb('enterprise_id', '=', 'E0ORG'), eb('team_id', 'in', ['', 'T0ORGWS1'])]))
      .execute();
    expect(rows).toEqual([{ team_id: 'E0ORG', enterprise_id: 'E0ORG', is_enterprise_install: true }]);
    const incident = await database.db
      .selectFrom('incidents')
      .innerJoin('workspaces', 'workspaces.id', 'incidents.workspace_id')
      .select('workspaces.team_id')
      .where('incidents.id', '=', incidentId)
      .executeTakeFirstOrThrow();
    expect(incident.team_id).toBe('E0ORG');
  });
});
