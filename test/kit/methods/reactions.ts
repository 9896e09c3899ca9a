import { z } from 'zod';
import { fail } from '../slack-errors';
import type { JsonObject } from '../types';
import { messageJson, reactionsJson } from '../wire-shapes';
import { tsKey, type Workspace } from '../workspace';
import { flag, type MethodSpec, method, optionalString } from './arguments';

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

export const REACTIONS_METHODS: Record<string, MethodSpec> = {
  'reactions.get': method(
    { scope: 'reactions:read', tier: 3 },
    z.object({ channel: optionalString, timestamp: optionalString, full: flag }),
    reactionsGet,
  ),
};
