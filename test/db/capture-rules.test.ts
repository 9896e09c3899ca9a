import type { DatabaseHandle } from '../../src/db/connect';
import { listRevisions, listTimeline } from '../../src/db/timeline';
import { ensureWorkspace } from '../../src/db/workspaces';
import {
  captureFromShortcut,
  captureReaction,
  eraseDeletedMessage,
  followMessageEdit,
  logChannelMessage,
  releasePushpin,
} from '../../src/services/capture';
import type { ActionContext, Scope } from '../../src/services/context';
import { EditConflictError, PermissionDeniedError } from '../../src/services/errors';
import {
  addTimelineNoteInChannel,
  assignRole,
  changeSeverity,
  declareIncident,
  incidentInChannel,
  recordMilestone,
  resolveIncident,
} from '../../src/services/incidents';
import { correctEntry, deleteEntry } from '../../src/services/timeline';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort, TEST_WORKSPACE } from '../support/fake-slack-port';

/**
 * Capture and correction rules at the use-case layer, on both databases: the orders Slack may
 * deliver events in, `--here` incidents after they close, and the races a review found.
 */

const NOW = new Date('2026-11-20T10:00:00Z');
const person = (userId: string) => ({ userId, isGuest: false, isExternal: false, timeZone: null });

describe.each(databaseKinds())('capture and correction rules on the %s database', (kind) => {
  let database: DatabaseHandle;
  let workspaceId: number;
  const slack = new FakeSlackPort();
  let sequence = 0;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    workspaceId = await ensureWorkspace(database.db, { teamId: 'TCAPTURE' });
  });
  afterAll(async () => database.close());

  const scope = (eventId?: string): Scope => ({
    db: database.db,
    slack,
    workspace: TEST_WORKSPACE,
    workspaceId,
    now: NOW,
    ...(eventId !== undefined && { eventId }),
  });
  const as = (userId: string): ActionContext => ({ ...scope(), actor: person(userId) });

  /** A fresh `--here` incident in its own channel, with one message posted there. */
  async function incidentWithMessage(text = 'checkout pods restarted') {
    const channelId = `CCAP${++sequence}`;
    await declareIncident(as('UALICE'), {
      title: channelId,
      severity: 'sev2',
      isPrivate: false,
      channelId,
      here: true,
    });
    const incident = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    const message = {
      channelId,
      ts: `1763629${String(sequence).padStart(3, '0')}.000100`,
      threadTs: null,
      userId: 'UBOB',
      text,
    };
    return { channelId, incident, message };
  }

  const entriesOf = (incidentId: number) => listTimeline(database.db, incidentId);
  const loggedText = async (channelId: string, ts: string) =>
    (
      await database.db
        .selectFrom('message_log')
        .select('text')
        .where('channel_id', '=', channelId)
        .where('ts', '=', ts)
        .executeTakeFirst()
    )?.text;

  test('a Slack retry of committed work changes nothing, even when redoing it would', async () => {
    const { channelId, incident, message } = await incidentWithMessage();
    await logChannelMessage(scope('EvLOG'), message);
    await captureReaction(scope('EvPIN'), 'UALICE', { channelId, ts: message.ts });
    await releasePushpin(scope('EvUNPIN'), { channelId, ts: message.ts, removedBy: 'UALICE' });
    expect(await entriesOf(incident.row.id)).toHaveLength(1); // only the declaration
    // Slack redelivers the pin: without the dedupe it would put the unpinned message back.
    await captureReaction(scope('EvPIN'), 'UALICE', { channelId, ts: message.ts });
    expect((await entriesOf(incident.row.id)).filter((e) => e.source === 'reaction')).toEqual([]);
  });

  test('a deletion that arrives before its message (or before an edit) keeps the words out', async () => {
    const { channelId, incident, message } = await incidentWithMessage('password is hunter2');
    await eraseDeletedMessage(scope(), { channelId, ts: message.ts });
    await logChannelMessage(scope(), message);
    expect(await loggedText(channelId, message.ts)).toBeUndefined();
    await followMessageEdit(scope(), { channelId, ts: message.ts, text: 'password is hunter3', editedBy: 'UBOB' });
    expect(await loggedText(channelId, message.ts)).toBeUndefined();
    expect((await entriesOf(incident.row.id)).map((e) => e.text).join(' ')).not.toContain('hunter');
  });

  test('an edit after a deletion never restores the words of a captured message', async () => {
    const { channelId, incident, message } = await incidentWithMessage('db password leaked in the log');
    await logChannelMessage(scope(), message);
    await captureReaction(scope(), 'UALICE', { channelId, ts: message.ts });
    await eraseDeletedMessage(scope(), { channelId, ts: message.ts });
    await followMessageEdit(scope(), { channelId, ts: message.ts, text: 'db password leaked again', editedBy: 'UBOB' });
    const entry = (await entriesOf(incident.row.id)).find((e) => e.source === 'reaction');
    expect(entry).toMatchObject({ text: '', erasedInSlack: true });
    expect((await listRevisions(database.db, entry!.id)).every((r) => r.text === '')).toBe(true);
    expect(await loggedText(channelId, message.ts)).toBe('');
  });

  test('a secret added by a Slack edit is redacted before it is stored', async () => {
    const { channelId, incident, message } = await incidentWithMessage('rotating the bot token now');
    await logChannelMessage(scope(), message);
    await captureReaction(scope(), 'UALICE', { channelId, ts: message.ts });
    const token = 'xoxb-1234567890-abcdefghijklmnop';
    await followMessageEdit(scope(), { channelId, ts: message.ts, text: `new token ${token}`, editedBy: 'UBOB' });
    const entry = (await entriesOf(incident.row.id)).find((e) => e.source === 'reaction');
    expect(entry?.text).toMatch(/^new token \[redacted/);
    expect(await loggedText(channelId, message.ts)).not.toContain(token);
  });

  test('removing the last pushpin keeps an entry someone added with the shortcut', async () => {
    const { channelId, incident, message } = await incidentWithMessage();
    await logChannelMessage(scope(), message);
    await captureFromShortcut(as('UBOB'), message);
    await captureReaction(scope(), 'UALICE', { channelId, ts: message.ts });
    await releasePushpin(scope(), { channelId, ts: message.ts, removedBy: 'UALICE' });
    expect((await entriesOf(incident.row.id)).filter((e) => e.source === 'shortcut')).toHaveLength(1);
  });

  test('a closed --here incident stops absorbing its channel, but still follows what it captured', async () => {
    const { channelId, incident, message } = await incidentWithMessage('captured while open');
    await logChannelMessage(scope(), message);
    await captureReaction(scope(), 'UALICE', { channelId, ts: message.ts });
    await resolveIncident(as('UALICE'), incident, { occurredAt: NOW, summary: '' });
    const later = { ...message, ts: `${message.ts.slice(0, -3)}900`, text: 'lunch anyone?' };
    await logChannelMessage(scope(), later);
    expect(await loggedText(channelId, later.ts)).toBeUndefined();
    slack.messages.set(`${channelId}/${later.ts}`, later);
    await captureReaction(scope(), 'UALICE', { channelId, ts: later.ts });
    expect((await entriesOf(incident.row.id)).map((e) => e.text)).not.toContain('lunch anyone?');
    await followMessageEdit(scope(), { channelId, ts: message.ts, text: 'captured, then edited', editedBy: 'UBOB' });
    expect((await entriesOf(incident.row.id)).map((e) => e.text)).toContain('captured, then edited');
  });

  test('only the author or the commander may delete an entry: the use case checks, not only the menu', async () => {
    const { channelId } = await incidentWithMessage();
    const incident = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    const { entry: note } = await addTimelineNoteInChannel(as('UCAROL'), incident.row.channel_id!, {
      text: 'paged the db team',
      occurredAt: NOW,
      example: '',
    });
    await expect(
      deleteEntry(as('UBOB'), { incidentId: incident.row.id, entryId: note.id, expectedVersion: note.version }),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    expect((await entriesOf(incident.row.id)).some((e) => e.id === note.id)).toBe(true);
  });

  test('two people steering an incident with no commander at once: exactly one becomes commander', async () => {
    const { channelId } = await incidentWithMessage();
    const incident = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    const attempts = await Promise.allSettled([
      changeSeverity(as('UBOB'), incident, 'sev1'),
      assignRole(as('UCAROL'), incident, 'comms', 'UDAVE'),
    ]);
    const after = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    expect(['UBOB', 'UCAROL']).toContain(after.summary.roles.commander);
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const refused = attempts.find((a) => a.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(PermissionDeniedError);
  });

  test("editing or deleting a milestone's entry moves or unsets the milestone itself", async () => {
    const { channelId } = await incidentWithMessage();
    const incident = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    await changeSeverity(as('UALICE'), incident, 'sev1'); // UALICE becomes commander
    await recordMilestone(as('UALICE'), incident, 'detected', new Date('2026-11-20T09:10:00Z'));
    const entry = (await entriesOf(incident.row.id)).find((e) => e.kind === 'milestone:detected')!;
    const moved = new Date('2026-11-20T09:02:00Z');
    await correctEntry(as('UALICE'), {
      incidentId: incident.row.id,
      entryId: entry.id,
      expectedVersion: entry.version,
      text: entry.text,
      occurredAt: moved,
    });
    const milestones = () =>
      incidentInChannel(as('UALICE'), channelId, { example: 'x' }).then((i) => i.summary.milestones);
    expect((await milestones()).detected).toEqual(moved);
    await expect(
      deleteEntry(as('UALICE'), { incidentId: incident.row.id, entryId: entry.id, expectedVersion: entry.version }),
    ).rejects.toBeInstanceOf(EditConflictError);
    await deleteEntry(as('UALICE'), {
      incidentId: incident.row.id,
      entryId: entry.id,
      expectedVersion: entry.version + 1,
    });
    expect((await milestones()).detected).toBeUndefined();
  });
});
