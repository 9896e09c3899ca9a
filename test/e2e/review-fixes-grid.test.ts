/**
 * Issue 12, tenants: two org-wide (Enterprise Grid) installs in OAuth mode, with Slack's real payload
 * shapes (a slash command carries the user's team_id and the enterprise_id; a view submission carries
 * `team: null`), keep separate incident counters and find their own incidents; and the outbound port
 * reaches each installation with its own token outside any request (scheduler, CLI).
 */
import type { DatabaseHandle } from '../../src/db/connect';
import { addressOfWorkspace } from '../../src/services/context';
import { BOT_USER_ID, type SimulatedWorkspace, startSimulatedWorkspace, TEAM_ID } from '../kit/simulated-workspace';
import { slashCommandBody, viewSubmissionBody } from '../kit/slack-requests';
import type { OrgWideOrigin } from '../kit/slack-stand-in';
import { databaseKinds, openTestDatabase } from '../support/database';
import { GENERAL, PEOPLE } from '../support/harness';
import { installThroughOAuth } from '../support/oauth-install';

const NOW = new Date('2026-11-20T20:00:00Z');

/** Two organisations; org A has two workspaces. */
const ORG_A = 'EORGA0001';
const ORG_B = 'EORGB0002';
const A1: OrgWideOrigin = { enterpriseId: ORG_A, enterpriseName: 'Acme', teamId: 'TACME0001' };
const A2: OrgWideOrigin = { enterpriseId: ORG_A, enterpriseName: 'Acme', teamId: 'TACME0002' };
const B1: OrgWideOrigin = { enterpriseId: ORG_B, enterpriseName: 'Bolton', teamId: 'TBOLT0001' };
const GRID_PEOPLE = {
  ann: { id: 'UACMEANN', name: 'ann', tz: 'Europe/Paris', teamId: A1.teamId, enterpriseId: ORG_A },
  abe: { id: 'UACMEABE', name: 'abe', tz: 'America/Chicago', teamId: A2.teamId, enterpriseId: ORG_A },
  ben: { id: 'UBOLTBEN', name: 'ben', tz: 'Asia/Tokyo', teamId: B1.teamId, enterpriseId: ORG_B },
} as const;

