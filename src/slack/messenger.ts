import {
  type ChatPostMessageResponse,
  ErrorCode,
  type WebAPIPlatformError,
  WebAPIRateLimitedError,
  type WebAPIRequestError,
  type WebClient,
} from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type {
  DeliveryOutcome,
  Notice,
  SlackMessage,
  SlackPort,
  SlackResult,
  SlackUser,
  WorkspaceAddress,
} from '../services/slack-port';
import { renderNotice } from './blocks/notices';
import { addressKey, type WorkspaceClients } from './workspace-clients';

const PUSHPIN = 'pushpin';
/** Time zones and guest flags rarely change; every command needs them (SPEC 2: cache a few minutes). */
const USER_TTL_MS = 5 * 60_000;
const MAX_USERS = 20_000;
/** Retry-After windows still open, per workspace and method. */
const MAX_RATE_LIMITS = 10_000;

export interface MessengerOptions {
  /** Milliseconds since the epoch, for Retry-After windows (tests move it; default Date.now). */
  now?: () => number;
}

/**
 * The outbound port over Slack's Web API, one client per workspace (see WorkspaceClients).
 *
 * Slack's docs: after an HTTP 429, do not call that method again (in that workspace) until Retry-After
 * has passed. The `once` and `fastFail` clients reject a 429 instead of waiting it out, so the messenger
 * remembers the window of the methods they call (users.info, a direct message's chat.postMessage) and,
 * inside it, fails at once without calling Slack — across sweeps and requests, as long as it is open.
 *
 * A direct message is one chat.postMessage with the person's user id as `channel`: Slack posts it into
 * the bot's DM with them (the App Home's Messages tab) and answers with that DM's `D…` id. No
 * conversations.open first, whose Tier 3 limit is the workspace's (about 50 a minute), so a sweep's
 * first digests to thousands of people are not held to it. Slack's method reference names the user-id
 * form only for the retired workspace apps (https://api.slack.com/scopes/conversations.app_home:create),
 * though bot tokens are widely used so (https://github.com/slack-go/slack/issues/799): if a workspace
 * answers it `channel_not_found`, the DM is opened with conversations.open (im:write) and posted to.
 */
export class SlackMessenger implements SlackPort {
  private readonly users = new LRUCache<string, SlackUser>({ max: MAX_USERS, ttl: USER_TTL_MS });
  /** `addressKey method` → when (ms since the epoch) Slack allows the next call. */
  private readonly rateLimitedUntil = new LRUCache<string, number>({ max: MAX_RATE_LIMITS });
  private readonly now: () => number;

