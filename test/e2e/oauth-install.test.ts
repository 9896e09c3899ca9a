import { randomBytes } from 'node:crypto';
import { ConsoleLogger } from '@slack/logger';
import type { DatabaseHandle } from '../../src/db/connect';
import { TokenCipher, TokenDecryptionError } from '../../src/security/token-cipher';
import { SlackInstallationStore } from '../../src/slack/installation-store';
import { BOT_SCOPES } from '../../src/slack/scopes';
import {
  BOT_USER_ID,
  OAUTH_CLIENT_ID,
  SIMULATED_ENCRYPTION_KEY,
  type SimulatedWorkspace,
  startSimulatedWorkspace,
  TEAM_ID,
} from '../kit/simulated-workspace';
import { databaseKinds, openTestDatabase } from '../support/database';
import { GENERAL, PEOPLE } from '../support/harness';

const NOW = new Date('2026-11-20T20:00:00Z');
const STATE_COOKIE = 'slack-app-oauth-state';

describe.each(databaseKinds())('OAuth multi-workspace install end to end (%s database)', (kind) => {
  let database: DatabaseHandle;
  let w: SimulatedWorkspace;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    w = await startSimulatedWorkspace({ database, people: Object.values(PEOPLE), clock: () => NOW, oauth: true });
    w.slack.addChannel({
      id: GENERAL,
      name: 'general',
      members: [...Object.values(PEOPLE).map((p) => p.id), BOT_USER_ID],
    });
  });
  afterAll(async () => {
    await w.stop();
    await database.close();
  });

  const installations = () => database.db.selectFrom('slack_installations').selectAll().execute();
  const store = (key = SIMULATED_ENCRYPTION_KEY) => {
    const logger = new ConsoleLogger();
    logger.setLevel('error' as never);
    return new SlackInstallationStore(database.db, new TokenCipher(key), () => NOW, logger);
  };

  /** A person opens /slack/install: Debrief sets the state cookie and redirects to Slack's authorize page. */
  async function openInstallPage(): Promise<{ authorize: URL; state: string; cookie: string }> {
    const response = await fetch(`${w.debrief.url}/slack/install`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const authorize = new URL(response.headers.get('location') ?? '');
    const state = authorize.searchParams.get('state') ?? '';
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(new RegExp(`^${STATE_COOKIE}=[^;]+; Secure; HttpOnly; Path=/`));
    return { authorize, state, cookie: setCookie.split(';')[0]! };
  }

  /** Slack sends the browser back to /slack/oauth_redirect, with the cookie the browser holds. */
  const oauthRedirect = (params: Record<string, string>, cookie?: string) =>
    fetch(`${w.debrief.url}/slack/oauth_redirect?${new URLSearchParams(params)}`, {
      redirect: 'manual',
      headers: cookie === undefined ? {} : { cookie },
    });

  /** The whole install, as alice; returns the bot token Slack handed out. */
  async function install(): Promise<string> {
    const { authorize, state, cookie } = await openInstallPage();
    const code = w.slack.issueOAuthCode({
      teamId: TEAM_ID,
      userId: PEOPLE.alice.id,
      scopes: (authorize.searchParams.get('scope') ?? '').split(','),
    });
    const response = await oauthRedirect({ code, state }, cookie);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Thank you!');
    const exchange = w.slack.lastCall('oauth.v2.access');
    expect(exchange).toMatchObject({ status: 200, args: { client_id: OAUTH_CLIENT_ID, code } });
    return String(exchange!.response.access_token);
  }

  test('before any installation a command does nothing: there is no token to do it with', async () => {
    const { status } = await w.command(PEOPLE.alice.id, GENERAL, 'start sev2 Too early');
    expect(status).toBe(200);
    expect(w.slack.calls.filter((call) => call.credential !== undefined)).toEqual([]);
    expect(w.slack.channelIdByName('inc-20261120-too-early')).toBeUndefined();
  });

  test('/slack/install redirects to Slack’s authorize page with the client id, the manifest’s scopes and the state', async () => {
    const { authorize, state, cookie } = await openInstallPage();
    expect(`${authorize.origin}${authorize.pathname}`).toBe(w.slack.authorizeUrl);
    expect(authorize.searchParams.get('client_id')).toBe(OAUTH_CLIENT_ID);
    expect(authorize.searchParams.get('scope')).toBe(BOT_SCOPES.join(','));
    expect(authorize.searchParams.get('user_scope')).toBeNull();
    expect(state.length).toBeGreaterThan(20);
    expect(cookie).toBe(`${STATE_COOKIE}=${state}`);
  });

  test('the redirect stores the installation encrypted; the raw bot token is nowhere in the row', async () => {
    const token = await install();
    expect(token).toMatch(/^xoxb-/);
    const rows = await installations();
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      team_id: TEAM_ID,
      enterprise_id: null,
      is_enterprise_install: false,
      bot_user_id: BOT_USER_ID,
      bot_id: 'BDEBRIEF',
      bot_scopes: BOT_SCOPES.join(','),
      installed_by: PEOPLE.alice.id,
    });
    expect(row.installed_at.toISOString()).toBe(NOW.toISOString());
    // Sealed as v2, naming ENCRYPTION_KEY by its id: v2:<key id>:<iv>:<tag>:<ciphertext>.
    expect(row.installation_encrypted).toMatch(/^v2:[0-9a-f]{8}:[^:]+:[^:]+:[^:]+$/);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain('xoxb-');

    // Decrypted with ENCRYPTION_KEY it is Bolt's installation; with another key it is refused.
    const installation = await store().fetchInstallation({
      teamId: TEAM_ID,
      isEnterpriseInstall: false,
      enterpriseId: undefined,
    });
    expect(installation).toMatchObject({
      team: { id: TEAM_ID },
      bot: { token, userId: BOT_USER_ID, id: 'BDEBRIEF', scopes: [...BOT_SCOPES] },
      user: { id: PEOPLE.alice.id },
      authVersion: 'v2',
      isEnterpriseInstall: false,
    });
    await expect(
      store(randomBytes(32).toString('base64')).fetchInstallation({
        teamId: TEAM_ID,
        isEnterpriseInstall: false,
        enterpriseId: undefined,
      }),
    ).rejects.toBeInstanceOf(TokenDecryptionError);
  });

  test('a signed /incident start from the installed workspace works with the stored token', async () => {
    const before = w.slack.calls.length;
    const { status, answer } = await w.command(PEOPLE.alice.id, GENERAL, 'start sev2 Payments are failing');
    expect(status).toBe(200);
    expect(answer.text).toMatch(/Declared incident #1 \(sev2\) Payments are failing/);
    const channelId = w.slack.channelIdByName('inc-20261120-payments-are-failing');
    expect(channelId).toBeDefined();
    expect(w.slack.membersOf(channelId!)).toEqual(expect.arrayContaining([PEOPLE.alice.id, BOT_USER_ID]));
    const calls = w.slack.calls.slice(before);
    expect(calls.map((call) => call.method)).toContain('conversations.create');
    // Every call was made with the installation's token (the first one oauth.v2.access handed out).
    expect(new Set(calls.map((call) => call.credential))).toEqual(new Set(['oauth #1']));
  });

  test('a wrong or missing state is refused before Slack is asked for a token', async () => {
    const exchanges = w.slack.callsTo('oauth.v2.access').length;
    const { state, cookie } = await openInstallPage();
    const code = w.slack.issueOAuthCode({ userId: PEOPLE.bob.id, scopes: BOT_SCOPES });
    const refusals = [
      await oauthRedirect({ code, state: 'forged-state' }, cookie), // not the state this browser was given
      await oauthRedirect({ code, state }), // no cookie: another browser
      await oauthRedirect({ code, state: 'forged-state' }, `${STATE_COOKIE}=forged-state`), // not signed by us
      await oauthRedirect({ code }, cookie), // no state at all
    ];
    for (const response of refusals) {
      expect(response.status).toBe(400);
      // Bolt's page names the error code; nothing from the request is echoed.
      expect(await response.text()).toMatch(
        /Oops, Something Went Wrong!.*reason: slack_oauth_(invalid|missing)_state/s,
      );
    }
    expect(w.slack.callsTo('oauth.v2.access')).toHaveLength(exchanges);
    const rows = await installations();
    expect(rows.map((r) => r.installed_by)).toEqual([PEOPLE.alice.id]);
  });

  test('a code Slack refuses stores nothing', async () => {
    const { state, cookie } = await openInstallPage();
    const response = await oauthRedirect({ code: '1.2.not-a-code', state }, cookie);
    expect(response.status).toBe(500);
    expect(w.slack.lastCall('oauth.v2.access')?.response).toEqual({ ok: false, error: 'invalid_code' });
    expect((await installations()).map((r) => r.installed_by)).toEqual([PEOPLE.alice.id]);
  });

  test('app_uninstalled deletes the installation; the incidents stay', async () => {
    const { status } = await w.event({ kind: 'app_uninstalled' });
    expect(status).toBe(200);
    expect(await installations()).toEqual([]);
    const incidents = await database.db.selectFrom('incidents').select('title').execute();
    expect(incidents.map((i) => i.title)).toEqual(['Payments are failing']);

    const before = w.slack.calls.length;
    await w.command(PEOPLE.alice.id, GENERAL, 'start sev3 After uninstalling');
    expect(w.slack.calls.slice(before)).toEqual([]);
  });

  test('a reinstall serves the workspace again; tokens_revoked for the bot deletes the installation too', async () => {
    await install();
    expect(await installations()).toHaveLength(1);
    const before = w.slack.calls.length;
    const { answer } = await w.command(PEOPLE.bob.id, GENERAL, 'start sev3 Search is slow');
    expect(answer.text).toMatch(/Declared incident #2 \(sev3\) Search is slow/);
    expect(new Set(w.slack.calls.slice(before).map((call) => call.credential))).toEqual(new Set(['oauth #2']));

    // Only user tokens revoked: Debrief holds none, and the bot's installation stays.
    await w.event({ kind: 'tokens_revoked', userIds: [PEOPLE.alice.id] });
    expect(await installations()).toHaveLength(1);
    await w.event({ kind: 'tokens_revoked' });
    expect(await installations()).toEqual([]);
  });
});
