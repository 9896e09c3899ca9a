import type { DatabaseHandle } from '../../src/db/connect';
import { listRevisions, listTimeline } from '../../src/db/timeline';
import { ensureWorkspace } from '../../src/db/workspaces';
import type { Actor } from '../../src/domain/permissions';
import {
  captureFromShortcut,
  captureReaction,
  eraseDeletedMessage,
  followMessageEdit,
  logChannelMessage,
  releasePushpin,
} from '../../src/services/capture';
import {
  EditConflictError,
  NotInIncidentChannelError,
  PermissionDeniedError,
  UserFacingError,
} from '../../src/services/errors';
import {
  type ActionContext,
  addTimelineNoteInChannel,
  assignRole,
  attachChannel,
  changeSeverity,
  declareIncident,
  incidentInChannel,
  recordMilestone,
  reopenIncident,
  resolveIncident,
} from '../../src/services/incidents';
import { correctEntry, deleteEntry } from '../../src/services/timeline';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort, TEST_WORKSPACE } from '../support/fake-slack-port';

const NOW = new Date('2026-11-20T10:00:00Z');
const alice = { userId: 'UALICE', isGuest: false, isExternal: false, timeZone: null };
const bob = { userId: 'UBOB', isGuest: false, isExternal: false, timeZone: null };
const guest = { userId: 'UGUEST', isGuest: true, isExternal: false, timeZone: null };

