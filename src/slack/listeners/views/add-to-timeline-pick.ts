import { capturePending } from '../../../services/capture';
import type { SlackDeps } from '../../deps';
import { BlockIds, CallbackIds } from '../../ids';
import { decodeMetadata, pickIncidentMetadata } from '../../modal-metadata';
import type { SlackRoutes } from '../../routes';
import { viewListener } from '../../surfaces';
import { selectedValue } from './fields';

/** The incident picker of the "Add to incident timeline" shortcut. */
export function registerAddToTimelinePickView(routes: SlackRoutes, deps: SlackDeps): void {
  routes.view(
    CallbackIds.addToTimelinePick,
    viewListener(deps, BlockIds.incident, async ({ view, request }) => {
      const incidentId = Number(selectedValue(view.state.values, BlockIds.incident));
      const metadata = decodeMetadata(pickIncidentMetadata, view.private_metadata);
      if (!Number.isSafeInteger(incidentId) || !metadata) {
        return { errors: { [BlockIds.incident]: 'Pick the incident this message belongs to.' } };
      }
      const context = await request.act();
      const { notice, incidentChannelId } = await capturePending(context, {
        pendingId: metadata.pendingId,
        incidentId,
      });
      const target = { userId: context.actor.userId, channelId: incidentChannelId };
      return { afterwards: () => context.slack.tellUser(context.workspace, target, notice) };
    }),
  );
}
