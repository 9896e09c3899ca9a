import { loadIncidentSummary } from '../db/incidents';
import type { IncidentRow } from '../db/schema';
import { incidentChannelName } from '../domain/channel-name';
import type { Scope } from './context';
import { attachChannel } from './incidents';
import type { Notice, ProvisionProblem, SlackResult } from './slack-port';

/** Enough attempts to get past a run of `-2`, `-3` … names from the same day. */
const MAX_NAME_ATTEMPTS = 25;

/** Slack refusals of the link post that only mean Debrief cannot post where the command ran (a DM, a private channel). */
const LINK_NOT_POSSIBLE = new Set(['not_in_channel', 'channel_not_found']);

/**
 * The Slack half of declaring an incident, after it is committed: a new channel (picking the next
 * free name), the declarer invited, the card posted there and a link where it was declared; or, for
 * `--here`, Debrief joining the channel. Returns what to tell the declarer. A failure leaves the
 * incident recorded, and declaring it again reuses it.
 */
export async function openIncidentChannel(
  scope: Scope,
  incident: IncidentRow,
  declaredIn: string | null,
): Promise<Notice> {
  if (incident.channel_id && incident.channel_name === null) {
    // `--here`: capture needs Debrief in the channel (message and reaction events come only from there).
    const joined = await scope.slack.joinChannel(scope.workspace, incident.channel_id);
    return joined.ok ? { kind: 'incident_declared_here', incidentNumber: incident.number } : { kind: 'not_in_channel' };
  }
  if (incident.channel_id) {
    return {
      kind: 'incident_channel_ready',
      incidentNumber: incident.number,
      channelId: incident.channel_id,
      problems: [],
    };
  }
  const created = await createChannel(scope, incident);
  if (!created.ok) {
    return { kind: 'incident_channel_failed', incident, slackError: created.slackError };
  }
  const { channelId, channelName } = created.value;
  const attached = await attachChannel(scope.db, incident.id, channelId, channelName);
  const problems: ProvisionProblem[] = [];
  const invited = await scope.slack.inviteToChannel(scope.workspace, channelId, incident.declared_by);
  if (!invited.ok && invited.slackError !== 'already_in_channel') {
    problems.push({ step: 'invite', slackError: invited.slackError, channelId });
  }
  const summary = await loadIncidentSummary(scope.db, attached);
  await scope.slack.post(scope.workspace, channelId, { kind: 'incident_card', incident: summary });
  // A private incident's title stays out of the channel it was declared from (SPEC 2).
  if (declaredIn && declaredIn !== channelId && !incident.is_private) {
    const link = await scope.slack.post(scope.workspace, declaredIn, {
      kind: 'incident_declared_elsewhere',
      incident: { ...incident, declaredBy: incident.declared_by },
      channelId,
    });
    if (!link.ok && !LINK_NOT_POSSIBLE.has(link.slackError))
      problems.push({ step: 'link', slackError: link.slackError });
  }
  return { kind: 'incident_channel_ready', incidentNumber: incident.number, channelId, problems };
}

async function createChannel(
  scope: Scope,
  incident: IncidentRow,
): Promise<SlackResult<{ channelId: string; channelName: string }>> {
  for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
    const name = incidentChannelName(incident.title, incident.number, incident.declared_at, attempt);
    const result = await scope.slack.createChannel(scope.workspace, { name, isPrivate: incident.is_private });
    if (result.ok) return { ok: true, value: { channelId: result.value.channelId, channelName: name } };
    if (result.slackError !== 'name_taken') return result;
  }
  return { ok: false, slackError: 'name_taken' };
}
