import { type DmChannel, rememberDmChannels } from '../db/dm-channels';
import type { Scope } from './context';
import type { DeliveryOutcome } from './slack-port';

/**
 * What a direct message's outcome says about the person's DM channel as Postgres keeps it
 * (dm_channels, shared by every replica): the channel Slack opened for it, to remember so that the
 * next message is one chat.postMessage; or the remembered channel Slack refused to post into
 * (closed, archived, gone), to forget so that the next message opens a DM afresh. A rate limit says
 * nothing about the channel.
 */
export function dmChannelUpdate(
  userId: string,
  known: string | undefined,
  outcome: DeliveryOutcome,
): { remember?: DmChannel; forget?: DmChannel } {
  if (outcome.outcome === 'sent' && outcome.channelId !== undefined && outcome.channelId !== known) {
    return { remember: { userId, channelId: outcome.channelId } };
  }
  if (outcome.outcome === 'refused' && !outcome.rateLimited && known !== undefined) {
    return { forget: { userId, channelId: known } };
  }
  return {};
}

/**
 * A person opened Debrief's App Home: Slack's `app_home_opened` names their DM channel with Debrief
 * (`channel`, a `D…` id; https://api.slack.com/events/app_home_opened), so the first direct message to
 * them needs no conversations.open (Tier 3, per workspace) and is one chat.postMessage.
 */
export async function noteAppHomeChannel(scope: Scope, userId: string, channelId: string | undefined): Promise<void> {
  if (channelId === undefined || !channelId.startsWith('D')) return;
  await rememberDmChannels(scope.db, scope.workspaceId, [{ userId, channelId }]);
}
