import { z } from 'zod';
import { fail } from '../slack-errors';
import type { JsonObject } from '../types';
import { channelJson, messageJson } from '../wire-shapes';
import { type ChannelRecord, type MessageRecord, tsKey, type UserRecord, type Workspace } from '../workspace';
import {
  channelArgs,
  flag,
  type MethodSpec,
  method,
  optionalInt,
  optionalString,
  paginate,
  scopeFor,
} from './arguments';

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

const readScope = { public: 'channels:read', private: 'groups:read', im: 'im:read', mpim: 'mpim:read' };
const historyScope = {
  public: 'channels:history',
  private: 'groups:history',
  im: 'im:history',
  mpim: 'mpim:history',
};
const manageScope = { public: 'channels:manage', private: 'groups:write', im: 'im:write', mpim: 'mpim:write' };

export const CONVERSATIONS_METHODS: Record<string, MethodSpec> = {
  'conversations.create': method(
    { scope: (_ws, args) => (isTrue(args.is_private) ? 'groups:write' : 'channels:manage'), tier: 2 },
    z.object({ name: optionalString, is_private: flag }),
    conversationsCreate,
  ),
  'conversations.invite': method(
    { scope: (ws, args) => scopeFor(ws, args.channel, manageScope), tier: 3 },
    z.object({ channel: optionalString, users: optionalString, force: flag }),
    conversationsInvite,
  ),
  'conversations.join': method({ scope: 'channels:join', tier: 3 }, channelArgs, conversationsJoin),
  'conversations.members': method(
    { scope: (ws, args) => scopeFor(ws, args.channel, readScope), tier: 4 },
    z.object({ channel: optionalString, cursor: optionalString, limit: optionalInt }),
    conversationsMembers,
  ),
  // Tier 3 for an internal app (Slack cut it to 1 a minute only for non-Marketplace distributed apps).
  'conversations.history': method(
    { scope: (ws, args) => scopeFor(ws, args.channel, historyScope), tier: 3 },
    z.object({ channel: optionalString, ...rangeArgs }),
    conversationsHistory,
  ),
  'conversations.replies': method(
    { scope: (ws, args) => scopeFor(ws, args.channel, historyScope), tier: 3 },
    z.object({ channel: optionalString, ts: optionalString, ...rangeArgs }),
    conversationsReplies,
  ),
  'conversations.open': method(
    { scope: (_ws, args) => (String(args.users ?? '').includes(',') ? 'mpim:write' : 'im:write'), tier: 3 },
    z.object({ users: optionalString, channel: optionalString, return_im: flag }),
    conversationsOpen,
  ),
};

function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}
