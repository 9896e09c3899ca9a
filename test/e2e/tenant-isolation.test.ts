/**
 * Issue 16, tenant isolation (SPEC 8), end to end through the real app in OAuth mode: two tenants
 * installed through /slack/install whose channel ids and user ids COLLIDE (the same C0SHARED, the
 * same UALICE and UBOB in both), once as two workspace installs (Slack Connect: the channel is
 * shared) and once as two org-wide Enterprise Grid installs. Each tenant is its own Slack stand-in
 * behind a router that sends each Web API call to the workspace whose token it carries.
 *
 * Shared channels: an event belongs to the workspace of the installation it was delivered to (the
 * envelope's `authorizations`), so a message delivered to each installation is logged once per
 * incident, and a pushpin in A captures into A's incident only.
 */
import { loadConfig } from '../../src/config';
import type { DatabaseHandle } from '../../src/db/connect';
import { ensureWorkspace, type WorkspaceRef } from '../../src/db/workspaces';
import { type RunningDebrief, startDebrief } from '../../src/main';
import type { ActionContext } from '../../src/services/context';
import { declareIncident } from '../../src/services/incidents';
import { exportForOperator, WorkspaceChoiceError } from '../../src/services/postmortems';
import { ActionItemIds, actionItemBlockId } from '../../src/slack/action-item-ids';
import {
  BOT_USER_ID,
  followingInRealTime,
  OAUTH_CLIENT_ID,
  OAUTH_CLIENT_SECRET,
  OAUTH_STATE_SECRET,
  SIGNING_SECRET,
  SIMULATED_ENCRYPTION_KEY,
} from '../kit/simulated-workspace';
import {
  blockActionsBody,
  type EventSpec,
  eventCallbackBody,
  type SignedBody,
  SlackRequestClient,
  slashCommandBody,
} from '../kit/slack-requests';
import { type OrgWideOrigin, type RecordedCall, SlackStandIn } from '../kit/slack-stand-in';
import type { JsonObject } from '../kit/types';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort } from '../support/fake-slack-port';
import { installThroughOAuth } from '../support/oauth-install';
import { quietLogger } from '../support/quiet-logger';
import { startTenantRouter, type TenantRouter } from '../support/tenant-router';

const SHARED = 'C0SHARED';
const ALICE = 'UALICE';
const BOB = 'UBOB';
const START = new Date('2026-11-19T12:00:00Z');

interface TenantSpec {
  name: string;
  /** The stand-in's workspace (for an org-wide install: the workspace of the organisation the requests come from). */
  teamId: string;
  /** Set for an org-wide Enterprise Grid install. */
  org?: OrgWideOrigin;
  /** UALICE's zone here: the same id is another person in each tenant. */
  aliceZone: string;
  title: string;
  note: string;
  item: string;
}

interface Tenant extends TenantSpec {
  slack: SlackStandIn;
  /** The workspace row's key: the team id, or the organisation's id for an org-wide install. */
  key: string;
}

const MODES: { mode: string; tenants: [TenantSpec, TenantSpec] }[] = [
  {
    mode: 'two workspace installs sharing a Slack Connect channel',
    tenants: [
      {
        name: 'alpha',
        teamId: 'T0ALPHA',
        aliceZone: 'America/Los_Angeles',
        title: 'Alpha checkout down',
        note: 'alpha rolled back the deploy',
        item: 'Alpha alert on 5xx',
      },
      {
        name: 'bravo',
        teamId: 'T0BRAVO',
        aliceZone: 'Europe/Berlin',
        title: 'Bravo search slow',
        note: 'bravo flushed the cache',
        item: 'Bravo fix the DNS TTL',
      },
    ],
  },
  {
    mode: 'two org-wide Enterprise Grid installs',
    tenants: [
      {
        name: 'acme',
        teamId: 'TACME0001',
        org: { enterpriseId: 'EACME0001', enterpriseName: 'Acme', teamId: 'TACME0001' },
        aliceZone: 'America/Los_Angeles',
        title: 'Acme billing down',
        note: 'acme replayed the invoices',
        item: 'Acme alert on billing lag',
      },
      {
        name: 'bolton',
        teamId: 'TBOLT0001',
        org: { enterpriseId: 'EBOLT0002', enterpriseName: 'Bolton', teamId: 'TBOLT0001' },
        aliceZone: 'Europe/Berlin',
        title: 'Bolton login failing',
        note: 'bolton rotated the SAML cert',
        item: 'Bolton monitor cert expiry',
      },
    ],
  },
];

