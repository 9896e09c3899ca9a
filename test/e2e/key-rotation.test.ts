import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Installation } from '@slack/bolt';
import { ConsoleLogger } from '@slack/logger';
import { loadConfig } from '../../src/config';
import { type DatabaseHandle, openDatabase } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { type RunningDebrief, startDebrief } from '../../src/main';
import { keyIdOf, sealedKeyId, TokenCipher } from '../../src/security/token-cipher';
import { SlackInstallationStore } from '../../src/slack/installation-store';
import {
  BOT_USER_ID,
  OAUTH_CLIENT_ID,
  OAUTH_CLIENT_SECRET,
  OAUTH_STATE_SECRET,
  SIGNING_SECRET,
  SIMULATED_ENCRYPTION_KEY,
  type SimulatedWorkspace,
  startSimulatedWorkspace,
  TEAM_ID,
} from '../kit/simulated-workspace';
import { SlackRequestClient, slashCommandBody } from '../kit/slack-requests';
import { databaseKinds, openTestDatabase } from '../support/database';
import { GENERAL, PEOPLE } from '../support/harness';
import { quietLogger } from '../support/quiet-logger';

const NOW = new Date('2026-11-20T20:00:00Z');
/** The simulated workspace installs with key A; the rotation brings in key B. */
const KEY_A = SIMULATED_ENCRYPTION_KEY;
const KEY_B = randomBytes(32).toString('base64');

