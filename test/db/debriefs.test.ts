import type { DatabaseHandle } from '../../src/db/connect';
import { findDebrief, listDebriefReminders } from '../../src/db/debriefs';
import { insertTimelineEntry, listTimeline } from '../../src/db/timeline';
import { ensureWorkspace } from '../../src/db/workspaces';
import type { ActionContext } from '../../src/services/context';
import {
  cancelDebrief,
  type DebriefNotice,
  pickDebriefSlot,
  proposeDebrief,
  scheduleDebriefAt,
  sendDebriefReminders,
  skipDebrief,
} from '../../src/services/debriefs';
import { PermissionDeniedError, UserFacingError } from '../../src/services/errors';
import {
  addTimelineNoteInChannel,
  assignRole,
  declareIncident,
  type IncidentInChannel,
  incidentInChannel,
  resolveIncident,
} from '../../src/services/incidents';
import { assignOwner, exportMarkdown } from '../../src/services/postmortems';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort, type PortCall, TEST_WORKSPACE } from '../support/fake-slack-port';

/** The debrief use cases against a real database, with the outbound port faked. */

// Thursday evening UTC; the incident was resolved half an hour earlier.
const NOW = new Date('2026-11-19T18:30:00Z');
const RESOLVED = new Date('2026-11-19T18:00:00Z');
const HOUR = 3_600_000;

/** Owner and commander in Berlin, an action-item owner in Los Angeles, a pinned author in Sydney. */
const ZONES: Record<string, string | null> = {
  UOWNER: 'Europe/Berlin',
  UCMD: 'Europe/Berlin',
  ULA: 'America/Los_Angeles',
  USYD: 'Australia/Sydney',
  UTALK: null,
};

