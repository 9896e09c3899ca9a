/**
 * What Slack knows about the one workspace it simulates: users, channels, messages, views, and the
 * short-lived ids it hands to the app (trigger ids, response URLs, OAuth codes).
 */
import { randomBytes } from 'node:crypto';
import type { ViewType } from './block-kit-limits';
import { fail, invalidArguments } from './slack-errors';
import type { EphemeralMessage, JsonObject, RecordedView, ResponseUrlContext, TriggerContext } from './types';

const TS_PATTERN = /^(\d{1,12})(?:\.(\d{1,6}))?$/;

/** The user Slack posts tombstones and system messages as. */
export const SLACKBOT = 'USLACKBOT';
export const TOMBSTONE_TEXT = 'This message was deleted.';
export const TRIGGER_TTL_MS = 3000;

/** A Slack ts as microseconds, for exact ordering (floats lose the last digits). */
export function tsKey(ts: string): bigint | undefined {
  const match = TS_PATTERN.exec(ts);
  if (!match) return undefined;
  return BigInt(match[1]!) * 1_000_000n + BigInt((match[2] ?? '').padEnd(6, '0'));
}

export function formatTs(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  return `${seconds}.${String(micros % 1_000_000n).padStart(6, '0')}`;
}

export function compareTs(a: string, b: string): number {
  const ka = tsKey(a) ?? 0n;
  const kb = tsKey(b) ?? 0n;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Text, blocks and attachments of a message, as Slack stores them. */
export interface MessageContent {
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

export interface Config {
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

export interface OAuthCodeRecord {
  userId: string;
  scopes: string[];
  redirectUri?: string;
  issuedAt: number;
  used: boolean;
  /** Set for an org-wide (Enterprise Grid) install. */
  enterprise?: { id: string; name: string };
}

/** A bot token handed out by oauth.v2.access. */
export interface IssuedTokenRecord {
  /** `oauth #<n>`, what recordings show instead of the token. */
  label: string;
  installerId: string;
  scopes: string[];
  revoked: boolean;
  /** Set for a token of an org-wide (Enterprise Grid) install. */
  enterprise?: { id: string; name: string };
}

export interface UserRecord {
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
  /** Enterprise Grid: the organisation of the user's workspace. */
  enterpriseId?: string;
}

export interface ChannelRecord {
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

export interface MessageRecord {
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
}

export interface ViewRecord {
  id: string;
  type: ViewType;
  userId?: string;
  input: JsonObject;
  hash: string;
  externalId: string;
  rootViewId: string;
  previousViewId: string | null;
}

export interface TriggerRecord {
  issuedAt: number;
  used: boolean;
  context: TriggerContext;
}

export interface ResponseUrlRecord {
  createdAt: number;
  uses: number;
  context: ResponseUrlContext;
}

export interface StoredEphemeral extends EphemeralMessage {
  deleted: boolean;
}

/** What Slack knows: users, channels, messages, views, and the short-lived ids it issued. */
export class Workspace {
  readonly users = new Map<string, UserRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  /** The bot's DM channel with each user (kept by addChannelRecord). */
  private readonly dmByUser = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, MessageRecord[]>();
  readonly views = new Map<string, ViewRecord>();
  readonly triggers = new Map<string, TriggerRecord>();
  readonly responseUrls = new Map<string, ResponseUrlRecord>();
  readonly oauthCodes = new Map<string, OAuthCodeRecord>();
  readonly issuedTokens = new Map<string, IssuedTokenRecord>();
  readonly ephemerals: StoredEphemeral[] = [];
  readonly openedViews: RecordedView[] = [];
  /** Each user's published Home tab: their view id. */
  readonly homes = new Map<string, string>();
  baseUrl = 'http://127.0.0.1/';
  /** The issued token of the call being answered (methods run synchronously), when it is one. */
  caller: IssuedTokenRecord | undefined = undefined;
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
    if (record.kind === 'im' && record.imUser !== undefined) this.dmByUser.set(record.imUser, record);
    return record;
  }

  /** The bot's DM with a user, opened on first use. */
  dmWith(user: UserRecord): { channel: ChannelRecord; alreadyOpen: boolean } {
    const existing = this.dmByUser.get(user.id);
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

  /** A message posted by our bot (chat.postMessage, response URLs). */
  postAsBot(channel: ChannelRecord, content: MessageContent & { threadTs?: string }): MessageRecord {
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
      reactions: new Map(),
    });
  }

  deleteMessage(message: MessageRecord): void {
    const list = this.messagesOf(message.channel);
    const replies = this.repliesTo(message);
    const index = list.indexOf(message);
    if (index < 0) return;
    if (replies.length > 0) {
      // Slack keeps a thread's parent as a tombstone, posted by Slackbot, so the replies still hang somewhere.
      list[index] = {
        ts: message.ts,
        channel: message.channel,
        user: SLACKBOT,
        subtype: 'tombstone',
        text: TOMBSTONE_TEXT,
        threadTs: message.ts,
        reactions: new Map(),
      };
    } else list.splice(index, 1);
  }

  permalink(message: MessageRecord): string {
    const base = `https://${this.config.teamDomain}.slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}`;
    return message.threadTs && message.threadTs !== message.ts
      ? `${base}?thread_ts=${message.threadTs}&cid=${message.channel}`
      : base;
  }

  // views

  storeView(input: JsonObject, userId: string | undefined): ViewRecord {
    const id = this.newId('V', (candidate) => this.views.has(candidate));
    const record: ViewRecord = {
      id,
      type: input.type as ViewType,
      ...(userId !== undefined && { userId }),
      input,
      hash: this.newViewHash(),
      externalId: typeof input.external_id === 'string' ? input.external_id : '',
      rootViewId: id,
      previousViewId: null,
    };
    this.views.set(id, record);
    return record;
  }

  newViewHash(): string {
    return `${this.nowSeconds()}.${randomHex(4)}`;
  }

  // triggers

  issueTrigger(context: TriggerContext): string {
    const id = `${this.nowSeconds()}${String(this.idCounter++).padStart(3, '0')}.${this.teamNumber()}.${randomHex(16)}`;
    this.triggers.set(id, { issuedAt: this.now(), used: false, context });
    return id;
  }

  /** views.open: a trigger id is single-use and good for 3 seconds (of Slack's clock). */
  consumeTrigger(triggerId: unknown): TriggerRecord {
    if (typeof triggerId !== 'string' || triggerId === '') invalidArguments(['missing required field: trigger_id']);
    const trigger = this.triggers.get(triggerId);
    if (!trigger) fail('invalid_trigger_id');
    if (trigger.used) fail('exchanged_trigger_id');
    if (this.now() - trigger.issuedAt > TRIGGER_TTL_MS) fail('expired_trigger_id');
    trigger.used = true;
    return trigger;
  }

  teamNumber(): string {
    return String(Number.parseInt(this.config.teamId.replace(/\W/g, '').slice(1), 36) || 1);
  }
}
