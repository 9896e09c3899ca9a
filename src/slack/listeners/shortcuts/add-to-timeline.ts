import { captureFromShortcut, visiblePrivateIncidents } from '../../../services/capture';
import { renderNotice } from '../../blocks/notices';
import { pickIncidentModal } from '../../blocks/pick-incident';
import type { SlackDeps } from '../../deps';
import { CallbackIds } from '../../ids';
import { toSlackMessage } from '../../messenger';
import { encodeMetadata, pickIncidentMetadata } from '../../modal-metadata';
import type { SlackRoutes } from '../../routes';
import { interactionListener } from '../../surfaces';

/** "Add to incident timeline": in an incident channel it captures at once; elsewhere it asks which incident. */
export function registerAddToTimelineShortcut(routes: SlackRoutes, deps: SlackDeps): void {
  routes.messageShortcut(
    CallbackIds.addToTimeline,
    interactionListener(deps, async ({ shortcut, client, respond, request }) => {
      const message = toSlackMessage(shortcut.channel.id, shortcut.message);
      if (!message) throw new Error('shortcut payload carried no message');
      const context = await request.act();
      const outcome = await captureFromShortcut(context, message);
      if (outcome.kind === 'captured') {
        await respond({ response_type: 'ephemeral', ...renderNotice(outcome.notice) });
        return;
      }
      // The trigger_id expires 3 s after the click: the modal opens with the public incidents first;
      // private ones are added once Slack confirms the person is in their channel.
      const metadata = encodeMetadata(pickIncidentMetadata, { pendingId: outcome.pendingId });
      const build = (incidents: typeof outcome.publicIncidents) =>
        pickIncidentModal({ incidents, messagePreview: message.text, privateMetadata: metadata });
      const opened = await client.views.open({ trigger_id: shortcut.trigger_id, view: build(outcome.publicIncidents) });
      const viewId = opened.view?.id;
      if (outcome.privateIncidents.length === 0 || !viewId) return;
      deps.background.run('add private incidents to the picker', async () => {
        const visible = await visiblePrivateIncidents(context, outcome.privateIncidents);
        if (visible.length === 0) return;
        const all = [...outcome.publicIncidents, ...visible].sort((a, b) => b.number - a.number);
        await client.views.update({ view_id: viewId, view: build(all) });
      });
    }),
  );
}
