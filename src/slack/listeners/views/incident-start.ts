import type { App } from '@slack/bolt';
import { z } from 'zod';
import { SEVERITIES } from '../../../domain/types';
import { declareIncident } from '../../../services/incidents';
import { START_WHERE } from '../../blocks/incident';
import { interactionContext, type SlackDeps } from '../../deps';
import { describeFailure } from '../../failures';
import { BlockIds, CallbackIds } from '../../ids';
import { notifyUser } from '../../notify';
import { provisionIncidentChannel } from '../../provision-channel';
import { fieldErrors, fieldValue, safeJson, selectedValue } from './fields';

const startForm = z.object({
  title: z
    .string({ message: 'Give the incident a title, e.g. “Checkout returns 500s”.' })
    .trim()
    .min(1, 'Give the incident a title, e.g. “Checkout returns 500s”.')
    .max(150, 'Keep the title under 150 characters; details go in the timeline.'),
  severity: z.enum(SEVERITIES, { message: 'Pick a severity.' }),
  where: z.enum(START_WHERE, { message: 'Pick where the incident lives.' }),
});

const metadataSchema = z.object({ channelId: z.string() });

/** The modal a bare `/incident start` opens. */
export function registerIncidentStartView(app: App, deps: SlackDeps): void {
  app.view(CallbackIds.incidentStart, async ({ ack, view, body, client }) => {
    const values = view.state.values;
    const form = startForm.safeParse({
      title: fieldValue(values, BlockIds.title),
      severity: selectedValue(values, BlockIds.severity),
      where: selectedValue(values, BlockIds.where),
    });
    if (!form.success) {
      await ack({ response_action: 'errors', errors: fieldErrors(form.error) });
      return;
    }
    const origin = metadataSchema.safeParse(safeJson(view.private_metadata));
    const channelId = origin.success ? origin.data.channelId : null;
    const userId = body.user.id;
    try {
      const context = await interactionContext(deps, client, body);
      const here = form.data.where === 'here';
      if (here && !channelId) {
        await ack({
          response_action: 'errors',
          errors: { [BlockIds.where]: 'Debrief lost track of the channel; create a new one instead.' },
        });
        return;
      }
      const { incident } = await declareIncident(context, {
        title: form.data.title,
        severity: form.data.severity,
        isPrivate: form.data.where === 'private',
        channelId: channelId ?? userId,
        here,
      });
      await ack();
      deps.background.run('provision incident from modal', async () => {
        if (here) {
          await client.conversations.join({ channel: channelId! }).catch(() => undefined);
          await notifyUser(client, { userId, channelId }, `Incident #${incident.number} is declared in this channel.`);
          return;
        }
        const outcome = await provisionIncidentChannel(deps.db, client, incident, channelId ?? userId);
        await notifyUser(
          client,
          { userId, channelId },
          outcome.ok
            ? [`Incident #${incident.number} is open in <#${outcome.channelId}>.`, ...outcome.warnings].join('\n')
            : `Incident #${incident.number} is recorded, but Slack would not create its channel (\`${outcome.slackError}\`). Run \`/incident start ${incident.severity} ${incident.title}\` to retry; Debrief keeps #${incident.number}.`,
        );
      });
    } catch (error) {
      await ack({ response_action: 'errors', errors: { [BlockIds.title]: describeFailure(error, deps.logger) } });
    }
  });
}
