/**
 * Slack's request bodies as a receiver hands them to Bolt (parsed: a slash command's form fields are
 * strings, interactivity's `payload` is JSON), in the shapes Slack documents and sends. The kit's
 * builders in test/kit/slack-requests.ts need the HTTP Slack stand-in; these need nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { RESPONSE_URL_PREFIX } from './fake-slack-web';

export const TEAM_ID = 'T0LISTEN';
export const TEAM_DOMAIN = 'debrief-listeners';
export const API_APP_ID = 'A0DEBRIEF1';
export const BOT_USER_ID = 'UDEBRIEF';
export const BOT_ID = 'BDEBRIEF';
const VERIFICATION_TOKEN = 'legacyverificationtoken0';

/** Where a request comes from: one workspace, or a workspace of an org-wide (Enterprise Grid) install. */
export interface Origin {
  teamId: string;
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
}

export const WORKSPACE: Origin = { teamId: TEAM_ID };

function triggerId(): string {
  return `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}`;
}

function responseUrl(teamId: string): string {
  return `${RESPONSE_URL_PREFIX}${teamId}/${randomBytes(5).readUInt32BE()}/${randomBytes(12).toString('base64url')}`;
}

let tsSequence = 0;

/** A message ts at `at` (Slack's: epoch seconds and a per-channel sequence). */
export function tsAt(at: Date): string {
  tsSequence += 1;
  return `${Math.floor(at.getTime() / 1000)}.${String(tsSequence).padStart(6, '0')}`;
}

export interface SlashCommandInput {
  userId: string;
  channelId: string;
  text: string;
  command?: string;
  origin?: Origin;
}

/** A slash command's form fields, in Slack's order. */
export function slashCommand(input: SlashCommandInput): Record<string, string> {
  const origin = input.origin ?? WORKSPACE;
  return {
    token: VERIFICATION_TOKEN,
    team_id: origin.teamId,
    team_domain: TEAM_DOMAIN,
    ...(origin.enterpriseId !== undefined && { enterprise_id: origin.enterpriseId, enterprise_name: 'Org' }),
    channel_id: input.channelId,
    channel_name: input.channelId.toLowerCase(),
    user_id: input.userId,
    user_name: input.userId.toLowerCase(),
    command: input.command ?? '/incident',
    text: input.text,
    api_app_id: API_APP_ID,
    is_enterprise_install: String(origin.isEnterpriseInstall === true),
    response_url: responseUrl(origin.teamId),
    trigger_id: triggerId(),
  };
}

export interface EventOptions {
  eventId?: string;
  origin?: Origin;
}

/** An Events API envelope around `event`, with the authorizations Slack adds. */
export function eventCallback(event: Record<string, unknown>, options: EventOptions = {}): Record<string, unknown> {
  const origin = options.origin ?? WORKSPACE;
  const eventId = options.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`;
  return {
    token: VERIFICATION_TOKEN,
    team_id: origin.teamId,
    ...(origin.enterpriseId !== undefined && { enterprise_id: origin.enterpriseId }),
    context_team_id: origin.teamId,
    context_enterprise_id: origin.enterpriseId ?? null,
    api_app_id: API_APP_ID,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: origin.enterpriseId ?? null,
        team_id: origin.isEnterpriseInstall ? null : origin.teamId,
        user_id: BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: origin.isEnterpriseInstall === true,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ et: event.type, tid: origin.teamId, aid: API_APP_ID })).toString('base64url')}`,
  };
}

/** A person's message in a channel (message.channels). */
export function messageEvent(input: { channelId: string; userId: string; text: string; ts: string }) {
  return {
    client_msg_id: randomUUID(),
    type: 'message',
    text: input.text,
    user: input.userId,
    ts: input.ts,
    blocks: [
      {
        type: 'rich_text',
        block_id: randomBytes(3).toString('base64url'),
        elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: input.text }] }],
      },
    ],
    team: TEAM_ID,
    channel: input.channelId,
    event_ts: input.ts,
    channel_type: 'channel',
  };
}

export function reactionAddedEvent(input: {
  userId: string;
  reaction: string;
  channelId: string;
  ts: string;
  itemUser: string;
}) {
  return {
    type: 'reaction_added',
    user: input.userId,
    reaction: input.reaction,
    item: { type: 'message', channel: input.channelId, ts: input.ts },
    item_user: input.itemUser,
    event_ts: tsAt(new Date()),
  };
}

/** `team` and `enterprise` of an interactive payload; an org-wide install's carry `team: null`. */
function interactiveOrigin(origin: Origin) {
  return {
    team: origin.isEnterpriseInstall
      ? null
      : { id: origin.teamId, domain: TEAM_DOMAIN, ...(origin.enterpriseId && { enterprise_id: origin.enterpriseId }) },
    enterprise: origin.enterpriseId === undefined ? null : { id: origin.enterpriseId, name: 'Org' },
    is_enterprise_install: origin.isEnterpriseInstall === true,
  };
}

function interactiveUser(userId: string, origin: Origin) {
  return { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: origin.teamId };
}

/** A click on an element of a message the app posted ephemerally (block_actions). */
export function blockAction(input: {
  userId: string;
  channelId: string;
  action: Record<string, unknown>;
  origin?: Origin;
}): Record<string, unknown> {
  const origin = input.origin ?? WORKSPACE;
  const messageTs = tsAt(new Date());
  return {
    type: 'block_actions',
    user: interactiveUser(input.userId, origin),
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: messageTs, channel_id: input.channelId, is_ephemeral: true },
    trigger_id: triggerId(),
    ...interactiveOrigin(origin),
    channel: { id: input.channelId, name: input.channelId.toLowerCase() },
    state: { values: {} },
    response_url: responseUrl(origin.teamId),
    actions: [{ block_id: randomBytes(3).toString('base64url'), action_ts: tsAt(new Date()), ...input.action }],
  };
}

/** Input values as Slack reports them in `view.state.values[block_id][action_id]`. */
export type StateValues = Record<string, Record<string, Record<string, unknown>>>;

export const plainTextValue = (value: string | null) => ({ type: 'plain_text_input', value });
export const selectedOption = (value: string) => ({
  type: 'static_select',
  selected_option: { text: { type: 'plain_text', text: value, emoji: true }, value },
});
export const noSelection = (type = 'static_select') => ({ type, selected_option: null });

/** Submitting `view` (as the app opened it) with `values` typed in. */
export function viewSubmission(input: {
  userId: string;
  view: Record<string, unknown>;
  values: StateValues;
  origin?: Origin;
}): Record<string, unknown> {
  const origin = input.origin ?? WORKSPACE;
  return {
    type: 'view_submission',
    ...interactiveOrigin(origin),
    user: interactiveUser(input.userId, origin),
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: triggerId(),
    view: {
      id: `V${randomBytes(5).toString('hex').toUpperCase()}`,
      team_id: origin.teamId,
      type: 'modal',
      blocks: [],
      private_metadata: '',
      state: { values: input.values },
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      clear_on_close: false,
      notify_on_close: false,
      root_view_id: null,
      previous_view_id: null,
      app_id: API_APP_ID,
      external_id: '',
      app_installed_team_id: origin.isEnterpriseInstall ? null : origin.teamId,
      bot_id: BOT_ID,
      ...input.view,
    },
    response_urls: [],
  };
}