describe.each(databaseKinds())(
  'issue 12: org-wide Enterprise Grid installs are separate tenants (%s database)',
  (kind) => {
    let database: DatabaseHandle;
    let w: SimulatedWorkspace;
    let acmeGeneral: string;
    let boltonGeneral: string;

    beforeAll(async () => {
      database = await openTestDatabase(kind);
      w = await startSimulatedWorkspace({
        database,
        people: [...Object.values(PEOPLE), ...Object.values(GRID_PEOPLE)],
        clock: () => NOW,
        oauth: true,
      });
      w.slack.addChannel({
        id: GENERAL,
        name: 'general',
        members: [...Object.values(PEOPLE).map((p) => p.id), BOT_USER_ID],
      });
      acmeGeneral = w.slack.addChannel({
        name: 'acme-ops',
        members: [GRID_PEOPLE.ann.id, GRID_PEOPLE.abe.id, BOT_USER_ID],
      });
      boltonGeneral = w.slack.addChannel({ name: 'bolton-ops', members: [GRID_PEOPLE.ben.id, BOT_USER_ID] });
    });
    afterAll(async () => {
      await w.stop();
      await database.close();
    });

    /** `/incident start` with no text, then the modal submitted, as Slack sends both under an org-wide install. */
    async function declareThroughModal(origin: OrgWideOrigin, userId: string, channelId: string, title: string) {
      const command = await w.send(
        slashCommandBody(w.slack, { userId, channelId, command: '/incident', text: 'start', orgWide: origin }),
      );
      expect(command.status).toBe(200);
      const modal = w.slack.openedViews.at(-1)!;
      expect(modal.view).toMatchObject({ callback_id: 'incident_start' });
      const submission = viewSubmissionBody(w.slack, {
        userId,
        viewId: modal.viewId,
        values: { title, severity: 'sev2', where: 'new' },
        orgWide: origin,
      });
      // Slack's real shape for an org-wide install: no team, the organisation in `enterprise`.
      expect(submission.payload).toMatchObject({
        team: null,
        enterprise: { id: origin.enterpriseId },
        is_enterprise_install: true,
      });
      const submitted = await w.send(submission);
      expect(submitted.status).toBe(200);
      expect(submitted.json).toBeUndefined();
    }

    const incidentTitled = (title: string) =>
      database.db
        .selectFrom('incidents as i')
        .innerJoin('workspaces as w', 'w.id', 'i.workspace_id')
        .select([
          'i.number',
          'i.channel_id',
          'i.workspace_id',
          'w.team_id',
          'w.enterprise_id',
          'w.is_enterprise_install',
        ])
        .where('i.title', '=', title)
        .executeTakeFirstOrThrow();

    test('modal-declared incidents of two organisations are each #1, keyed by the organisation, and /incident in another workspace of org A finds org A’s', async () => {
      await installThroughOAuth(w, { userId: GRID_PEOPLE.ann.id, enterprise: { id: ORG_A, name: 'Acme' } });
      await installThroughOAuth(w, { userId: GRID_PEOPLE.ben.id, enterprise: { id: ORG_B, name: 'Bolton' } });
      const installs = await database.db
        .selectFrom('slack_installations')
        .select(['team_id', 'enterprise_id', 'is_enterprise_install'])
        .orderBy('enterprise_id')
        .execute();
      expect(installs).toEqual([
        { team_id: null, enterprise_id: ORG_A, is_enterprise_install: true },
        { team_id: null, enterprise_id: ORG_B, is_enterprise_install: true },
      ]);

      const fromA = w.slack.calls.length;
      await declareThroughModal(A1, GRID_PEOPLE.ann.id, acmeGeneral, 'Acme billing is down');
      const acme = await incidentTitled('Acme billing is down');
      expect(acme).toMatchObject({ number: 1, team_id: ORG_A, enterprise_id: ORG_A, is_enterprise_install: true });
      expect(acme.channel_id).not.toBeNull();
      const callsOfA = w.slack.calls.slice(fromA);
      expect(callsOfA.map((c) => c.method)).toEqual(expect.arrayContaining(['views.open', 'conversations.create']));
      expect(new Set(callsOfA.map((c) => c.credential))).toEqual(new Set(['oauth #1']));

      const fromB = w.slack.calls.length;
      await declareThroughModal(B1, GRID_PEOPLE.ben.id, boltonGeneral, 'Bolton search is slow');
      const bolton = await incidentTitled('Bolton search is slow');
      expect(bolton).toMatchObject({ number: 1, team_id: ORG_B, enterprise_id: ORG_B, is_enterprise_install: true });
      expect(bolton.workspace_id).not.toBe(acme.workspace_id);
      expect(new Set(w.slack.calls.slice(fromB).map((c) => c.credential))).toEqual(new Set(['oauth #2']));

      // No tenant was keyed by an empty team id.
      const workspaces = await database.db.selectFrom('workspaces').select(['team_id', 'enterprise_id']).execute();
      expect(workspaces.map((row) => row.team_id).sort()).toEqual([ORG_A, ORG_B]);

      // Org A's commands, from its other workspace (the user's team_id with the enterprise_id), find org A's incident.
      w.slack.joinChannel(acme.channel_id!, GRID_PEOPLE.abe.id);
      const fromAbe = w.slack.calls.length;
      const shown = await w.send(
        slashCommandBody(w.slack, {
          userId: GRID_PEOPLE.abe.id,
          channelId: acme.channel_id!,
          command: '/incident',
          text: 'timeline',
          orgWide: A2,
        }),
      );
      expect(JSON.stringify(shown.json)).toContain('Acme billing is down');
      expect(JSON.stringify(shown.json)).not.toContain('Bolton');
      const status = await w.send(
        slashCommandBody(w.slack, {
          userId: GRID_PEOPLE.abe.id,
          channelId: acme.channel_id!,
          command: '/incident',
          text: 'status invoices replaying',
          orgWide: A2,
        }),
      );
      expect(status.json).toMatchObject({ response_type: 'in_channel', text: expect.stringContaining('#1') });
      const entries = await database.db
        .selectFrom('timeline_entries')
        .innerJoin('incidents', 'incidents.id', 'timeline_entries.incident_id')
        .select(['incidents.title', 'timeline_entries.author_id'])
        .where('timeline_entries.text', 'like', '%invoices replaying%')
        .execute();
      expect(entries).toEqual([{ title: 'Acme billing is down', author_id: GRID_PEOPLE.abe.id }]);
      // abe was looked up (users.info) with org A's token.
      const abeCalls = w.slack.calls.slice(fromAbe);
      expect(abeCalls.map((c) => [c.method, c.args.user, c.credential])).toEqual([
        ['users.info', GRID_PEOPLE.abe.id, 'oauth #1'],
      ]);
    });

    test('the outbound port, outside any request, posts and DMs in each installation with its own token', async () => {
      // A workspace install beside the two organisations; its row appears on its first request.
      await installThroughOAuth(w, { teamId: TEAM_ID, userId: PEOPLE.alice.id });
      const started = await w.command(PEOPLE.alice.id, GENERAL, 'start sev3 Team install check');
      expect(started.answer.text).toMatch(/Declared incident #1 \(sev3\) Team install check/);
      const rows = await database.db
        .selectFrom('workspaces as w')
        .innerJoin('incidents as i', 'i.workspace_id', 'w.id')
        .select(['w.id', 'w.team_id', 'i.channel_id', 'i.declared_by'])
        .execute();
      const byKey = new Map(rows.map((row) => [row.team_id, row]));
      const targets = [
        { key: ORG_A, credential: 'oauth #1' },
        { key: ORG_B, credential: 'oauth #2' },
        { key: TEAM_ID, credential: 'oauth #3' },
      ];
      for (const { key, credential } of targets) {
        const row = byKey.get(key)!;
        const address = await addressOfWorkspace(database.db, row.id);
        expect(address).toBeDefined();
        const before = w.slack.calls.length;
        const posted = await w.debrief.slack.post(address!, row.channel_id!, {
          kind: 'refused',
          message: `Scheduled check for ${key}`,
        });
        expect(posted.ok).toBe(true);
        const dm = await w.debrief.slack.sendDirect(address!, row.declared_by, {
          kind: 'refused',
          message: `Reminder for ${key}`,
        });
        expect(dm.ok).toBe(true);
        const calls = w.slack.calls.slice(before);
        expect(calls.map((c) => [c.method, c.credential, c.response.ok])).toEqual([
          ['chat.postMessage', credential, true],
          ['chat.postMessage', credential, true],
        ]);
        expect(calls[0]!.args).toMatchObject({ channel: row.channel_id, text: `Scheduled check for ${key}` });
        expect(calls[1]!.args).toMatchObject({ channel: row.declared_by, text: `Reminder for ${key}` });
      }
    });
  },
);
