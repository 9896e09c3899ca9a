/** Response URLs: where the app answers a command or an interaction after acknowledging it. */
import type { IncomingMessage } from 'node:http';
import { contentTypeOf } from './http';
import { messageContent } from './methods/arguments';
import { fail } from './slack-errors';
import type { JsonObject, ResponseUrlContext } from './types';
import type { MessageContent, StoredEphemeral, Workspace } from './workspace';

/** A response URL takes 5 messages within 30 minutes. */
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
export const RESPONSE_URL_MAX_USES = 5;

/** Slack takes a JSON body (or a form with `payload=<json>`) on a response URL. */
export function parseResponseBody(request: IncomingMessage, raw: Buffer): JsonObject {
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

export function applyResponse(ws: Workspace, context: ResponseUrlContext, body: JsonObject): void {
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