describe.each(databaseKinds())('incident use cases on the %s database', (kind) => {
  let database: DatabaseHandle;
  let workspaceId: number;
  let otherWorkspaceId: number;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    workspaceId = await ensureWorkspace(database.db, { teamId: 'T1' });
    otherWorkspaceId = await ensureWorkspace(database.db, { teamId: 'T2' });
  });
  afterAll(async () => database.close());

  const slack = new FakeSlackPort();
  const as = (
    actor: Actor & { timeZone: string | null },
    now = NOW,
    inWorkspace = () => workspaceId,
  ): ActionContext => ({
    db: database.db,
    slack,
    workspace: TEST_WORKSPACE,
    workspaceId: inWorkspace(),
    actor,
    now,
  });
  const scopeOf = (id: number) => ({ db: database.db, slack, workspace: TEST_WORKSPACE, workspaceId: id, now: NOW });

  async function declareHere(channelId: string, title = 'Checkout returns 500s') {
    await declareIncident(as(alice), { title, severity: 'sev2', isPrivate: false, channelId, here: true });
    return incidentInChannel(as(alice), channelId, { example: 'x' });
  }

  test('numbers incidents per workspace, without gaps or duplicates under concurrent declarations', async () => {
    const declared = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        declareIncident(as(alice), {
          title: `Outage ${i}`,
          severity: 'sev3',
          isPrivate: false,
          channelId: `CNUM${i}`,
          here: true,
        }),
      ),
    );
    const numbers = declared.map((d) => d.incident.number).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(8);
    expect(numbers[7]! - numbers[0]!).toBe(7);
    const other = await declareIncident(
      as(alice, NOW, () => otherWorkspaceId),
      {
        title: 'Elsewhere',
        severity: 'sev3',
        isPrivate: false,
        channelId: 'CNUM0',
        here: true,
      },
    );
    expect(other.incident.number).toBe(1);
  });

  test('a channel holds one active incident; a second --here is refused and nothing is stored', async () => {
    const first = await declareHere('CONE');
    await expect(
      declareIncident(as(alice), {
        title: 'Another',
        severity: 'sev3',
        isPrivate: false,
        channelId: 'CONE',
        here: true,
      }),
    ).rejects.toThrow(`already has an active incident: #${first.row.number}`);
    const rows = await database.db.selectFrom('incidents').select('id').where('channel_id', '=', 'CONE').execute();
    expect(rows).toHaveLength(1);
  });

  test('repeating a declaration reuses the incident while its channel is missing or for 10 minutes', async () => {
    const input = {
      title: 'Search is down',
      severity: 'sev1' as const,
      isPrivate: false,
      channelId: 'CGENERAL',
      here: false,
    };
    const first = await declareIncident(as(bob), input);
    const retry = await declareIncident(as(bob), input);
    expect(retry).toMatchObject({ incident: first.incident, retried: true });
    await attachChannel(database.db, first.incident.id, 'CSEARCH', 'inc-20261120-search-is-down');
    // The same person running the same start within 10 minutes (their first answer timed out) gets it again …
    const repeated = await declareIncident(as(bob, new Date(NOW.getTime() + 9 * 60_000)), input);
    expect(repeated).toMatchObject({ incident: { id: first.incident.id }, retried: true });
    // … later it is a new incident with the same title.
    const later = await declareIncident(as(bob, new Date(NOW.getTime() + 11 * 60_000)), input);
    expect(later.retried).toBe(false);
    expect(later.incident.number).toBe(first.incident.number + 1);
  });

  test('timeline notes, milestones and resolution are stored with system entries in time order', async () => {
    const incident = await declareHere('CTIME');
    await addTimelineNoteInChannel(as(bob), incident.row.channel_id!, {
      text: 'rolled back deploy',
      occurredAt: new Date('2026-11-20T09:05:00Z'),
      example: '',
    });
    await recordMilestone(as(bob), incident, 'detected', new Date('2026-11-20T08:55:00Z'));
    await resolveIncident(as(bob), incident, {
      occurredAt: new Date('2026-11-20T09:40:00Z'),
      summary: 'rollback fixed it',
    });
    const after = await incidentInChannel(as(bob), 'CTIME', { includeClosed: true, example: 'x' });
    expect(after.row.status).toBe('resolved');
    expect(after.summary.milestones.detected).toEqual(new Date('2026-11-20T08:55:00Z'));
    expect(after.summary.milestones.resolved).toEqual(new Date('2026-11-20T09:40:00Z'));
    expect(after.summary.roles.commander).toBe('UBOB');
    const timeline = await listTimeline(database.db, incident.row.id);
    expect(timeline.map((e) => [e.occurredAt.toISOString(), e.source, e.kind])).toEqual([
      ['2026-11-20T08:55:00.000Z', 'system', 'milestone:detected'],
      ['2026-11-20T09:05:00.000Z', 'command', 'note'],
      ['2026-11-20T09:40:00.000Z', 'system', 'milestone:resolved'],
      ['2026-11-20T10:00:00.000Z', 'system', 'declared'],
      ['2026-11-20T10:00:00.000Z', 'system', 'role'],
    ]);
    await reopenIncident(as(bob), after, new Date('2026-11-20T09:50:00Z'));
    const reopened = await incidentInChannel(as(bob), 'CTIME', { example: 'x' });
    expect(reopened.row.status).toBe('investigating');
    expect(reopened.summary.milestones.resolved).toBeUndefined();
  });

  test('only role holders steer an incident once it has a commander; guests change nothing', async () => {
    const incident = await declareHere('CROLE');
    await expect(
      addTimelineNoteInChannel(as(guest), incident.row.channel_id!, { text: 'x', occurredAt: NOW, example: '' }),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    const { becameCommander } = await assignRole(as(alice), incident, 'scribe', 'UCAROL');
    expect(becameCommander).toBe(true);
    const withRoles = await incidentInChannel(as(alice), 'CROLE', { example: 'x' });
    expect(withRoles.summary.roles).toEqual({ commander: 'UALICE', scribe: 'UCAROL' });
    await expect(changeSeverity(as(bob), withRoles, 'sev1')).rejects.toThrow('the commander is <@UALICE>');
    await changeSeverity(as({ ...bob, userId: 'UCAROL' }), withRoles, 'sev1');
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['actor_id', 'action'])
      .where('incident_id', '=', incident.row.id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['incident.declared', 'incident.role', 'incident.severity']);
    expect(audit[2]!.actor_id).toBe('UCAROL');
  });

  test('a pushpinned message enters once, leaves with the last pushpin, and comes back with a new one', async () => {
    const incident = await declareHere('CPIN');
    const scope = scopeOf(workspaceId);
    const message = {
      channelId: 'CPIN',
      ts: '1763629500.000100',
      threadTs: null,
      userId: 'UBOB',
      text: 'db failover done',
    };
    await logChannelMessage(scope, message);
    const pinned = () =>
      listTimeline(database.db, incident.row.id).then((t) => t.filter((e) => e.source === 'reaction'));
    await captureReaction(scope, 'UALICE', { channelId: 'CPIN', ts: message.ts });
    await captureReaction(scope, 'UBOB', { channelId: 'CPIN', ts: message.ts });
    const [first] = await pinned();
    expect(await pinned()).toHaveLength(1);
    expect(first?.occurredAt).toEqual(new Date(1763629500000));
    slack.pushpins.set(`CPIN/${message.ts}`, 1);
    await releasePushpin(scope, { channelId: 'CPIN', ts: message.ts, removedBy: 'UALICE' });
    expect(await pinned()).toHaveLength(1);
    slack.pushpins.set(`CPIN/${message.ts}`, 0);
    await releasePushpin(scope, { channelId: 'CPIN', ts: message.ts, removedBy: 'UALICE' });
    expect(await pinned()).toHaveLength(0);
    await captureReaction(scope, 'UBOB', { channelId: 'CPIN', ts: message.ts });
    expect((await pinned()).map((e) => e.id)).toEqual([first?.id]);
  });

  test('captured messages follow Slack edits, and a deletion erases the words everywhere', async () => {
    const incident = await declareHere('CEDIT');
    const scope = scopeOf(workspaceId);
    const message = {
      channelId: 'CEDIT',
      ts: '1763629600.000200',
      threadTs: null,
      userId: 'UBOB',
      text: 'token is xoxb-123456789-abcdefghij',
    };
    await logChannelMessage(scope, message);
    await captureFromShortcut(as(bob), message);
    const [entry] = (await listTimeline(database.db, incident.row.id)).filter((e) => e.source === 'shortcut');
    if (!entry) throw new Error('the shortcut captured nothing');
    expect(entry.text).toBe('token is [redacted Slack token]');
    // The same channel and ts in another workspace is another message: untouched by this one's edits.
    expect(
      await followMessageEdit(scopeOf(otherWorkspaceId), {
        channelId: 'CEDIT',
        ts: message.ts,
        text: 'nope',
        editedBy: 'UX',
      }),
    ).toBe(0);
    expect(
      await followMessageEdit(scope, {
        channelId: 'CEDIT',
        ts: message.ts,
        text: 'rotated the token',
        editedBy: 'UBOB',
      }),
    ).toBe(1);
    const [edited] = (await listTimeline(database.db, incident.row.id)).filter((e) => e.id === entry.id);
    expect(edited).toMatchObject({ text: 'rotated the token', editCount: 1 });
    expect((await listRevisions(database.db, entry.id)).map((r) => r.text)).toEqual([
      'token is [redacted Slack token]',
    ]);
    await eraseDeletedMessage(scope, { channelId: 'CEDIT', ts: message.ts });
    const [erased] = (await listTimeline(database.db, incident.row.id)).filter((e) => e.id === entry.id);
    expect(erased).toMatchObject({ text: '', erasedInSlack: true });
    expect((await listRevisions(database.db, entry.id)).map((r) => r.text)).toEqual(['']);
    const logged = await database.db
      .selectFrom('message_log')
      .selectAll()
      .where('ts', '=', message.ts)
      .executeTakeFirstOrThrow();
    expect(logged).toMatchObject({ text: '', user_id: 'UBOB' });
    expect(logged.deleted_at).toEqual(NOW);
  });

  test('concurrent corrections of one entry: exactly one wins, the other is told and sees the newer text', async () => {
    const incident = await declareHere('CCONC');
    const { entry: note } = await addTimelineNoteInChannel(as(alice), incident.row.channel_id!, {
      text: 'restarted pods',
      occurredAt: NOW,
      example: '',
    });
    const withCommander = await incidentInChannel(as(alice), 'CCONC', { example: 'x' });
    const attempts = await Promise.allSettled(
      ['restarted api pods', 'restarted worker pods'].map((text) =>
        correctEntry(as(alice), {
          incidentId: withCommander.row.id,
          entryId: note.id,
          expectedVersion: note.version,
          text,
          occurredAt: NOW,
        }),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const loser = attempts.find((a) => a.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(EditConflictError);
    const winner = (attempts.find((a) => a.status === 'fulfilled') as PromiseFulfilledResult<{ text: string }>).value;
    expect((loser.reason as Error).message).toContain(winner.text);
    await expect(
      correctEntry(as(bob), {
        incidentId: withCommander.row.id,
        entryId: note.id,
        expectedVersion: 2,
        text: 'mine',
        occurredAt: NOW,
      }),
    ).rejects.toThrow('Only the person who added this entry');
    const deletion = { incidentId: withCommander.row.id, entryId: note.id, expectedVersion: 2 };
    // A delete carrying a version older than the entry's is refused, not applied.
    await expect(deleteEntry(as(alice), { ...deletion, expectedVersion: 1 })).rejects.toBeInstanceOf(EditConflictError);
    await deleteEntry(as(alice), deletion);
    await expect(deleteEntry(as(alice), deletion)).rejects.toBeInstanceOf(UserFacingError);
    expect((await listTimeline(database.db, incident.row.id)).some((e) => e.id === note.id)).toBe(false);
  });
  test('a note by channel goes to the latest incident there, closed or not, and never to another workspace’s', async () => {
    const channelId = 'CNOTES';
    const note = { text: 'rolled back the deploy', occurredAt: NOW, example: '/incident timeline 09:05 …' };
    await expect(addTimelineNoteInChannel(as(alice), channelId, note)).rejects.toBeInstanceOf(
      NotInIncidentChannelError,
    );
    // Another workspace's incident in a channel with the same id is not this workspace's.
    await declareIncident(
      as(alice, NOW, () => otherWorkspaceId),
      {
        title: 'elsewhere',
        severity: 'sev3',
        isPrivate: false,
        channelId,
        here: true,
      },
    );
    await expect(addTimelineNoteInChannel(as(alice), channelId, note)).rejects.toBeInstanceOf(
      NotInIncidentChannelError,
    );
    await declareIncident(as(alice), { title: 'ours', severity: 'sev2', isPrivate: false, channelId, here: true });
    const incident = await incidentInChannel(as(alice), channelId, { example: 'x' });
    await resolveIncident(as(alice), incident, { occurredAt: NOW, summary: '' });
    const added = await addTimelineNoteInChannel(as(bob), channelId, { ...note, text: 'token xoxb-123456789012-abc' });
    expect(added.incidentNumber).toBe(incident.row.number);
    expect(added.entry).toMatchObject({ incident_id: incident.row.id, source: 'command', author_id: 'UBOB' });
    // Stored redacted, as every other way in.
    expect(added.entry.text).not.toContain('xoxb-123456789012');
    const stored = (await listTimeline(database.db, incident.row.id)).find((e) => e.id === added.entry.id);
    expect(stored?.occurredAt).toEqual(NOW);
    await expect(addTimelineNoteInChannel(as(guest), channelId, note)).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});
