/**
 * A local stand-in for the Slack Web API, served over real HTTP so that the app's own
 * `@slack/web-api` WebClient (pointed here with `slackApiUrl`) talks to it exactly as it would
 * talk to Slack: form-encoded or JSON bodies, `ok:false` answers with Slack's error codes,
 * HTTP 429 with `Retry-After`, Block Kit limits answered with `invalid_blocks`, trigger ids that
 * expire after 3 s, response URLs that take 5 messages in 30 minutes, the files.uploadV2 flow, and
 * the OAuth v2 code exchange (oauth.v2.access) whose bot tokens then authenticate like the seeded one.
 *
 * It is not a mock of Debrief's functions: it keeps a small workspace (users, channels, messages,
 * views, files) that the API reads and changes, and records every call for assertions.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  type BlockKitViolation,
  formatViolations,
  messageBlocksTooLong,
  truncateMessageText,
  type ViewType,
  validateMessageBlocks,
  validateView,
} from './block-kit-limits';

// ─── Public types ────────────────────────────────────────────────────────────

export type JsonObject = Record<string, unknown>;

export interface SlackStandInOptions {
  teamId: string;
  botToken: string;
  botUserId: string;
  botId: string;
  teamDomain?: string;
  teamName?: string;
  appId?: string;
  botName?: string;
  enterpriseId?: string;
  /** The (deprecated) verification token Slack still puts in request payloads. */
  verificationToken?: string;
  /** The app's OAuth credentials; without them oauth.v2.access answers `invalid_client_id`. */
  clientId?: string;
  clientSecret?: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Clock in epoch milliseconds; tests can move it to expire trigger ids and response URLs. */
  now?: () => number;
}

export interface SeedUser {
  id: string;
  name: string;
  realName?: string;
  /** IANA zone (default `UTC`); `null` for a user with no time zone (Slack then sends no tz fields). */
  tz?: string | null;
  isRestricted?: boolean;
  isUltraRestricted?: boolean;
  isBot?: boolean;
  deleted?: boolean;
  /** A user from another organisation (Slack Connect) has another team id. */
  teamId?: string;
}

export interface SeedChannel {
  id?: string;
  name: string;
  isPrivate?: boolean;
  members?: string[];
  isArchived?: boolean;
  /** Shared with another organisation (Slack Connect). */
  isExtShared?: boolean;
}

export interface SeedMessage {
  user?: string;
  text: string;
  ts?: string;
  threadTs?: string;
  botId?: string;
  blocks?: unknown[];
  /** e.g. `bot_message` for a legacy integration's post (no `user`, a `username` instead). */
  subtype?: string;
  username?: string;
  appId?: string;
}

export interface RecordedCall {
  method: string;
  /** Parsed arguments, token (and an OAuth client secret) removed. */
  args: JsonObject;
  /**
   * Which token the call was made with, never the token itself: `bot token` for the seeded one,
   * `oauth #<n>` for the n-th oauth.v2.access handed out (see credentialOf); absent without a known token.
   */
  credential?: string;
  at: Date;
  status: number;
  response: JsonObject;
}

export interface ChannelMessage {
  ts: string;
  channel: string;
  user?: string;
  botId?: string;
  subtype?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  threadTs?: string;
  edited?: { user: string; ts: string };
  files?: string[];
  reactions: { name: string; users: string[] }[];
}

export interface EphemeralMessage {
  channel: string;
  user: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  at: Date;
  via: 'chat.postEphemeral' | 'response_url';
}

export interface ResponseUrlPost {
  url: string;
  body: unknown;
  at: Date;
  status: number;
  result: JsonObject;
}

export interface RecordedView {
  viewId: string;
  userId?: string;
  view: JsonObject;
  at: Date;
  via: 'views.open' | 'views.push' | 'views.update' | 'views.publish';
}

export interface UploadedFile {
  id: string;
  filename: string;
  title: string;
  content: string;
  bytes: number;
  channelId?: string;
  initialComment?: string;
  threadTs?: string;
  at: Date;
}

export interface FailureSpec {
  /** Slack error code; `ratelimited` answers HTTP 429 with `Retry-After` unless `status` says otherwise. */
  error: 'ratelimited' | (string & {});
  status?: 429 | 500 | 502 | 503 | 200 | 404;
  retryAfterSeconds?: number;
  /** How many consecutive calls fail (default 1). */
  times?: number;
}

/** Who a trigger id belongs to, and from which view it came (views.push stacks on it). */
export interface TriggerContext {
  userId?: string;
  viewId?: string;
}

/** Where a response URL's messages go. */
export interface ResponseUrlContext {
  channelId?: string;
  userId?: string;
  /** The message an interaction came from, for `replace_original` / `delete_original`. */
  messageTs?: string;
  ephemeral?: boolean;
}

/** What a person approved on Slack's authorize page; issueOAuthCode turns it into a code for oauth.v2.access. */
export interface OAuthCodeRequest {
  /** The workspace installing the app: the stand-in's own (the default; it simulates one workspace). */
  teamId?: string;
  /** The person who approved the installation. */
  userId: string;
  /** The bot scopes granted. */
  scopes: readonly string[];
  /** The redirect_uri of the authorize request, if it named one: oauth.v2.access must then send the same. */
  redirectUri?: string;
}

/** Pseudo-method names for failNext/delayNext on the non-API endpoints. */
export const RESPONSE_URL = 'response_url';
export const FILE_UPLOAD = 'files.upload_url';

// ─── Slack errors ────────────────────────────────────────────────────────────

/** An `ok:false` answer: Slack's error code and any extra fields Slack sends with it. */
class SlackError extends Error {
  constructor(
    readonly code: string,
    readonly extra: JsonObject = {},
  ) {
    super(code);
  }
}

function fail(code: string, extra?: JsonObject): never {
  throw new SlackError(code, extra);
}

function invalidArguments(messages: string[]): never {
  fail('invalid_arguments', { response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) } });
}

function invalidBlocks(violations: BlockKitViolation[]): never {
  const errors = formatViolations(violations);
  fail('invalid_blocks', { errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } });
}

// ─── Timestamps and ids ──────────────────────────────────────────────────────

const TS_PATTERN = /^(\d{1,12})(?:\.(\d{1,6}))?$/;

/** A Slack ts as microseconds, for exact ordering (floats lose the last digits). */
function tsKey(ts: string): bigint | undefined {
  const match = TS_PATTERN.exec(ts);
  if (!match) return undefined;
  return BigInt(match[1]!) * 1_000_000n + BigInt((match[2] ?? '').padEnd(6, '0'));
}

function formatTs(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  return `${seconds}.${String(micros % 1_000_000n).padStart(6, '0')}`;
}

function compareTs(a: string, b: string): number {
  const ka = tsKey(a) ?? 0n;
  const kb = tsKey(b) ?? 0n;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function encodeCursor(offset: number): string {
  return Buffer.from(`next:${offset}`).toString('base64');
}

function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const match = /^next:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match) fail('invalid_cursor');
  return Number(match[1]);
}

/** One page of a list, with Slack's `response_metadata.next_cursor` ('' on the last page). */
function paginate<T>(items: T[], cursor: string | undefined, limit: number): { page: T[]; nextCursor: string } {
  const offset = decodeCursor(cursor);
  const page = items.slice(offset, offset + limit);
  const next = offset + limit;
  return { page, nextCursor: next < items.length ? encodeCursor(next) : '' };
}

// ─── Time zones ──────────────────────────────────────────────────────────────

/** Offset of a zone from UTC at one instant, in seconds (what Slack's `tz_offset` holds for today). */
function zoneOffsetSeconds(zone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wallClock = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return Math.round((wallClock - Math.floor(at.getTime() / 1000) * 1000) / 1000);
}

function zoneLabel(zone: string, at: Date): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'long' }).formatToParts(at);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
}

// ─── Workspace state ─────────────────────────────────────────────────────────

interface Config {
  teamId: string;
  teamDomain: string;
  teamName: string;
  appId: string;
  botToken: string;
  botUserId: string;
  botId: string;
  botName: string;
  enterpriseId?: string;
  verificationToken: string;
  clientId?: string;
  clientSecret?: string;
}

interface OAuthCodeRecord {
  userId: string;
  scopes: string[];
  redirectUri?: string;
  issuedAt: number;
  used: boolean;
}

/** A bot token handed out by oauth.v2.access. */
interface IssuedTokenRecord {
  /** `oauth #<n>`, what recordings show instead of the token. */
  label: string;
  installerId: string;
  scopes: string[];
  revoked: boolean;
}

interface UserRecord {
  id: string;
  name: string;
  realName: string;
  tz: string | null;
  isRestricted: boolean;
  isUltraRestricted: boolean;
  isBot: boolean;
  deleted: boolean;
  teamId: string;
  botId?: string;
}

interface ChannelRecord {
  id: string;
  name: string;
  kind: 'channel' | 'im' | 'mpim';
  isPrivate: boolean;
  isArchived: boolean;
  isExtShared: boolean;
  members: Set<string>;
  created: number;
  creator: string;
  /** For an IM: the user on the other side of the bot. */
  imUser?: string;
}

interface MessageRecord {
  ts: string;
  channel: string;
  user?: string;
  botId?: string;
  appId?: string;
  username?: string;
  subtype?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  threadTs?: string;
  edited?: { user: string; ts: string };
  reactions: Map<string, string[]>;
  files?: string[];
}

interface ViewRecord {
  id: string;
  type: ViewType;
  userId?: string;
  input: JsonObject;
  hash: string;
  externalId: string;
  rootViewId: string;
  previousViewId: string | null;
}

interface TriggerRecord {
  issuedAt: number;
  used: boolean;
  context: TriggerContext;
}

interface ResponseUrlRecord {
  createdAt: number;
  uses: number;
  context: ResponseUrlContext;
}

