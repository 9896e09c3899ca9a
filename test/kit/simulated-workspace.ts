import type { Logger } from '@slack/bolt';
import { loadConfig } from '../../src/config';
import type { DatabaseHandle } from '../../src/db/connect';
import { type RunningDebrief, startDebrief } from '../../src/main';
import { quietLogger } from '../support/quiet-logger';
import {
  type EventOptions,
  type EventSpec,
  eventCallbackBody,
  type SendOptions,
  type SignedBody,
  type SlackAppResponse,
  SlackRequestClient,
  type SlackRequestClientOptions,
  slashCommandBody,
} from './slack-requests';
import { type SeedUser, SlackStandIn } from './slack-stand-in';

export const SIGNING_SECRET = 'simulated-signing-secret';
export const TEAM_ID = 'T0SIMULATED';
export const BOT_USER_ID = 'UDEBRIEF';
/** OAuth mode's app credentials, known to both the stand-in and the app. */
export const OAUTH_CLIENT_ID = '1111111111.2222222222';
export const OAUTH_CLIENT_SECRET = 'simulated-client-secret';
export const OAUTH_STATE_SECRET = 'simulated-state-secret';
/** A fixed ENCRYPTION_KEY (32 bytes, base64) for the simulation only. */
export const SIMULATED_ENCRYPTION_KEY = Buffer.alloc(32, 'simulated-key').toString('base64');

export interface CommandResult {
  status: number;
  /** The immediate answer Slack would show (`text`, `response_type`, `blocks`). */
  answer: { text?: string; response_type?: string; blocks?: unknown[] };
  responseUrl: string;
}

export interface EventResult {
  status: number;
  /** The event's message ts, when it carries one. */
  ts: string;
  body: SignedBody;
}

/**
 * A Slack workspace in a box: the Slack Web API stand-in, the real Debrief app on a free port, and
 * a client that sends Slack's signed requests into it. The demo, the tests and the benchmark share it.
 */
export interface SimulatedWorkspace {
  slack: SlackStandIn;
  debrief: RunningDebrief;
  requests: SlackRequestClient;
  /** Runs a slash command as `userId` in `channelId` and waits for the work that follows the answer. */
  command(userId: string, channelId: string, text: string, command?: string): Promise<CommandResult>;
  /** Delivers an event, signed, and waits for its work. */
  event(spec: EventSpec, options?: EventOptions, send?: SendOptions): Promise<EventResult>;
  /** Sends an already built request (again: a Slack retry) and waits for its work. */
  send(body: SignedBody, options?: SendOptions): Promise<SlackAppResponse>;
  /** Waits for work that follows Slack's acknowledgement (channel creation, announcements). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface SimulationOptions {
  database: DatabaseHandle;
  people: SeedUser[];
  /** The app's clock; fixed in tests and scripted in the demo so answers are reproducible. */
  clock?: () => Date;
  /**
   * Slack's clock (epoch ms). Default: real time, or with `clock`, the app's time plus the real time
   * elapsed since it last moved — so message ts follow the scenario while a trigger id still expires
   * 3 real seconds after it was issued.
   */
  slackClock?: () => number;
  /** Slack's deadline and redelivery waits for the requests sent into the app. */
  requests?: SlackRequestClientOptions;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** The app's logger (default: Debrief's own console logger at `logLevel`), e.g. one that captures lines. */
  logger?: Logger;
  /**
   * OAuth multi-workspace mode instead of one bot token: the app starts with no installation, and
   * the workspace must install it through /slack/install (the stand-in issues the code) first.
   */
  oauth?: boolean;
}

export async function startSimulatedWorkspace(options: SimulationOptions): Promise<SimulatedWorkspace> {
  const clock = options.clock;
  const slackClock = options.slackClock ?? (clock ? followingInRealTime(clock) : undefined);
  const slack = new SlackStandIn({
    teamId: TEAM_ID,
    botToken: 'xoxb-simulated',
    botUserId: BOT_USER_ID,
    botId: 'BDEBRIEF',
    clientId: OAUTH_CLIENT_ID,
    clientSecret: OAUTH_CLIENT_SECRET,
    ...(slackClock && { now: slackClock }),
    // The app's own stand-in reports the scopes it saw to the suite-wide manifest check.
    reportScopes: true,
  });
  await slack.start();
  for (const person of options.people) slack.addUser(person);
  const credentials = options.oauth
    ? {
        SLACK_CLIENT_ID: OAUTH_CLIENT_ID,
        SLACK_CLIENT_SECRET: OAUTH_CLIENT_SECRET,
        SLACK_STATE_SECRET: OAUTH_STATE_SECRET,
        ENCRYPTION_KEY: SIMULATED_ENCRYPTION_KEY,
      }
    : { SLACK_BOT_TOKEN: 'xoxb-simulated' };
  const config = loadConfig({
    ...credentials,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel ?? 'error',
  });
  let debrief: RunningDebrief;
  try {
    debrief = await startDebrief(config, {
      database: options.database,
      ...(clock && { clock }),
      // Under jest the app is quiet unless a test captures its lines (test/support/quiet-logger.ts).
      ...(options.logger ? { logger: options.logger } : process.env.JEST_WORKER_ID ? { logger: quietLogger() } : {}),
    });
  } catch (error) {
    await slack.stop();
    throw error;
  }
  const requests = new SlackRequestClient(debrief.url, SIGNING_SECRET, options.requests);
  const settle = async () => {
    await debrief.background.drain();
  };
  const send = async (body: SignedBody, sendOptions?: SendOptions) => {
    const response = await requests.send(body, sendOptions);
    await settle();
    return response;
  };
  return {
    slack,
    debrief,
    requests,
    settle,
    send,
    async command(userId, channelId, text, command = '/incident') {
      const body = slashCommandBody(slack, { userId, channelId, command, text });
      const response = await send(body);
      return {
        status: response.status,
        answer: (response.json ?? {}) as CommandResult['answer'],
        responseUrl: body.responseUrl ?? '',
      };
    },
    async event(spec, eventOptions, sendOptions) {
      const body = eventCallbackBody(slack, spec, eventOptions);
      const response = await send(body, sendOptions);
      return { status: response.status, ts: String((body.payload.event as { ts?: string }).ts ?? ''), body };
    },
    async stop() {
      await debrief.stop();
      await slack.stop();
    },
  };
}

/**
 * A clock at the scenario's time that keeps running in real time between the scenario's moves: Slack's
 * clock when the app's is fixed or scripted, so Slack's own deadlines (3 s for a trigger id) are real.
 */
export function followingInRealTime(clock: () => Date): () => number {
  let anchor = clock().getTime();
  let since = performance.now();
  return () => {
    const current = clock().getTime();
    if (current !== anchor) {
      anchor = current;
      since = performance.now();
    }
    return anchor + (performance.now() - since);
  };
}
