import type { WebClient } from '@slack/web-api';
import { slackCall } from './slack-call';

/**
 * Tells one person something where they are: an ephemeral message in the channel, or a DM when
 * Slack cannot show it there (chat.postEphemeral reaches only channel members).
 */
export async function notifyUser(
  client: WebClient,
  target: { userId: string; channelId: string | null },
  text: string,
): Promise<void> {
  if (target.channelId) {
    const shown = await slackCall(() =>
      client.chat.postEphemeral({ channel: target.channelId!, user: target.userId, text }),
    );
    if (shown.ok) return;
  }
  const dm = await client.conversations.open({ users: target.userId });
  const channel = dm.channel?.id;
  if (channel) await client.chat.postMessage({ channel, text });
}