interface FileRecord {
  id: string;
  ticket: string;
  filename: string;
  title: string;
  length: number;
  content?: Buffer;
  completed: boolean;
  created: number;
  channels: string[];
}

interface StoredEphemeral extends EphemeralMessage {
  deleted: boolean;
}

/** What Slack knows: users, channels, messages, views, files, and the short-lived ids it issued. */
class Workspace {
  readonly users = new Map<string, UserRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, MessageRecord[]>();
  readonly views = new Map<string, ViewRecord>();
  readonly homes = new Map<string, string>();
  readonly triggers = new Map<string, TriggerRecord>();
  readonly responseUrls = new Map<string, ResponseUrlRecord>();
  readonly files = new Map<string, FileRecord>();
  readonly oauthCodes = new Map<string, OAuthCodeRecord>();
  readonly issuedTokens = new Map<string, IssuedTokenRecord>();
  readonly ephemerals: StoredEphemeral[] = [];
  readonly openedViews: RecordedView[] = [];
  readonly publishedHomes: RecordedView[] = [];
  readonly uploadedFiles: UploadedFile[] = [];
  baseUrl = 'http://127.0.0.1/';
  private lastTs = 0n;
  private idCounter = 0;

  constructor(
    readonly config: Config,
    readonly now: () => number,
  ) {}

  // ids and timestamps

  /** A fresh ts, strictly greater than every ts seen so far. */
  nextTs(): string {
    const candidate = BigInt(Math.floor(this.now())) * 1000n;
    this.lastTs = candidate > this.lastTs ? candidate : this.lastTs + 1n;
    return formatTs(this.lastTs);
  }

  noteTs(ts: string): void {
    const key = tsKey(ts);
    if (key !== undefined && key > this.lastTs) this.lastTs = key;
  }

  newId(prefix: string, taken: (id: string) => boolean = () => false): string {
    let id: string;
    do {
      this.idCounter += 1;
      id = `${prefix}${this.idCounter.toString(36).toUpperCase().padStart(8, '0')}`;
    } while (taken(id));
    return id;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  // users

  requireUser(id: unknown): UserRecord {
    const user = typeof id === 'string' ? this.users.get(id) : undefined;
    return user ?? fail('user_not_found');
  }

  // channels

  botIsMember(channel: ChannelRecord): boolean {
    return channel.members.has(this.config.botUserId);
  }

  /** A channel the bot can see: private channels and DMs only when it is in them. */
  visibleChannel(id: unknown): ChannelRecord {
    const channel = typeof id === 'string' ? this.channels.get(id) : undefined;
    if (!channel) fail('channel_not_found');
    if ((channel.isPrivate || channel.kind !== 'channel') && !this.botIsMember(channel)) fail('channel_not_found');
    return channel;
  }

  /** Reading or posting needs membership; a public channel the bot is not in answers `not_in_channel`. */
  memberChannel(id: unknown): ChannelRecord {
    const channel = this.visibleChannel(id);
    if (!this.botIsMember(channel)) fail('not_in_channel');
    return channel;
  }

  channelByName(name: string): ChannelRecord | undefined {
    return [...this.channels.values()].find((c) => c.kind === 'channel' && c.name === name);
  }

  addChannelRecord(record: ChannelRecord): ChannelRecord {
    this.channels.set(record.id, record);
    this.messages.set(record.id, []);
    return record;
  }

  /** The bot's DM with a user, opened on first use. */
  dmWith(user: UserRecord): { channel: ChannelRecord; alreadyOpen: boolean } {
    const existing = [...this.channels.values()].find((c) => c.kind === 'im' && c.imUser === user.id);
    if (existing) return { channel: existing, alreadyOpen: true };
    const channel = this.addChannelRecord({
      id: this.newId('D', (id) => this.channels.has(id)),
      name: user.id,
      kind: 'im',
      isPrivate: true,
      isArchived: false,
      isExtShared: false,
      members: new Set([user.id, this.config.botUserId]),
      created: this.nowSeconds(),
      creator: this.config.botUserId,
      imUser: user.id,
    });
    return { channel, alreadyOpen: false };
  }

  // messages

  messagesOf(channelId: string): MessageRecord[] {
    return this.messages.get(channelId) ?? [];
  }

  findMessage(channelId: string, ts: unknown): MessageRecord | undefined {
    return typeof ts === 'string' ? this.messagesOf(channelId).find((m) => m.ts === ts) : undefined;
  }

  insertMessage(message: MessageRecord): MessageRecord {
    const list = this.messagesOf(message.channel);
    if (list.some((m) => m.ts === message.ts)) throw new Error(`a message with ts ${message.ts} already exists`);
    list.push(message);
    list.sort((a, b) => compareTs(a.ts, b.ts));
    this.noteTs(message.ts);
    return message;
  }

  repliesTo(message: MessageRecord): MessageRecord[] {
    return this.messagesOf(message.channel).filter((m) => m.threadTs === message.ts && m.ts !== message.ts);
  }

  isBotMessage(message: MessageRecord): boolean {
    return message.user === this.config.botUserId || message.botId === this.config.botId;
  }

  /** A message posted by our bot (chat.postMessage, response URLs, file shares). */
  postAsBot(channel: ChannelRecord, content: MessageContent & { threadTs?: string; files?: string[] }): MessageRecord {
    return this.insertMessage({
      ts: this.nextTs(),
      channel: channel.id,
      user: this.config.botUserId,
      botId: this.config.botId,
      appId: this.config.appId,
      text: content.text,
      ...(content.blocks !== undefined && { blocks: content.blocks }),
      ...(content.attachments !== undefined && { attachments: content.attachments }),
      ...(content.threadTs !== undefined && { threadTs: content.threadTs }),
      ...(content.files !== undefined && { files: content.files }),
      reactions: new Map(),
    });
  }

  deleteMessage(message: MessageRecord): void {
    const list = this.messagesOf(message.channel);
    const replies = this.repliesTo(message);
    const index = list.indexOf(message);
    if (index < 0) return;
    if (replies.length > 0) {
      // Slack keeps a thread's parent as a tombstone so the replies still hang somewhere.
      list[index] = { ...message, subtype: 'tombstone', text: 'This message was deleted.', blocks: undefined };
    } else list.splice(index, 1);
  }

  permalink(message: MessageRecord): string {
    const base = `https://${this.config.teamDomain}.slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}`;
    return message.threadTs && message.threadTs !== message.ts
      ? `${base}?thread_ts=${message.threadTs}&cid=${message.channel}`
      : base;
  }

  // views

  storeView(input: JsonObject, userId: string | undefined, previous?: ViewRecord): ViewRecord {
    const id = this.newId('V', (candidate) => this.views.has(candidate));
    const record: ViewRecord = {
      id,
      type: input.type as ViewType,
      ...(userId !== undefined && { userId }),
      input,
      hash: this.newViewHash(),
      externalId: typeof input.external_id === 'string' ? input.external_id : '',
      rootViewId: previous?.rootViewId ?? id,
      previousViewId: previous?.id ?? null,
    };
    this.views.set(id, record);
    return record;
  }

  newViewHash(): string {
    return `${this.nowSeconds()}.${randomHex(4)}`;
  }

  viewDepth(view: ViewRecord): number {
    let depth = 1;
    let current = view;
    while (current.previousViewId !== null) {
      const previous = this.views.get(current.previousViewId);
      if (!previous) break;
      depth += 1;
      current = previous;
    }
    return depth;
  }

  // triggers

  issueTrigger(context: TriggerContext): string {
    const id = `${this.nowSeconds()}${String(this.idCounter++).padStart(3, '0')}.${this.teamNumber()}.${randomHex(16)}`;
    this.triggers.set(id, { issuedAt: this.now(), used: false, context });
    return id;
  }

  /** views.open / views.push: a trigger id is single-use and good for 3 seconds. */
  consumeTrigger(triggerId: unknown): TriggerRecord {
    if (typeof triggerId !== 'string' || triggerId === '') invalidArguments(['missing required field: trigger_id']);
    const trigger = this.triggers.get(triggerId);
    if (!trigger) fail('invalid_trigger_id');
    if (trigger.used) fail('exchanged_trigger_id');
    if (this.now() - trigger.issuedAt > 3000) fail('expired_trigger_id');
    trigger.used = true;
    return trigger;
  }

  teamNumber(): string {
    return String(Number.parseInt(this.config.teamId.replace(/\W/g, '').slice(1), 36) || 1);
  }
}

// ─── JSON shapes (as Slack answers) ──────────────────────────────────────────

function userJson(ws: Workspace, user: UserRecord): JsonObject {
  const at = new Date(ws.now());
  const tzFields =
    user.tz === null
      ? {}
      : { tz: user.tz, tz_label: zoneLabel(user.tz, at), tz_offset: zoneOffsetSeconds(user.tz, at) };
  return {
    id: user.id,
    team_id: user.teamId,
    name: user.name,
    deleted: user.deleted,
    color: '9f69e7',
    real_name: user.realName,
    ...tzFields,
    profile: {
      real_name: user.realName,
      real_name_normalized: user.realName,
      display_name: user.name,
      display_name_normalized: user.name,
      avatar_hash: 'g0000000000',
      status_text: '',
      status_emoji: '',
      team: user.teamId,
      ...(user.botId !== undefined && { bot_id: user.botId, api_app_id: ws.config.appId, always_active: true }),
    },
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: user.isRestricted,
    is_ultra_restricted: user.isUltraRestricted,
    is_bot: user.isBot,
    is_app_user: false,
    updated: ws.nowSeconds(),
  };
}

function channelJson(ws: Workspace, channel: ChannelRecord, withMemberCount = false): JsonObject {
  if (channel.kind === 'im') {
    return {
      id: channel.id,
      created: channel.created,
      is_archived: false,
      is_im: true,
      is_org_shared: false,
      context_team_id: ws.config.teamId,
      user: channel.imUser,
      is_user_deleted: ws.users.get(channel.imUser ?? '')?.deleted ?? false,
      priority: 0,
    };
  }
  const blank = { value: '', creator: '', last_set: 0 };
  return {
    id: channel.id,
    name: channel.name,
    is_channel: channel.kind === 'channel',
    is_group: false,
    is_im: false,
    is_mpim: channel.kind === 'mpim',
    is_private: channel.isPrivate,
    created: channel.created,
    creator: channel.creator,
    is_archived: channel.isArchived,
    is_general: false,
    unlinked: 0,
    name_normalized: channel.name,
    is_shared: channel.isExtShared,
    is_ext_shared: channel.isExtShared,
    is_org_shared: false,
    pending_shared: [],
    is_pending_ext_shared: false,
    is_member: ws.botIsMember(channel),
    context_team_id: ws.config.teamId,
    updated: channel.created * 1000,
    topic: blank,
    purpose: blank,
    previous_names: [],
    ...(withMemberCount && { num_members: channel.members.size }),
  };
}

function botProfile(ws: Workspace): JsonObject {
  return {
    id: ws.config.botId,
    app_id: ws.config.appId,
    name: ws.config.botName,
    deleted: false,
    updated: 1_700_000_000,
    team_id: ws.config.teamId,
    icons: { image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png' },
  };
}

function messageJson(ws: Workspace, message: MessageRecord): JsonObject {
  const replies = ws.repliesTo(message);
  const parent = message.threadTs !== undefined && message.threadTs !== message.ts;
  const replyUsers = [...new Set(replies.map((r) => r.user).filter((u): u is string => u !== undefined))];
  return {
    type: 'message',
    ...(message.subtype !== undefined && { subtype: message.subtype }),
    text: message.text,
    ...(message.user !== undefined && { user: message.user }),
    ...(message.botId !== undefined && { bot_id: message.botId }),
    ...(message.appId !== undefined && { app_id: message.appId }),
    ...(message.username !== undefined && { username: message.username }),
    ...(message.botId === ws.config.botId && { bot_profile: botProfile(ws) }),
    ts: message.ts,
    team: ws.config.teamId,
    ...(message.blocks !== undefined && { blocks: message.blocks }),
    ...(message.attachments !== undefined && { attachments: message.attachments }),
    ...(message.edited !== undefined && { edited: message.edited }),
    ...(parent && {
      thread_ts: message.threadTs,
      parent_user_id: ws.findMessage(message.channel, message.threadTs)?.user,
    }),
    ...(replies.length > 0 && {
      thread_ts: message.ts,
      reply_count: replies.length,
      reply_users_count: replyUsers.length,
      latest_reply: replies[replies.length - 1]!.ts,
      reply_users: replyUsers,
    }),
    ...(message.files !== undefined && {
      files: message.files.map((id) => fileJson(ws, ws.files.get(id)!)),
      upload: true,
      display_as_bot: false,
    }),
    ...(message.reactions.size > 0 && { reactions: reactionsJson(message) }),
  };
}

function reactionsJson(message: MessageRecord): JsonObject[] {
  return [...message.reactions].map(([name, users]) => ({ name, users, count: users.length }));
}

function viewJson(ws: Workspace, view: ViewRecord): JsonObject {
  const input = view.input;
  const modalFields =
    view.type === 'modal'
      ? { title: input.title, submit: input.submit ?? null, close: input.close ?? null }
      : { ...(input.title !== undefined && { title: input.title }) };
  return {
    id: view.id,
    team_id: ws.config.teamId,
    type: view.type,
    ...modalFields,
    blocks: input.blocks ?? [],
    private_metadata: input.private_metadata ?? '',
    callback_id: input.callback_id ?? '',
    external_id: view.externalId,
    state: { values: {} },
    hash: view.hash,
    clear_on_close: input.clear_on_close ?? false,
    notify_on_close: input.notify_on_close ?? false,
    previous_view_id: view.previousViewId,
    root_view_id: view.rootViewId,
    app_id: ws.config.appId,
    app_installed_team_id: ws.config.teamId,
    bot_id: ws.config.botId,
  };
}

const FILE_TYPES: Record<string, { filetype: string; mimetype: string; pretty: string }> = {
  md: { filetype: 'markdown', mimetype: 'text/plain', pretty: 'Markdown (raw)' },
  ics: { filetype: 'text', mimetype: 'text/calendar', pretty: 'Plain Text' },
  json: { filetype: 'json', mimetype: 'application/json', pretty: 'JSON' },
  csv: { filetype: 'csv', mimetype: 'text/csv', pretty: 'CSV' },
};

function fileJson(ws: Workspace, file: FileRecord): JsonObject {
  const extension = file.filename.includes('.') ? file.filename.split('.').pop()!.toLowerCase() : '';
  const type = FILE_TYPES[extension] ?? { filetype: 'text', mimetype: 'text/plain', pretty: 'Plain Text' };
  const privateUrl = `https://files.slack.com/files-pri/${ws.config.teamId}-${file.id}/${encodeURIComponent(file.filename)}`;
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.filename,
    title: file.title,
    mimetype: type.mimetype,
    filetype: type.filetype,
    pretty_type: type.pretty,
    user: ws.config.botUserId,
    user_team: ws.config.teamId,
    editable: true,
    size: file.content?.length ?? file.length,
    mode: 'snippet',
    is_external: false,
    external_type: '',
    is_public: file.channels.some((id) => ws.channels.get(id)?.kind === 'channel' && !ws.channels.get(id)?.isPrivate),
    public_url_shared: false,
    display_as_bot: false,
    username: '',
    url_private: privateUrl,
    url_private_download: privateUrl.replace('/files-pri/', '/files-pri/download/'),
    permalink: `https://${ws.config.teamDomain}.slack.com/files/${ws.config.botUserId}/${file.id}/${file.filename}`,
    comments_count: 0,
    is_starred: false,
    channels: file.channels.filter((id) => ws.channels.get(id)?.kind === 'channel'),
    groups: [],
    ims: file.channels.filter((id) => ws.channels.get(id)?.kind === 'im'),
    has_rich_preview: false,
    file_access: 'visible',
  };
}

// ─── Argument parsing ────────────────────────────────────────────────────────

/** Arguments that arrive JSON-encoded in a form body (the WebClient stringifies every non-scalar). */
const JSON_ARGUMENTS: Record<string, string> = {
  blocks: 'invalid_blocks_format',
  attachments: 'invalid_attachments',
  view: 'invalid_arguments',
  files: 'invalid_arguments',
  metadata: 'invalid_metadata_format',
};

const optionalString = z.string().optional();
const flag = z
  .union([z.boolean(), z.string(), z.number()])
  .optional()
  .transform((value) => value === true || value === 'true' || value === '1' || value === 1);
const optionalInt = z
  .union([z.number(), z.string()])
  .optional()
  .transform((value, context) => {
    if (value === undefined || value === '') return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed)) {
      context.addIssue({ code: 'custom', message: 'must be an integer' });
      return z.NEVER;
    }
    return parsed;
  });
