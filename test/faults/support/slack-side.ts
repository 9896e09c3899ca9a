/**
 * Slack's side of a fault test, in the test process: the Web API stand-in the app processes call, and
 * Slack's signed requests into them (test/kit's builders and client), with each delivery's outcome kept,
 * so that a test can say which requests were acknowledged (HTTP 200) before a fault.
 */
import { sql } from 'kysely';
import type { Db } from '../../../src/db/connect';
import { eventCallbackBody, type SignedBody, slashCommandBody } from '../../kit/slack-requests';
import { signSlackRequest } from '../../kit/slack-signature';
import { SlackStandIn } from '../../kit/slack-stand-in';
import { PEOPLE } from '../../support/harness';

export const SIGNING_SECRET = 'fault-signing-secret';
export const TEAM_ID = 'T0FAULTS';
export const BOT_TOKEN = 'xoxb-faults';
export const BOT_USER_ID = 'UDEBRIEF';
export const GENERAL = 'CGENERAL';
/** Slack gives up on an app's answer after 3 s. */
export const SLACK_DEADLINE_MS = 3_000;
/** People who post and run commands (members of every incident channel). */
export const POSTERS = [PEOPLE.alice, PEOPLE.bob, PEOPLE.carol];

export async function startSlackStandIn(options: { rateLimits?: boolean } = {}): Promise<SlackStandIn> {
  const slack = new SlackStandIn({
    teamId: TEAM_ID,
    botToken: BOT_TOKEN,
    botUserId: BOT_USER_ID,
    botId: 'BDEBRIEF',
    // The fault tests are about processes and databases; a burst must not turn into 429s.
    rateLimits: options.rateLimits ?? false,
    reportScopes: true,
  });
  await slack.start();
  for (const person of POSTERS) slack.addUser(person);
  slack.addChannel({ id: GENERAL, name: 'general', members: [...POSTERS.map((p) => p.id), BOT_USER_ID] });
  return slack;
}

/** The settings of an app process served by this stand-in, over `databaseUrl`. */
export function slackSettings(slack: SlackStandIn, databaseUrl: string): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: databaseUrl,
  };
}

/** What became of one request: its HTTP status (0: no answer in Slack's 3 s; -1: the connection failed) and answer text. */
export interface Delivery {
  status: number;
  text: string;
  /** The app's answer to a command (`text`), when it gave one. */
  answer?: string;
  error?: string;
}

/**
 * One delivery of `body` to `appUrl` as Slack makes it: signed now, given up after Slack's 3 s, with
 * `X-Slack-Retry-Num` on a redelivery. Never throws: a refused or dropped connection is status -1.
 */
export async function deliver(appUrl: string, body: SignedBody, retryNum?: number): Promise<Delivery> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SLACK_DEADLINE_MS);
  try {
    const response = await fetch(`${appUrl}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': body.contentType,
        ...signSlackRequest(SIGNING_SECRET, body.rawBody, Date.now() / 1000),
        ...(retryNum !== undefined && { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_error' }),
      },
      body: body.rawBody,
      signal: controller.signal,
    });
    const text = await response.text();
    let answer: unknown;
    try {
      answer = (JSON.parse(text) as { text?: unknown }).text;
    } catch {
      answer = undefined;
    }
    return { status: response.status, text, ...(typeof answer === 'string' && { answer }) };
  } catch (error) {
    if (controller.signal.aborted) return { status: 0, text: '', error: 'no answer within 3 s' };
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { status: -1, text: '', error: cause ?? (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export const isAcknowledged = (delivery: Delivery) => delivery.status === 200;

/** A slash command body, built just before sending (its trigger id lives 3 s). */
export function command(slack: SlackStandIn, userId: string, channelId: string, text: string): SignedBody {
  return slashCommandBody(slack, { userId, channelId, command: '/incident', text });
}

/** A person's message in `channelId` as an Events API callback with its own event id. */
export function messageEvent(
  slack: SlackStandIn,
  userId: string,
  channelId: string,
  text: string,
  eventId: string,
): SignedBody {
  return eventCallbackBody(slack, { kind: 'message', channelId, userId, text }, { eventId });
}

/** Polls `check` every 100 ms until it returns a value other than undefined, or fails after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface DeclaredIncident {
  number: number;
  id: number;
  channelId: string;
}

/**
 * Declares an incident through the app process as a person would (`/incident start`), waits for its
 * channel (created after the answer), and adds every poster to it in Slack.
 */
export async function declareThroughApp(
  slack: SlackStandIn,
  appUrl: string,
  db: Db,
  title: string,
): Promise<DeclaredIncident> {
  const answered = await deliver(appUrl, command(slack, POSTERS[0]!.id, GENERAL, `start sev2 ${title}`));
  if (answered.status !== 200 || !answered.answer?.startsWith('Declared incident #')) {
    throw new Error(`/incident start answered ${answered.status}: ${answered.answer ?? answered.text}`);
  }
  const number = Number(/#(\d+)/.exec(answered.answer)![1]);
  const row = await waitFor(`the channel of incident #${number}`, async () => {
    const found = await db
      .selectFrom('incidents')
      .select(['id', 'channel_id'])
      .where('number', '=', number)
      .where('title', '=', title)
      .executeTakeFirst();
    return found?.channel_id ? { id: found.id, channelId: found.channel_id } : undefined;
  });
  for (const person of POSTERS) slack.joinChannel(row.channelId, person.id);
  return { number, ...row };
}

/** How many message_log rows each message ts has in `channelId`. */
export async function loggedMessages(db: Db, channelId: string): Promise<Map<string, number>> {
  const rows = await sql<{ ts: string; n: number }>`
    select ts, count(*)::int as n from message_log where channel_id = ${channelId} group by ts
  `.execute(db);
  return new Map(rows.rows.map((row) => [row.ts, row.n]));
}
