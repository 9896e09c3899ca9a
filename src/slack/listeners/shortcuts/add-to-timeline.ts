import type { App, MessageShortcut } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { findLatestIncidentInChannel, listActiveIncidents } from '../../../db/incidents';
import type { IncidentRow } from '../../../db/schema';
import { readOnlyReason } from '../../../domain/permissions';
import { formatEcho } from '../../../domain/when';
import { captureMessage } from '../../../services/capture';
import { pickIncidentModal } from '../../blocks/pick-incident';
import { interactionWorkspace, type SlackDeps } from '../../deps';
import { describeFailure } from '../../failures';
import { toSlackMessage } from '../../fetch-message';
import { CallbackIds } from '../../ids';
import { isChannelMember } from '../../membership';

/** What the picker modal carries to its submission; the text is cut to fit Slack's 3,000-character metadata. */
export interface PendingCapture {
  channelId: string;
  ts: string;
  threadTs: string | null;
  userId: string;
  text: string;
}

const METADATA_MAX = 3000;

/** "Add to incident timeline": in an incident channel it captures at once; elsewhere it asks which incident. */
export function registerAddToTimelineShortcut(app: App, deps: SlackDeps): void {
  app.shortcut<MessageShortcut>(
    { callback_id: CallbackIds.addToTimeline, type: 'message_action' },
    async ({ shortcut, ack, client, respond }) => {
      await ack();
      const workspace = interactionWorkspace(shortcut);
      try {
        const message = toSlackMessage(shortcut.channel.id, shortcut.message);
        if (!message) throw new Error('shortcut payload carried no message');
        const workspaceId = await deps.workspaces.idFor(workspace);
        const here = await findLatestIncidentInChannel(deps.db, workspaceId, shortcut.channel.id);
        if (!here) {
          await openPicker(deps, client, workspaceId, shortcut, message);
          return;
        }
        const actor = await deps.users.actor(client, workspace, shortcut.user.id);
        const refusal = readOnlyReason(actor);
        if (refusal) {
          await respond({ response_type: 'ephemeral', text: refusal });
          return;
        }
        const { entry, created } = await captureMessage(
          { db: deps.db, workspaceId },
          { incidentId: here.id, source: 'shortcut', capturedBy: shortcut.user.id, message, now: deps.clock() },
        );
        const when = formatEcho(entry.occurred_at, actor.timeZone, deps.clock());
        await respond({
          response_type: 'ephemeral',
          text: created
            ? `Added to the timeline of #${here.number} at ${when}.`
            : `That message is already in the timeline of #${here.number} (at ${when}).`,
        });
      } catch (error) {
        await respond({ response_type: 'ephemeral', text: describeFailure(error, deps.logger) });
      }
    },
  );
}

/**
 * Opens the incident picker. The trigger_id expires 3 s after the click, so the modal opens with the
 * public incidents first; private ones are added once Slack confirms the user is in their channel.
 */
async function openPicker(
  deps: SlackDeps,
  client: WebClient,
  workspaceId: number,
  shortcut: MessageShortcut,
  message: NonNullable<ReturnType<typeof toSlackMessage>>,
): Promise<void> {
  const active = await listActiveIncidents(deps.db, workspaceId);
  const metadata = pendingCaptureMetadata(message);
  const build = (incidents: IncidentRow[]) =>
    pickIncidentModal({ incidents, messagePreview: message.text, privateMetadata: metadata });
  const opened = await client.views.open({
    trigger_id: shortcut.trigger_id,
    view: build(active.filter((i) => !i.is_private)),
  });
  const privateOnes = active.filter((i) => i.is_private);
  if (privateOnes.length === 0 || !opened.view?.id) return;
  const viewId = opened.view.id;
  deps.background.run('add private incidents to picker', async () => {
    const visible = await visibleTo(client, shortcut.user.id, active);
    if (visible.length > active.length - privateOnes.length) {
      await client.views.update({ view_id: viewId, view: build(visible) });
    }
  });
}

/** Incidents the user may see: public ones, and private ones whose channel they are in. */
export async function visibleTo(client: WebClient, userId: string, incidents: IncidentRow[]): Promise<IncidentRow[]> {
  const visible: IncidentRow[] = [];
  for (const incident of incidents) {
    if (!incident.is_private || (incident.channel_id && (await isChannelMember(client, incident.channel_id, userId)))) {
      visible.push(incident);
    }
  }
  return visible;
}

/** Serialises the message for the modal, shortening its text until the JSON fits Slack's limit. */
export function pendingCaptureMetadata(message: PendingCapture): string {
  let text = message.text;
  for (;;) {
    const json = JSON.stringify({ ...message, text });
    if (json.length <= METADATA_MAX) return json;
    text = `${text.slice(0, Math.max(0, text.length - (json.length - METADATA_MAX) - 20))}… (truncated)`;
  }
}
