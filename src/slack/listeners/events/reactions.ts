import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { findLatestIncidentInChannel } from '../../../db/incidents';
import { readOnlyReason } from '../../../domain/permissions';
import { captureMessage, loggedMessage, releasePinnedMessage } from '../../../services/capture';
import type { SlackDeps } from '../../deps';
import { fetchMessage } from '../../fetch-message';
import { slackCall } from '../../slack-call';

const PUSHPIN = 'pushpin';

/** A :pushpin: on a message in an incident channel adds it to the timeline; removing the last one takes it out. */
export function registerReactionEvents(app: App, deps: SlackDeps): void {
  app.event('reaction_added', async ({ event, body, client }) => {
    if (event.reaction !== PUSHPIN || event.item.type !== 'message') return;
    const { channel, ts } = event.item;
    const workspace = { teamId: body.team_id, enterpriseId: body.enterprise_id ?? null };
    const scope = { db: deps.db, workspaceId: await deps.workspaces.idFor(workspace) };
    const incident = await findLatestIncidentInChannel(deps.db, scope.workspaceId, channel);
    if (!incident) return;
    const actor = await deps.users.actor(client, workspace, event.user);
    const refusal = readOnlyReason(actor);
    if (refusal) {
      await tellUser(client, channel, event.user, `Your :pushpin: was not added to the timeline. ${refusal}`);
      return;
    }
    const message = (await loggedMessage(scope, channel, ts)) ?? (await fetchMessage(client, channel, ts));
    if (!message) return;
    await captureMessage(scope, {
      incidentId: incident.id,
      source: 'reaction',
      capturedBy: event.user,
      message,
      now: deps.clock(),
    });
  });

  app.event('reaction_removed', async ({ event, body, client }) => {
    if (event.reaction !== PUSHPIN || event.item.type !== 'message') return;
    const { channel, ts } = event.item;
    const workspaceId = await deps.workspaces.idFor({ teamId: body.team_id, enterpriseId: body.enterprise_id ?? null });
    await releasePinnedMessage(
      { db: deps.db, workspaceId },
      {
        channelId: channel,
        ts,
        pushpinsLeft: await pushpinsOn(client, channel, ts),
        removedBy: event.user,
        now: deps.clock(),
      },
    );
  });
}

/** How many pushpins a message still carries; a message Slack no longer has carries none. */
async function pushpinsOn(client: WebClient, channel: string, ts: string): Promise<number> {
  const result = await slackCall(() => client.reactions.get({ channel, timestamp: ts, full: true }));
  if (!result.ok) return 0;
  const reactions = (result.value.message?.reactions ?? []) as { name?: string; count?: number }[];
  return reactions.find((r) => r.name === PUSHPIN)?.count ?? 0;
}

async function tellUser(client: WebClient, channel: string, user: string, text: string): Promise<void> {
  await slackCall(() => client.chat.postEphemeral({ channel, user, text }));
}
