import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../services/capture';

interface RawMessage {
  ts?: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
}

/**
 * Fetches one message by channel and ts. conversations.history finds top-level messages; a thread
 * reply is only reachable through conversations.replies.
 */
export async function fetchMessage(
  client: WebClient,
  channelId: string,
  ts: string,
): Promise<SlackMessage | undefined> {
  const history = await client.conversations.history({ channel: channelId, latest: ts, inclusive: true, limit: 1 });
  let found = (history.messages as RawMessage[] | undefined)?.find((m) => m.ts === ts);
  if (!found) {
    const replies = await client.conversations.replies({ channel: channelId, ts, limit: 200 });
    found = (replies.messages as RawMessage[] | undefined)?.find((m) => m.ts === ts);
  }
  return found && toSlackMessage(channelId, found);
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