const jsonValue = z.unknown().optional();

function zodMessages(error: z.ZodError, args: JsonObject): string[] {
  return error.issues.map((issue) => {
    const key = issue.path.join('/');
    const missing = issue.path.length === 1 && args[String(issue.path[0])] === undefined;
    return missing ? `missing required field: ${key}` : `${issue.message} [json-pointer:/${key}]`;
  });
}

// ─── Message content (chat.* and response URLs) ──────────────────────────────

interface MessageContent {
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

/** Text, blocks and attachments as Slack accepts them: at least one, blocks within limits, text truncated. */
function messageContent(args: { text?: string; blocks?: unknown; attachments?: unknown }): MessageContent {
  const { text, blocks, attachments } = args;
  if (blocks !== undefined && !Array.isArray(blocks)) fail('invalid_blocks_format');
  if (attachments !== undefined && !Array.isArray(attachments)) fail('invalid_attachments');
  if ((text === undefined || text === '') && !blocks?.length && !attachments?.length) fail('no_text');
  if (blocks !== undefined) {
    const violations = validateMessageBlocks(blocks);
    if (violations.length > 0) invalidBlocks(violations);
    if (messageBlocksTooLong(blocks)) fail('msg_blocks_too_long');
  }
  return {
    text: truncateMessageText(text ?? ''),
    ...(blocks !== undefined && { blocks: withBlockIds(blocks) }),
    ...(attachments !== undefined && { attachments }),
  };
}

/** Slack gives every stored block a block_id, generating a short random one where the app set none. */
function withBlockIds(blocks: unknown[]): unknown[] {
  return blocks.map((block) =>
    typeof block === 'object' && block !== null && !('block_id' in block)
      ? { ...block, block_id: randomBytes(3).toString('base64') }
      : block,
  );
}

function checkView(view: unknown, allowed: readonly ViewType[]): JsonObject {
  if (view === undefined) invalidArguments(['missing required field: view']);
  const violations = validateView(view, allowed);
  if (violations.length > 0) invalidArguments(formatViolations(violations));
  const input = view as JsonObject;
  return Array.isArray(input.blocks) ? { ...input, blocks: withBlockIds(input.blocks) } : input;
}

// ─── API methods ─────────────────────────────────────────────────────────────

type Handler<A> = (ws: Workspace, args: A) => JsonObject;

interface MethodSpec {
  schema: z.ZodType<unknown, JsonObject>;
  handle: Handler<unknown>;
}

function method<S extends z.ZodType<unknown, JsonObject>>(schema: S, handle: Handler<z.output<S>>): MethodSpec {
  return { schema, handle: handle as Handler<unknown> };
}

const channelArgs = z.object({ channel: optionalString });

function authTest(ws: Workspace): JsonObject {
  const { config } = ws;
  return {
    url: `https://${config.teamDomain}.slack.com/`,
    team: config.teamName,
    user: config.botName,
    team_id: config.teamId,
    user_id: config.botUserId,
    bot_id: config.botId,
    ...(config.enterpriseId !== undefined && { enterprise_id: config.enterpriseId }),
    is_enterprise_install: false,
  };
}

function usersInfo(ws: Workspace, args: { user?: string }): JsonObject {
  return { user: userJson(ws, ws.requireUser(args.user)) };
}

const CHANNEL_NAME_MAX = 80;

function checkChannelName(name: string | undefined): string {
  if (name === undefined || name === '') fail('invalid_name_required');
  if (name.length > CHANNEL_NAME_MAX) fail('invalid_name_maxlength');
  if (!/^[a-z0-9_-]+$/.test(name)) fail('invalid_name_specials');
  if (/^[-_]+$/.test(name)) fail('invalid_name_punctuation');
  return name;
}

function conversationsCreate(ws: Workspace, args: { name?: string; is_private: boolean }): JsonObject {
  const name = checkChannelName(args.name);
  if (ws.channelByName(name)) fail('name_taken');
  const channel = ws.addChannelRecord({
    id: ws.newId('C', (id) => ws.channels.has(id)),
    name,
    kind: 'channel',
    isPrivate: args.is_private,
    isArchived: false,
    isExtShared: false,
    members: new Set([ws.config.botUserId]),
    created: ws.nowSeconds(),
    creator: ws.config.botUserId,
  });
  return { channel: { ...channelJson(ws, channel), last_read: '0000000000.000000', latest: null, unread_count: 0 } };
}

/**
 * Slack invites all or nothing: an unknown user (or the bot itself) fails the call unless `force`;
 * users already in are skipped, and only when every user is already in does it answer `already_in_channel`.
 */
function conversationsInvite(ws: Workspace, args: { channel?: string; users?: string; force: boolean }): JsonObject {
  const channel = ws.visibleChannel(args.channel);
  if (channel.kind !== 'channel') fail('method_not_supported_for_channel_type');
  if (channel.isArchived) fail('is_archived');
  if (!ws.botIsMember(channel)) fail('not_in_channel');
  const ids = (args.users ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length === 0) fail('no_user');
  const problems = ids.map((id) => ({ id, error: inviteProblem(ws, channel, id) }));
  const blocking = problems.filter((p) => p.error !== undefined && p.error !== 'already_in_channel');
  const perUser = (list: typeof problems) => list.map((p) => ({ user: p.id, ok: false, error: p.error }));
  if (blocking.length > 0 && !args.force) fail(blocking[0]!.error!, { errors: perUser(blocking) });
  const invitable = problems.filter((p) => p.error === undefined);
  if (invitable.length === 0) fail(problems[0]!.error!, { errors: perUser(problems) });
  for (const { id } of invitable) channel.members.add(id);
  return { channel: channelJson(ws, channel), ...(blocking.length > 0 && { errors: perUser(blocking) }) };
}

function inviteProblem(ws: Workspace, channel: ChannelRecord, userId: string): string | undefined {
  if (userId === ws.config.botUserId) return 'cant_invite_self';
  const user = ws.users.get(userId);
  if (!user || user.deleted) return 'user_not_found';
  if (channel.members.has(userId)) return 'already_in_channel';
  return undefined;
}

function conversationsJoin(ws: Workspace, args: { channel?: string }): JsonObject {
  const channel = ws.channels.get(args.channel ?? '') ?? fail('channel_not_found');
  if (channel.kind !== 'channel' || channel.isPrivate) {
    if (!ws.botIsMember(channel)) fail('channel_not_found');
    fail('method_not_supported_for_channel_type');
  }
  if (channel.isArchived) fail('is_archived');
  if (ws.botIsMember(channel)) {
    const warning = 'already_in_channel';
    return { channel: channelJson(ws, channel), warning, response_metadata: { warnings: [warning] } };
  }
  channel.members.add(ws.config.botUserId);
  return { channel: channelJson(ws, channel) };
}

function conversationsInfo(ws: Workspace, args: { channel?: string; include_num_members: boolean }): JsonObject {
  return { channel: channelJson(ws, ws.visibleChannel(args.channel), args.include_num_members) };
}

function conversationsMembers(ws: Workspace, args: { channel?: string; cursor?: string; limit?: number }): JsonObject {
  const channel = ws.visibleChannel(args.channel);
  const limit = args.limit ?? 100;
  if (limit < 1 || limit > 1000) fail('invalid_limit');
  const { page, nextCursor } = paginate([...channel.members], args.cursor, limit);
  return { members: page, response_metadata: { next_cursor: nextCursor } };
}

interface RangeArgs {
  latest?: string;
  oldest?: string;
  inclusive: boolean;
  limit?: number;
  cursor?: string;
}

/** latest/oldest/inclusive as Slack applies them: exclusive bounds unless `inclusive`. */
function inRange(args: RangeArgs): (message: MessageRecord) => boolean {
  const latest = args.latest === undefined || args.latest === '' ? undefined : tsKey(args.latest);
  const oldest = args.oldest === undefined || args.oldest === '' ? 0n : tsKey(args.oldest);
  if (args.latest && latest === undefined) fail('invalid_ts_latest');
  if (oldest === undefined) fail('invalid_ts_oldest');
  return (message) => {
    const key = tsKey(message.ts) ?? 0n;
    const belowLatest = latest === undefined || (args.inclusive ? key <= latest : key < latest);
    return belowLatest && (args.inclusive ? key >= oldest : key > oldest);
  };
}

function pageOfMessages(ws: Workspace, messages: MessageRecord[], args: RangeArgs, maxLimit: number): JsonObject {
  const limit = Math.min(args.limit ?? 100, maxLimit);
  if (limit < 1) fail('invalid_limit');
  const { page, nextCursor } = paginate(messages, args.cursor, limit);
  return {
    messages: page.map((m) => messageJson(ws, m)),
    has_more: nextCursor !== '',
    ...(nextCursor !== '' && { response_metadata: { next_cursor: nextCursor } }),
  };
}

const rangeArgs = {
  latest: optionalString,
  oldest: optionalString,
  inclusive: flag,
  limit: optionalInt,
  cursor: optionalString,
};

function conversationsHistory(ws: Workspace, args: RangeArgs & { channel?: string }): JsonObject {
  const channel = ws.memberChannel(args.channel);
  const inWindow = inRange(args);
  const topLevel = ws
    .messagesOf(channel.id)
    .filter((m) => m.threadTs === undefined || m.threadTs === m.ts)
    .filter(inWindow)
    .reverse();
  return { ...pageOfMessages(ws, topLevel, args, 999), pin_count: 0 };
}

function conversationsReplies(ws: Workspace, args: RangeArgs & { channel?: string; ts?: string }): JsonObject {
  const channel = ws.memberChannel(args.channel);
  const message = ws.findMessage(channel.id, args.ts) ?? fail('thread_not_found');
  const root = ws.findMessage(channel.id, message.threadTs ?? message.ts) ?? fail('thread_not_found');
  const inWindow = inRange(args);
  const thread = [root, ...ws.repliesTo(root).filter(inWindow)];
  return pageOfMessages(ws, thread, args, 1000);
}

function conversationsOpen(ws: Workspace, args: { users?: string; channel?: string; return_im: boolean }): JsonObject {
  if (args.channel !== undefined) return { channel: { id: ws.visibleChannel(args.channel).id } };
  const ids = (args.users ?? '').split(',').filter((id) => id !== '');
  if (ids.length === 0) fail('users_list_not_supplied');
  if (ids.length > 8) fail('too_many_users');
  const users = ids.map((id) => ws.requireUser(id));
  if (users.some((u) => u.deleted)) fail('user_disabled');
  if (users.length > 1) return { channel: { id: openGroupDm(ws, users).id } };
  const { channel, alreadyOpen } = ws.dmWith(users[0]!);
  const body = args.return_im ? channelJson(ws, channel) : { id: channel.id };
  return alreadyOpen ? { no_op: true, already_open: true, channel: body } : { channel: body };
}

function openGroupDm(ws: Workspace, users: UserRecord[]): ChannelRecord {
  const members = new Set([ws.config.botUserId, ...users.map((u) => u.id)]);
  const sameMembers = (c: ChannelRecord) =>
    c.kind === 'mpim' && c.members.size === members.size && [...members].every((m) => c.members.has(m));
  const existing = [...ws.channels.values()].find(sameMembers);
  if (existing) return existing;
  const names = users.map((u) => u.name).join('--');
  return ws.addChannelRecord({
    id: ws.newId('G', (id) => ws.channels.has(id)),
    name: `mpdm-${ws.config.botName}--${names}-1`,
    kind: 'mpim',
    isPrivate: true,
    isArchived: false,
    isExtShared: false,
    members,
    created: ws.nowSeconds(),
    creator: ws.config.botUserId,
  });
}

/** chat.postMessage takes a channel id, a `#name`, or a user id (the bot's DM with that user). */
function resolvePostTarget(ws: Workspace, target: string | undefined): ChannelRecord {
  if (target === undefined || target === '') fail('channel_not_found');
  if (/^[UW]/.test(target) && ws.users.has(target)) return ws.dmWith(ws.requireUser(target)).channel;
  const byName = target.startsWith('#') ? ws.channelByName(target.slice(1)) : undefined;
  const channel = byName ?? ws.channels.get(target) ?? ws.channelByName(target) ?? fail('channel_not_found');
  return ws.visibleChannel(channel.id);
}

const contentArgs = { text: optionalString, blocks: jsonValue, attachments: jsonValue };

interface PostArgs {
  channel?: string;
  text?: string;
  blocks?: unknown;
  attachments?: unknown;
  thread_ts?: string;
}

function chatPostMessage(ws: Workspace, args: PostArgs): JsonObject {
  const channel = resolvePostTarget(ws, args.channel);
  if (channel.isArchived) fail('is_archived');
  if (!ws.botIsMember(channel)) fail('not_in_channel');
  const content = messageContent(args);
  const threadTs = args.thread_ts === '' ? undefined : args.thread_ts;
  const message = ws.postAsBot(channel, { ...content, ...(threadTs !== undefined && { threadTs }) });
  return { channel: channel.id, ts: message.ts, message: messageJson(ws, message) };
}

function chatPostEphemeral(ws: Workspace, args: PostArgs & { user?: string }): JsonObject {
  const channel = ws.visibleChannel(args.channel);
  if (channel.isArchived) fail('is_archived');
  if (!ws.botIsMember(channel)) fail('not_in_channel');
  const user = ws.requireUser(args.user);
  if (!channel.members.has(user.id)) fail('user_not_in_channel');
  const content = messageContent(args);
  const ts = ws.nextTs();
  ws.ephemerals.push({
    channel: channel.id,
    user: user.id,
    ts,
    ...content,
    ...(args.thread_ts !== undefined && args.thread_ts !== '' && { threadTs: args.thread_ts }),
    at: new Date(ws.now()),
    via: 'chat.postEphemeral',
    deleted: false,
  });
  return { message_ts: ts };
}

function chatUpdate(ws: Workspace, args: PostArgs & { ts?: string }): JsonObject {
  const channel = ws.visibleChannel(args.channel);
  const message = ws.findMessage(channel.id, args.ts) ?? fail('message_not_found');
  if (!ws.isBotMessage(message)) fail('cant_update_message');
  // Slack keeps the previous text or blocks when an update leaves them out.
  const content = messageContent({
    text: args.text ?? message.text,
    blocks: args.blocks ?? message.blocks,
    attachments: args.attachments ?? message.attachments,
  });
  message.text = content.text;
  message.blocks = content.blocks;
  message.attachments = content.attachments;
  message.edited = { user: ws.config.botUserId, ts: ws.nextTs() };
  return { channel: channel.id, ts: message.ts, text: message.text, message: messageJson(ws, message) };
}

function chatDelete(ws: Workspace, args: { channel?: string; ts?: string }): JsonObject {
  const channel = ws.visibleChannel(args.channel);
  const message = ws.findMessage(channel.id, args.ts) ?? fail('message_not_found');
  if (!ws.isBotMessage(message)) fail('cant_delete_message');
  ws.deleteMessage(message);
  return { channel: channel.id, ts: message.ts };
}

function chatGetPermalink(ws: Workspace, args: { channel?: string; message_ts?: string }): JsonObject {
  const channel = ws.visibleChannel(args.channel);
  const message = ws.findMessage(channel.id, args.message_ts) ?? fail('message_not_found');
  return { channel: channel.id, permalink: ws.permalink(message) };
}

function reactionsGet(ws: Workspace, args: { channel?: string; timestamp?: string }): JsonObject {
  if (args.channel === undefined || args.timestamp === undefined) fail('no_item_specified');
  if (tsKey(args.timestamp) === undefined) fail('bad_timestamp');
  const channel = ws.visibleChannel(args.channel);
  const message = ws.findMessage(channel.id, args.timestamp) ?? fail('message_not_found');
  const json = messageJson(ws, message);
  return {
    type: 'message',
    channel: channel.id,
    message: { ...json, reactions: reactionsJson(message), permalink: ws.permalink(message) },
  };
}

function recordView(ws: Workspace, list: RecordedView[], view: ViewRecord, via: RecordedView['via']): JsonObject {
  const json = viewJson(ws, view);
  list.push({ viewId: view.id, ...(view.userId && { userId: view.userId }), view: json, at: new Date(ws.now()), via });
  return json;
}

function viewsOpen(ws: Workspace, args: { trigger_id?: string; view?: unknown }): JsonObject {
  const input = checkView(args.view, ['modal']);
  const trigger = ws.consumeTrigger(args.trigger_id);
  const view = ws.storeView(input, trigger.context.userId);
  return { view: recordView(ws, ws.openedViews, view, 'views.open') };
}

/** views.push stacks on the modal the trigger came from; Slack allows 3 views in a stack. */
function viewsPush(ws: Workspace, args: { trigger_id?: string; view?: unknown }): JsonObject {
  const input = checkView(args.view, ['modal']);
  const trigger = ws.consumeTrigger(args.trigger_id);
  const below = trigger.context.viewId !== undefined ? ws.views.get(trigger.context.viewId) : undefined;
  if (below?.type !== 'modal') fail('not_found');
  if (ws.viewDepth(below) >= 3) fail('push_limit_reached');
  const view = ws.storeView(input, trigger.context.userId, below);
  return { view: recordView(ws, ws.openedViews, view, 'views.push') };
}

function findView(ws: Workspace, viewId: string | undefined, externalId: string | undefined): ViewRecord {
  if (viewId) return ws.views.get(viewId) ?? fail('not_found');
  if (externalId) return [...ws.views.values()].find((v) => v.externalId === externalId) ?? fail('not_found');
  invalidArguments(['missing required field: view_id']);
}

function viewsUpdate(
  ws: Workspace,
  args: { view_id?: string; external_id?: string; hash?: string; view?: unknown },
): JsonObject {
  const record = findView(ws, args.view_id, args.external_id);
  const input = checkView(args.view, [record.type]);
  if (args.hash !== undefined && args.hash !== '' && args.hash !== record.hash) fail('hash_conflict');
  record.input = input;
  record.hash = ws.newViewHash();
  return { view: recordView(ws, ws.openedViews, record, 'views.update') };
}

function viewsPublish(ws: Workspace, args: { user_id?: string; hash?: string; view?: unknown }): JsonObject {
  const input = checkView(args.view, ['home']);
  const user = ws.users.get(args.user_id ?? '') ?? invalidArguments(['invalid user_id [json-pointer:/user_id]']);
  const current = ws.views.get(ws.homes.get(user.id) ?? '');
  if (current && args.hash !== undefined && args.hash !== '' && args.hash !== current.hash) fail('hash_conflict');
  const view = current ?? ws.storeView(input, user.id);
  view.input = input;
  view.hash = ws.newViewHash();
  ws.homes.set(user.id, view.id);
  return { view: recordView(ws, ws.publishedHomes, view, 'views.publish') };
}

function filesGetUploadURLExternal(ws: Workspace, args: { filename?: string; length?: number }): JsonObject {
  if (args.filename === undefined || args.filename === '') invalidArguments(['missing required field: filename']);
  if (args.length === undefined) invalidArguments(['missing required field: length']);
  const id = ws.newId('F', (candidate) => ws.files.has(candidate));
  const ticket = `${Buffer.from(id).toString('base64url')}${randomHex(12)}`;
  ws.files.set(id, {
    id,
    ticket,
    filename: args.filename,
    title: args.filename,
    length: args.length,
    completed: false,
    created: ws.nowSeconds(),
    channels: [],
  });
  return { upload_url: `${ws.baseUrl}upload/v1/${ticket}`, file_id: id };
}

const completeFilesSchema = z.array(z.object({ id: z.string(), title: z.string().optional() })).min(1);

function filesCompleteUploadExternal(
  ws: Workspace,
  args: { files?: unknown; channel_id?: string; channels?: string; initial_comment?: string; thread_ts?: string },
): JsonObject {
  const entries = completeFilesSchema.safeParse(args.files);
  if (!entries.success) invalidArguments(['missing required field: files']);
  const files = entries.data.map(({ id, title }) => {
    const file = ws.files.get(id);
    if (!file || file.content === undefined || file.completed) fail('file_not_found');
    return { file, title: title ?? file.filename };
  });
  const target = args.channel_id ?? args.channels;
  const channel = target === undefined || target === '' ? undefined : ws.memberChannel(target);
  const threadTs = args.thread_ts === '' ? undefined : args.thread_ts;
  for (const { file, title } of files) {
    file.completed = true;
    file.title = title;
    if (channel) file.channels.push(channel.id);
    ws.uploadedFiles.push({
      id: file.id,
      filename: file.filename,
      title,
      content: file.content?.toString('utf8') ?? '',
      bytes: file.content?.length ?? 0,
      ...(channel && { channelId: channel.id }),
      ...(args.initial_comment !== undefined && { initialComment: args.initial_comment }),
      ...(threadTs !== undefined && { threadTs }),
      at: new Date(ws.now()),
    });
  }
  // Shared into a channel, the files arrive as one message carrying the initial comment.
  if (channel) {
    ws.postAsBot(channel, {
      text: args.initial_comment ?? '',
      files: files.map(({ file }) => file.id),
      ...(threadTs !== undefined && { threadTs }),
    });
  }
  return { files: files.map(({ file }) => fileJson(ws, file)) };
}

const METHODS: Record<string, MethodSpec> = {
  'auth.test': method(z.object({}), authTest),
  'users.info': method(z.object({ user: optionalString }), usersInfo),
  'conversations.create': method(z.object({ name: optionalString, is_private: flag }), conversationsCreate),
  'conversations.invite': method(
    z.object({ channel: optionalString, users: optionalString, force: flag }),
    conversationsInvite,
  ),
  'conversations.join': method(channelArgs, conversationsJoin),
  'conversations.info': method(z.object({ channel: optionalString, include_num_members: flag }), conversationsInfo),
  'conversations.members': method(
    z.object({ channel: optionalString, cursor: optionalString, limit: optionalInt }),
    conversationsMembers,
  ),
  'conversations.history': method(z.object({ channel: optionalString, ...rangeArgs }), conversationsHistory),
  'conversations.replies': method(
    z.object({ channel: optionalString, ts: optionalString, ...rangeArgs }),
    conversationsReplies,
  ),
  'conversations.open': method(
    z.object({ users: optionalString, channel: optionalString, return_im: flag }),
    conversationsOpen,
  ),
  'chat.postMessage': method(
    z.object({ channel: optionalString, thread_ts: optionalString, ...contentArgs }),
    chatPostMessage,
  ),
  'chat.postEphemeral': method(
    z.object({ channel: optionalString, user: optionalString, thread_ts: optionalString, ...contentArgs }),
    chatPostEphemeral,
  ),
  'chat.update': method(z.object({ channel: optionalString, ts: optionalString, ...contentArgs }), chatUpdate),
  'chat.delete': method(z.object({ channel: optionalString, ts: optionalString }), chatDelete),
  'chat.getPermalink': method(z.object({ channel: optionalString, message_ts: optionalString }), chatGetPermalink),
  'reactions.get': method(z.object({ channel: optionalString, timestamp: optionalString, full: flag }), reactionsGet),
  'views.open': method(z.object({ trigger_id: optionalString, view: jsonValue }), viewsOpen),
  'views.push': method(z.object({ trigger_id: optionalString, view: jsonValue }), viewsPush),
  'views.update': method(
    z.object({ view_id: optionalString, external_id: optionalString, hash: optionalString, view: jsonValue }),
    viewsUpdate,
  ),
  'views.publish': method(z.object({ user_id: optionalString, hash: optionalString, view: jsonValue }), viewsPublish),
  'files.getUploadURLExternal': method(
    z.object({ filename: optionalString, length: optionalInt, alt_txt: optionalString, snippet_type: optionalString }),
    filesGetUploadURLExternal,
  ),
  'files.completeUploadExternal': method(
    z.object({
      files: jsonValue,
      channel_id: optionalString,
      channels: optionalString,
      initial_comment: optionalString,
      thread_ts: optionalString,
    }),
    filesCompleteUploadExternal,
  ),
  // Shut off in November 2025; Slack answers every call this way now.
  'files.upload': method(z.object({}).passthrough(), () => fail('method_deprecated')),
};

// ─── OAuth ───────────────────────────────────────────────────────────────────

const OAUTH_V2_ACCESS = 'oauth.v2.access';
/** Slack's codes are good for ten minutes, once. */
const OAUTH_CODE_TTL_MS = 10 * 60 * 1000;

/** The app's credentials: HTTP Basic auth (what Slack recommends) or client_id / client_secret fields. */
function clientCredentials(request: IncomingMessage, args: JsonObject): { id?: string; secret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  }
  return {
    ...(typeof args.client_id === 'string' && { id: args.client_id }),
    ...(typeof args.client_secret === 'string' && { secret: args.client_secret }),
  };
}

