import { eraseDeletedMessage, followMessageEdit, logChannelMessage } from '../../../services/capture';
import type { Scope } from '../../../services/context';
import { requestOf } from '../../context';
import { toSlackMessage } from '../../messenger';
import type { SlackRoutes } from '../../routes';

/** Subtypes that are people speaking; the rest (joins, topic changes …) are not conversation. */
const SPOKEN_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share', 'me_message']);

interface MessageEventShape {
  type?: string;
  subtype?: string;
  channel: string;
  ts: string;
  user?: string;
  bot_id?: string;
  text?: string;
  thread_ts?: string;
  message?: { ts: string; user?: string; bot_id?: string; text?: string; subtype?: string };
  deleted_ts?: string;
}

/**
 * Keeps the message log of incident channels and makes captured messages follow Slack edits and
 * deletions. A failure propagates: Slack gets a non-2xx and delivers the event again.
 *
 * Message events are most of what Slack sends (every message in every channel Debrief is in); like
 * every request they reach Debrief through SlackRoutes, without Bolt's matcher chains (in `npm run
 * bench` those of 36 listeners once cost about a seventh of the ingestion CPU).
 */
export function registerMessageEvents(routes: SlackRoutes): void {
  routes.event('message', async ({ event, context }) => {
    await handleMessage(event as unknown as MessageEventShape, await requestOf(context).scope());
  });
}

async function handleMessage(message: MessageEventShape, scope: Scope): Promise<void> {
  const deletedTs = deletionOf(message);
  if (deletedTs) {
    await eraseDeletedMessage(scope, { channelId: message.channel, ts: deletedTs });
    return;
  }
  if (message.subtype === 'message_changed' && message.message) {
    const edited = message.message;
    if (edited.bot_id || edited.subtype === 'bot_message' || !edited.user) return;
    await followMessageEdit(scope, {
      channelId: message.channel,
      ts: edited.ts,
      text: edited.text ?? '',
      editedBy: edited.user,
    });
    return;
  }
  if (!SPOKEN_SUBTYPES.has(message.subtype) || message.bot_id || !message.user) return;
  const spoken = toSlackMessage(message.channel, message);
  if (spoken) await logChannelMessage(scope, spoken);
}

/**
 * The ts of a deleted message. Slack reports a deletion as `message_deleted`, or, for a message that
 * has thread replies, as `message_changed` whose message is a `tombstone` ("This message was deleted.").
 */
function deletionOf(message: MessageEventShape): string | undefined {
  if (message.subtype === 'message_deleted') return message.deleted_ts;
  if (message.subtype === 'message_changed' && message.message?.subtype === 'tombstone') return message.message.ts;
  return undefined;
}
