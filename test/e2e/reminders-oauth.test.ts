import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsoleLogger } from '@slack/logger';
import { loadConfig } from '../../src/config';
import type { DatabaseHandle } from '../../src/db/connect';
import { ensureWorkspace } from '../../src/db/workspaces';
import { parseActionCommand } from '../../src/domain/action-command';
import { type RunningDebrief, startDebrief } from '../../src/main';
import { TokenCipher } from '../../src/security/token-cipher';
import { addActionItem } from '../../src/services/action-items';
import type { ActionContext } from '../../src/services/context';
import { assignRole, declareIncident, incidentInChannel, resolveIncident } from '../../src/services/incidents';
import { assignOwner } from '../../src/services/postmortems';
import { ActionItemIds, actionItemBlockId } from '../../src/slack/action-item-ids';
import { SlackInstallationStore } from '../../src/slack/installation-store';
import { BOT_SCOPES } from '../../src/slack/scopes';
import {
  followingInRealTime,
  OAUTH_CLIENT_ID,
  OAUTH_CLIENT_SECRET,
  OAUTH_STATE_SECRET,
  SIGNING_SECRET,
  SIMULATED_ENCRYPTION_KEY,
} from '../kit/simulated-workspace';
import { blockActionsBody, SlackRequestClient } from '../kit/slack-requests';
import { type RecordedCall, SlackStandIn } from '../kit/slack-stand-in';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort } from '../support/fake-slack-port';
import { quietLogger } from '../support/quiet-logger';

/**
 * OAuth mode with two workspaces whose user ids collide (Slack's ids are per workspace): each person
 * gets one digest, from their own workspace's bot, listing only that workspace's items, and a button in
 * it changes only that workspace's item. Each workspace is its own Slack stand-in; a small router in
 * front of them sends each Web API call to the workspace whose token it carries, as slack.com does.
 */

interface Tenant {
  teamId: string;
  token: string;
  slack: SlackStandIn;
  /** UALICE's zone in this workspace: the same id is a different person in each. */
  aliceZone: string;
  itemText: string;
}

const TENANTS: Omit<Tenant, 'slack'>[] = [
  { teamId: 'T0ALPHA', token: 'xoxb-alpha', aliceZone: 'America/Los_Angeles', itemText: 'Alpha: alert on 5xx' },
  { teamId: 'T0BRAVO', token: 'xoxb-bravo', aliceZone: 'Europe/Berlin', itemText: 'Bravo: fix the DNS TTL' },
];

