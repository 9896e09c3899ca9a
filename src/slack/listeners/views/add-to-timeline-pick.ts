import type { App } from '@slack/bolt';
import { z } from 'zod';
import { readOnlyReason } from '../../../domain/permissions';
import { formatEcho } from '../../../domain/when';
import { captureMessage } from '../../../services/capture';
import { incidentById } from '../../../services/incidents';
import { interactionContext, type SlackDeps } from '../../deps';
import { describeFailure } from '../../failures';
import { BlockIds, CallbackIds } from '../../ids';
import { isChannelMember } from '../../membership';
import { notifyUser } from '../../notify';
import { safeJson, selectedValue } from './fields';

const pendingCapture = z.object({
  channelId: z.string(),
  ts: z.string(),
  threadTs: z.string().nullable(),
  userId: z.string(),
  text: z.string(),
});

/** The incident picker of the "Add to incident timeline" shortcut. */
export function registerAddToTimelinePickView(app: App, deps: SlackDeps): void {
  app.view(CallbackIds.addToTimelinePick, async ({ ack, view, body, client }) => {
    const incidentId = Number(selectedValue(view.state.values, BlockIds.incident));
    const message = pendingCapture.safeParse(safeJson(view.private_metadata));
    if (!Number.isSafeInteger(incidentId) || !message.success) {
      await ack({
        response_action: 'errors',
        errors: { [BlockIds.incident]: 'Pick the incident this message belongs to.' },
      });
      return;
    }
    try {
      const context = await interactionContext(deps, client, body);
      const refusal = readOnlyReason(context.actor);
      const incident = await incidentById(context, incidentId);
      const hidden =
        incident.row.is_private &&
        !(incident.row.channel_id && (await isChannelMember(client, incident.row.channel_id, body.user.id)));
      if (refusal || hidden) {
        await ack({
          response_action: 'errors',
          errors: { [BlockIds.incident]: refusal ?? 'You are not in that incident’s channel.' },
        });
        return;
      }
      const { entry, created } = await captureMessage(context, {
        incidentId,
        source: 'shortcut',
        capturedBy: body.user.id,
        message: message.data,
        now: context.now,
      });
      await ack();
      const when = formatEcho(entry.occurred_at, context.user.timeZone, context.now);
      const text = created
        ? `Added a message from <#${message.data.channelId}> to the timeline of #${incident.row.number} at ${when}.`
        : `That message is already in the timeline of #${incident.row.number}.`;
      deps.background.run('confirm shortcut capture', () =>
        notifyUser(client, { userId: body.user.id, channelId: incident.row.channel_id }, text),
      );
    } catch (error) {
      await ack({ response_action: 'errors', errors: { [BlockIds.incident]: describeFailure(error, deps.logger) } });
    }
  });
}
