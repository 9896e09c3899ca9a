import type { App, Logger } from '@slack/bolt';
import { LogLevel } from '@slack/bolt';
import type { FetchFunction } from '@slack/web-api';
import { Registry } from 'prom-client';
import { loadConfig } from '../../../src/config';
import type { Db } from '../../../src/db/connect';
import { type ActionContext, WorkspaceDirectory } from '../../../src/services/context';
import { declareIncident } from '../../../src/services/incidents';
import type { WorkspaceAddress } from '../../../src/services/slack-port';
import { createSlackApp } from '../../../src/slack/app';
import { BackgroundWork } from '../../../src/slack/background';
import type { SlackDeps } from '../../../src/slack/deps';
import { FakeSlackPort } from '../../support/fake-slack-port';
import { type Delivery, FakeReceiver, type SendOptions } from './fake-receiver';
import { API_URL } from './fake-slack-web';
import { BOT_ID, BOT_USER_ID, TEAM_ID } from './payloads';

export const NOW = new Date('2026-11-20T10:00:00Z');
export const ADDRESS: WorkspaceAddress = { teamId: TEAM_ID, enterpriseId: null, isEnterpriseInstall: false };

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  text: string;
}

/** A Bolt logger that keeps every line, so tests can read what would reach the logs. */
export class CapturingLogger implements Logger {
  readonly lines: LogLine[] = [];
  private level = LogLevel.DEBUG;
  debug(...msg: unknown[]) {
    this.lines.push({ level: 'debug', text: msg.map(String).join(' ') });
  }
  info(...msg: unknown[]) {
    this.lines.push({ level: 'info', text: msg.map(String).join(' ') });
  }
  warn(...msg: unknown[]) {
    this.lines.push({ level: 'warn', text: msg.map(String).join(' ') });
  }
  error(...msg: unknown[]) {
    this.lines.push({ level: 'error', text: msg.map(String).join(' ') });
  }
  setLevel(level: LogLevel) {
    this.level = level;
  }
  getLevel() {
    return this.level;
  }
  setName() {}
  errors(): string[] {
    return this.lines.filter((l) => l.level === 'error').map((l) => l.text);
  }
}

export interface ListenerApp {
  app: App;
  deps: SlackDeps;
  receiver: FakeReceiver;
  /** The outbound port as use cases see it: records what they send. */
  slack: FakeSlackPort;
  logger: CapturingLogger;
  /** Sends a body in and waits for the work that follows the acknowledgement. */
  send(body: Record<string, unknown>, options?: SendOptions): Promise<Delivery>;
  /** Declares a `--here` incident in `channelId` (arrangement, through the use case) and returns its id. */
  declareHere(channelId: string, by?: string): Promise<number>;
  /** An ActionContext in the test workspace, for arranging state through use cases. */
  actingAs(userId: string): Promise<ActionContext>;
}

/**
 * The real Debrief Bolt app — createSlackApp's middleware, listeners and error handler — over a
 * test database, with a FakeReceiver instead of HTTP and the FakeSlackPort as the outbound port.
 * Bolt's own HTTP calls (its clients, respond()) go to the platform's fetch, which FakeSlackWeb replaces.
 */
export function buildListenerApp(db: Db): ListenerApp {
  const logger = new CapturingLogger();
  const slack = new FakeSlackPort();
  const background = new BackgroundWork(logger);
  const deps: SlackDeps = {
    db,
    slack,
    workspaces: new WorkspaceDirectory(db),
    background,
    logger,
    clock: () => NOW,
    postmortemChannel: null,
  };
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-listener-tests',
    SLACK_SIGNING_SECRET: 'listener-tests-signing-secret',
    SLACK_API_URL: API_URL,
    LOG_LEVEL: 'debug',
  });
  const receiver = new FakeReceiver();
  const { app } = createSlackApp({
    config,
    deps,
    logger,
    isHealthy: async () => true,
    metrics: new Registry(),
    botIdentity: { botId: BOT_ID, botUserId: BOT_USER_ID },
    receiver,
    // The platform's fetch, looked up at each call: the test file's FakeSlackWeb.install() answers it.
    slackTransport: (url, init) => (globalThis.fetch as unknown as FetchFunction)(url, init),
  });
  const actingAs = async (userId: string): Promise<ActionContext> => ({
    db,
    slack,
    workspace: ADDRESS,
    workspaceId: await deps.workspaces.idOf(ADDRESS),
    now: NOW,
    actor: { userId, isGuest: false, isExternal: false, timeZone: null },
  });
  return {
    app,
    deps,
    receiver,
    slack,
    logger,
    async send(body, options) {
      const delivery = await receiver.send(body, options);
      await background.drain();
      return delivery;
    },
    async declareHere(channelId, by = 'UCOMMANDER') {
      const { incident } = await declareIncident(await actingAs(by), {
        title: 'Checkout returns 500s',
        severity: 'sev2',
        isPrivate: false,
        channelId,
        here: true,
      });
      return incident.id;
    },
    actingAs,
  };
}
