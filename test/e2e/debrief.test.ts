import type { DatabaseHandle } from '../../src/db/connect';
import { debriefPickBlockId } from '../../src/slack/blocks/debrief';
import { ActionIds } from '../../src/slack/ids';
import {
  BOT_USER_ID,
  type CommandResult,
  type SimulatedWorkspace,
  startSimulatedWorkspace,
} from '../kit/simulated-workspace';
import { blockActionsBody } from '../kit/slack-requests';
import type { ChannelMessage } from '../kit/slack-stand-in';
import { databaseKinds, openTestDatabase } from '../support/database';

/**
 * The debrief meeting through the real app: signed slash commands and button clicks into Bolt, the
 * scheduler's sweep on a moving clock, and the Slack stand-in for every Web API call (files.uploadV2
 * included). Owner and commander work in Berlin, an action-item owner in Los Angeles, the author of a
 * pinned message in Sydney: no hour is inside 09:00–17:00 for all of them.
 */

const OWEN = { id: 'UOWEN', name: 'owen', tz: 'Europe/Berlin' };
const CLAIRE = { id: 'UCLAIRE', name: 'claire', tz: 'Europe/Berlin' };
const LARA = { id: 'ULARA', name: 'lara', tz: 'America/Los_Angeles' };
const SAM = { id: 'USAM', name: 'sam', tz: 'Australia/Sydney' };
const NOZONE = { id: 'UNOZONE', name: 'nozone', tz: null };
const GUEST = { id: 'UGUEST', name: 'guest', tz: 'UTC', isRestricted: true };
const PEOPLE = [OWEN, CLAIRE, LARA, SAM, NOZONE, GUEST];
const GENERAL = 'CGENERAL';

/** Thursday 2026-11-19, 19:00 UTC: 20:00 in Berlin, 11:00 in Los Angeles, Friday 06:00 in Sydney. */
const START = new Date('2026-11-19T19:00:00Z');

