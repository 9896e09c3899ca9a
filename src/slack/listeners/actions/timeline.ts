import type { BlockAction, ButtonAction, OverflowAction } from '@slack/bolt';
import { entryForCorrection, incidentTimeline } from '../../../services/timeline';
import { confirmDeleteEntryModal, editTimelineEntryModal } from '../../blocks/incident';
import { parseTimelineMenuValue, parseTimelinePageValue, timelineMessage } from '../../blocks/timeline';
import type { SlackDeps } from '../../deps';
import { ActionIds } from '../../ids';
import { encodeMetadata, timelineEntryMetadata } from '../../modal-metadata';
import type { SlackRoutes } from '../../routes';
import { interactionListener } from '../../surfaces';

/** The timeline view's Newer/Older buttons and each entry's Edit/Delete menu. */
export function registerTimelineActions(routes: SlackRoutes, deps: SlackDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ActionIds.timelinePage,
    interactionListener(deps, async ({ action, respond, request }) => {
      const value = parseTimelinePageValue(action.value ?? '');
      if (!value) return;
      const context = await request.act();
      const { incident, entries } = await incidentTimeline(context, value.incidentId);
      const message = timelineMessage({ incident, entries, page: value.page, viewer: context.actor });
      await respond({ replace_original: true, response_type: 'ephemeral', ...message });
    }),
  );

  routes.action<BlockAction<OverflowAction>>(
    ActionIds.timelineEntryMenu,
    interactionListener(deps, async ({ action, body, client, request }) => {
      const choice = parseTimelineMenuValue(action.selected_option.value);
      if (!choice) return;
      // Only the database before views.open (see beforeModal); the submission checks everything again.
      const context = await request.beforeModal();
      const { incidentId, entry, history } = await entryForCorrection(context, context.actor, choice.entryId);
      const privateMetadata = encodeMetadata(timelineEntryMetadata, {
        incidentId,
        entryId: entry.id,
        version: entry.version,
        channelId: body.channel?.id ?? null,
      });
      const view =
        choice.action === 'edit'
          ? editTimelineEntryModal({ entry, history, privateMetadata })
          : confirmDeleteEntryModal({ entry, privateMetadata });
      await client.views.open({ trigger_id: body.trigger_id, view });
    }),
  );
}