/** OAuth 2 form-encodes the client id and secret before Basic auth; a malformed escape is kept as is. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** A bot token in Slack's shape: xoxb-<digits>-<digits>-<24 letters and digits>. */
function newBotToken(ws: Workspace): string {
  const digits = () =>
    String(Number.parseInt(randomHex(5), 16))
      .padStart(12, '0')
      .slice(0, 12);
  const secret = randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 24)
    .padEnd(24, 'x');
  return `xoxb-${ws.teamNumber()}${digits()}-${digits()}-${secret}`;
}

/**
 * oauth.v2.access: exchanges a code from issueOAuthCode for a bot token, answering as Slack does for a
 * bot-only install (no user scopes, so authed_user carries only the installer's id). Only the
 * authorization_code grant: the stand-in has no token rotation.
 */
function oauthV2Access(ws: Workspace, client: { id?: string; secret?: string }, args: JsonObject): JsonObject {
  const { config } = ws;
  if (config.clientId === undefined || client.id !== config.clientId) fail('invalid_client_id');
  if (client.secret !== config.clientSecret) fail('bad_client_secret');
  if (args.grant_type !== undefined && args.grant_type !== 'authorization_code') fail('invalid_grant_type');
  const code = typeof args.code === 'string' ? ws.oauthCodes.get(args.code) : undefined;
  if (!code || code.used || ws.now() - code.issuedAt > OAUTH_CODE_TTL_MS) fail('invalid_code');
  const redirectUri = typeof args.redirect_uri === 'string' && args.redirect_uri !== '' ? args.redirect_uri : undefined;
  if (code.redirectUri !== undefined && redirectUri !== code.redirectUri) fail('bad_redirect_uri');
  code.used = true;
  const token = newBotToken(ws);
  ws.issuedTokens.set(token, {
    label: `oauth #${ws.issuedTokens.size + 1}`,
    installerId: code.userId,
    scopes: code.scopes,
    revoked: false,
  });
  return {
    app_id: config.appId,
    authed_user: { id: code.userId },
    scope: code.scopes.join(','),
    token_type: 'bot',
    access_token: token,
    bot_user_id: config.botUserId,
    team: { id: config.teamId, name: config.teamName },
    enterprise: config.enterpriseId === undefined ? null : { id: config.enterpriseId, name: 'Enterprise' },
    is_enterprise_install: false,
  };
}

