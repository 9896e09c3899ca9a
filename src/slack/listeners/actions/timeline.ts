import type { App, BlockAction, ButtonAction, OverflowAction } from '@slack/bolt';
import { findIncidentIdOfEntry, findTimelineEntryView, listRevisions } from '../../../db/timeline';
import { canCorrectEntry } from '../../../domain/permissions';
import { incidentById } from '../../../services/incidents';
import { listTimeline } from '../../../services/timeline';
import { confirmDeleteEntryModal, editTimelineEntryModal } from '../../blocks/incident';
import { parseTimelineMenuValue, parseTimelinePageValue, timelineMessage } from '../../blocks/timeline';
import { interactionWorkspace, type SlackDeps } from '../../deps';
import { describeFailure } from '../../failures';
import { ActionIds } from '../../ids';

/** What the Edit and Delete modals carry: the entry, the version shown, and where to refresh the view. */
export interface EntryModalMetadata {
  incidentId: number;
  entryId: number;
  version: number;
  channelId: string | null;
}

/** The timeline view's Newer/Older buttons and each entry's Edit/Delete menu. */
export function registerTimelineActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionIds.timelinePage, async ({ ack, action, body, respond }) => {
    await ack();
    try {
      const value = parseTimelinePageValue(action.value ?? '');
      if (!value) return;
      const workspaceId = await deps.workspaces.idFor(interactionWorkspace(body));
      const incident = await incidentById({ db: deps.db, workspaceId }, value.incidentId);
      const message = timelineMessage({
        incident: incident.summary,
        entries: await listTimeline(deps.db, incident.row.id),
        page: value.page,
        // Paging makes no users.info call; the guest check happens again on any change.
        viewer: { userId: body.user.id, isGuest: false, isExternal: false },
      });
      await respond({ replace_original: true, response_type: 'ephemeral', text: message.text, blocks: message.blocks });
    } catch (error) {
      await respond({ replace_original: false, response_type: 'ephemeral', text: describeFailure(error, deps.logger) });
    }
  });

  app.action<BlockAction<OverflowAction>>(
    ActionIds.timelineEntryMenu,
    async ({ ack, action, body, client, respond }) => {
      await ack();
      try {
        const choice = parseTimelineMenuValue(action.selected_option.value);
        if (!choice) return;
        const workspaceId = await deps.workspaces.idFor(interactionWorkspace(body));
        const incidentId = await findIncidentIdOfEntry(deps.db, workspaceId, choice.entryId);
        const entry = incidentId && (await findTimelineEntryView(deps.db, incidentId, choice.entryId));
        if (!incidentId || !entry) {
          await respond({
            replace_original: false,
            response_type: 'ephemeral',
            text: 'That entry no longer exists. Run `/incident timeline` again.',
          });
          return;
        }
        // Database only before views.open: the trigger_id expires 3 s after the click. The submission rechecks everything.
        const incident = await incidentById({ db: deps.db, workspaceId }, incidentId);
        if (!canCorrectEntry(entry, incident.summary, { userId: body.user.id, isGuest: false, isExternal: false })) {
          await respond({
            replace_original: false,
            response_type: 'ephemeral',
            text: 'Only the person who added this entry, or the incident commander, can change it.',
          });
          return;
        }
        const metadata: EntryModalMetadata = {
          incidentId,
          entryId: entry.id,
          version: entry.version,
          channelId: body.channel?.id ?? null,
        };
        const privateMetadata = JSON.stringify(metadata);
        const view =
          choice.action === 'edit'
            ? editTimelineEntryModal({ entry, history: await revisionViews(deps, entry.id), privateMetadata })
            : confirmDeleteEntryModal({ entry, privateMetadata });
        await client.views.open({ trigger_id: body.trigger_id, view });
      } catch (error) {
        await respond({
          replace_original: false,
          response_type: 'ephemeral',
          text: describeFailure(error, deps.logger),
        });
      }
    },
  );
}

async function revisionViews(deps: SlackDeps, entryId: number) {
  const revisions = await listRevisions(deps.db, entryId);
  return revisions.map((r) => ({
    text: r.text,
    occurredAt: r.occurred_at,
    change: r.change,
    changedBy: r.changed_by,
    changedAt: r.changed_at,
  }));
}
