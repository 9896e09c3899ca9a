import type { App } from '@slack/bolt';
import { eraseDeletedMessage, followMessageEdit, logChannelMessage } from '../../../services/capture';
import type { SlackDeps } from '../../deps';
import { toSlackMessage } from '../../fetch-message';

/** Subtypes that are people speaking; the rest (joins, topic changes …) are not conversation. */
const SPOKEN_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share', 'me_message']);

interface MessageEventShape {
  subtype?: string;
  channel: string;
  ts: string;
  user?: string;
  bot_id?: string;
  text?: string;
  thread_ts?: string;
  message?: { ts: string; user?: string; bot_id?: string; text?: string; subtype?: string };
  deleted_ts?: string;
  event_ts?: string;
}

/** Keeps the message log of incident channels and makes captured messages follow Slack edits and deletions. */
export function registerMessageEvents(app: App, deps: SlackDeps): void {
  app.event('message', async ({ event, body }) => {
    const message = event as unknown as MessageEventShape;
    const scope = {
      db: deps.db,
      workspaceId: await deps.workspaces.idFor({ teamId: body.team_id, enterpriseId: body.enterprise_id ?? null }),
    };
    if (message.subtype === 'message_changed' && message.message) {
      const edited = message.message;
      if (edited.bot_id || edited.subtype === 'bot_message' || !edited.user) return;
      await followMessageEdit(scope, {
        channelId: message.channel,
        ts: edited.ts,
        text: edited.text ?? '',
        editedBy: edited.user,
        at: deps.clock(),
      });
      return;
    }
    if (message.subtype === 'message_deleted' && message.deleted_ts) {
      await eraseDeletedMessage(scope, { channelId: message.channel, ts: message.deleted_ts, at: deps.clock() });
      return;
    }
    if (!SPOKEN_SUBTYPES.has(message.subtype) || message.bot_id || !message.user) return;
    const spoken = toSlackMessage(message.channel, message);
    if (spoken) await logChannelMessage(scope, spoken);
  });
}
