import { z } from 'zod';
import { SEVERITIES } from '../../../domain/types';
import { declareIncident } from '../../../services/incidents';
import { openIncidentChannel } from '../../../services/provisioning';
import { START_WHERE } from '../../blocks/incident';
import type { SlackDeps } from '../../deps';
import { BlockIds, CallbackIds } from '../../ids';
import { decodeMetadata, startIncidentMetadata } from '../../modal-metadata';
import type { SlackRoutes } from '../../routes';
import { viewListener } from '../../surfaces';
import { fieldErrors, fieldValue, selectedValue } from './fields';

const startForm = z.object({
  title: z
    .string({ message: 'Give the incident a title, e.g. “Checkout returns 500s”.' })
    .trim()
    .min(1, 'Give the incident a title, e.g. “Checkout returns 500s”.')
    .max(150, 'Keep the title under 150 characters; details go in the timeline.'),
  severity: z.enum(SEVERITIES, { message: 'Pick a severity.' }),
  where: z.enum(START_WHERE, { message: 'Pick where the incident lives.' }),
});

/** The modal a bare `/incident start` opens. */
export function registerIncidentStartView(routes: SlackRoutes, deps: SlackDeps): void {
  routes.view(
    CallbackIds.incidentStart,
    viewListener(deps, BlockIds.title, async ({ view, request }) => {
      const values = view.state.values;
      const form = startForm.safeParse({
        title: fieldValue(values, BlockIds.title),
        severity: selectedValue(values, BlockIds.severity),
        where: selectedValue(values, BlockIds.where),
      });
      if (!form.success) return { errors: fieldErrors(form.error) };
      const channelId = decodeMetadata(startIncidentMetadata, view.private_metadata)?.channelId ?? null;
      const here = form.data.where === 'here';
      if (here && !channelId) {
        return { errors: { [BlockIds.where]: 'Debrief lost track of the channel; create a new one instead.' } };
      }
      const context = await request.act();
      const { incident } = await declareIncident(context, {
        title: form.data.title,
        severity: form.data.severity,
        isPrivate: form.data.where === 'private',
        channelId: channelId ?? context.actor.userId,
        here,
      });
      return {
        afterwards: async () => {
          const notice = await openIncidentChannel(context, incident, channelId);
          await context.slack.tellUser(context.workspace, { userId: context.actor.userId, channelId }, notice);
        },
      };
    }),
  );
}