describe.each(databaseKinds())('debriefs on the %s database', (kind) => {
  let database: DatabaseHandle;
  let workspaceId: number;
  let slack: FakeSlackPort;
  let sequence = 0;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    workspaceId = await ensureWorkspace(database.db, { teamId: TEST_WORKSPACE.teamId! });
  });
  afterAll(async () => database.close());
  beforeEach(() => {
    slack = new FakeSlackPort();
    for (const [id, tz] of Object.entries(ZONES))
      slack.users.set(id, { name: id.slice(1).toLowerCase(), timeZone: tz });
    slack.users.set('UGUEST', { isGuest: true });
    slack.users.set('UBOT', { isBot: true });
  });

  const as = (userId: string, now = NOW): ActionContext => ({
    db: database.db,
    slack,
    workspace: TEST_WORKSPACE,
    workspaceId,
    now,
    actor: { userId, isGuest: userId === 'UGUEST', isExternal: false, timeZone: ZONES[userId] ?? null },
  });

  /**
   * A resolved sev2 incident in its own channel: UCMD commands, UOWNER owns the postmortem, ULA owns an
   * action item, USYD wrote a message UCMD pinned, UTALK and a bot only talked.
   */
  async function resolvedIncident(): Promise<IncidentInChannel> {
    const channelId = `CDB${++sequence}`;
    slack.members.set(channelId, new Set(['UOWNER', 'UCMD', 'ULA', 'USYD', 'UTALK', 'UGUEST']));
    const declaredAt = new Date(RESOLVED.getTime() - 2 * HOUR);
    const { incident: row } = await declareIncident(as('UCMD', declaredAt), {
      title: `Checkout returns 500s ${sequence}`,
      severity: 'sev2',
      isPrivate: false,
      channelId,
      here: true,
    });
    let incident = await incidentInChannel(as('UCMD'), channelId, { example: 'x' });
    await assignRole(as('UCMD', declaredAt), incident, 'commander', 'UCMD');
    incident = await incidentInChannel(as('UCMD'), channelId, { example: 'x' });
    await addTimelineNoteInChannel(as('UCMD', declaredAt), incident.row.channel_id!, {
      text: 'rolled back',
      occurredAt: declaredAt,
      example: '',
    });
    await insertTimelineEntry(database.db, {
      incident_id: row.id,
      source: 'reaction',
      kind: 'note',
      author_id: 'UCMD',
      text: 'db primary at 100% CPU',
      occurred_at: declaredAt,
      recorded_at: declaredAt,
      message_channel_id: channelId,
      message_ts: `${sequence}.000100`,
      message_author_id: 'USYD',
    });
    let ts = 0;
    for (const userId of ['UTALK', 'UTALK', 'UBOT', 'USYD']) {
      await database.db
        .insertInto('message_log')
        .values({
          incident_id: row.id,
          channel_id: channelId,
          ts: `${sequence}.${String(++ts).padStart(6, '0')}`,
          thread_ts: null,
          user_id: userId,
          text: 'words',
          posted_at: declaredAt,
        })
        .execute();
    }
    await database.db
      .insertInto('action_items')
      .values({
        incident_id: row.id,
        number: 1,
        text: 'Alert on connection pool saturation',
        owner_id: 'ULA',
        due_date: '2026-12-18',
        priority: 'high',
        type: 'detect',
        cancel_reason: null,
        ticket_url: null,
        created_by: 'UOWNER',
        created_at: declaredAt,
        done_at: null,
      })
      .execute();
    await resolveIncident(as('UCMD', RESOLVED), incident, { occurredAt: RESOLVED, summary: 'rolled back' });
    incident = await incidentInChannel(as('UCMD'), channelId, { example: 'x', includeClosed: true });
    await assignOwner(as('UCMD', RESOLVED), incident, { ownerId: 'UOWNER', dueText: null });
    slack.calls.length = 0;
    return incident;
  }

  const noticesOf = <K extends DebriefNotice['kind']>(kind: K, calls: PortCall[] = slack.calls) =>
    calls.flatMap((c) =>
      'notice' in c && c.notice.kind === kind
        ? [{ call: c, notice: c.notice as Extract<DebriefNotice, { kind: K }> }]
        : [],
    );

  async function proposals(incident: IncidentInChannel) {
    await proposeDebrief(as('UOWNER'), incident, { withinBusinessDays: null, minutes: null });
    const posted = noticesOf('debrief_proposals').at(-1);
    if (!posted) throw new Error('no proposals were posted');
    return posted.notice;
  }

  test('propose: participants from roles, owner, action items, timeline (pinned authors too) and speakers; who is outside their hours', async () => {
    const incident = await resolvedIncident();
    const notice = await proposals(incident);
    expect(noticesOf('debrief_proposals')[0]!.call).toMatchObject({
      method: 'post',
      channelId: incident.row.channel_id,
    });
    expect(notice.participants).toEqual([
      { userId: 'UCMD', required: true },
      { userId: 'UOWNER', required: true },
      { userId: 'ULA', required: true },
      { userId: 'USYD', required: true },
      { userId: 'UTALK', required: false },
    ]);
    expect(notice.minutes).toBe(60);
    expect(notice.proposals).toHaveLength(3);
    expect(notice.withoutZone).toEqual(['UTALK']);
    for (const slot of notice.proposals) {
      // No hour is inside 09:00–17:00 in Berlin, Los Angeles and Sydney at once: Berlin's two are kept in.
      expect(slot.covered).toEqual(expect.arrayContaining(['UCMD', 'UOWNER']));
      expect(slot.outside.map((o) => o.userId)).toEqual(expect.arrayContaining(['ULA', 'USYD']));
      expect(slot.start.getTime()).toBeGreaterThan(NOW.getTime());
    }
    expect(notice.note).toMatch(/No slot is inside 09:00–17:00 for every required participant/);
    const sydney = notice.proposals[0]!.outside.find((o) => o.userId === 'USYD')!;
    expect(sydney.timeZone).toBe('Australia/Sydney');
    expect(sydney.localTime).toMatch(/^\d\d:\d\d$/);
    const row = await findDebrief(database.db, incident.row.id);
    expect(row).toMatchObject({ status: 'proposed', proposal_round: 1, proposals_open: true, minutes: 60 });
  });

  test('a guest and someone outside the channel may not schedule; an unresolved incident is refused', async () => {
    const incident = await resolvedIncident();
    await expect(
      proposeDebrief(as('UGUEST'), incident, { withinBusinessDays: null, minutes: null }),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(
      proposeDebrief(as('UOUTSIDER'), incident, { withinBusinessDays: null, minutes: null }),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    const channelId = `CDBOPEN${++sequence}`;
    slack.members.set(channelId, new Set(['UCMD']));
    await declareIncident(as('UCMD'), {
      title: 'still burning',
      severity: 'sev2',
      isPrivate: false,
      channelId,
      here: true,
    });
    const open = await incidentInChannel(as('UCMD'), channelId, { example: 'x' });
    await expect(scheduleDebriefAt(as('UCMD'), open, '2026-11-24 10:00')).rejects.toThrow(/not resolved yet/);
  });

  test('pick: one meeting, the agenda posted, debrief-<n>.ics uploaded, one DM each, a timeline entry', async () => {
    const incident = await resolvedIncident();
    const notice = await proposals(incident);
    const slot = notice.proposals[1]!;
    slack.calls.length = 0;
    const outcome = await pickDebriefSlot(as('ULA'), {
      incidentId: incident.row.id,
      round: notice.round,
      start: slot.start,
    });
    expect(outcome).toMatchObject({ start: slot.start, end: slot.end, previousStart: null, problems: [] });
    const [posted] = noticesOf('debrief_scheduled');
    expect(posted!.call).toMatchObject({ method: 'post', channelId: incident.row.channel_id });
    expect(posted!.notice.agenda).toMatchObject({ severity: 'sev2', minutes: 60 });
    expect(posted!.notice.agenda.actionItems).toEqual([
      expect.objectContaining({ number: 1, ownerId: 'ULA', priority: 'high', due: '2026-12-18' }),
    ]);
    const uploads = slack.calls.filter((c) => c.method === 'uploadFile');
    expect(uploads).toEqual([
      expect.objectContaining({ channelId: incident.row.channel_id, filename: `debrief-${incident.row.number}.ics` }),
    ]);
    const ics = (uploads[0] as Extract<PortCall, { method: 'uploadFile' }>).content.replace(/\r\n[ \t]/g, '');
    expect(ics).toContain('BEGIN:VEVENT');
    expect(ics).toContain(`DTSTART:${slot.start.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`);
    expect(ics).toMatch(/ATTENDEE;[^\r\n]*ROLE=REQ-PARTICIPANT[^\r\n]*CN="la":/);
    expect(ics).toMatch(/ATTENDEE;[^\r\n]*ROLE=OPT-PARTICIPANT[^\r\n]*CN="talk":/);
    expect(ics).toContain('SEQUENCE:0');
    const invited = noticesOf('debrief_invitation');
    expect(invited.map((i) => (i.call as { userId: string }).userId).sort()).toEqual(
      ['UCMD', 'ULA', 'UOWNER', 'USYD', 'UTALK'].sort(),
    );
    expect(invited.every((i) => i.call.method === 'sendDirect' && i.notice.previousStart === null)).toBe(true);
    expect(invited[0]!.notice.preRead.channelId).toBe(incident.row.channel_id);
    const entries = (await listTimeline(database.db, incident.row.id)).filter((e) => e.kind === 'debrief');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.text).toMatch(/^Debrief scheduled for .* UTC \(60 min\) by <@ULA>$/);
    expect(await findDebrief(database.db, incident.row.id)).toMatchObject({
      status: 'scheduled',
      starts_at: slot.start,
      proposals_open: false,
      sequence: 0,
    });
  });

  test('picking twice, at once or one after the other, makes one meeting and tells people once', async () => {
    const incident = await resolvedIncident();
    const notice = await proposals(incident);
    slack.calls.length = 0;
    // Eight clicks at once, on every slot: the debrief's row lock lets one through.
    const clickers = ['UOWNER', 'UCMD', 'ULA', 'USYD', 'UTALK', 'UOWNER', 'UCMD', 'ULA'];
    const picks = await Promise.allSettled(
      clickers.map((userId, i) =>
        pickDebriefSlot(as(userId), {
          incidentId: incident.row.id,
          round: notice.round,
          start: notice.proposals[i % notice.proposals.length]!.start,
        }),
      ),
    );
    expect(picks.filter((p) => p.status === 'fulfilled')).toHaveLength(1);
    for (const refused of picks.filter((p): p is PromiseRejectedResult => p.status === 'rejected')) {
      expect(refused.reason).toBeInstanceOf(UserFacingError);
      expect(String(refused.reason.message)).toMatch(
        /already picked from these proposals|already scheduled for that time/,
      );
    }
    const row = await findDebrief(database.db, incident.row.id);
    // The same slot again: a clear answer, nothing sent.
    const before = slack.calls.length;
    await expect(
      pickDebriefSlot(as('ULA'), { incidentId: incident.row.id, round: notice.round, start: row!.starts_at! }),
    ).rejects.toThrow(/already scheduled for that time/);
    expect(slack.calls.length).toBe(before);
    expect(noticesOf('debrief_scheduled')).toHaveLength(1);
    expect(noticesOf('debrief_invitation')).toHaveLength(5);
    expect((await listTimeline(database.db, incident.row.id)).filter((e) => e.kind === 'debrief')).toHaveLength(1);
  });

  test('a stale proposal, a slot not offered and a slot already begun are refused', async () => {
    const incident = await resolvedIncident();
    const first = await proposals(incident);
    const second = await proposals(incident);
    expect(second.round).toBe(first.round + 1);
    await expect(
      pickDebriefSlot(as('UOWNER'), {
        incidentId: incident.row.id,
        round: first.round,
        start: first.proposals[0]!.start,
      }),
    ).rejects.toThrow(/replaced by newer ones/);
    await expect(
      pickDebriefSlot(as('UOWNER'), {
        incidentId: incident.row.id,
        round: second.round,
        start: new Date(second.proposals[0]!.start.getTime() + 60_000),
      }),
    ).rejects.toThrow(/not one of the current proposals/);
    const later = new Date(second.proposals[0]!.start.getTime() + 60_000);
    await expect(
      pickDebriefSlot(as('UOWNER', later), {
        incidentId: incident.row.id,
        round: second.round,
        start: second.proposals[0]!.start,
      }),
    ).rejects.toThrow(/already begun or passed/);
    expect((await findDebrief(database.db, incident.row.id))?.status).toBe('proposed');
  });

  test('at <when> schedules directly; the past is refused; at again moves it and tells the same people (sequence + 1)', async () => {
    const incident = await resolvedIncident();
    await expect(scheduleDebriefAt(as('UOWNER'), incident, '2026-11-18 10:00')).rejects.toThrow(/in the past/);
    await expect(scheduleDebriefAt(as('UOWNER'), incident, 'friday')).rejects.toThrow(/time of day/);
    const first = await scheduleDebriefAt(as('UOWNER'), incident, '2026-11-24 10:00');
    // The caller's zone (Berlin, UTC+1 in November).
    expect(first.start.toISOString()).toBe('2026-11-24T09:00:00.000Z');
    expect(first.end.toISOString()).toBe('2026-11-24T10:00:00.000Z');
    expect(first.told.sort()).toEqual(['UCMD', 'ULA', 'UOWNER', 'USYD', 'UTALK'].sort());
    slack.calls.length = 0;
    const moved = await scheduleDebriefAt(as('UCMD'), incident, '2026-11-25 14:00 UTC');
    expect(moved.previousStart?.toISOString()).toBe('2026-11-24T09:00:00.000Z');
    expect(moved.told.sort()).toEqual(first.told.sort());
    const invitations = noticesOf('debrief_invitation');
    expect(invitations.every((i) => i.notice.previousStart?.toISOString() === '2026-11-24T09:00:00.000Z')).toBe(true);
    const ics = slack.calls.find((c) => c.method === 'uploadFile') as Extract<PortCall, { method: 'uploadFile' }>;
    expect(ics.content).toContain('SEQUENCE:1');
    expect(ics.content).toContain('DTSTART:20261125T140000Z');
    const entries = (await listTimeline(database.db, incident.row.id)).filter((e) => e.kind === 'debrief');
    expect(entries.map((e) => e.text)).toEqual([
      expect.stringMatching(/^Debrief scheduled for 2026-11-24 09:00 UTC/),
      expect.stringMatching(/^Debrief moved from 2026-11-24 09:00 UTC to 2026-11-25 14:00 UTC/),
    ]);
    await expect(scheduleDebriefAt(as('UCMD'), incident, '2026-11-25 14:00 UTC')).rejects.toThrow(/already scheduled/);
  });

  test('cancel tells the same people; a stale cancel button and a second cancel are refused', async () => {
    const incident = await resolvedIncident();
    await expect(cancelDebrief(as('UOWNER'), incident)).rejects.toThrow(/no debrief scheduled/);
    const scheduled = await scheduleDebriefAt(as('UOWNER'), incident, '2026-11-24 10:00');
    await expect(
      cancelDebrief(as('UOWNER'), incident, { expectedStart: new Date('2026-11-23T09:00:00Z') }),
    ).rejects.toThrow(/was moved to/);
    slack.calls.length = 0;
    const cancelled = await cancelDebrief(as('UCMD'), incident, { expectedStart: scheduled.start });
    expect(cancelled.cancelledStart).toEqual(scheduled.start);
    expect(cancelled.told.sort()).toEqual(scheduled.told.sort());
    expect(noticesOf('debrief_cancelled').map((n) => n.call.method)).toEqual(Array(5).fill('sendDirect'));
    // The calendar file again, cancelling the event calendars imported from the first one.
    const uploads = slack.calls.filter((c) => c.method === 'uploadFile');
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({
      channelId: incident.row.channel_id,
      filename: `debrief-${incident.row.number}.ics`,
    });
    const content = (uploads[0] as Extract<PortCall, { method: 'uploadFile' }>).content;
    expect(content).toContain('METHOD:CANCEL\r\n');
    expect(content).toContain('STATUS:CANCELLED\r\n');
    expect(content).toContain('SEQUENCE:1\r\n');
    expect(cancelled.problems).toEqual([]);
    await expect(cancelDebrief(as('UCMD'), incident)).rejects.toThrow(/already cancelled/);
    expect((await findDebrief(database.db, incident.row.id))?.status).toBe('cancelled');
    expect((await exportMarkdown(as('UCMD'), incident)).markdown).toMatch(
      /## Debrief\n\n_When the debrief meeting was held/,
    );
  });

  test('skip records the reason for `## Debrief`; skipping a scheduled meeting cancels it and tells people', async () => {
    const incident = await resolvedIncident();
    await scheduleDebriefAt(as('UOWNER'), incident, '2026-11-24 10:00');
    slack.calls.length = 0;
    const skipped = await skipDebrief(as('UCMD'), incident, 'discussed in   the weekly ops review');
    expect(skipped).toMatchObject({ reason: 'discussed in the weekly ops review', cancelledStart: expect.any(Date) });
    expect(noticesOf('debrief_cancelled')).toHaveLength(5);
    expect(noticesOf('debrief_cancelled')[0]!.notice.skipReason).toBe('discussed in the weekly ops review');
    const uploads = slack.calls.filter((c) => c.method === 'uploadFile');
    expect(uploads).toHaveLength(1);
    const cancellation = uploads[0] as Extract<PortCall, { method: 'uploadFile' }>;
    expect(cancellation.content).toContain('STATUS:CANCELLED\r\n');
    expect(cancellation.content.replace(/\r\n[ \t]/g, '')).toContain(
      'No debrief will be held: discussed in the weekly ops review',
    );
    const { markdown } = await exportMarkdown(as('UCMD'), incident);
    expect(markdown).toContain('## Debrief\n\nNo debrief meeting: discussed in the weekly ops review');
    await expect(skipDebrief(as('UCMD'), incident, '   ')).rejects.toBeInstanceOf(UserFacingError);
  });

  test('the export shows the scheduled meeting with who is invited, then as held once its time has passed', async () => {
    const incident = await resolvedIncident();
    await scheduleDebriefAt(as('UOWNER'), incident, '2026-11-24 10:00');
    const scheduled = (await exportMarkdown(as('UCMD'), incident)).markdown;
    const section = (text: string) =>
      text.slice(text.indexOf('## Debrief'), text.indexOf('\n## ', text.indexOf('## Debrief') + 3));
    expect(section(scheduled)).toContain('- Scheduled: 2026-11-24 09:00 UTC (60 min)');
    expect(section(scheduled)).toMatch(/- Invited: .*cmd.*owner.*la.*syd.*talk/);
    const after = new Date('2026-11-24T10:30:00Z');
    const held = (await exportMarkdown(as('UCMD', after), incident)).markdown;
    expect(section(held)).toContain('- Held: 2026-11-24 09:00 UTC');
    expect(section(held)).toMatch(/- Attendees: cmd, owner, la, syd, talk/);
    await sendDebriefReminders({ db: database.db, slack, now: after });
    expect((await findDebrief(database.db, incident.row.id))?.status).toBe('held');
    await expect(
      proposeDebrief(as('UOWNER', after), incident, { withinBusinessDays: null, minutes: null }),
    ).rejects.toThrow(/was held/);
  });

  describe('reminders', () => {
    /** A meeting set at NOW for Tuesday 2026-11-24 09:00 UTC: more than a day ahead. */
    async function scheduledMeeting() {
      const incident = await resolvedIncident();
      const outcome = await scheduleDebriefAt(as('UOWNER'), incident, '2026-11-24 09:00 UTC');
      const row = (await findDebrief(database.db, incident.row.id))!;
      slack.calls.length = 0;
      return { incident, start: outcome.start, row };
    }
    const onces = (kind: DebriefNotice['kind']) =>
      slack.calls
        .filter((c) => c.method === 'sendDirectOnce' && c.notice.kind === kind)
        .map((c) => (c as { userId: string }).userId);

    test('the draft 24 h before to the required people, the reminder an hour before to everyone, once across two concurrent sweeps', async () => {
      const { start, row } = await scheduledMeeting();
      await sendDebriefReminders({ db: database.db, slack, now: new Date(start.getTime() - 25 * HOUR) });
      expect(slack.calls).toEqual([]);
      const dayBefore = new Date(start.getTime() - 23 * HOUR);
      await Promise.all([
        sendDebriefReminders({ db: database.db, slack, now: dayBefore }),
        sendDebriefReminders({ db: database.db, slack, now: dayBefore }),
      ]);
      expect(onces('debrief_pre_read').sort()).toEqual(['UCMD', 'ULA', 'UOWNER', 'USYD']);
      const hourBefore = new Date(start.getTime() - 50 * 60_000);
      const [first, second] = await Promise.all([
        sendDebriefReminders({ db: database.db, slack, now: hourBefore }),
        sendDebriefReminders({ db: database.db, slack, now: hourBefore }),
      ]);
      expect(first.sent + second.sent).toBe(5);
      expect(onces('debrief_reminder').sort()).toEqual(['UCMD', 'ULA', 'UOWNER', 'USYD', 'UTALK']);
      await sendDebriefReminders({ db: database.db, slack, now: new Date(start.getTime() - 10 * 60_000) });
      expect(onces('debrief_reminder')).toHaveLength(5);
      expect(onces('debrief_pre_read')).toHaveLength(4);
      const claims = await listDebriefReminders(database.db, row.id);
      expect(claims.every((c) => c.state === 'sent')).toBe(true);
      expect(claims).toHaveLength(9);
    });

    test('no draft again when the meeting was set less than a day ahead', async () => {
      const incident = await resolvedIncident();
      const soon = new Date('2026-11-20T15:00:00Z');
      await scheduleDebriefAt(as('UOWNER'), incident, '2026-11-20 15:00 UTC');
      slack.calls.length = 0;
      await sendDebriefReminders({ db: database.db, slack, now: new Date(soon.getTime() - 2 * HOUR) });
      expect(onces('debrief_pre_read')).toEqual([]);
      await sendDebriefReminders({ db: database.db, slack, now: new Date(soon.getTime() - 30 * 60_000) });
      expect(onces('debrief_reminder')).toHaveLength(5);
    });

    test('a definite Slack refusal is released and sent by a later sweep; an unknown outcome is never resent', async () => {
      const { start, row } = await scheduledMeeting();
      slack.onceOutcomes.set('ULA', [{ outcome: 'refused', slackError: 'ratelimited' }]);
      slack.onceOutcomes.set('USYD', [{ outcome: 'unknown', reason: 'timeout' }]);
      const hourBefore = new Date(start.getTime() - 55 * 60_000);
      const first = await sendDebriefReminders({ db: database.db, slack, now: hourBefore });
      expect(first).toMatchObject({ sent: 3, refused: 1, unknown: 1 });
      const claims = await listDebriefReminders(database.db, row.id);
      expect(claims.find((c) => c.user_id === 'ULA' && c.kind === 'one_hour')).toMatchObject({
        state: 'failed',
        last_error: 'ratelimited',
      });
      expect(claims.find((c) => c.user_id === 'USYD' && c.kind === 'one_hour')?.state).toBe('claimed');
      const second = await sendDebriefReminders({
        db: database.db,
        slack,
        now: new Date(hourBefore.getTime() + 5 * 60_000),
      });
      expect(second).toMatchObject({ sent: 1, refused: 0, unknown: 0 });
      expect(onces('debrief_reminder').filter((u) => u === 'ULA')).toHaveLength(2);
      expect(onces('debrief_reminder').filter((u) => u === 'USYD')).toHaveLength(1);
      const after = await listDebriefReminders(database.db, row.id);
      expect(after.find((c) => c.user_id === 'ULA' && c.kind === 'one_hour')).toMatchObject({
        state: 'sent',
        attempts: 2,
      });
    });

    test('a moved meeting gets its own reminders; a cancelled one gets none', async () => {
      const { incident, start } = await scheduledMeeting();
      await sendDebriefReminders({ db: database.db, slack, now: new Date(start.getTime() - 30 * 60_000) });
      expect(onces('debrief_reminder')).toHaveLength(5);
      const moveAt = new Date(start.getTime() - 20 * 60_000);
      const moved = await scheduleDebriefAt(as('UOWNER', moveAt), incident, '2026-11-24 15:00 UTC');
      slack.calls.length = 0;
      await sendDebriefReminders({ db: database.db, slack, now: new Date(moved.start.getTime() - 30 * 60_000) });
      expect(onces('debrief_reminder')).toHaveLength(5);
      await cancelDebrief(as('UOWNER', moveAt), incident);
      slack.calls.length = 0;
      await sendDebriefReminders({ db: database.db, slack, now: new Date(moved.start.getTime() - 20 * 60_000) });
      expect(slack.calls).toEqual([]);
    });
  });
});