describe.each(databaseKinds())('debrief meeting end to end (%s database)', (kind) => {
  let database: DatabaseHandle;
  let w: SimulatedWorkspace;
  let now = START;
  let channel: string;
  let slotStart: Date;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    w = await startSimulatedWorkspace({ database, people: PEOPLE, clock: () => now });
    w.slack.addChannel({ id: GENERAL, name: 'general', members: [...PEOPLE.map((p) => p.id), BOT_USER_ID] });
  });
  afterAll(async () => {
    expect(w.slack.internalErrors).toEqual([]);
    await w.stop();
    await database.close();
  });

  /** The command's answer, wherever it went: the acknowledgement, or response_url after "working on it". */
  function answerOf(result: CommandResult): { text: string; response_type?: string } {
    const early = result.answer as { text?: string; response_type?: string };
    if (early.text?.startsWith(':hourglass')) {
      const late = w.slack.responsesAt(result.responseUrl).at(-1)?.body as typeof early | undefined;
      return { text: late?.text ?? '', ...late };
    }
    return { text: early.text ?? '', ...early };
  }
  const postmortem = async (user: string, text: string, where = channel) =>
    answerOf(await w.command(user, where, text, '/postmortem'));
  const blocksText = (m: ChannelMessage | undefined) => JSON.stringify(m?.blocks ?? []);
  const botPosts = () => w.slack.messagesIn(channel).filter((m) => m.user === BOT_USER_ID);
  const dms = (userId: string) => w.slack.messagesIn(w.slack.dmChannelWith(userId));

  /** Unfolded content lines of a calendar file (RFC 5545 §3.1). */
  const contentLines = (ics: string) =>
    ics
      .replace(/\r\n[ \t]/g, '')
      .split('\r\n')
      .filter((l) => l !== '');
  const icsUtc = (at: Date) => `${at.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;

  test('an incident resolved, with an owner, an action item, a pinned message and people who talked', async () => {
    await w.command(CLAIRE.id, GENERAL, 'start sev2 Payments time out');
    channel = w.slack.channelIdByName('inc-20261119-payments-time-out')!;
    for (const person of [OWEN, LARA, SAM, NOZONE, GUEST]) w.slack.joinChannel(channel, person.id);
    await w.command(CLAIRE.id, channel, `role commander <@${CLAIRE.id}|claire>`);
    const pinned = await w.event({
      kind: 'message',
      channelId: channel,
      userId: SAM.id,
      text: 'db primary at 100% CPU',
    });
    await w.event({
      kind: 'reaction_added',
      channelId: channel,
      ts: pinned.ts,
      userId: CLAIRE.id,
      reaction: 'pushpin',
    });
    await w.event({ kind: 'message', channelId: channel, userId: NOZONE.id, text: 'failing over the replica' });
    await w.command(CLAIRE.id, channel, 'resolve rolled back the pool size');
    expect((await postmortem(CLAIRE.id, `assign <@${OWEN.id}|owen>`)).text).toContain('the postmortem of #1');
    const action = await postmortem(
      OWEN.id,
      `action Alert on pool saturation <@${LARA.id}|lara> due 2026-12-18 priority high type detect`,
    );
    expect(action.text).toContain('#1');
  });

  test('bad input gets a clear answer and changes nothing', async () => {
    expect((await postmortem(OWEN.id, 'debrief within 0 days')).text).toMatch(/business days from 1 to 20/);
    expect((await postmortem(OWEN.id, 'debrief for 300 min')).text).toMatch(/from 15 to 240/);
    expect((await postmortem(OWEN.id, 'debrief at 2026-11-18 10:00')).text).toMatch(/in the past/);
    expect((await postmortem(GUEST.id, 'debrief')).text).toMatch(/[Gg]uest/);
    expect((await postmortem(OWEN.id, 'debrief cancel')).text).toMatch(/no debrief scheduled/);
    expect(await database.db.selectFrom('debriefs').selectAll().execute()).toEqual([]);
  });

  test('proposals: best coverage keeps owner and commander in hours and says who is outside theirs', async () => {
    const answer = await postmortem(OWEN.id, 'debrief');
    expect(answer.text).toMatch(/^Proposed 3 times for the debrief of #1/);
    const proposals = botPosts().at(-1)!;
    const text = blocksText(proposals);
    expect(proposals.text).toMatch(/Debrief of incident #1: 3 proposed times/);
    expect(text).toContain('No slot is inside 09:00–17:00 for every required participant');
    expect(text).toContain(`<@${NOZONE.id}> has no time zone in Slack: taken as UTC`);
    expect(text).toContain('Debrief reads no calendars');
    const slots = (
      proposals.blocks as {
        block_id?: string;
        text?: { text: string };
        accessory?: { action_id: string; value: string };
      }[]
    ).filter((b) => b.accessory?.action_id === ActionIds.debriefPick);
    expect(slots).toHaveLength(3);
    for (const slot of slots) {
      const [inHours, outside] = slot.text!.text.split('\n').slice(1);
      expect(inHours).toContain(`<@${OWEN.id}>`);
      expect(inHours).toContain(`<@${CLAIRE.id}>`);
      expect(outside).toMatch(new RegExp(`<@${LARA.id}> \\w{3} \\d\\d:\\d\\d \\(America/Los_Angeles\\)`));
      expect(outside).toMatch(new RegExp(`<@${SAM.id}> \\w{3} \\d\\d:\\d\\d \\(Australia/Sydney\\)`));
      expect(slot.accessory!.value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    expect(text).toMatch(/\*Required\*: <@UCLAIRE>, <@UOWEN>, <@ULARA>, <@USAM>/);
    expect(text).toMatch(/\*Optional\*: <@UNOZONE>/);
  });

  test('a signed debrief_pick schedules it: the agenda, debrief-1.ics, one DM each; a second pick changes nothing', async () => {
    const proposals = botPosts().at(-1)!;
    const source = { channelId: channel, messageTs: proposals.ts };
    const round = (await database.db.selectFrom('debriefs').select('proposal_round').executeTakeFirstOrThrow())
      .proposal_round;
    const incidentId = (await database.db.selectFrom('incidents').select('id').executeTakeFirstOrThrow()).id;
    // Both clicks are made on the message as everyone saw it, before either is handled.
    const second = blockActionsBody(w.slack, {
      userId: LARA.id,
      actionId: ActionIds.debriefPick,
      blockId: debriefPickBlockId(incidentId, round, 1),
      source,
    });
    const first = blockActionsBody(w.slack, {
      userId: CLAIRE.id,
      actionId: ActionIds.debriefPick,
      blockId: debriefPickBlockId(incidentId, round, 0),
      source,
    });
    slotStart = new Date(String((second.payload.actions as { value: string }[])[0]!.value));
    expect((await w.send(second)).status).toBe(200);
    expect((await w.send(first)).status).toBe(200);
    const told = w.slack.responsesAt(first.responseUrl!).map((r) => (r.body as { text: string }).text);
    expect(told.at(-1)).toMatch(/A slot was already picked from these proposals\. The debrief is at/);

    const debriefs = await database.db.selectFrom('debriefs').selectAll().execute();
    expect(debriefs).toHaveLength(1);
    expect(debriefs[0]).toMatchObject({ status: 'scheduled', starts_at: slotStart, sequence: 0 });

    const confirmation = botPosts().find((m) => m.text.startsWith('Debrief of incident #1:'));
    const agenda = blocksText(confirmation);
    for (const part of [
      'Ground rules',
      'Recap (read the draft beforehand)* — 5 min',
      'How we got here: the contributing factors',
      'The response: what helped, what hindered',
      'Action items: agree owner, priority and due date',
      'Customer communication',
    ]) {
      expect(agenda).toContain(part);
    }
    expect(agenda).toContain(`#1 Alert on pool saturation (owner <@${LARA.id}>, priority high, due 2026-12-18)`);
    expect(agenda).toContain('Record the items we decide against, and why.');
    expect(agenda).toContain(ActionIds.debriefCancel);
    expect(botPosts().filter((m) => m.text.startsWith('Debrief of incident #1:'))).toHaveLength(1);

    const files = w.slack.uploadedFiles.filter((f) => f.filename === 'debrief-1.ics');
    expect(files).toHaveLength(1);
    expect(files[0]!.channelId).toBe(channel);
    const lines = contentLines(files[0]!.content);
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
    expect(lines).toContain('METHOD:PUBLISH');
    expect(lines).toContain(`DTSTART:${icsUtc(slotStart)}`);
    expect(lines).toContain(`DTEND:${icsUtc(new Date(slotStart.getTime() + 60 * 60_000))}`);
    expect(lines.find((l) => l.startsWith('ORGANIZER'))).toMatch(/CN="owen"/);
    const attendees = lines.filter((l) => l.startsWith('ATTENDEE;'));
    const role = (name: string) => /ROLE=([A-Z-]+)/.exec(attendees.find((a) => a.includes(`CN="${name}"`)) ?? '')?.[1];
    expect(attendees).toHaveLength(5);
    expect(['claire', 'owen', 'lara', 'sam'].map(role)).toEqual(Array(4).fill('REQ-PARTICIPANT'));
    expect(role('nozone')).toBe('OPT-PARTICIPANT');

    for (const person of [OWEN, CLAIRE, LARA, SAM, NOZONE]) {
      const invitations = dms(person.id).filter((m) => /at the debrief of incident #1/.test(m.text));
      expect(invitations).toHaveLength(1);
      expect(blocksText(invitations[0])).toContain('Pre-read: the draft');
      expect(blocksText(invitations[0])).toContain('`/postmortem #1 show`');
    }
    expect(dms(NOZONE.id).at(-1)!.text).toMatch(/^You are invited \(optional\)/);
    expect(dms(GUEST.id)).toEqual([]);

    const entries = await database.db
      .selectFrom('timeline_entries')
      .selectAll()
      .where('kind', '=', 'debrief')
      .execute();
    expect(entries.map((e) => e.text)).toEqual([
      expect.stringMatching(/^Debrief scheduled for .* UTC \(60 min\) by <@ULARA>$/),
    ]);
  });

  test('the one-hour reminder is sent exactly once across two concurrent sweeps', async () => {
    now = new Date(slotStart.getTime() - 50 * 60_000);
    await Promise.all([w.debrief.scheduler.sweep(), w.debrief.scheduler.sweep()]);
    await w.debrief.scheduler.sweep();
    for (const person of [OWEN, CLAIRE, LARA, SAM, NOZONE]) {
      const reminders = dms(person.id).filter((m) =>
        m.text.startsWith(':alarm_clock: Reminder: the debrief of incident #1'),
      );
      expect(reminders).toHaveLength(1);
    }
    const claims = await database.db.selectFrom('debrief_reminders').selectAll().execute();
    expect(claims.map((c) => [c.kind, c.state])).toEqual(Array(5).fill(['one_hour', 'sent']));
  });

  test('the export shows the meeting with who is invited; cancel tells them; skip records why', async () => {
    const exportOf = async () => {
      await postmortem(OWEN.id, 'export');
      const file = w.slack.uploadedFiles.filter((f) => f.filename === 'postmortem-1.md').at(-1)!;
      const md = file.content;
      return md.slice(md.indexOf('## Debrief'), md.indexOf('\n## ', md.indexOf('## Debrief') + 3));
    };
    const scheduled = await exportOf();
    const utc = slotStart.toISOString().slice(0, 16).replace('T', ' ');
    expect(scheduled).toContain(`- Scheduled: ${utc} UTC (60 min)`);
    expect(scheduled).toMatch(/- Invited: claire, owen, lara, sam, nozone/);

    const confirmation = botPosts().find((m) => m.text.startsWith('Debrief of incident #1:'))!;
    const cancel = blockActionsBody(w.slack, {
      userId: OWEN.id,
      actionId: ActionIds.debriefCancel,
      source: { channelId: channel, messageTs: confirmation.ts },
    });
    expect((await w.send(cancel)).status).toBe(200);
    for (const person of [OWEN, CLAIRE, LARA, SAM, NOZONE]) {
      expect(dms(person.id).filter((m) => m.text.includes('cancelled the debrief of incident #1'))).toHaveLength(1);
    }

    const skipped = await postmortem(CLAIRE.id, 'debrief skip discussed in the weekly ops review');
    expect(skipped.text).toMatch(/^Recorded: no debrief meeting for #1, because discussed in the weekly ops review/);
    expect(skipped.response_type).toBe('in_channel');
    expect(await exportOf()).toContain('No debrief meeting: discussed in the weekly ops review');
  });
});