  constructor(
    private readonly clients: WorkspaceClients,
    options: MessengerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async createChannel(workspace: WorkspaceAddress, channel: { name: string; isPrivate: boolean }) {
    const client = await this.client(workspace);
    const created = await slackCall(() =>
      client.conversations.create({ name: channel.name, is_private: channel.isPrivate }),
    );
    if (!created.ok) return created;
    const channelId = created.value.channel?.id;
    return channelId
      ? { ok: true as const, value: { channelId } }
      : { ok: false as const, slackError: 'no_channel_in_response' };
  }

  async inviteToChannel(workspace: WorkspaceAddress, channelId: string, userId: string) {
    const client = await this.client(workspace);
    return voided(await slackCall(() => client.conversations.invite({ channel: channelId, users: userId })));
  }

  async joinChannel(workspace: WorkspaceAddress, channelId: string) {
    const client = await this.client(workspace);
    return voided(await slackCall(() => client.conversations.join({ channel: channelId })));
  }

  async post(workspace: WorkspaceAddress, channelId: string, notice: Notice): Promise<SlackResult<{ ts: string }>> {
    const client = await this.client(workspace);
    return postedTs(await slackCall(() => postNotice(client, channelId, notice)));
  }

  async sendDirect(workspace: WorkspaceAddress, userId: string, notice: Notice): Promise<SlackResult<{ ts: string }>> {
    const client = await this.client(workspace);
    return postedTs(await slackCall(() => postDirect(client, userId, notice)));
  }

  async sendDirectOnce(workspace: WorkspaceAddress, userId: string, notice: Notice): Promise<DeliveryOutcome> {
    const limit = `${addressKey(workspace)} chat.postMessage`;
    const waiting = this.secondsToWait(limit);
    if (waiting > 0) return rateLimitedOutcome(waiting);
    const { once } = await this.clients.clientFor(workspace);
    try {
      const posted = await postDirect(once, userId, notice);
      return { outcome: 'sent', ts: posted.ts ?? '' };
    } catch (error) {
      const failed = deliveryFailure(error);
      if (failed.outcome === 'refused' && failed.rateLimited) this.noteRateLimit(limit, failed.rateLimited);
      return failed;
    }
  }

  /** Seconds left of a Retry-After Slack gave for `limit`, or 0 when calls may go. */
  private secondsToWait(limit: string): number {
    const until = this.rateLimitedUntil.get(limit);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return Math.ceil(left / 1000);
    this.rateLimitedUntil.delete(limit);
    return 0;
  }

  private noteRateLimit(limit: string, rateLimited: { retryAfterSeconds: number }): void {
    this.rateLimitedUntil.set(limit, this.now() + rateLimited.retryAfterSeconds * 1000);
  }

  async tellUser(workspace: WorkspaceAddress, target: { userId: string; channelId: string | null }, notice: Notice) {
    if (target.channelId) {
      const client = await this.client(workspace);
      const channel = target.channelId;
      const shown = await slackCall(() =>
        client.chat.postEphemeral({ channel, user: target.userId, ...renderNotice(notice) }),
      );
      if (shown.ok) return;
    }
    await this.sendDirect(workspace, target.userId, notice);
  }

  async lookupUser(workspace: WorkspaceAddress, userId: string): Promise<SlackUser> {
    const key = `${addressKey(workspace)}:${userId}`;
    const cached = this.users.get(key);
    if (cached) return cached;
    const limit = `${addressKey(workspace)} users.info`;
    const waiting = this.secondsToWait(limit);
    // As Slack would answer inside its Retry-After, without spending a call that it asked us not to make.
    if (waiting > 0) throw new WebAPIRateLimitedError(waiting);
    const { fastFail } = await this.clients.clientFor(workspace);
    let info: Awaited<ReturnType<WebClient['users']['info']>>['user'];
    try {
      info = (await fastFail.users.info({ user: userId })).user;
    } catch (error) {
      if ((error as { code?: string }).code === ErrorCode.RateLimitedError) {
        this.noteRateLimit(limit, { retryAfterSeconds: (error as WebAPIRateLimitedError).retryAfter });
      }
      throw error;
    }
    const user: SlackUser = {
      id: userId,
      name: info?.profile?.display_name || info?.real_name || info?.name || null,
      timeZone: info?.tz || null,
      isGuest: Boolean(info?.is_restricted || info?.is_ultra_restricted),
      isBot: Boolean(info?.is_bot),
      deleted: Boolean(info?.deleted),
      teamId: info?.team_id ?? null,
      enterpriseId: info?.enterprise_user?.enterprise_id ?? null,
    };
    this.users.set(key, user);
    return user;
  }

  async findUser(workspace: WorkspaceAddress, userId: string): Promise<SlackUser | undefined> {
    try {
      return await this.lookupUser(workspace, userId);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === ErrorCode.PlatformError && (error as WebAPIPlatformError).data.error === 'user_not_found') {
        return undefined;
      }
      throw error;
    }
  }

