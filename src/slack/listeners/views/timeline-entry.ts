import { z } from 'zod';
import { parseWhen } from '../../../domain/when';
import { correctEntry, deleteEntry } from '../../../services/timeline';
import { escapeMrkdwn } from '../../blocks/format';
import type { SlackDeps } from '../../deps';
import { describeFailure } from '../../failures';
import { BlockIds, CallbackIds } from '../../ids';
import { decodeMetadata, timelineEntryMetadata } from '../../modal-metadata';
import type { SlackRoutes } from '../../routes';
import { viewListener } from '../../surfaces';
import { fieldErrors, fieldValue } from './fields';

const editForm = z.object({
  text: z
    .string({ message: 'Write what happened; to remove the entry use Delete instead.' })
    .trim()
    .min(1, 'Write what happened; to remove the entry use Delete instead.')
    .max(3000, 'Keep an entry under 3,000 characters.'),
  when: z
    .string({ message: 'Give a time such as 2026-11-20T09:05:00Z or 09:05.' })
    .trim()
    .min(1, 'Give a time such as 2026-11-20T09:05:00Z or 09:05.'),
});

const OUT_OF_DATE = 'This form is out of date; open the timeline again.';

/** Submissions of the timeline entry's Edit and Delete modals. */
export function registerTimelineEntryViews(routes: SlackRoutes, deps: SlackDeps): void {
  routes.view(
    CallbackIds.timelineEntryEdit,
    viewListener(deps, BlockIds.text, async ({ view, request }) => {
      const metadata = decodeMetadata(timelineEntryMetadata, view.private_metadata);
      const form = editForm.safeParse({
        text: fieldValue(view.state.values, BlockIds.text),
        when: fieldValue(view.state.values, BlockIds.when),
      });
      if (!form.success) return { errors: fieldErrors(form.error) };
      if (!metadata) return { errors: { [BlockIds.text]: OUT_OF_DATE } };
      const context = await request.act();
      const when = parseWhen(form.data.when, { now: context.now, timeZone: context.actor.timeZone, direction: 'past' });
      if (!when.ok) return { errors: { [BlockIds.when]: when.message } };
      await correctEntry(context, {
        incidentId: metadata.incidentId,
        entryId: metadata.entryId,
        expectedVersion: metadata.version,
        // Modal inputs are plain text; stored entries are Slack-escaped like every message text.
        text: escapeMrkdwn(form.data.text),
        occurredAt: when.at,
      });
      return {};
    }),
  );

  routes.view(
    CallbackIds.timelineEntryDelete,
    viewListener(deps, BlockIds.text, async ({ view, request }) => {
      const metadata = decodeMetadata(timelineEntryMetadata, view.private_metadata);
      if (!metadata) return {};
      const context = await request.act();
      try {
        await deleteEntry(context, {
          incidentId: metadata.incidentId,
          entryId: metadata.entryId,
          expectedVersion: metadata.version,
        });
      } catch (error) {
        // Slack shows `errors` only under inputs, and this confirmation has none: tell the person privately.
        const message = describeFailure(error, deps.logger);
        const target = { userId: context.actor.userId, channelId: metadata.channelId };
        return { afterwards: () => context.slack.tellUser(context.workspace, target, { kind: 'refused', message }) };
      }
      return {};
    }),
  );
}
