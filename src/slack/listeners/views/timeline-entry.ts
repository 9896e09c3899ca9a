import type { App } from '@slack/bolt';
import { z } from 'zod';
import { parseWhen } from '../../../domain/when';
import { incidentById } from '../../../services/incidents';
import { correctEntry, deleteEntry } from '../../../services/timeline';
import { escapeMrkdwn } from '../../blocks/format';
import { interactionContext, type SlackDeps } from '../../deps';
import { describeFailure } from '../../failures';
import { BlockIds, CallbackIds } from '../../ids';
import { notifyUser } from '../../notify';
import { fieldErrors, fieldValue, safeJson } from './fields';

const metadataSchema = z.object({
  incidentId: z.number().int(),
  entryId: z.number().int(),
  version: z.number().int(),
  channelId: z.string().nullable(),
});

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

/** Submissions of the timeline entry's Edit and Delete modals. */
export function registerTimelineEntryViews(app: App, deps: SlackDeps): void {
  app.view(CallbackIds.timelineEntryEdit, async ({ ack, view, body, client }) => {
    const metadata = metadataSchema.safeParse(safeJson(view.private_metadata));
    const form = editForm.safeParse({
      text: fieldValue(view.state.values, BlockIds.text),
      when: fieldValue(view.state.values, BlockIds.when),
    });
    if (!form.success) {
      await ack({ response_action: 'errors', errors: fieldErrors(form.error) });
      return;
    }
    if (!metadata.success) {
      await ack({
        response_action: 'errors',
        errors: { [BlockIds.text]: 'This form is out of date; open the timeline again.' },
      });
      return;
    }
    try {
      const context = await interactionContext(deps, client, body);
      const when = parseWhen(form.data.when, { now: context.now, timeZone: context.user.timeZone, direction: 'past' });
      if (!when.ok) {
        await ack({ response_action: 'errors', errors: { [BlockIds.when]: when.message } });
        return;
      }
      const incident = await incidentById(context, metadata.data.incidentId);
      await correctEntry(context, incident, {
        entryId: metadata.data.entryId,
        expectedVersion: metadata.data.version,
        // Modal inputs are plain text; stored entries are Slack-escaped like every message text.
        text: escapeMrkdwn(form.data.text),
        occurredAt: when.at,
      });
      await ack();
    } catch (error) {
      // A conflict's message carries the newer text, so the editor sees it beside their own.
      await ack({ response_action: 'errors', errors: { [BlockIds.text]: describeFailure(error, deps.logger) } });
    }
  });

  app.view(CallbackIds.timelineEntryDelete, async ({ ack, view, body, client }) => {
    await ack();
    const metadata = metadataSchema.safeParse(safeJson(view.private_metadata));
    if (!metadata.success) return;
    const target = { userId: body.user.id, channelId: metadata.data.channelId };
    try {
      const context = await interactionContext(deps, client, body);
      const incident = await incidentById(context, metadata.data.incidentId);
      await deleteEntry(context, incident, metadata.data.entryId);
    } catch (error) {
      await notifyUser(client, target, describeFailure(error, deps.logger));
    }
  });
}