/** Methods the stand-in implements. */
export const SUPPORTED_METHODS: readonly string[] = [...Object.keys(METHODS), OAUTH_V2_ACCESS];

// ─── HTTP plumbing ───────────────────────────────────────────────────────────

interface HttpAnswer {
  status: number;
  body: JsonObject | string;
  headers?: Record<string, string>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, answer: HttpAnswer): void {
  const isJson = typeof answer.body !== 'string';
  const payload = isJson ? JSON.stringify(answer.body) : (answer.body as string);
  response.writeHead(answer.status, {
    'content-type': isJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
    ...answer.headers,
  });
  response.end(payload);
}

function contentTypeOf(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function bearerToken(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

interface ParsedRequest {
  args: JsonObject;
  /** Token from the query string or a form body (Slack ignores a token inside a JSON body). */
  token?: string;
}

function parseJsonBody(text: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    fail('invalid_json');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('invalid_json');
  const { token: _ignored, ...args } = parsed as JsonObject;
  return args;
}

/** Form or JSON body, plus query parameters; JSON-valued form fields decoded. */
function parseApiRequest(request: IncomingMessage, raw: Buffer, query: URLSearchParams): ParsedRequest {
  const { token: queryToken, ...queryArgs } = Object.fromEntries(query);
  const type = contentTypeOf(request);
  const text = raw.toString('utf8');
  if (type === 'application/json') {
    return { args: { ...queryArgs, ...parseJsonBody(text) }, ...(queryToken !== undefined && { token: queryToken }) };
  }
  if (type !== '' && type !== 'application/x-www-form-urlencoded') fail('invalid_form_data');
  const { token: formToken, ...form } = Object.fromEntries(new URLSearchParams(text));
  const token = formToken ?? queryToken;
  return { args: decodeJsonArguments({ ...queryArgs, ...form }), ...(token !== undefined && { token }) };
}

function decodeJsonArguments(args: JsonObject): JsonObject {
  const decoded: JsonObject = { ...args };
  for (const [key, errorCode] of Object.entries(JSON_ARGUMENTS)) {
    const value = decoded[key];
    if (typeof value !== 'string') continue;
    try {
      decoded[key] = JSON.parse(value);
    } catch {
      fail(errorCode);
    }
  }
  return decoded;
}

async function readMultipartFile(request: IncomingMessage, raw: Buffer): Promise<Buffer> {
  const type = request.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) return raw;
  const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
  for (const value of form.values()) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  const text = form.get('body') ?? form.get('file');
  return Buffer.from(typeof text === 'string' ? text : '');
}

interface Fault {
  failure?: FailureSpec & { remaining: number };
  delay?: { ms: number; remaining: number };
}

// ─── The stand-in ────────────────────────────────────────────────────────────

export class SlackStandIn {
  private readonly ws: Workspace;
  private readonly recorded: RecordedCall[] = [];
  private readonly responsePosts: ResponseUrlPost[] = [];
  private readonly faults = new Map<string, Fault>();
  private readonly host: string;
  private readonly port: number;
  private server?: Server;
  private base?: string;
  private oauthCodeCount = 0;
  /** Bugs in the stand-in itself (answered 500); a test can assert there were none. */
  readonly internalErrors: unknown[] = [];

  constructor(options: SlackStandInOptions) {
    const teamDomain = options.teamDomain ?? 'debrief-demo';
    this.ws = new Workspace(
      {
        teamId: options.teamId,
        teamDomain,
        teamName: options.teamName ?? 'Debrief Demo',
        appId: options.appId ?? 'A0DEBRIEF1',
        botToken: options.botToken,
        botUserId: options.botUserId,
        botId: options.botId,
        botName: options.botName ?? 'debrief',
        ...(options.enterpriseId !== undefined && { enterpriseId: options.enterpriseId }),
        verificationToken: options.verificationToken ?? 'verificationtoken00000000',
        ...(options.clientId !== undefined && { clientId: options.clientId }),
        ...(options.clientSecret !== undefined && { clientSecret: options.clientSecret }),
      },
      options.now ?? Date.now,
    );
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.ws.users.set(options.botUserId, {
      id: options.botUserId,
      name: this.ws.config.botName,
      realName: 'Debrief',
      tz: 'America/Los_Angeles',
      isRestricted: false,
      isUltraRestricted: false,
      isBot: true,
      deleted: false,
      teamId: options.teamId,
      botId: options.botId,
    });
  }

  // lifecycle

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      void this.route(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.server = server;
    this.base = `http://${this.host}:${port}/`;
    this.ws.baseUrl = this.base;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `http://127.0.0.1:<port>/` */
  get baseUrl(): string {
    if (!this.base) throw new Error('SlackStandIn is not started');
    return this.base;
  }

  /** What the app's WebClient takes as `slackApiUrl`. */
  get apiUrl(): string {
    return `${this.baseUrl}api/`;
  }

  // identity

  get teamId(): string {
    return this.ws.config.teamId;
  }
  get teamDomain(): string {
    return this.ws.config.teamDomain;
  }
  get appId(): string {
    return this.ws.config.appId;
  }
  get botUserId(): string {
    return this.ws.config.botUserId;
  }
  get botId(): string {
    return this.ws.config.botId;
  }
  get enterpriseId(): string | undefined {
    return this.ws.config.enterpriseId;
  }
  get verificationToken(): string {
    return this.ws.config.verificationToken;
  }
  /** The authorize page a browser is sent to (`/oauth/v2/authorize` beside `/api/`, as on slack.com). */
  get authorizeUrl(): string {
    return `${this.baseUrl}oauth/v2/authorize`;
  }

  // seeding

  addUser(user: SeedUser): void {
    if (user.tz) zoneOffsetSeconds(user.tz, new Date()); // throws RangeError on an unknown zone
    this.ws.users.set(user.id, {
      id: user.id,
      name: user.name,
      realName: user.realName ?? user.name,
      tz: user.tz === undefined ? 'UTC' : user.tz,
      isRestricted: user.isRestricted ?? false,
      isUltraRestricted: user.isUltraRestricted ?? false,
      isBot: user.isBot ?? false,
      deleted: user.deleted ?? false,
      teamId: user.teamId ?? this.ws.config.teamId,
    });
  }

  addChannel(channel: SeedChannel): string {
    const id = channel.id ?? this.ws.newId('C', (candidate) => this.ws.channels.has(candidate));
    if (this.ws.channels.has(id)) throw new Error(`channel ${id} already exists`);
    this.ws.addChannelRecord({
      id,
      name: channel.name,
      kind: 'channel',
      isPrivate: channel.isPrivate ?? false,
      isArchived: channel.isArchived ?? false,
      isExtShared: channel.isExtShared ?? false,
      members: new Set(channel.members ?? []),
      created: this.ws.nowSeconds(),
      creator: channel.members?.[0] ?? this.ws.config.botUserId,
    });
    return id;
  }

  /** A message already in Slack (posted by a person, or by another bot when `botId` is set). */
  addMessage(channelId: string, message: SeedMessage): string {
    if (!this.ws.channels.has(channelId)) throw new Error(`unknown channel ${channelId}`);
    const ts = message.ts ?? this.ws.nextTs();
    this.ws.insertMessage({
      ts,
      channel: channelId,
      ...(message.user !== undefined && { user: message.user }),
      ...(message.botId !== undefined && { botId: message.botId }),
      ...(message.appId !== undefined && { appId: message.appId }),
      ...(message.subtype !== undefined && { subtype: message.subtype }),
      ...(message.username !== undefined && { username: message.username }),
      text: message.text,
      ...(message.blocks !== undefined && { blocks: message.blocks }),
      ...(message.threadTs !== undefined && { threadTs: message.threadTs }),
      reactions: new Map(),
    });
    return ts;
  }

  /** A person edits a message (what Slack then reports as `message_changed`). Returns the edit's ts. */
  editMessage(channelId: string, ts: string, text: string, blocks?: unknown[]): string {
    const message = this.requireMessage(channelId, ts);
    const editTs = this.ws.nextTs();
    message.text = text;
    if (blocks !== undefined) message.blocks = blocks;
    message.edited = { user: message.user ?? this.ws.config.botUserId, ts: editTs };
    return editTs;
  }

  /** The stand-in's clock, in epoch milliseconds. */
  now(): number {
    return this.ws.now();
  }

  /** A fresh Slack ts, later than every message so far (event_ts, action_ts). */
  newTs(): string {
    return this.ws.nextTs();
  }

  /** A person deletes a message. */
  removeMessage(channelId: string, ts: string): void {
    this.ws.deleteMessage(this.requireMessage(channelId, ts));
  }

  addReaction(channelId: string, ts: string, name: string, userId: string): void {
    const message = this.requireMessage(channelId, ts);
    const users = message.reactions.get(name) ?? [];
    if (!users.includes(userId)) message.reactions.set(name, [...users, userId]);
  }

  removeReaction(channelId: string, ts: string, name: string, userId: string): void {
    const message = this.requireMessage(channelId, ts);
    const users = (message.reactions.get(name) ?? []).filter((u) => u !== userId);
    if (users.length === 0) message.reactions.delete(name);
    else message.reactions.set(name, users);
  }

  /** Adds a user to a channel (as when they join it in Slack). */
  joinChannel(channelId: string, userId: string): void {
    const channel = this.ws.channels.get(channelId);
    if (!channel) throw new Error(`unknown channel ${channelId}`);
    channel.members.add(userId);
  }

  // looking things up (what Slack would show)

  /** The message as the Web API would return it, or undefined. */
  message(channelId: string, ts: string): JsonObject | undefined {
    const message = this.ws.findMessage(channelId, ts);
    return message && messageJson(this.ws, message);
  }

  user(userId: string): JsonObject | undefined {
    const user = this.ws.users.get(userId);
    return user && userJson(this.ws, user);
  }

  channel(channelId: string): JsonObject | undefined {
    const channel = this.ws.channels.get(channelId);
    return channel && channelJson(this.ws, channel, true);
  }

  channelIdByName(name: string): string | undefined {
    return this.ws.channelByName(name)?.id;
  }

  membersOf(channelId: string): string[] {
    return [...(this.ws.channels.get(channelId)?.members ?? [])];
  }

  /** The bot's DM channel with a user, opened if needed. */
  dmChannelWith(userId: string): string {
    const user = this.ws.users.get(userId);
    if (!user) throw new Error(`unknown user ${userId}`);
    return this.ws.dmWith(user).channel.id;
  }

  viewById(viewId: string): JsonObject | undefined {
    const view = this.ws.views.get(viewId);
    return view && viewJson(this.ws, view);
  }

  homeOf(userId: string): JsonObject | undefined {
    return this.viewById(this.ws.homes.get(userId) ?? '');
  }

  // short-lived ids Slack hands to the app

  /** Registers a fresh trigger id, usable once within 3 s for views.open (or views.push from a view). */
  issueTriggerId(context: TriggerContext = {}): string {
    return this.ws.issueTrigger(context);
  }

  /**
   * What Slack does when a person approves the app on its authorize page: a code for oauth.v2.access,
   * good once within 10 minutes. The redirect carrying it to the app is the caller's to send.
   */
  issueOAuthCode(request: OAuthCodeRequest): string {
    if (request.teamId !== undefined && request.teamId !== this.ws.config.teamId) {
      throw new Error(`the stand-in simulates one workspace, ${this.ws.config.teamId}, not ${request.teamId}`);
    }
    if (!this.ws.users.has(request.userId)) throw new Error(`unknown user ${request.userId}`);
    const code = `${this.ws.teamNumber()}.${this.ws.nowSeconds()}${String(this.oauthCodeCount++).padStart(3, '0')}.${randomHex(32)}`;
    this.ws.oauthCodes.set(code, {
      userId: request.userId,
      scopes: [...request.scopes],
      ...(request.redirectUri !== undefined && { redirectUri: request.redirectUri }),
      issuedAt: this.ws.now(),
      used: false,
    });
    return code;
  }

  /** Bot tokens handed out by oauth.v2.access and not revoked, newest last. */
  get issuedBotTokens(): string[] {
    return [...this.ws.issuedTokens].filter(([, record]) => !record.revoked).map(([token]) => token);
  }

  /** How recordings name a token: `bot token` (the seeded one), `oauth #<n>`, or undefined for an unknown one. */
  credentialOf(token: string | undefined): string | undefined {
    if (token === undefined || token === '') return undefined;
    if (token === this.ws.config.botToken) return 'bot token';
    return this.ws.issuedTokens.get(token)?.label;
  }

  /**
   * Revokes every token oauth.v2.access handed out, as uninstalling the app does (calls with them
   * then answer `token_revoked`). The seeded bot token stays valid.
   */
  revokeIssuedTokens(): void {
    for (const record of this.ws.issuedTokens.values()) record.revoked = true;
  }

  /** A response URL served here: 5 messages within 30 minutes, like Slack's. */
  newResponseUrl(context: ResponseUrlContext = {}): string {
    const id = `${this.ws.config.teamId}/${Date.now().toString(36)}${randomHex(4)}/${randomHex(12)}`;
    this.ws.responseUrls.set(id, { createdAt: this.ws.now(), uses: 0, context });
    return `${this.baseUrl}response/${id}`;
  }

  // fault injection

  /** The next call(s) to `method` fail. `ratelimited` answers HTTP 429 with `Retry-After`. */
  failNext(methodName: string, failure: FailureSpec): void {
    const fault = this.faults.get(methodName) ?? {};
    fault.failure = { ...failure, remaining: failure.times ?? 1 };
    this.faults.set(methodName, fault);
  }

  /** The next call(s) to `method` are answered only after `ms` milliseconds (a slow Slack). */
  delayNext(methodName: string, ms: number, times = 1): void {
    const fault = this.faults.get(methodName) ?? {};
    fault.delay = { ms, remaining: times };
    this.faults.set(methodName, fault);
  }

  // recordings

  get calls(): readonly RecordedCall[] {
    return this.recorded;
  }

  callsTo(methodName: string): RecordedCall[] {
    return this.recorded.filter((call) => call.method === methodName);
  }

  lastCall(methodName: string): RecordedCall | undefined {
    return this.callsTo(methodName).at(-1);
  }

  /** The channel as a reader sees it now, oldest first, thread replies included. */
  messagesIn(channelId: string): ChannelMessage[] {
    return this.ws.messagesOf(channelId).map((message) => ({
      ts: message.ts,
      channel: message.channel,
      ...(message.user !== undefined && { user: message.user }),
      ...(message.botId !== undefined && { botId: message.botId }),
      ...(message.subtype !== undefined && { subtype: message.subtype }),
      text: message.text,
      ...(message.blocks !== undefined && { blocks: message.blocks }),
      ...(message.attachments !== undefined && { attachments: message.attachments }),
      ...(message.threadTs !== undefined && { threadTs: message.threadTs }),
      ...(message.edited !== undefined && { edited: message.edited }),
      ...(message.files !== undefined && { files: [...message.files] }),
      reactions: [...message.reactions].map(([name, users]) => ({ name, users: [...users] })),
    }));
  }

  /** Ephemeral messages shown to a user (and not since deleted), oldest first. */
  ephemeralsTo(userId: string): EphemeralMessage[] {
    return this.ws.ephemerals.filter((e) => e.user === userId && !e.deleted).map(({ deleted: _, ...e }) => e);
  }

  responsesAt(url: string): ResponseUrlPost[] {
    return this.responsePosts.filter((post) => post.url === url);
  }

  get responses(): readonly ResponseUrlPost[] {
    return this.responsePosts;
  }

  get openedViews(): readonly RecordedView[] {
    return this.ws.openedViews;
  }

  get publishedHomes(): readonly RecordedView[] {
    return this.ws.publishedHomes;
  }

  get uploadedFiles(): readonly UploadedFile[] {
    return this.ws.uploadedFiles;
  }

  /** Forgets recordings (calls, responses, ephemerals, views, uploads); the workspace itself stays. */
  reset(): void {
    this.recorded.length = 0;
    this.responsePosts.length = 0;
    this.ws.ephemerals.length = 0;
    this.ws.openedViews.length = 0;
    this.ws.publishedHomes.length = 0;
    this.ws.uploadedFiles.length = 0;
    this.internalErrors.length = 0;
    this.faults.clear();
  }

  // HTTP

  private requireMessage(channelId: string, ts: string): MessageRecord {
    const message = this.ws.findMessage(channelId, ts);
    if (!message) throw new Error(`no message ${ts} in ${channelId}`);
    return message;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://stand-in');
      const raw = await readBody(request);
      const path = url.pathname;
      let answer: HttpAnswer;
      if (path.startsWith('/api/')) answer = await this.handleApi(path.slice(5), request, raw, url.searchParams);
      else if (path.startsWith('/upload/v1/')) answer = await this.handleUpload(path.slice(11), request, raw);
      else if (path.startsWith('/response/')) answer = await this.handleResponseUrl(path.slice(10), request, raw);
      else answer = { status: 404, body: 'not found' };
      send(response, answer);
    } catch (error) {
      this.internalErrors.push(error);
      if (!response.headersSent) send(response, { status: 500, body: { ok: false, error: 'internal_error' } });
    }
  }

  /** Delay, then an injected failure if one is pending. */
  private async applyFaults(name: string): Promise<HttpAnswer | undefined> {
    const fault = this.faults.get(name);
    if (fault?.delay && fault.delay.remaining > 0) {
      fault.delay.remaining -= 1;
      await new Promise((resolve) => setTimeout(resolve, fault.delay!.ms));
    }
    const failure = fault?.failure;
    if (!failure || failure.remaining <= 0) return undefined;
    failure.remaining -= 1;
    const status = failure.status ?? (failure.error === 'ratelimited' ? 429 : 200);
    const retryAfter = failure.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
    return {
      status,
      body: { ok: false, error: failure.error },
      ...(retryAfter !== undefined && { headers: { 'retry-after': String(retryAfter) } }),
    };
  }

  private async handleApi(
    methodName: string,
    request: IncomingMessage,
    raw: Buffer,
    query: URLSearchParams,
  ): Promise<HttpAnswer> {
    let args: JsonObject = {};
    let token: string | undefined;
    const answer = await (async (): Promise<HttpAnswer> => {
      try {
        const parsed = parseApiRequest(request, raw, query);
        args = parsed.args;
        if (methodName === OAUTH_V2_ACCESS) {
          // The app authenticates with its client id and secret here, not with a token.
          const injected = await this.applyFaults(methodName);
          if (injected) return injected;
          return { status: 200, body: { ok: true, ...oauthV2Access(this.ws, clientCredentials(request, args), args) } };
        }
        const spec = METHODS[methodName];
        if (!spec) fail('unknown_method', { req_method: methodName });
        token = bearerToken(request) ?? parsed.token;
        this.authenticate(token);
        const injected = await this.applyFaults(methodName);
        if (injected) return injected;
        return { status: 200, body: { ok: true, ...this.runMethod(spec, args) } };
      } catch (error) {
        if (error instanceof SlackError) return { status: 200, body: { ok: false, error: error.code, ...error.extra } };
        throw error;
      }
    })();
    const { client_secret: _secret, ...recordedArgs } = args;
    const credential = this.credentialOf(token);
    this.recorded.push({
      method: methodName,
      args: recordedArgs,
      ...(credential !== undefined && { credential }),
      at: new Date(this.ws.now()),
      status: answer.status,
      response: answer.body as JsonObject,
    });
    return answer;
  }

  /** The seeded bot token, or one oauth.v2.access handed out (until it is revoked). */
  private authenticate(token: string | undefined): void {
    if (token === undefined || token === '') fail('not_authed');
    if (token === this.ws.config.botToken) return;
    const issued = this.ws.issuedTokens.get(token);
    if (!issued) fail('invalid_auth');
    if (issued.revoked) fail('token_revoked');
  }

  private runMethod(spec: MethodSpec, args: JsonObject): JsonObject {
    const parsed = spec.schema.safeParse(args);
    if (!parsed.success) invalidArguments(zodMessages(parsed.error, args));
    return spec.handle(this.ws, parsed.data);
  }

  /** The upload URL of files.getUploadURLExternal: takes the bytes (raw or multipart) and answers `OK - <n>`. */
  private async handleUpload(ticket: string, request: IncomingMessage, raw: Buffer): Promise<HttpAnswer> {
    const file = [...this.ws.files.values()].find((f) => f.ticket === ticket);
    if (!file || file.completed) return { status: 404, body: 'not found' };
    const injected = await this.applyFaults(FILE_UPLOAD);
    if (injected) return injected;
    file.content = await readMultipartFile(request, raw);
    return { status: 200, body: `OK - ${file.content.length}` };
  }

  private async handleResponseUrl(id: string, request: IncomingMessage, raw: Buffer): Promise<HttpAnswer> {
    const url = `${this.baseUrl}response/${id}`;
    let body: unknown;
    const answer = await (async (): Promise<HttpAnswer> => {
      const record = this.ws.responseUrls.get(id);
      if (!record) return { status: 404, body: { ok: false, error: 'invalid_url' } };
      if (this.ws.now() - record.createdAt > 30 * 60 * 1000)
        return { status: 404, body: { ok: false, error: 'expired_url' } };
      if (record.uses >= 5) return { status: 404, body: { ok: false, error: 'used_url' } };
      const injected = await this.applyFaults(RESPONSE_URL);
      if (injected) return injected;
      try {
        body = parseResponseBody(request, raw);
        applyResponse(this.ws, record.context, body as JsonObject);
        record.uses += 1;
        return { status: 200, body: { ok: true } };
      } catch (error) {
        if (error instanceof SlackError) return { status: 400, body: { ok: false, error: error.code, ...error.extra } };
        throw error;
      }
    })();
    this.responsePosts.push({
      url,
      body,
      at: new Date(this.ws.now()),
      status: answer.status,
      result: answer.body as JsonObject,
    });
    return answer;
  }
}

// ─── Response URLs ───────────────────────────────────────────────────────────

/** Slack takes a JSON body (or a form with `payload=<json>`) on a response URL. */
function parseResponseBody(request: IncomingMessage, raw: Buffer): JsonObject {
  const text = raw.toString('utf8');
  const json =
    contentTypeOf(request) === 'application/x-www-form-urlencoded'
      ? (new URLSearchParams(text).get('payload') ?? '')
      : text;
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as JsonObject;
  } catch {
    // fall through
  }
  fail('invalid_payload');
}