const CASES = databaseKinds().flatMap((kind) => MODES.map((m) => [kind, m.mode, m.tenants] as const));

describe.each(CASES)('tenant isolation (%s database): %s', (kind, _mode, specs) => {
  let database: DatabaseHandle;
  let tenants: [Tenant, Tenant];
  let router: TenantRouter;
  let debrief: RunningDebrief;
  let requests: SlackRequestClient;
  let now = START;
  /** The action items' database ids, A's then B's. */
  let itemIds: number[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const built: Tenant[] = [];
    for (const spec of specs) {
      const slack = new SlackStandIn({
        teamId: spec.teamId,
        ...(spec.org && { enterpriseId: spec.org.enterpriseId }),
        botToken: `xoxb-unused-${spec.name}`,
        botUserId: BOT_USER_ID,
        botId: 'BDEBRIEF',
        clientId: OAUTH_CLIENT_ID,
        clientSecret: OAUTH_CLIENT_SECRET,
        now: followingInRealTime(() => now),
        reportScopes: true,
      });
      await slack.start();
      const org = spec.org && { teamId: spec.teamId, enterpriseId: spec.org.enterpriseId };
      slack.addUser({ id: ALICE, name: 'alice', tz: spec.aliceZone, ...org });
      slack.addUser({ id: BOB, name: 'bob', tz: 'Asia/Kolkata', ...org });
      // The same channel id in both: shared (Slack Connect) between the two workspaces.
      slack.addChannel({
        id: SHARED,
        name: 'shared-ops',
        members: [ALICE, BOB, BOT_USER_ID],
        ...(spec.org === undefined && { isExtShared: true }),
      });
      built.push({ ...spec, slack, key: spec.org?.enterpriseId ?? spec.teamId });
    }
    tenants = built as [Tenant, Tenant];
    router = await startTenantRouter(tenants.map((t) => t.slack));
    const config = loadConfig({
      SLACK_CLIENT_ID: OAUTH_CLIENT_ID,
      SLACK_CLIENT_SECRET: OAUTH_CLIENT_SECRET,
      SLACK_STATE_SECRET: OAUTH_STATE_SECRET,
      ENCRYPTION_KEY: SIMULATED_ENCRYPTION_KEY,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: router.apiUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
    });
    debrief = await startDebrief(config, { database, clock: () => now, logger: quietLogger() });
    requests = new SlackRequestClient(debrief.url, SIGNING_SECRET);
  });
  afterAll(async () => {
    await debrief?.stop();
    await router?.close();
    for (const t of tenants ?? []) {
      expect(t.slack.internalErrors).toEqual([]);
      await t.slack.stop();
    }
    await database?.close();
  });

  const send = async (body: SignedBody) => {
    const response = await requests.send(body);
    await debrief.background.drain();
    return response;
  };

  /** A slash command in the tenant; returns its answer (the acknowledgement, or the later response_url post) as JSON text. */
  async function command(t: Tenant, text: string, name = '/incident', userId = ALICE): Promise<string> {
    const body = slashCommandBody(t.slack, {
      userId,
      channelId: SHARED,
      command: name,
      text,
      ...(t.org && { orgWide: t.org }),
    });
    const response = await send(body);
    expect(response.status).toBe(200);
    const early = (response.json ?? {}) as { text?: string };
    if (early.text?.startsWith(':hourglass')) {
      return JSON.stringify(t.slack.responsesAt(body.responseUrl!).at(-1)?.body ?? {});
    }
    return JSON.stringify(early);
  }

  /** The envelope as delivered to this tenant's installation: its own authorizations, its own event id. */
  function deliveredTo(t: Tenant, payload: JsonObject, eventId?: string): SignedBody {
    const copy = JSON.parse(JSON.stringify(payload)) as JsonObject;
    copy.team_id = t.teamId;
    if (eventId !== undefined) copy.event_id = eventId;
    if (t.org) {
      copy.enterprise_id = t.org.enterpriseId;
      copy.authorizations = [
        {
          enterprise_id: t.org.enterpriseId,
          team_id: null,
          user_id: BOT_USER_ID,
          is_bot: true,
          is_enterprise_install: true,
        },
      ];
    } else {
      copy.authorizations = [
        { enterprise_id: null, team_id: t.teamId, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false },
      ];
    }
    return { contentType: 'application/json', rawBody: JSON.stringify(copy), payload: copy };
  }

  const event = (t: Tenant, spec: EventSpec) => send(deliveredTo(t, eventCallbackBody(t.slack, spec).payload));

  const incidentsOf = (t: Tenant) =>
    database.db
      .selectFrom('incidents as i')
      .innerJoin('workspaces as w', 'w.id', 'i.workspace_id')
      .select(['i.id', 'i.number', 'i.title', 'i.status', 'i.channel_id'])
      .where('w.team_id', '=', t.key)
      .orderBy('i.number')
      .execute();

  const timelineTexts = async (t: Tenant) =>
    (
      await database.db
        .selectFrom('timeline_entries as e')
        .innerJoin('incidents as i', 'i.id', 'e.incident_id')
        .innerJoin('workspaces as w', 'w.id', 'i.workspace_id')
        .select(['e.text', 'e.message_ts'])
        .where('w.team_id', '=', t.key)
        .where('e.removed_at', 'is', null)
        .execute()
    ).map((e) => e.text);

  test('both install through OAuth; each declares in the same channel id, and each incident is #1', async () => {
    for (const t of tenants) {
      router.installing = t.slack;
      await installThroughOAuth(
        { slack: t.slack, debrief },
        t.org
          ? { userId: ALICE, enterprise: { id: t.org.enterpriseId, name: t.org.enterpriseName } }
          : { teamId: t.teamId, userId: ALICE },
      );
    }
    router.installing = undefined;
    const installs = await database.db
      .selectFrom('slack_installations')
      .select(['team_id', 'enterprise_id', 'is_enterprise_install'])
      .orderBy('id')
      .execute();
    expect(installs).toEqual(
      tenants.map((t) =>
        t.org
          ? { team_id: null, enterprise_id: t.org.enterpriseId, is_enterprise_install: true }
          : { team_id: t.teamId, enterprise_id: null, is_enterprise_install: false },
      ),
    );
    for (const t of tenants) {
      const answer = await command(t, `start --here sev2 ${t.title}`);
      expect(answer).toContain('#1');
      expect(await incidentsOf(t)).toEqual([
        expect.objectContaining({ number: 1, title: t.title, status: 'investigating', channel_id: SHARED }),
      ]);
    }
    const keys = (await database.db.selectFrom('workspaces').select('team_id').orderBy('team_id').execute()).map(
      (w) => w.team_id,
    );
    expect(keys).toEqual(tenants.map((t) => t.key).sort());
    // Each tenant's Slack was spoken to only with its own installation's token.
    for (const t of tenants) {
      expect(new Set(t.slack.calls.map((c) => c.credential ?? 'none'))).toEqual(new Set(['none', 'oauth #1']));
    }
  });

  test('`/incident timeline` in one tenant never shows the other’s entries', async () => {
    for (const t of tenants) await command(t, `timeline ${t.note}`);
    for (const [t, other] of [tenants, [...tenants].reverse()] as [Tenant, Tenant][]) {
      const shown = await command(t, 'timeline');
      expect(shown).toContain(t.note);
      expect(shown).not.toContain(other.note);
      expect(shown).not.toContain(other.title);
      expect(await timelineTexts(t)).toContain(t.note);
      expect(await timelineTexts(t)).not.toContain(other.note);
    }
  });

  test('a message in the shared channel, delivered to each installation, is logged once per incident; a pushpin in A captures into A’s only', async () => {
    const [a, b] = tenants;
    const text = `Shared words ${a.name}/${b.name}: the LB health check flaps`;
    const first = eventCallbackBody(a.slack, { kind: 'message', channelId: SHARED, userId: ALICE, text });
    const ts = String((first.payload.event as JsonObject).ts);
    // The same message exists in B's view of the shared channel.
    b.slack.addMessage(SHARED, { ts, user: ALICE, text });
    const toA = deliveredTo(a, first.payload, 'Ev0SHAREDA');
    const toB = deliveredTo(b, first.payload, 'Ev0SHAREDB');
    for (const body of [toA, toB, toA, toB]) expect((await send(body)).status).toBe(200); // each once, then Slack's retries
    const logged = await database.db
      .selectFrom('message_log')
      .innerJoin('incidents', 'incidents.id', 'message_log.incident_id')
      .innerJoin('workspaces', 'workspaces.id', 'incidents.workspace_id')
      .select(['workspaces.team_id', 'incidents.number', 'message_log.text'])
      .where('message_log.channel_id', '=', SHARED)
      .where('message_log.ts', '=', ts)
      .orderBy('workspaces.team_id')
      .execute();
    expect(logged).toEqual(
      [a, b].map((t) => ({ team_id: t.key, number: 1, text })).sort((x, y) => x.team_id.localeCompare(y.team_id)),
    );

    const askedB = b.slack.calls.length;
    await event(a, { kind: 'reaction_added', channelId: SHARED, ts, userId: ALICE, reaction: 'pushpin' });
    expect(await timelineTexts(a)).toContain(text);
    expect(await timelineTexts(b)).not.toContain(text);
    expect(await command(b, 'timeline')).not.toContain('Shared words');
    // The pushpin in A asked only A's Slack.
    expect(b.slack.calls.slice(askedB)).toEqual([]);
  });

  test('`/incident resolve` in A leaves B’s incident open', async () => {
    const [a, b] = tenants;
    await command(a, 'resolve rolled back');
    expect((await incidentsOf(a)).map((i) => i.status)).toEqual(['resolved']);
    expect((await incidentsOf(b)).map((i) => i.status)).toEqual(['investigating']);
    // B's incident still captures the shared channel; A's `--here` incident stopped when it resolved.
    const later = eventCallbackBody(b.slack, {
      kind: 'message',
      channelId: SHARED,
      userId: BOB,
      text: 'after A resolved',
    });
    const ts = String((later.payload.event as JsonObject).ts);
    // Both stand-ins run on the same clock: A may already hold a message at this ts.
    if (!a.slack.messagesIn(SHARED).some((m) => m.ts === ts))
      a.slack.addMessage(SHARED, { ts, user: BOB, text: 'after A resolved' });
    await send(deliveredTo(b, later.payload));
    await send(deliveredTo(a, later.payload, `${String(later.payload.event_id)}A`));
    const rows = await database.db
      .selectFrom('message_log')
      .innerJoin('incidents', 'incidents.id', 'message_log.incident_id')
      .innerJoin('workspaces', 'workspaces.id', 'incidents.workspace_id')
      .select('workspaces.team_id')
      .where('message_log.ts', '=', ts)
      .execute();
    expect(rows).toEqual([{ team_id: b.key }]);
    await command(b, 'resolve cache flushed');
    expect((await incidentsOf(b)).map((i) => i.status)).toEqual(['resolved']);
  });

  test('postmortems: `/postmortem #1 show` and `export` in each tenant show only its own incident', async () => {
    for (const [t, other] of [tenants, [...tenants].reverse()] as [Tenant, Tenant][]) {
      expect(await command(t, `#1 assign <@${BOB}|bob>`, '/postmortem')).toContain('#1');
      const shown = await command(t, '#1 show', '/postmortem');
      expect(shown).toContain(t.title);
      expect(shown).not.toContain(other.title);
      expect(shown).not.toContain(other.note);
      const uploadsElsewhere = other.slack.uploadedFiles.length;
      await command(t, '#1 export', '/postmortem');
      const file = t.slack.uploadedFiles.at(-1)!;
      expect(file.content).toContain(t.title);
      expect(file.content).toContain(t.note);
      expect(file.content).not.toContain(other.title);
      expect(file.content).not.toContain(other.note);
      expect(other.slack.uploadedFiles.length).toBe(uploadsElsewhere);
    }
  });

  test('action items: each tenant’s `#1·1`, listed only in its own tenant', async () => {
    for (const t of tenants) {
      const answer = await command(t, `#1 action ${t.item} <@${ALICE}|alice> due 2026-11-24`, '/postmortem');
      expect(answer).toContain(t.item);
    }
    const items = await database.db
      .selectFrom('action_items as a')
      .innerJoin('incidents as i', 'i.id', 'a.incident_id')
      .innerJoin('workspaces as w', 'w.id', 'i.workspace_id')
      .select(['a.id', 'a.number', 'a.text', 'a.status', 'w.team_id'])
      .orderBy('a.id')
      .execute();
    expect(items.map((i) => [i.team_id, i.number, i.status])).toEqual(tenants.map((t) => [t.key, 1, 'open']));
    itemIds = items.map((i) => i.id);

    // `/postmortem actions` lists only the tenant's own.
    for (const [t, other] of [tenants, [...tenants].reverse()] as [Tenant, Tenant][]) {
      const listed = await command(t, '#1 actions', '/postmortem');
      expect(listed).toContain(t.item);
      expect(listed).not.toContain(other.item);
    }
  });

  test('digests: each UALICE gets one digest from her own workspace’s bot listing only its item; a click naming the other tenant’s item changes nothing', async () => {
    // Tuesday 2026-11-24 in Berlin and in Los Angeles (from 00:00 in Los Angeles), swept hourly.
    for (let at = Date.parse('2026-11-24T08:00:00Z'); at < Date.parse('2026-11-25T08:00:00Z'); at += 60 * 60_000) {
      now = new Date(at);
      await debrief.scheduler.sweep();
    }
    const digestsTo = (t: Tenant, userId: string): RecordedCall[] =>
      t.slack
        .callsTo('chat.postMessage')
        .filter(
          (c) => c.status === 200 && c.response.ok === true && c.response.channel === t.slack.dmChannelWith(userId),
        )
        .filter((c) => String(c.args.text).startsWith('Your Debrief digest'));
    for (const [t, other] of [tenants, [...tenants].reverse()] as [Tenant, Tenant][]) {
      const sent = digestsTo(t, ALICE);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.credential).toBe('oauth #1');
      const json = JSON.stringify(sent[0]!.args.blocks);
      expect(json).toContain(t.item);
      expect(json).not.toContain(other.item);
      expect(json).not.toContain(other.title);
    }
    const claims = await database.db
      .selectFrom('reminder_digests as d')
      .innerJoin('workspaces as w', 'w.id', 'd.workspace_id')
      .select(['w.team_id', 'd.user_id', 'd.state'])
      .where('d.user_id', '=', ALICE)
      .orderBy('w.team_id')
      .execute();
    expect(claims).toEqual(
      tenants
        .map((t) => ({ team_id: t.key, user_id: ALICE, state: 'sent' }))
        .sort((x, y) => x.team_id.localeCompare(y.team_id)),
    );

    // Done in A's digest, but the click's value and block id name B's item (ids are global serials,
    // so guessable): nothing changes in either tenant.
    const [a, b] = tenants;
    const [aItem, bItem] = itemIds as [number, number];
    const digest = digestsTo(a, ALICE)[0]!;
    const genuine = blockActionsBody(a.slack, {
      userId: ALICE,
      actionId: ActionItemIds.done,
      blockId: actionItemBlockId(aItem),
      source: { channelId: String(digest.response.channel), messageTs: String(digest.response.ts) },
      ...(a.org && { orgWide: a.org }),
    });
    const forged = JSON.parse(
      JSON.stringify(genuine.payload)
        .replaceAll(`"${actionItemBlockId(aItem)}"`, `"${actionItemBlockId(bItem)}"`)
        .replaceAll(`"value":"${aItem}"`, `"value":"${bItem}"`),
    ) as JsonObject;
    expect((forged.actions as JsonObject[])[0]).toMatchObject({
      block_id: actionItemBlockId(bItem),
      value: String(bItem),
    });
    const body: SignedBody = {
      contentType: 'application/x-www-form-urlencoded',
      rawBody: new URLSearchParams({ payload: JSON.stringify(forged) }).toString(),
      payload: forged,
      ...(genuine.responseUrl !== undefined && { responseUrl: genuine.responseUrl }),
    };
    const askedB = b.slack.calls.length;
    expect((await send(body)).status).toBe(200);
    const after = await database.db.selectFrom('action_items').select(['id', 'status']).orderBy('id').execute();
    expect(after).toEqual([
      { id: aItem, status: 'open' },
      { id: bItem, status: 'open' },
    ]);
    expect(b.slack.calls.slice(askedB)).toEqual([]);
  });

  test('the Home tab lists only the viewer’s own workspace’s items and postmortems', async () => {
    for (const [t, other] of [tenants, [...tenants].reverse()] as [Tenant, Tenant][]) {
      const before = other.slack.callsTo('views.publish').length;
      await send(deliveredTo(t, eventCallbackBody(t.slack, { kind: 'app_home_opened', userId: ALICE }).payload));
      const home = JSON.stringify(t.slack.homeOf(ALICE)?.blocks);
      expect(home).toContain(t.item);
      expect(home).not.toContain(other.item);
      expect(home).not.toContain(other.title);
      expect(other.slack.callsTo('views.publish')).toHaveLength(before);
      await send(deliveredTo(t, eventCallbackBody(t.slack, { kind: 'app_home_opened', userId: BOB }).payload));
      const bobs = JSON.stringify(t.slack.homeOf(BOB)?.blocks);
      expect(bobs).toContain(t.title);
      expect(bobs).not.toContain(other.title);
    }
  });

  test('`debrief export --team` reads only the named tenant', async () => {
    for (const [t, other] of [tenants, [...tenants].reverse()] as [Tenant, Tenant][]) {
      for (const format of ['markdown', 'json'] as const) {
        const text = await exportForOperator(
          { db: database.db, slack: debrief.slack, now },
          { incidentNumber: 1, teamId: t.key, format },
        );
        expect(text).toContain(t.title);
        expect(text).toContain(t.note);
        expect(text).not.toContain(other.title);
        expect(text).not.toContain(other.note);
        expect(text).not.toContain(other.item);
      }
    }
  });
});

