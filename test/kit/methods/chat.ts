import { z } from 'zod';
import { fail } from '../slack-errors';
import type { JsonObject } from '../types';
import { messageJson } from '../wire-shapes';
import type { ChannelRecord, Workspace } from '../workspace';
import { jsonValue, type MethodSpec, messageContent, method, optionalString } from './arguments';

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

export const CHAT_METHODS: Record<string, MethodSpec> = {
  // About one message a second per channel, with short bursts allowed, and several hundred a minute in the workspace.
  'chat.postMessage': method(
    { scope: 'chat:write', tier: 'per-channel' },
    z.object({ channel: optionalString, thread_ts: optionalString, ...contentArgs }),
    chatPostMessage,
  ),
  'chat.postEphemeral': method(
    { scope: 'chat:write', tier: 4 },
    z.object({ channel: optionalString, user: optionalString, thread_ts: optionalString, ...contentArgs }),
    chatPostEphemeral,
  ),
};