function applyResponse(ws: Workspace, context: ResponseUrlContext, body: JsonObject): void {
  if (body.delete_original === true || body.delete_original === 'true') {
    deleteOriginal(ws, context);
    return;
  }
  const content = messageContent({
    text: typeof body.text === 'string' ? body.text : undefined,
    blocks: body.blocks,
    attachments: body.attachments,
  });
  if ((body.replace_original === true || body.replace_original === 'true') && context.messageTs) {
    replaceOriginal(ws, context, content);
    return;
  }
  const threadTs = typeof body.thread_ts === 'string' && body.thread_ts !== '' ? body.thread_ts : undefined;
  const channel = ws.channels.get(context.channelId ?? '') ?? fail('channel_not_found');
  if (body.response_type === 'in_channel') {
    ws.postAsBot(channel, { ...content, ...(threadTs !== undefined && { threadTs }) });
    return;
  }
  if (!context.userId) fail('user_not_found');
  ws.ephemerals.push({
    channel: channel.id,
    user: context.userId,
    ts: ws.nextTs(),
    ...content,
    ...(threadTs !== undefined && { threadTs }),
    at: new Date(ws.now()),
    via: 'response_url',
    deleted: false,
  });
}

function originalEphemeral(ws: Workspace, context: ResponseUrlContext): StoredEphemeral | undefined {
  return ws.ephemerals.find((e) => e.ts === context.messageTs && e.channel === context.channelId && !e.deleted);
}

function deleteOriginal(ws: Workspace, context: ResponseUrlContext): void {
  if (!context.messageTs || !context.channelId) fail('message_not_found');
  if (context.ephemeral) {
    const ephemeral = originalEphemeral(ws, context) ?? fail('message_not_found');
    ephemeral.deleted = true;
    return;
  }
  ws.deleteMessage(ws.findMessage(context.channelId, context.messageTs) ?? fail('message_not_found'));
}

function replaceOriginal(ws: Workspace, context: ResponseUrlContext, content: MessageContent): void {
  if (context.ephemeral) {
    const ephemeral = originalEphemeral(ws, context) ?? fail('message_not_found');
    Object.assign(ephemeral, { text: content.text, blocks: content.blocks, at: new Date(ws.now()) });
    return;
  }
  const message = ws.findMessage(context.channelId ?? '', context.messageTs) ?? fail('message_not_found');
  message.text = content.text;
  message.blocks = content.blocks;
  message.attachments = content.attachments;
  message.edited = { user: ws.config.botUserId, ts: ws.nextTs() };
}
