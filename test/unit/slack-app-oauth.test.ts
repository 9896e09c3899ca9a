import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { ConsoleLogger, LogLevel } from '@slack/logger';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config';
import type { Db } from '../../src/db/connect';
import { TokenCipher } from '../../src/security/token-cipher';
import { WorkspaceDirectory } from '../../src/services/context';
import { authorizeUrl, createSlackApp } from '../../src/slack/app';
import { BackgroundWork } from '../../src/slack/background';
import type { SlackDeps } from '../../src/slack/deps';
import { SlackInstallationStore } from '../../src/slack/installation-store';
import { BOT_SCOPES } from '../../src/slack/scopes';
import { FakeSlackPort } from '../support/fake-slack-port';

/**
 * How the Slack app is put together in each mode. Nothing here reaches a database or Slack: the
 * requests below are answered before either would be needed. The whole OAuth flow runs end to end
 * in test/e2e/oauth-install.test.ts.
 */

const API_URL = 'https://slack-gov.com/api/';
const OAUTH = {
  SLACK_CLIENT_ID: '123.456',
  SLACK_CLIENT_SECRET: 'client-secret',
  SLACK_STATE_SECRET: 'state-secret',
  ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
};

const logger = new ConsoleLogger();
logger.setLevel(LogLevel.ERROR);
const db = {} as Db;

function build(env: NodeJS.ProcessEnv, withStore = true) {
  const config = loadConfig({ SLACK_API_URL: API_URL, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', ...env });
  const deps: SlackDeps = {
    db,
    slack: new FakeSlackPort(),
    background: new BackgroundWork(logger),
    logger,
    clock: () => new Date(0),
    postmortemChannel: null,
    workspaces: new WorkspaceDirectory(db),
  };
  const installationStore =
    config.slack.oauth && withStore
      ? new SlackInstallationStore(db, new TokenCipher(config.encryptionKey!), deps.clock, logger)
      : undefined;
  return createSlackApp({
    config,
    deps,
    logger,
    metrics: new Registry(),
    botIdentity: undefined,
    installationStore,
    isHealthy: async () => true,
  });
}

/** The InstallProvider Bolt built, with the options that matter here. */
function installerOf(receiver: HTTPReceiver | SocketModeReceiver) {
  return (receiver as unknown as { installer?: Record<string, any> }).installer;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('the authorize page sits beside the Web API, on Slack, GovSlack or a stand-in', () => {
  expect(authorizeUrl('https://slack.com/api/')).toBe('https://slack.com/oauth/v2/authorize');
  expect(authorizeUrl('https://slack-gov.com/api/')).toBe('https://slack-gov.com/oauth/v2/authorize');
  expect(authorizeUrl('http://127.0.0.1:4000/api/')).toBe('http://127.0.0.1:4000/oauth/v2/authorize');
});

describe('single-workspace mode', () => {
  test('has no installer, and /slack/install is not served', async () => {
    const { app, receiver } = build({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'sig' });
    expect(receiver).toBeInstanceOf(HTTPReceiver);
    expect(installerOf(receiver)).toBeUndefined();
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await fetch(`${url}/slack/install`, { redirect: 'manual' })).status).toBe(404);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});

describe('OAuth mode', () => {
  test('over HTTP: the installer exchanges codes through SLACK_API_URL and sends people to its authorize page', async () => {
    const { app, receiver } = build({ ...OAUTH, SLACK_SIGNING_SECRET: 'sig' });
    expect(receiver).toBeInstanceOf(HTTPReceiver);
    const installer = installerOf(receiver);
    expect(installer).toBeDefined();
    expect(installer!.clientOptions.slackApiUrl).toBe(API_URL);
    expect(installer!.noTokenClient.slackApiUrl).toBe(API_URL);
    expect(installer!.authorizationUrl).toBe('https://slack-gov.com/oauth/v2/authorize');
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const response = await fetch(`${url}/slack/install`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe('https://slack-gov.com/oauth/v2/authorize');
      expect(location.searchParams.get('scope')).toBe(BOT_SCOPES.join(','));
      expect(location.searchParams.get('client_id')).toBe('123.456');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  test('with Socket Mode: the same installer, served beside /healthz on PORT', async () => {
    const { receiver } = build({ ...OAUTH, SLACK_APP_TOKEN: 'xapp-1-socket' });
    expect(receiver).toBeInstanceOf(SocketModeReceiver);
    const installer = installerOf(receiver);
    expect(installer!.clientOptions.slackApiUrl).toBe(API_URL);
    expect(installer!.authorizationUrl).toBe('https://slack-gov.com/oauth/v2/authorize');
    // Starting the receiver would open the Socket Mode connection; its HTTP server alone is enough here.
    const server = (receiver as unknown as { httpServer: Server }).httpServer;
    const url = await listen(server);
    try {
      const response = await fetch(`${url}/slack/install`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(new URL(response.headers.get('location')!).searchParams.get('scope')).toBe(BOT_SCOPES.join(','));
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('refuses to start without an installation store', () => {
    expect(() => build({ ...OAUTH, SLACK_SIGNING_SECRET: 'sig' }, false)).toThrow(/installation store/);
  });
});
