import { captureReaction, releasePushpin } from '../../../services/capture';
import { requestOf } from '../../context';
import type { SlackRoutes } from '../../routes';

const PUSHPIN = 'pushpin';

/** A :pushpin: on a message in an incident channel adds it to the timeline; removing the last one takes it out. */
export function registerReactionEvents(routes: SlackRoutes): void {
  routes.event('reaction_added', async ({ event, context }) => {
    if (event.reaction !== PUSHPIN || event.item.type !== 'message') return;
    const { channel, ts } = event.item;
    const scope = await requestOf(context).scope();
    const refusal = await captureReaction(scope, event.user, { channelId: channel, ts });
    if (refusal) await scope.slack.tellUser(scope.workspace, { userId: event.user, channelId: channel }, refusal);
  });

  routes.event('reaction_removed', async ({ event, context }) => {
    if (event.reaction !== PUSHPIN || event.item.type !== 'message') return;
    const scope = await requestOf(context).scope();
    await releasePushpin(scope, { channelId: event.item.channel, ts: event.item.ts, removedBy: event.user });
  });
}
