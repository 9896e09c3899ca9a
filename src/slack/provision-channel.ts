import type { WebClient } from '@slack/web-api';
import type { Db } from '../db/connect';
import { loadIncidentSummary } from '../db/incidents';
import type { IncidentRow } from '../db/schema';
import { incidentChannelName } from '../domain/channel-name';
import { attachChannel } from '../services/incidents';
import { incidentCard } from './blocks/incident';
import { slackCall } from './slack-call';

/** Enough attempts to get past a run of `-2`, `-3` … names from the same day. */
const MAX_NAME_ATTEMPTS = 25;

export type ProvisionOutcome =
  | { ok: true; channelId: string; channelName: string; warnings: string[] }
  | { ok: false; slackError: string };

/**
 * Creates the incident's channel (picking the next free name), invites the declarer, posts the card
 * there and a link where the incident was declared. The incident is already committed; a failure
 * here is reported so the declarer can retry, which reuses the same incident.
 */
export async function provisionIncidentChannel(
  db: Db,
  client: WebClient,
  incident: IncidentRow,
  declaredIn: string,
): Promise<ProvisionOutcome> {
  const created = await createChannel(client, incident);
  if (!created.ok) return created;
  const { channelId, channelName } = created;
  await attachChannel(db, incident.id, channelId, channelName);
  const warnings: string[] = [];

  const invited = await slackCall(() =>
    client.conversations.invite({ channel: channelId, users: incident.declared_by }),
  );
  if (!invited.ok && invited.slackError !== 'already_in_channel') {
    warnings.push(`Debrief could not invite you to <#${channelId}> (\`${invited.slackError}\`); join it yourself.`);
  }
  const summary = await loadIncidentSummary(db, { ...incident, channel_id: channelId, channel_name: channelName });
  const card = incidentCard(summary);
  await client.chat.postMessage({ channel: channelId, text: card.text, blocks: card.blocks });
  if (declaredIn !== channelId) {
    const link = await slackCall(() =>
      client.chat.postMessage({
        channel: declaredIn,
        text: `:rotating_light: <@${incident.declared_by}> declared incident #${incident.number} (${incident.severity}) ${incident.title}: <#${channelId}>`,
      }),
    );
    // The declaring channel may be one Debrief is not in (a DM, a private channel): the reply still reaches the declarer.
    if (!link.ok && !['not_in_channel', 'channel_not_found'].includes(link.slackError)) {
      warnings.push(`Debrief could not post the link in the channel you ran the command in (\`${link.slackError}\`).`);
    }
  }
  return { ok: true, channelId, channelName, warnings };
}

async function createChannel(
  client: WebClient,
  incident: IncidentRow,
): Promise<{ ok: true; channelId: string; channelName: string } | { ok: false; slackError: string }> {
  for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
    const name = incidentChannelName(incident.title, incident.number, incident.declared_at, attempt);
    const result = await slackCall(() => client.conversations.create({ name, is_private: incident.is_private }));
    if (result.ok) {
      const channelId = result.value.channel?.id;
      if (!channelId) return { ok: false, slackError: 'no_channel_in_response' };
      return { ok: true, channelId, channelName: name };
    }
    if (result.slackError !== 'name_taken') return result;
  }
  return { ok: false, slackError: 'name_taken' };
}