/**
 * `debrief export --team <id>` names one workspace row: its team id (an org-wide install's row holds
 * the organisation's id there), or an organisation with a single row. It used to take the first row
 * whose team id OR organisation matched, so `--team E…` could export a workspace install of that
 * organisation instead of the org-wide install, or whichever of several of its workspaces came first.
 */
describe.each(databaseKinds())('`debrief export --team` and Enterprise Grid rows (%s database)', (kind) => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  async function declareIn(ref: WorkspaceRef, title: string) {
    const workspaceId = await ensureWorkspace(database.db, ref);
    const context: ActionContext = {
      db: database.db,
      slack: new FakeSlackPort(),
      workspace: ref.isEnterpriseInstall
        ? { teamId: null, enterpriseId: ref.teamId, isEnterpriseInstall: true }
        : { teamId: ref.teamId, enterpriseId: ref.enterpriseId ?? null, isEnterpriseInstall: false },
      workspaceId,
      now: START,
      actor: { userId: ALICE, isGuest: false, isExternal: false, timeZone: null },
    };
    await declareIncident(context, { title, severity: 'sev3', isPrivate: false, channelId: SHARED, here: true });
  }
  const exported = (teamId: string) =>
    exportForOperator(
      { db: database.db, slack: new FakeSlackPort(), now: START },
      { incidentNumber: 1, teamId, format: 'markdown' },
    );

  test('the organisation’s own row wins over a workspace of it; several workspaces of one organisation must be named', async () => {
    // A workspace install of Acme first (the lower row id), then Acme's org-wide install.
    await declareIn({ teamId: 'TACME0001', enterpriseId: 'EACME0001' }, 'Acme workspace incident');
    await declareIn({ teamId: 'EACME0001', enterpriseId: 'EACME0001', isEnterpriseInstall: true }, 'Acme org incident');
    const org = await exported('EACME0001');
    expect(org).toContain('Acme org incident');
    expect(org).not.toContain('Acme workspace incident');
    expect(await exported('TACME0001')).toContain('Acme workspace incident');

    // Two workspace installs of one organisation: its id alone names neither.
    await declareIn({ teamId: 'TBOLT0001', enterpriseId: 'EBOLT0002' }, 'Bolton one');
    await declareIn({ teamId: 'TBOLT0002', enterpriseId: 'EBOLT0002' }, 'Bolton two');
    await expect(exported('EBOLT0002')).rejects.toThrow(/EBOLT0002 has 2 workspaces here.*TBOLT0001, TBOLT0002/);
    await expect(exported('EBOLT0002')).rejects.toBeInstanceOf(WorkspaceChoiceError);
    expect(await exported('TBOLT0002')).toContain('Bolton two');

    // An organisation with a single workspace row is still found by its id.
    await declareIn({ teamId: 'TCHAR0001', enterpriseId: 'ECHAR0003' }, 'Charlie only');
    expect(await exported('ECHAR0003')).toContain('Charlie only');
  });
});
