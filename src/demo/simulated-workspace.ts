import { loadConfig } from '../config';
import type { DatabaseHandle } from '../db/connect';
import { type RunningDebrief, startDebrief } from '../main';
import {
  type EventOptions,
  type EventSpec,
  eventCallbackBody,
  type SendOptions,
  type SignedBody,
  type SlackAppResponse,
  SlackRequestClient,
  slashCommandBody,
} from './slack-requests';
import { type SeedUser, SlackStandIn } from './slack-stand-in';

export const SIGNING_SECRET = 'simulated-signing-secret';
export const TEAM_ID = 'T0SIMULATED';
export const BOT_USER_ID = 'UDEBRIEF';

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
  /** The clock of the app and of Slack; fixed in tests and scripted in the demo so answers are reproducible. */
  clock?: () => Date;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export async function startSimulatedWorkspace(options: SimulationOptions): Promise<SimulatedWorkspace> {
  const clock = options.clock;
  const slack = new SlackStandIn({
    teamId: TEAM_ID,
    botToken: 'xoxb-simulated',
    botUserId: BOT_USER_ID,
    botId: 'BDEBRIEF',
    ...(clock && { now: () => clock().getTime() }),
  });
  await slack.start();
  for (const person of options.people) slack.addUser(person);
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-simulated',
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
    });
  } catch (error) {
    await slack.stop();
    throw error;
  }
  const requests = new SlackRequestClient(debrief.url, SIGNING_SECRET);
  const settle = () => debrief.background.drain();
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