describe.each(databaseKinds())(
  'reminder digests in OAuth mode, two workspaces with colliding user ids (%s)',
  (kind) => {
    let database: DatabaseHandle;
    let tenants: Tenant[];
    let router: Server;
    let debrief: RunningDebrief;
    let requests: SlackRequestClient;
    let now = new Date('2026-11-19T12:00:00Z');

    beforeAll(async () => {
      database = await openTestDatabase(kind);
      tenants = [];
      for (const t of TENANTS) {
        const slack = new SlackStandIn({
          teamId: t.teamId,
          botToken: t.token,
          botUserId: 'UDEBRIEF',
          botId: 'BDEBRIEF',
          clientId: OAUTH_CLIENT_ID,
          clientSecret: OAUTH_CLIENT_SECRET,
          // Slack's clock follows the scenario's, so recorded calls carry the scenario's time.
          now: followingInRealTime(() => now),
          reportScopes: true,
        });
        await slack.start();
        slack.addUser({ id: 'UALICE', name: 'alice', tz: t.aliceZone });
        slack.addUser({ id: 'UBOB', name: 'bob', tz: 'Asia/Kolkata' });
        tenants.push({ ...t, slack });
      }
      router = await startRouter(tenants);
      const config = loadConfig({
        SLACK_CLIENT_ID: OAUTH_CLIENT_ID,
        SLACK_CLIENT_SECRET: OAUTH_CLIENT_SECRET,
        SLACK_STATE_SECRET: OAUTH_STATE_SECRET,
        ENCRYPTION_KEY: SIMULATED_ENCRYPTION_KEY,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: `http://127.0.0.1:${(router.address() as AddressInfo).port}/api/`,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
      });
      debrief = await startDebrief(config, { database, clock: () => now, logger: quietLogger() });
      requests = new SlackRequestClient(debrief.url, SIGNING_SECRET);
      const logger = new ConsoleLogger();
      logger.setLevel('error' as never);
      const store = new SlackInstallationStore(
        database.db,
        new TokenCipher(SIMULATED_ENCRYPTION_KEY),
        () => now,
        logger,
      );
      for (const t of tenants) {
        await store.storeInstallation({
          team: { id: t.teamId, name: t.teamId },
          enterprise: undefined,
          user: { id: 'UALICE', token: undefined, scopes: undefined },
          bot: { token: t.token, userId: 'UDEBRIEF', id: 'BDEBRIEF', scopes: [...BOT_SCOPES] },
          isEnterpriseInstall: false,
          tokenType: 'bot',
          authVersion: 'v2',
        });
        await seed(t);
      }
    });
    afterAll(async () => {
      await debrief?.stop();
      await new Promise<void>((resolve) => router?.close(() => resolve()));
      for (const t of tenants ?? []) {
        expect(t.slack.internalErrors).toEqual([]);
        await t.slack.stop();
      }
      await database?.close();
    });

    /** In each workspace: an incident whose postmortem bob owns, and one item for alice due Tuesday. */
    async function seed(t: Tenant) {
      const fake = new FakeSlackPort();
      fake.users.set('UALICE', { timeZone: t.aliceZone });
      fake.users.set('UBOB', { timeZone: 'Asia/Kolkata' });
      fake.members.set('CINC', new Set(['UALICE', 'UBOB']));
      const workspace = { teamId: t.teamId, enterpriseId: null, isEnterpriseInstall: false };
      const workspaceId = await ensureWorkspace(database.db, { teamId: t.teamId });
      const as = (userId: string): ActionContext => ({
        db: database.db,
        slack: fake,
        workspace,
        workspaceId,
        now: new Date('2026-11-19T12:00:00Z'),
        actor: { userId, isGuest: false, isExternal: false, timeZone: null },
      });
      await declareIncident(as('UALICE'), {
        title: t.teamId,
        severity: 'sev2',
        isPrivate: false,
        channelId: 'CINC',
        here: true,
      });
      let incident = await incidentInChannel(as('UALICE'), 'CINC', { example: 'x' });
      await assignRole(as('UALICE'), incident, 'commander', 'UALICE');
      incident = await incidentInChannel(as('UALICE'), 'CINC', { example: 'x' });
      await resolveIncident(as('UALICE'), incident, { occurredAt: new Date('2026-11-19T12:00:00Z'), summary: 'fixed' });
      incident = await incidentInChannel(as('UALICE'), 'CINC', { example: 'x', includeClosed: true });
      await assignOwner(as('UALICE'), incident, { ownerId: 'UBOB', dueText: '2026-12-31' });
      const parsed = parseActionCommand(`${t.itemText} <@UALICE> due 2026-11-24`);
      if (!parsed.ok) throw new Error(parsed.message);
      await addActionItem(as('UALICE'), incident, parsed);
    }

    const digestsTo = (t: Tenant, userId: string): RecordedCall[] =>
      t.slack
        .callsTo('chat.postMessage')
        .filter(
          (c) => c.status === 200 && c.response.ok === true && c.response.channel === t.slack.dmChannelWith(userId),
        )
        .filter((c) => String(c.args.text).startsWith('Your Debrief digest'));

    test('each UALICE gets one digest from their own workspace’s bot, in their own morning, listing only its items', async () => {
      // Tuesday in Berlin and in Los Angeles, swept every half hour (from 00:00 in Los Angeles's Tuesday).
      for (let at = Date.parse('2026-11-24T08:00:00Z'); at < Date.parse('2026-11-25T08:00:00Z'); at += 30 * 60_000) {
        now = new Date(at);
        await debrief.scheduler.sweep();
      }
      const [alpha, bravo] = tenants as [Tenant, Tenant];
      for (const [t, other, morningUtcHour] of [
        [alpha, bravo, 17],
        [bravo, alpha, 8],
      ] as const) {
        const sent = digestsTo(t, 'UALICE');
        expect(sent).toHaveLength(1);
        // Spoken by this workspace's own bot token, at 09:00 in this UALICE's zone.
        expect(sent[0]!.credential).toBe('bot token');
        expect(sent[0]!.at.getUTCHours()).toBe(morningUtcHour);
        const text = JSON.stringify(sent[0]!.args.blocks);
        expect(text).toContain(t.itemText);
        expect(text).not.toContain(other.itemText);
        // Nobody else in this workspace heard anything; bob has nothing due.
        expect(digestsTo(t, 'UBOB')).toEqual([]);
      }
    });

    test('Done in one workspace’s digest closes only that workspace’s item', async () => {
      const bravo = tenants[1]!;
      const item = await database.db
        .selectFrom('action_items')
        .innerJoin('incidents', 'incidents.id', 'action_items.incident_id')
        .innerJoin('workspaces', 'workspaces.id', 'incidents.workspace_id')
        .select(['action_items.id'])
        .where('workspaces.team_id', '=', bravo.teamId)
        .executeTakeFirstOrThrow();
      const digest = digestsTo(bravo, 'UALICE')[0]!;
      const body = blockActionsBody(bravo.slack, {
        userId: 'UALICE',
        actionId: ActionItemIds.done,
        blockId: actionItemBlockId(item.id),
        source: { channelId: String(digest.response.channel), messageTs: String(digest.response.ts) },
      });
      expect((await requests.send(body)).status).toBe(200);
      await debrief.background.drain();
      const rows = await database.db
        .selectFrom('action_items')
        .innerJoin('incidents', 'incidents.id', 'action_items.incident_id')
        .innerJoin('workspaces', 'workspaces.id', 'incidents.workspace_id')
        .select(['workspaces.team_id', 'action_items.status'])
        .orderBy('workspaces.team_id')
        .execute();
      expect(rows).toEqual([
        { team_id: 'T0ALPHA', status: 'open' },
        { team_id: 'T0BRAVO', status: 'done' },
      ]);
      // The answer went to bravo's Slack; alpha's was never asked about it.
      expect(bravo.slack.responsesAt(body.responseUrl!).at(-1)?.body).toMatchObject({
        text: expect.stringContaining('is done'),
      });
      expect(tenants[0]!.slack.callsTo('users.info').every((c) => c.credential === 'bot token')).toBe(true);
    });
  },
);

/** Sends each Web API call to the stand-in whose bot token it carries (Slack tells workspaces apart by token). */
async function startRouter(tenants: Tenant[]): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const tenant = tenants.find((t) => t.token === token);
      if (!tenant) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: false, error: 'invalid_auth' }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers[name] = value;
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(new URL(request.url ?? '/', tenant.slack.baseUrl), { method: request.method ?? 'POST', headers, body })
        .then(async (answer) => {
          const out: Record<string, string> = {};
          answer.headers.forEach((value, name) => {
            if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') out[name] = value;
          });
          response.writeHead(answer.status, out);
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => {
          response.writeHead(502);
          response.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}