describe.each(databaseKinds())('Rotating ENCRYPTION_KEY end to end (%s database)', (kind) => {
  let database: DatabaseHandle;
  let w: SimulatedWorkspace;
  /** The app as restarted with other keys (the simulated workspace's own app is stopped first). */
  let restarted: RunningDebrief | undefined;

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
    await restarted?.stop();
    await w.stop();
    await database.close();
  });

  const storedSeal = async () =>
    (await database.db.selectFrom('slack_installations').select('installation_encrypted').executeTakeFirstOrThrow())
      .installation_encrypted;

  /** Debrief started again on the same database and Slack, with these keys. */
  async function restart(keys: { ENCRYPTION_KEY: string; ENCRYPTION_KEYS_OLD?: string }): Promise<RunningDebrief> {
    await (restarted ?? w.debrief).stop();
    restarted = undefined;
    const config = loadConfig({
      SLACK_CLIENT_ID: OAUTH_CLIENT_ID,
      SLACK_CLIENT_SECRET: OAUTH_CLIENT_SECRET,
      SLACK_STATE_SECRET: OAUTH_STATE_SECRET,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: w.slack.apiUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      ...keys,
    });
    restarted = await startDebrief(config, { database, clock: () => NOW, logger: quietLogger() });
    return restarted;
  }

  /** A signed slash command from the workspace to `app`; the calls to Slack that followed it. */
  async function command(app: RunningDebrief, text: string) {
    const before = w.slack.calls.length;
    const body = slashCommandBody(w.slack, { userId: PEOPLE.alice.id, channelId: GENERAL, command: '/incident', text });
    const response = await new SlackRequestClient(app.url, SIGNING_SECRET).send(body);
    await app.background.drain();
    return {
      status: response.status,
      text: String((response.json as { text?: string } | undefined)?.text ?? ''),
      calls: w.slack.calls.slice(before),
    };
  }

  test('installed through OAuth with key A: the stored installation names key A', async () => {
    const response = await fetch(`${w.debrief.url}/slack/install`, { redirect: 'manual' });
    const authorize = new URL(response.headers.get('location') ?? '');
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    const code = w.slack.issueOAuthCode({
      teamId: TEAM_ID,
      userId: PEOPLE.alice.id,
      scopes: (authorize.searchParams.get('scope') ?? '').split(','),
    });
    const redirect = await fetch(
      `${w.debrief.url}/slack/oauth_redirect?${new URLSearchParams({ code, state: authorize.searchParams.get('state') ?? '' })}`,
      { redirect: 'manual', headers: { cookie } },
    );
    expect(redirect.status).toBe(200);
    expect(sealedKeyId(await storedSeal())).toBe(keyIdOf(KEY_A));

    const first = await command(w.debrief, 'start sev2 Payments are failing');
    expect(first.text).toMatch(/Declared incident #1 \(sev2\) Payments are failing/);
    expect(new Set(first.calls.map((call) => call.credential))).toEqual(new Set(['oauth #1']));
  });

  test('restarted with ENCRYPTION_KEY=B and ENCRYPTION_KEYS_OLD=A: the workspace still works, and its installation is re-sealed with B', async () => {
    const app = await restart({ ENCRYPTION_KEY: KEY_B, ENCRYPTION_KEYS_OLD: KEY_A });
    const exchanges = w.slack.callsTo('oauth.v2.access').length;
    const second = await command(app, 'start sev3 Search is slow');
    expect(second.status).toBe(200);
    expect(second.text).toMatch(/Declared incident #2 \(sev3\) Search is slow/);
    expect(w.slack.channelIdByName('inc-20261120-search-is-slow')).toBeDefined();
    // The same installation's token, not a new install.
    expect(new Set(second.calls.map((call) => call.credential))).toEqual(new Set(['oauth #1']));
    expect(w.slack.callsTo('oauth.v2.access')).toHaveLength(exchanges);

    const sealed = await storedSeal();
    expect(sealedKeyId(sealed)).toBe(keyIdOf(KEY_B));
    expect(JSON.parse(new TokenCipher(KEY_B).decrypt(sealed, `slack-installation::${TEAM_ID}`))).toMatchObject({
      team: { id: TEAM_ID },
      bot: { userId: BOT_USER_ID },
    });
  });

  test('restarted with only key B: the workspace still works without key A anywhere', async () => {
    const app = await restart({ ENCRYPTION_KEY: KEY_B });
    const third = await command(app, 'start sev3 Login is flaky');
    expect(third.text).toMatch(/Declared incident #3 \(sev3\) Login is flaky/);
    expect(new Set(third.calls.map((call) => call.credential))).toEqual(new Set(['oauth #1']));
    expect(await database.db.selectFrom('slack_installations').select('id').execute()).toHaveLength(1);
  });
});

describe('npx debrief rekey', () => {
  const KEY_C = randomBytes(32).toString('base64');
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'debrief-rekey-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const cli = path.resolve(__dirname, '../../src/cli.ts');
  const tsx = path.resolve(__dirname, '../../node_modules/.bin/tsx');

  /** Runs the CLI as an operator would, against the embedded database in dataDir. */
  async function rekey(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    // Only what the command needs: no Slack credentials at all.
    const environment = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, ...env };
    try {
      const { stdout, stderr } = await promisify(execFile)(tsx, [cli, 'rekey'], { env: environment });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  /** Opens the embedded database in dataDir (as the CLI will), with a store sealing with each key given. */
  async function withStores<T>(
    keys: readonly string[],
    run: (...stores: SlackInstallationStore[]) => Promise<T>,
  ): Promise<T> {
    const database = await openDatabase({ databaseUrl: undefined, dataDir });
    try {
      await migrateToLatest(database.db);
      const logger = new ConsoleLogger();
      logger.setLevel('error' as never);
      return await run(
        ...keys.map((key) => new SlackInstallationStore(database.db, new TokenCipher(key), () => NOW, logger)),
      );
    } finally {
      await database.close();
    }
  }

  const install = (teamId: string): Installation<'v2', false> => ({
    team: { id: teamId },
    enterprise: undefined,
    bot: { token: `xoxb-${teamId}`, userId: 'UBOT', id: 'BBOT', scopes: ['commands'] },
    user: { id: 'UALICE', token: undefined, scopes: undefined },
    isEnterpriseInstall: false,
    authVersion: 'v2',
  });

  test('re-seals every installation and reports the counts; names the workspaces it cannot read and the key each needs', async () => {
    await withStores([KEY_A, KEY_B, KEY_C], async (a, b, c) => {
      await a!.storeInstallation(install('T1'));
      await a!.storeInstallation(install('T2'));
      await b!.storeInstallation(install('T3'));
      await c!.storeInstallation(install('T4'));
    });

    const first = await rekey({ ENCRYPTION_KEY: KEY_B, ENCRYPTION_KEYS_OLD: KEY_A });
    expect(first.stdout.trim().split('\n')).toEqual([
      `Re-sealed with key ${keyIdOf(KEY_B)} (ENCRYPTION_KEY): 2`,
      `Already sealed with key ${keyIdOf(KEY_B)}: 1`,
      'Unreadable: 1',
      `  - workspace T4: sealed with key ${keyIdOf(KEY_C)}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_OLD`,
      'Add the keys they need to ENCRYPTION_KEYS_OLD and run debrief rekey again (or have those workspaces install Debrief again).',
    ]);
    expect(first.code).toBe(1);
    for (const key of [KEY_A, KEY_B, KEY_C]) expect(first.stdout + first.stderr).not.toContain(key);

    const second = await rekey({ ENCRYPTION_KEY: KEY_B, ENCRYPTION_KEYS_OLD: `${KEY_A},${KEY_C}` });
    expect(second.stdout).toContain(`Re-sealed with key ${keyIdOf(KEY_B)} (ENCRYPTION_KEY): 1\n`);
    expect(second.stdout).toContain(`Already sealed with key ${keyIdOf(KEY_B)}: 3\n`);
    expect(second.stdout).toContain('Unreadable: 0');
    expect(second.code).toBe(0);

    // Key B alone now opens every installation.
    const tokens = await withStores([KEY_B], (store) =>
      Promise.all(
        ['T1', 'T2', 'T3', 'T4'].map(
          async (teamId) =>
            (await store!.fetchInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false })).bot
              ?.token,
        ),
      ),
    );
    expect(tokens).toEqual(['xoxb-T1', 'xoxb-T2', 'xoxb-T3', 'xoxb-T4']);
    // Two CLI processes and three opens of an on-disk embedded database: a limit for slow machines, not a timing claim.
  }, 120_000);

  test('a bad ENCRYPTION_KEYS_OLD entry stops it with one line per entry, before touching anything', async () => {
    const short = randomBytes(16).toString('base64');
    const result = await rekey({ ENCRYPTION_KEY: KEY_B, ENCRYPTION_KEYS_OLD: `${KEY_A},${short}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'ENCRYPTION_KEYS_OLD entry 2 of 2 must be 32 bytes encoded as base64 (openssl rand -base64 32), got 16 bytes',
    );
    expect(result.stderr).not.toContain(short);
    expect(result.stderr).not.toContain(KEY_A);
  }, 60_000);
});
