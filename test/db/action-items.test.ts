import type { DatabaseHandle } from '../../src/db/connect';
import { ensureWorkspace } from '../../src/db/workspaces';
import { parseActionCommand } from '../../src/domain/action-command';
import {
  addActionItem,
  cancelActionItem,
  completeActionItem,
  editActionItem,
  listActionItems,
  muteActionItem,
  reassignActionItem,
  snoozeActionItem,
} from '../../src/services/action-items';
import type { ActionContext } from '../../src/services/context';
import { EditConflictError, PermissionDeniedError, UserFacingError } from '../../src/services/errors';
import {
  assignRole,
  declareIncident,
  type IncidentInChannel,
  incidentInChannel,
  resolveIncident,
} from '../../src/services/incidents';
import { assignOwner } from '../../src/services/postmortems';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort, TEST_WORKSPACE } from '../support/fake-slack-port';

/** The action-item use cases against a real database, with the outbound port faked. */

/** A Friday: 12:00 in Los Angeles, 21:00 in Berlin, 01:30 on Saturday in Kolkata. */
const NOW = new Date('2026-11-20T20:00:00Z');
const person = (userId: string, timeZone: string | null = null) => ({
  userId,
  isGuest: false,
  isExternal: false,
  timeZone,
});

describe.each(databaseKinds())('action items on the %s database', (kind) => {
  let database: DatabaseHandle;
  let workspaceId: number;
  let slack: FakeSlackPort;
  let sequence = 0;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    workspaceId = await ensureWorkspace(database.db, { teamId: 'TAI' });
  });
  afterAll(async () => database.close());
  beforeEach(() => {
    slack = new FakeSlackPort();
    slack.users.set('UALICE', { name: 'alice', timeZone: 'America/Los_Angeles' });
    slack.users.set('UBOB', { name: 'bob', timeZone: 'Europe/Berlin' });
    slack.users.set('UCAROL', { name: 'carol', timeZone: 'Asia/Kolkata' });
    slack.users.set('UDAN', { name: 'dan' });
    slack.users.set('UBOT', { isBot: true });
    slack.users.set('UGONE', { deleted: true });
    slack.users.set('UGUEST', { isGuest: true });
    slack.unknownUsers.add('UNOBODY');
  });

  const as = (userId: string, now = NOW): ActionContext => ({
    db: database.db,
    slack,
    workspace: TEST_WORKSPACE,
    workspaceId,
    now,
    actor: person(userId),
  });

  /** A resolved incident commanded by alice; bob owns its postmortem; alice, bob, carol and dan are in its channel. */
  async function incident(): Promise<IncidentInChannel> {
    const channelId = `CAI${++sequence}`;
    slack.members.set(channelId, new Set(['UALICE', 'UBOB', 'UCAROL', 'UDAN']));
    await declareIncident(as('UALICE', new Date('2026-11-19T10:00:00Z')), {
      title: `Checkout returns 500s ${sequence}`,
      severity: 'sev2',
      isPrivate: false,
      channelId,
      here: true,
    });
    let found = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    await assignRole(as('UALICE'), found, 'commander', 'UALICE');
    found = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    await resolveIncident(as('UALICE'), found, {
      occurredAt: new Date('2026-11-19T12:00:00Z'),
      summary: 'rolled back',
    });
    found = await incidentInChannel(as('UALICE'), channelId, { example: 'x', includeClosed: true });
    await assignOwner(as('UALICE'), found, { ownerId: 'UBOB', dueText: null });
    return found;
  }

  const command = (text: string) => {
    const parsed = parseActionCommand(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed;
  };

  const countItems = async (incidentId: number) =>
    (await database.db.selectFrom('action_items').select('id').where('incident_id', '=', incidentId).execute()).length;

  test('adds an item: the owner is the last mention, defaults by priority in the owner’s zone, numbered, recorded', async () => {
    const inc = await incident();
    const first = await addActionItem(as('UDAN'), inc, command('Page <@UALICE> on checkout 5xx <@UCAROL>'));
    expect(first.item).toMatchObject({
      number: 1,
      text: 'Page <@UALICE> on checkout 5xx',
      ownerId: 'UCAROL',
      priority: 'medium',
      type: 'prevent',
      status: 'open',
      createdBy: 'UDAN',
      postmortemOwnerId: 'UBOB',
    });
    // Carol is already on Saturday 2026-11-21 in Kolkata: 8 weeks from her date, not from UTC's.
    expect(first.item.dueDate).toBe('2027-01-16');
    expect(first).toMatchObject({ ownerTimeZone: 'Asia/Kolkata', defaultDue: true });
    const second = await addActionItem(
      as('UDAN'),
      inc,
      command('Alert on 5xx <@UALICE> due today priority high type detect ticket <https://jira.example.com/OPS-1>'),
    );
    expect(second.item).toMatchObject({
      number: 2,
      dueDate: '2026-11-20',
      priority: 'high',
      type: 'detect',
      ticketUrl: 'https://jira.example.com/OPS-1',
    });
    const low = await addActionItem(as('UDAN'), inc, command('Tidy dashboards <@UDAN> priority low'));
    expect(low.item.dueDate).toBeNull();
    // The owner hears about an item someone else gave them; nobody is told about their own.
    const dms = slack.calls.filter((c) => c.method === 'sendDirect' && c.notice.kind === 'action_item_assigned');
    expect(dms.map((c) => (c.method === 'sendDirect' ? c.userId : ''))).toEqual(['UCAROL', 'UALICE']);
    const timeline = await database.db
      .selectFrom('timeline_entries')
      .select('text')
      .where('incident_id', '=', inc.row.id)
      .where('kind', '=', 'action_item_added')
      .execute();
    expect(timeline).toHaveLength(3);
    const audit = await database.db
      .selectFrom('audit_log')
      .select('action')
      .where('incident_id', '=', inc.row.id)
      .where('action', '=', 'action_item.added')
      .execute();
    expect(audit).toHaveLength(3);
  });

  test('concurrent adds get distinct numbers', async () => {
    const inc = await incident();
    const added = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => addActionItem(as('UDAN'), inc, command(`Item ${n} <@UALICE>`))),
    );
    expect(added.map((a) => a.item.number).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  test.each([
    ['a past due date', 'Fix it <@UALICE> due 2026-11-01', /in the past/],
    ['an unparseable date', 'Fix it <@UALICE> due someday soon', /not a time I can read/],
    ['a bot owner', 'Fix it <@UBOT>', /is a bot/],
    ['a deactivated owner', 'Fix it <@UGONE>', /left the workspace/],
    ['someone Slack does not know', 'Fix it <@UNOBODY>', /not a member of this workspace/],
    ['a guest owner', 'Fix it <@UGUEST>', /guest/],
  ])('refuses %s with a clear answer and stores nothing', async (_what, text, message) => {
    const inc = await incident();
    const attempt = addActionItem(as('UDAN'), inc, command(text));
    await expect(attempt).rejects.toBeInstanceOf(UserFacingError);
    await expect(attempt).rejects.toThrow(message);
    expect(await countItems(inc.row.id)).toBe(0);
  });

  test('someone outside the incident channel, or a guest, cannot add items', async () => {
    const inc = await incident();
    await expect(addActionItem(as('UOUTSIDER'), inc, command('Fix it <@UALICE>'))).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    const guest = { ...as('UDAN'), actor: { ...person('UDAN'), isGuest: true } };
    await expect(addActionItem(guest, inc, command('Fix it <@UALICE>'))).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(await countItems(inc.row.id)).toBe(0);
  });

  test('done: the item owner, its creator or the postmortem owner; a number that does not exist is explained', async () => {
    const inc = await incident();
    const { item } = await addActionItem(as('UDAN'), inc, command('Fix it <@UCAROL>'));
    await expect(completeActionItem(as('UALICE'), { itemId: item.id })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(completeActionItem(as('UCAROL'), { incident: inc, number: 9 })).rejects.toThrow(
      `Incident #${inc.row.number} has no action item #9.`,
    );
    const done = await completeActionItem(as('UCAROL'), { incident: inc, number: 1 });
    expect(done).toMatchObject({ status: 'done' });
    await expect(completeActionItem(as('UBOB'), { itemId: item.id })).rejects.toThrow('already done');
    const other = await addActionItem(as('UDAN'), inc, command('Other <@UCAROL>'));
    expect(await completeActionItem(as('UDAN'), { itemId: other.item.id })).toMatchObject({ status: 'done' });
    const third = await addActionItem(as('UDAN'), inc, command('Third <@UCAROL>'));
    expect(await completeActionItem(as('UBOB'), { itemId: third.item.id })).toMatchObject({ status: 'done' });
  });

  test('an item of another workspace is not found', async () => {
    const inc = await incident();
    const { item } = await addActionItem(as('UDAN'), inc, command('Fix it <@UCAROL>'));
    const elsewhere = await ensureWorkspace(database.db, { teamId: 'TOTHER' });
    await expect(completeActionItem({ ...as('UCAROL'), workspaceId: elsewhere }, { itemId: item.id })).rejects.toThrow(
      'no longer exists in this workspace',
    );
  });

  test('cancel needs a reason and the postmortem owner or the commander; the reason is kept', async () => {
    const inc = await incident();
    const { item } = await addActionItem(as('UDAN'), inc, command('Fix it <@UCAROL>'));
    await expect(cancelActionItem(as('UCAROL'), { itemId: item.id }, 'not needed')).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(cancelActionItem(as('UBOB'), { itemId: item.id }, '  ')).rejects.toThrow('Say why #1');
    const cancelled = await cancelActionItem(as('UALICE'), { incident: inc, number: 1 }, 'covered by #2');
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'covered by #2' });
  });

  test('snooze moves the due date a week, twice; then a new date needs a reason and resets the count', async () => {
    const inc = await incident();
    const { item } = await addActionItem(as('UDAN'), inc, command('Fix it <@UALICE> due 2026-11-25'));
    expect(await snoozeActionItem(as('UALICE'), { itemId: item.id })).toMatchObject({
      dueDate: '2026-12-02',
      snoozeCount: 1,
    });
    const twice = await snoozeActionItem(as('UALICE'), { itemId: item.id });
    expect(twice).toMatchObject({ dueDate: '2026-12-09', snoozeCount: 2 });
    await expect(snoozeActionItem(as('UALICE'), { itemId: item.id })).rejects.toThrow('snoozed twice');
    const edit = {
      expectedVersion: twice.version,
      text: twice.text,
      ownerId: 'UALICE',
      dueText: '2026-12-20',
      priority: 'medium' as const,
      ticketUrl: null,
      reason: '',
    };
    await expect(editActionItem(as('UALICE'), item.id, edit)).rejects.toThrow('Say why #1 needs until 2026-12-20');
    const redated = await editActionItem(as('UALICE'), item.id, { ...edit, reason: 'waiting for the vendor' });
    expect(redated).toMatchObject({ dueDate: '2026-12-20', snoozeCount: 0 });
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('incident_id', '=', inc.row.id)
      .where('action', 'in', ['action_item.snoozed', 'action_item.edited'])
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['action_item.snoozed', 'action_item.snoozed', 'action_item.edited']);
    expect(audit[2]!.detail).toMatchObject({ reason: 'waiting for the vendor' });
  });

  test('reassign to a person tells them; a bot is refused; mute toggles', async () => {
    const inc = await incident();
    const { item } = await addActionItem(as('UDAN'), inc, command('Fix it <@UCAROL>'));
    await expect(reassignActionItem(as('UCAROL'), { itemId: item.id }, 'UBOT')).rejects.toThrow('is a bot');
    const moved = await reassignActionItem(as('UCAROL'), { itemId: item.id }, 'UALICE');
    expect(moved.ownerId).toBe('UALICE');
    expect(slack.calls).toContainEqual(
      expect.objectContaining({
        method: 'sendDirect',
        userId: 'UALICE',
        notice: expect.objectContaining({ kind: 'action_item_assigned', reassigned: true }),
      }),
    );
    // Carol is no longer its owner, but she created nothing and does not own the postmortem.
    await expect(muteActionItem(as('UCAROL'), { itemId: item.id })).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(await muteActionItem(as('UALICE'), { itemId: item.id })).toMatchObject({ muted: true });
    expect(await muteActionItem(as('UALICE'), { itemId: item.id })).toMatchObject({ muted: false });
  });

  test('an edit of a version someone changed since is refused, not overwritten', async () => {
    const inc = await incident();
    const { item } = await addActionItem(as('UDAN'), inc, command('Fix it <@UCAROL> due 2026-12-01'));
    const edit = {
      expectedVersion: item.version,
      text: 'Fix it properly',
      ownerId: 'UCAROL',
      dueText: '2026-12-01',
      priority: 'high' as const,
      ticketUrl: 'https://jira.example.com/OPS-2',
      reason: '',
    };
    const saved = await editActionItem(as('UCAROL'), item.id, edit);
    expect(saved).toMatchObject({
      text: 'Fix it properly',
      priority: 'high',
      ticketUrl: 'https://jira.example.com/OPS-2',
    });
    const stale = editActionItem(as('UDAN'), item.id, { ...edit, text: 'Something else' });
    await expect(stale).rejects.toBeInstanceOf(EditConflictError);
    await expect(stale).rejects.toThrow('Fix it properly');
    await expect(
      editActionItem(as('UCAROL'), item.id, {
        ...edit,
        expectedVersion: saved.version,
        ticketUrl: 'javascript:alert(1)',
      }),
    ).rejects.toThrow('http or https link');
  });

  test('lists open items first; a published postmortem closes when its last item is done', async () => {
    const inc = await incident();
    const a = await addActionItem(as('UDAN'), inc, command('First <@UCAROL>'));
    await addActionItem(as('UDAN'), inc, command('Second <@UCAROL>'));
    await completeActionItem(as('UCAROL'), { itemId: a.item.id });
    expect((await listActionItems(as('UDAN'), inc)).map((i) => [i.number, i.status])).toEqual([
      [2, 'open'],
      [1, 'done'],
    ]);
    await database.db
      .updateTable('postmortems')
      .set({ status: 'published' })
      .where('incident_id', '=', inc.row.id)
      .execute();
    await cancelActionItem(as('UBOB'), { incident: inc, number: 2 }, 'superseded');
    const row = await database.db
      .selectFrom('postmortems')
      .select('status')
      .where('incident_id', '=', inc.row.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('closed');
  });
});