  async isChannelMember(workspace: WorkspaceAddress, channelId: string, userId: string): Promise<boolean> {
    const client = await this.client(workspace);
    let cursor: string | undefined;
    do {
      const page = await client.conversations.members({
        channel: channelId,
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      if (page.members?.includes(userId)) return true;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return false;
  }

  /** conversations.history finds top-level messages; a thread reply is only reachable through conversations.replies. */
  async fetchMessage(workspace: WorkspaceAddress, channelId: string, ts: string): Promise<SlackMessage | undefined> {
    const client = await this.client(workspace);
    const history = await client.conversations.history({ channel: channelId, latest: ts, inclusive: true, limit: 1 });
    let found = (history.messages as RawMessage[] | undefined)?.find((m) => m.ts === ts);
    if (!found) {
      const replies = await slackCall(() => client.conversations.replies({ channel: channelId, ts, limit: 200 }));
      found = replies.ok ? (replies.value.messages as RawMessage[] | undefined)?.find((m) => m.ts === ts) : undefined;
    }
    return found && toSlackMessage(channelId, found);
  }

  /** files.uploadV2 does the three steps of Slack's upload flow; files.upload was shut off in 2025. */
  async uploadFile(
    workspace: WorkspaceAddress,
    channelId: string,
    file: { filename: string; title: string; content: string; comment: string },
  ): Promise<SlackResult<{ fileId: string }>> {
    const client = await this.client(workspace);
    const uploaded = await slackCall(() =>
      client.files.uploadV2({
        channel_id: channelId,
        filename: file.filename,
        title: file.title,
        content: file.content,
        initial_comment: file.comment,
      }),
    );
    if (!uploaded.ok) return uploaded;
    const files = (uploaded.value as { files?: { files?: { id?: string }[] }[] }).files ?? [];
    return { ok: true, value: { fileId: files[0]?.files?.[0]?.id ?? '' } };
  }

  async pushpinCount(workspace: WorkspaceAddress, channelId: string, ts: string): Promise<number> {
    const client = await this.client(workspace);
    const result = await slackCall(() => client.reactions.get({ channel: channelId, timestamp: ts, full: true }));
    if (!result.ok) return 0;
    const reactions = (result.value.message?.reactions ?? []) as { name?: string; count?: number }[];
    return reactions.find((r) => r.name === PUSHPIN)?.count ?? 0;
  }

  private async client(workspace: WorkspaceAddress): Promise<WebClient> {
    return (await this.clients.clientFor(workspace)).standard;
  }
}

interface RawMessage {
  ts?: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
}

/** A Slack message payload as Debrief keeps it; bot posts are attributed to the bot. */
export function toSlackMessage(channelId: string, message: RawMessage): SlackMessage | undefined {
  const author = message.user ?? message.bot_id;
  if (!message.ts || !author) return undefined;
  return {
    channelId,
    ts: message.ts,
    threadTs: message.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : null,
    userId: author,
    text: message.text ?? '',
  };
}

/** Runs a Web API call, turning Slack's `ok:false` answers into values; other failures still throw. */
export async function slackCall<T>(call: () => Promise<T>): Promise<SlackResult<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    const slackError = slackErrorOf(error);
    if (slackError !== undefined) return { ok: false, slackError };
    throw error;
  }
}

/** A direct message to a person, by user id; through their DM channel when Slack refuses the id. */
async function postDirect(client: WebClient, userId: string, notice: Notice): Promise<ChatPostMessageResponse> {
  try {
    return await postNotice(client, userId, notice);
  } catch (error) {
    if (slackErrorOf(error) !== 'channel_not_found') throw error;
    // Nothing was posted: open the DM (Tier 3, im:write) and post there, once.
    let channel: string | undefined;
    try {
      channel = (await client.conversations.open({ users: userId })).channel?.id;
    } catch (openFailure) {
      throw new DmNotOpenedError(userId, openFailure);
    }
    if (!channel) throw error;
    return postNotice(client, channel, notice);
  }
}

/** conversations.open failed, so nothing was posted, whatever the failure (a timeout included). */
class DmNotOpenedError extends Error {
  constructor(
    userId: string,
    readonly failure: unknown,
  ) {
    super(`could not open a DM with ${userId}: ${(failure as Error)?.message ?? String(failure)}`);
    this.name = 'DmNotOpenedError';
  }
}

function postNotice(client: WebClient, channel: string, notice: Notice): Promise<ChatPostMessageResponse> {
  const { blocks, ...message } = renderNotice(notice);
  // The blocks go as the JSON text a form-encoded call carries anyway (WebClient would encode them the
  // same way): given as objects, WebClient first walks every block to build a redacted copy of the call
  // for its debug log, logging on or not, which was about a tenth of a sweep's CPU.
  return client.apiCall('chat.postMessage', {
    channel,
    ...message,
    ...(blocks && { blocks: JSON.stringify(blocks) }),
  });
}

function slackErrorOf(error: unknown): string | undefined {
  if (error instanceof DmNotOpenedError) return slackErrorOf(error.failure);
  return (error as { code?: string }).code === ErrorCode.PlatformError
    ? (error as WebAPIPlatformError).data.error
    : undefined;
}

/** Errors from which the request certainly never reached Slack. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** A failed send-once, as definite (Slack said no, or was never reached) or unknown (it may have arrived). */
function deliveryFailure(error: unknown): Exclude<DeliveryOutcome, { outcome: 'sent' }> {
  if (error instanceof DmNotOpenedError) {
    const failed = deliveryFailure(error.failure);
    return failed.outcome === 'unknown' ? { outcome: 'refused', slackError: `not_opened: ${failed.reason}` } : failed;
  }
  const slackError = slackErrorOf(error);
  if (slackError !== undefined) return { outcome: 'refused', slackError };
  const code = (error as { code?: string }).code;
  if (code === ErrorCode.RateLimitedError) {
    return rateLimitedOutcome((error as WebAPIRateLimitedError).retryAfter);
  }
  if (code === ErrorCode.RequestError) {
    const cause = (error as WebAPIRequestError).original as { code?: string } | undefined;
    if (cause?.code && NOT_SENT_CODES.has(cause.code))
      return { outcome: 'refused', slackError: `unreachable: ${cause.code}` };
    return { outcome: 'unknown', reason: cause?.code ?? 'request failed' };
  }
  if (code === ErrorCode.HTTPError) return { outcome: 'unknown', reason: 'http error' };
  throw error;
}

function rateLimitedOutcome(retryAfterSeconds: number): Extract<DeliveryOutcome, { outcome: 'refused' }> {
  return { outcome: 'refused', slackError: 'ratelimited', rateLimited: { retryAfterSeconds } };
}

function postedTs(result: SlackResult<ChatPostMessageResponse>): SlackResult<{ ts: string }> {
  return result.ok ? { ok: true, value: { ts: result.value.ts ?? '' } } : result;
}

function voided<T>(result: SlackResult<T>): SlackResult<void> {
  return result.ok ? { ok: true, value: undefined } : result;
}
