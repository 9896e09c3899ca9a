/**
 * The requests Slack sends to an app — slash commands, Events API callbacks, interactivity
 * payloads — built in Slack's own shapes, and a client that posts them signed to the app's
 * `/slack/events` URL.
 *
 * Builders take the Slack stand-in because what Slack sends depends on what Slack knows: user and
 * channel names, the message a button sits on, the view being submitted. Events also change the
 * stand-in first (a posted message exists in `conversations.history` before its event arrives), and
 * every trigger id and response URL handed to the app is registered with the stand-in so the app
 * can use it. Trigger ids expire 3 s after they are built: build a body just before sending it.
 *
 * Slack sends message and reaction events only from channels the bot is a member of: building one
 * for any other channel throws, so a test cannot pass on an event Slack would never send. The client
 * keeps Slack's 3-second deadline: a command or interaction not answered in time is Slack's
 * `operation_timeout`, and an event not answered 2xx in time is redelivered up to 3 times.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { signSlackRequest } from './slack-signature';
import type { JsonObject, OrgWideOrigin, SlackStandIn } from './slack-stand-in';

export type SlackContentType = 'application/x-www-form-urlencoded' | 'application/json';

export interface SignedBody {
  contentType: SlackContentType;
  /** The exact bytes sent (and signed). */
  rawBody: string;
  /** The decoded payload, for assertions. */
  payload: JsonObject;
  triggerId?: string;
  responseUrl?: string;
}

// ─── Shared pieces ───────────────────────────────────────────────────────────

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the Slack stand-in has no ${what}`);
  return value;
}

function userOf(slack: SlackStandIn, userId: string): JsonObject {
  return required(slack.user(userId), `user ${userId}`);
}

function channelOf(slack: SlackStandIn, channelId: string): JsonObject {
  return required(slack.channel(channelId), `channel ${channelId}`);
}

/** The name Slack puts in payloads: DMs are `directmessage`, group DMs `mpdm-…`. */
function channelName(channel: JsonObject): string {
  return channel.is_im === true ? 'directmessage' : String(channel.name);
}

function channelType(channel: JsonObject): 'channel' | 'group' | 'im' | 'mpim' {
  if (channel.is_im === true) return 'im';
  if (channel.is_mpim === true) return 'mpim';
  return channel.is_private === true ? 'group' : 'channel';
}

function interactiveUser(slack: SlackStandIn, userId: string): JsonObject {
  const user = userOf(slack, userId);
  return { id: userId, username: user.name, name: user.name, team_id: user.team_id };
}

function team(slack: SlackStandIn): JsonObject {
  return { id: slack.teamId, domain: slack.teamDomain };
}

function enterprise(slack: SlackStandIn): JsonObject | null {
  return slack.enterpriseId === undefined ? null : { id: slack.enterpriseId, name: 'Enterprise' };
}

/** `enterprise` of an interactive payload: the organisation of an org-wide install, else the stand-in's. */
function enterpriseOf(slack: SlackStandIn, orgWide: OrgWideOrigin | undefined): JsonObject | null {
  return orgWide
    ? { id: orgWide.enterpriseId, name: orgWide.enterpriseName ?? orgWide.enterpriseId }
    : enterprise(slack);
}

/** `team` of a shortcut or a button: under an org-wide install, the workspace it was used in, with its organisation. */
function teamOf(slack: SlackStandIn, orgWide: OrgWideOrigin | undefined): JsonObject {
  if (!orgWide) return team(slack);
  return {
    id: orgWide.teamId,
    domain: orgWide.teamDomain ?? orgWide.teamId.toLowerCase(),
    enterprise_id: orgWide.enterpriseId,
    enterprise_name: orgWide.enterpriseName ?? orgWide.enterpriseId,
  };
}

function formBody(fields: Record<string, string>, payload: JsonObject, extra: Partial<SignedBody> = {}): SignedBody {
  return {
    contentType: 'application/x-www-form-urlencoded',
    rawBody: new URLSearchParams(fields).toString(),
    payload,
    ...extra,
  };
}

/** Interactivity arrives as a form with one field, `payload`, holding JSON. */
function interactivityBody(payload: JsonObject): SignedBody {
  const triggerId = typeof payload.trigger_id === 'string' ? payload.trigger_id : undefined;
  const responseUrl = typeof payload.response_url === 'string' ? payload.response_url : undefined;
  return formBody({ payload: JSON.stringify(payload) }, payload, {
    ...(triggerId !== undefined && { triggerId }),
    ...(responseUrl !== undefined && { responseUrl }),
  });
}

/** The `rich_text` block Slack's clients attach to what a person types. */
function richTextBlocks(text: string): unknown[] {
  return [
    {
      type: 'rich_text',
      block_id: randomBytes(3).toString('base64url'),
      elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
    },
  ];
}

// ─── Slash commands ──────────────────────────────────────────────────────────

export interface SlashCommandInput {
  userId: string;
  channelId: string;
  command: string;
  text?: string;
  isEnterpriseInstall?: boolean;
  /** Run under an org-wide install, in this workspace of the organisation (sets is_enterprise_install). */
  orgWide?: OrgWideOrigin;
}

/** A slash command as Slack posts it: form-encoded, fields in Slack's order. */
export function slashCommandBody(slack: SlackStandIn, input: SlashCommandInput): SignedBody {
  slack.noteScopeUsed('commands');
  const user = userOf(slack, input.userId);
  const channel = channelOf(slack, input.channelId);
  const triggerId = slack.issueTriggerId({ userId: input.userId });
  const responseUrl = slack.newResponseUrl({ channelId: input.channelId, userId: input.userId });
  const { orgWide } = input;
  const origin = orgWide
    ? {
        team_id: orgWide.teamId,
        team_domain: orgWide.teamDomain ?? orgWide.teamId.toLowerCase(),
        enterprise_id: orgWide.enterpriseId,
        enterprise_name: orgWide.enterpriseName ?? orgWide.enterpriseId,
      }
    : {
        team_id: slack.teamId,
        team_domain: slack.teamDomain,
        ...(slack.enterpriseId !== undefined && { enterprise_id: slack.enterpriseId, enterprise_name: 'Enterprise' }),
      };
  const fields: Record<string, string> = {
    token: slack.verificationToken,
    ...origin,
    channel_id: input.channelId,
    channel_name: channelName(channel),
    user_id: input.userId,
    user_name: String(user.name),
    command: input.command,
    text: input.text ?? '',
    api_app_id: slack.appId,
    is_enterprise_install: String(input.isEnterpriseInstall ?? orgWide !== undefined),
    response_url: responseUrl,
    trigger_id: triggerId,
  };
  return formBody(fields, fields, { triggerId, responseUrl });
}

// ─── Events API ──────────────────────────────────────────────────────────────

export type EventSpec =
  /** A person posts (a thread reply when `threadTs` is set). */
  | { kind: 'message'; channelId: string; userId: string; text: string; threadTs?: string }
  /** A person edits their message. */
  | { kind: 'message_changed'; channelId: string; ts: string; text: string }
  /**
   * A person deletes a message. Slack reports it as `message_deleted`, except for a thread parent
   * with replies: that becomes a tombstone, reported as `message_changed` (see messageTombstonedEvent).
   */
  | { kind: 'message_deleted'; channelId: string; ts: string }
  /**
   * A bot's message: an existing one (`ts`, e.g. our own post echoed back), another app's
   * (`botId` + `text`, with its bot user in `userId`), or a legacy integration's (`legacy: true`,
   * subtype `bot_message`).
   */
  | {
      kind: 'bot_message';
      channelId: string;
      ts?: string;
      botId?: string;
      userId?: string;
      text?: string;
      legacy?: boolean;
      username?: string;
    }
  | { kind: 'reaction_added' | 'reaction_removed'; channelId: string; ts: string; userId: string; reaction: string }
  /** The workspace uninstalled the app: Slack revokes the tokens oauth.v2.access handed out, then tells the app. */
  /** A person opens the app's Home (or Messages) tab. */
  | { kind: 'app_home_opened'; userId: string; tab?: 'home' | 'messages' }
  | { kind: 'app_uninstalled' }
  /** Tokens were revoked (the bot's, unless `userIds` names people whose user tokens went instead). */
  | { kind: 'tokens_revoked'; userIds?: string[] };

export interface EventOptions {
  eventId?: string;
  eventTime?: number;
}

function messageEvent(slack: SlackStandIn, spec: Extract<EventSpec, { kind: 'message' }>): JsonObject {
  const user = userOf(slack, spec.userId);
  const blocks = richTextBlocks(spec.text);
  const ts = slack.addMessage(spec.channelId, {
    user: spec.userId,
    text: spec.text,
    blocks,
    ...(spec.threadTs !== undefined && { threadTs: spec.threadTs }),
  });
  const parent = spec.threadTs !== undefined ? slack.message(spec.channelId, spec.threadTs) : undefined;
  const external = user.team_id !== slack.teamId;
  return {
    client_msg_id: randomUUID(),
    type: 'message',
    text: spec.text,
    user: spec.userId,
    ts,
    blocks,
    team: user.team_id,
    ...(external && { user_team: user.team_id, source_team: user.team_id }),
    ...(spec.threadTs !== undefined && { thread_ts: spec.threadTs, parent_user_id: parent?.user }),
    channel: spec.channelId,
    event_ts: ts,
  };
}

/**
 * The message as it appears nested in message_changed / message_deleted events: as the Web API
 * shows it, thread fields included (Slack's samples carry reply_count and latest_reply there too).
 */
function nestedMessage(message: JsonObject): JsonObject {
  return { ...message };
}

function messageChangedEvent(slack: SlackStandIn, spec: Extract<EventSpec, { kind: 'message_changed' }>): JsonObject {
  const previous = required(slack.message(spec.channelId, spec.ts), `message ${spec.ts}`);
  const editTs = slack.editMessage(spec.channelId, spec.ts, spec.text, richTextBlocks(spec.text));
  const current = required(slack.message(spec.channelId, spec.ts), `message ${spec.ts}`);
  return {
    type: 'message',
    subtype: 'message_changed',
    message: nestedMessage(current),
    previous_message: nestedMessage(previous),
    channel: spec.channelId,
    hidden: true,
    ts: editTs,
    event_ts: editTs,
  };
}

function messageDeletedEvent(slack: SlackStandIn, spec: Extract<EventSpec, { kind: 'message_deleted' }>): JsonObject {
  const previous = required(slack.message(spec.channelId, spec.ts), `message ${spec.ts}`);
  if (typeof previous.reply_count === 'number' && previous.reply_count > 0) {
    return messageTombstonedEvent(slack, spec.channelId, previous);
  }
  slack.removeMessage(spec.channelId, spec.ts);
  const eventTs = slack.newTs();
  return {
    type: 'message',
    subtype: 'message_deleted',
    hidden: true,
    deleted_ts: spec.ts,
    channel: spec.channelId,
    previous_message: nestedMessage(previous),
    ts: eventTs,
    event_ts: eventTs,
  };
}

/**
 * A thread parent deleted while it has replies: Slack keeps it as a tombstone posted by Slackbot
 * ("This message was deleted.") and reports a `message_changed`, never a `message_deleted`.
 */
function messageTombstonedEvent(slack: SlackStandIn, channelId: string, previous: JsonObject): JsonObject {
  const ts = String(previous.ts);
  slack.removeMessage(channelId, ts);
  const tombstone = required(slack.message(channelId, ts), `tombstone ${ts}`);
  const eventTs = slack.newTs();
  return {
    type: 'message',
    subtype: 'message_changed',
    message: nestedMessage(tombstone),
    previous_message: nestedMessage(previous),
    channel: channelId,
    hidden: true,
    ts: eventTs,
    event_ts: eventTs,
  };
}

function botMessageEvent(slack: SlackStandIn, spec: Extract<EventSpec, { kind: 'bot_message' }>): JsonObject {
  const ts =
    spec.ts ??
    slack.addMessage(spec.channelId, {
      text: spec.text ?? '',
      botId: required(spec.botId, 'botId for a new bot message'),
      ...(spec.legacy
        ? { subtype: 'bot_message', username: spec.username ?? 'integration' }
        : { ...(spec.userId !== undefined && { user: spec.userId }), appId: 'A0OTHERAPP' }),
    });
  const message = required(slack.message(spec.channelId, ts), `message ${ts}`);
  return { ...nestedMessage(message), channel: spec.channelId, event_ts: ts };
}

function reactionEvent(
  slack: SlackStandIn,
  spec: Extract<EventSpec, { kind: 'reaction_added' | 'reaction_removed' }>,
): JsonObject {
  const message = required(slack.message(spec.channelId, spec.ts), `message ${spec.ts}`);
  if (spec.kind === 'reaction_added') slack.addReaction(spec.channelId, spec.ts, spec.reaction, spec.userId);
  else slack.removeReaction(spec.channelId, spec.ts, spec.reaction, spec.userId);
  return {
    type: spec.kind,
    user: spec.userId,
    reaction: spec.reaction,
    item: { type: 'message', channel: spec.channelId, ts: spec.ts },
    ...(message.user !== undefined && { item_user: message.user }),
    event_ts: slack.newTs(),
  };
}

/** Slack includes the Home view the user last saw, once one was published. */
function appHomeOpenedEvent(slack: SlackStandIn, spec: Extract<EventSpec, { kind: 'app_home_opened' }>): JsonObject {
  userOf(slack, spec.userId);
  const home = slack.homeOf(spec.userId);
  return {
    type: 'app_home_opened',
    user: spec.userId,
    channel: slack.dmChannelWith(spec.userId),
    tab: spec.tab ?? 'home',
    ...(home !== undefined && { view: home }),
    event_ts: slack.newTs(),
  };
}

function appUninstalledEvent(slack: SlackStandIn): JsonObject {
  slack.revokeIssuedTokens();
  return { type: 'app_uninstalled', event_ts: slack.newTs() };
}

function tokensRevokedEvent(slack: SlackStandIn, spec: Extract<EventSpec, { kind: 'tokens_revoked' }>): JsonObject {
  if (spec.userIds === undefined) slack.revokeIssuedTokens();
  return {
    type: 'tokens_revoked',
    tokens: spec.userIds === undefined ? { oauth: [], bot: [slack.botUserId] } : { oauth: spec.userIds, bot: [] },
    event_ts: slack.newTs(),
  };
}

function buildEvent(slack: SlackStandIn, spec: EventSpec): JsonObject {
  switch (spec.kind) {
    case 'message':
      return messageEvent(slack, spec);
    case 'message_changed':
      return messageChangedEvent(slack, spec);
    case 'message_deleted':
      return messageDeletedEvent(slack, spec);
    case 'bot_message':
      return botMessageEvent(slack, spec);
    case 'reaction_added':
    case 'reaction_removed':
      return reactionEvent(slack, spec);
    case 'app_home_opened':
      return appHomeOpenedEvent(slack, spec);
    case 'app_uninstalled':
      return appUninstalledEvent(slack);
    case 'tokens_revoked':
      return tokensRevokedEvent(slack, spec);
  }
}

/** The scope an event subscription needs: message.* by channel type, reaction_* reactions:read. */
const HISTORY_SCOPES = { channel: 'channels:history', group: 'groups:history', im: 'im:history', mpim: 'mpim:history' };

/**
 * Slack delivers message.* and reaction_* events only from channels the bot is a member of; a test
 * that builds one for another channel is testing something Slack never sends, so this throws.
 */
function requireBotInChannel(slack: SlackStandIn, spec: Extract<EventSpec, { channelId: string }>): void {
  const channel = channelOf(slack, spec.channelId);
  if (channel.is_member !== true && channel.is_im !== true) {
    throw new Error(
      `Slack sends no ${spec.kind} event from ${spec.channelId}: the bot is not a member of that channel`,
    );
  }
  const reaction = spec.kind === 'reaction_added' || spec.kind === 'reaction_removed';
  slack.noteScopeUsed(reaction ? 'reactions:read' : HISTORY_SCOPES[channelType(channel)]);
}

/** Slack's opaque `event_context`: `4-` and base64 of a small JSON. */
function eventContext(slack: SlackStandIn, event: JsonObject): string {
  const context = { et: event.type, tid: slack.teamId, aid: slack.appId, cid: event.channel };
  return `4-${Buffer.from(JSON.stringify(context)).toString('base64url')}`;
}

/**
 * An Events API callback. The event happens in the stand-in first (message stored, edited or
 * removed; reaction counted), then the envelope is built as Slack sends it.
 */
export function eventCallbackBody(slack: SlackStandIn, spec: EventSpec, options: EventOptions = {}): SignedBody {
  if ('channelId' in spec) requireBotInChannel(slack, spec);
  const event = buildEvent(slack, spec);
  if ('channelId' in spec && spec.kind !== 'reaction_added' && spec.kind !== 'reaction_removed') {
    event.channel_type = channelType(channelOf(slack, spec.channelId));
  }
  const channel = 'channelId' in spec ? slack.channel(spec.channelId) : undefined;
  const payload: JsonObject = {
    token: slack.verificationToken,
    team_id: slack.teamId,
    ...(slack.enterpriseId !== undefined && { enterprise_id: slack.enterpriseId }),
    api_app_id: slack.appId,
    event,
    type: 'event_callback',
    event_id: options.eventId ?? `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    event_time: options.eventTime ?? Math.floor(slack.now() / 1000),
    authorizations: [
      {
        enterprise_id: slack.enterpriseId ?? null,
        team_id: slack.teamId,
        user_id: slack.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: channel?.is_ext_shared === true,
    event_context: eventContext(slack, event),
  };
  return { contentType: 'application/json', rawBody: JSON.stringify(payload), payload };
}

/** The challenge Slack sends when the Request URL is set. */
export function urlVerificationBody(challenge: string, token = 'verificationtoken00000000'): SignedBody {
  const payload = { token, challenge, type: 'url_verification' };
  return { contentType: 'application/json', rawBody: JSON.stringify(payload), payload };
}

// ─── Interactivity ───────────────────────────────────────────────────────────

interface FoundElement {
  blockId: string;
  element: JsonObject;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Elements a block holds: a section's accessory, an actions block's elements, an input's element. */
function elementsOf(block: JsonObject): JsonObject[] {
  const candidates = [block.accessory, block.element, ...(Array.isArray(block.elements) ? block.elements : [])];
  return candidates.filter(isObject);
}

/** Slack fills in a block_id when the app gave none; the same position gets the same id. */
function blockIdOf(block: JsonObject, index: number): string {
  return typeof block.block_id === 'string' ? block.block_id : `blk${index}`;
}

/** The element with `actionId`: the first one, or the one in block `blockId` when several blocks hold one. */
function findElement(blocks: unknown, actionId: string, blockId?: string): FoundElement {
  const list = Array.isArray(blocks) ? blocks.filter(isObject) : [];
  for (const [index, block] of list.entries()) {
    if (blockId !== undefined && blockIdOf(block, index) !== blockId) continue;
    const element = elementsOf(block).find((e) => e.action_id === actionId);
    if (element) return { blockId: blockIdOf(block, index), element };
  }
  throw new Error(`no element with action_id ${actionId}${blockId === undefined ? '' : ` in block ${blockId}`}`);
}

function optionsOf(element: JsonObject): JsonObject[] {
  const groups = Array.isArray(element.option_groups) ? element.option_groups.filter(isObject) : [];
  const grouped = groups.flatMap((g) => (Array.isArray(g.options) ? g.options : []));
  return [...(Array.isArray(element.options) ? element.options : []), ...grouped].filter(isObject);
}

function optionWithValue(element: JsonObject, value: string): JsonObject {
  const option = optionsOf(element).find((o) => o.value === value);
  if (!option) throw new Error(`no option with value ${value} in ${String(element.action_id)}`);
  return option;
}

function asList(selected: string | string[] | null | undefined): string[] {
  if (selected === null || selected === undefined) return [];
  return Array.isArray(selected) ? selected : [selected];
}

function first(selected: string | string[] | null | undefined): string | null {
  return asList(selected)[0] ?? null;
}

/** The value an element holds, in the shape Slack uses in `actions[]` and `state.values`. */
function elementValue(element: JsonObject, selected: string | string[] | null | undefined): JsonObject {
  const one = first(selected);
  switch (element.type) {
    case 'static_select':
    case 'external_select':
    case 'overflow':
    case 'radio_buttons':
      return { selected_option: one === null ? null : optionWithValue(element, one) };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { selected_options: asList(selected).map((v) => optionWithValue(element, v)) };
    case 'users_select':
      return { selected_user: one };
    case 'multi_users_select':
      return { selected_users: asList(selected) };
    case 'conversations_select':
      return { selected_conversation: one };
    case 'channels_select':
      return { selected_channel: one };
    case 'datepicker':
      return { selected_date: one };
    case 'timepicker':
      return { selected_time: one };
    case 'datetimepicker':
      return { selected_date_time: one === null ? null : Number(one) };
    default:
      return { value: one };
  }
}

/** What an element holds before the user touches it (its `initial_*`), as given to `elementValue`. */
function initialSelection(element: JsonObject): string | string[] | null {
  if (isObject(element.initial_option)) return String(element.initial_option.value);
  if (Array.isArray(element.initial_options))
    return element.initial_options.filter(isObject).map((o) => String(o.value));
  for (const key of ['initial_value', 'initial_user', 'initial_conversation', 'initial_channel', 'initial_date']) {
    if (typeof element[key] === 'string') return element[key] as string;
  }
  if (Array.isArray(element.initial_users)) return element.initial_users.map(String);
  return null;
}

export type Selection = string | string[] | null;

/**
 * `state.values` of a view: every input block's element, with the given selections (keyed by
 * action_id) or else the element's initial value — as Slack sends it on submission.
 */
function viewState(view: JsonObject, selections: Record<string, Selection>): JsonObject {
  const values: Record<string, JsonObject> = {};
  const blocks = Array.isArray(view.blocks) ? view.blocks.filter(isObject) : [];
  for (const [index, block] of blocks.entries()) {
    if (block.type !== 'input' && block.type !== 'actions' && block.type !== 'section') continue;
    for (const element of elementsOf(block)) {
      if (typeof element.action_id !== 'string' || element.type === 'button' || element.type === 'overflow') continue;
      const selection = element.action_id in selections ? selections[element.action_id] : initialSelection(element);
      const blockValues = values[blockIdOf(block, index)] ?? {};
      blockValues[element.action_id] = { type: element.type, ...elementValue(element, selection) };
      values[blockIdOf(block, index)] = blockValues;
    }
  }
  for (const actionId of Object.keys(selections)) findElement(blocks, actionId); // a typo fails loudly
  return { values };
}

export type ActionSource =
  | { channelId: string; messageTs: string }
  | { ephemeral: { channelId: string; messageTs: string } }
  | { viewId: string };

export interface BlockActionInput {
  userId: string;
  actionId: string;
  source: ActionSource;
  /** The option value(s), user, date… picked; a button sends its own value. */
  selected?: Selection;
  /** Which block holds the element, when several blocks have one with this action_id (a list of items). */
  blockId?: string;
  /** For an action inside a view: what the other inputs hold (keyed by action_id). */
  state?: Record<string, Selection>;
  /** Clicked under an org-wide install, in this workspace of the organisation. */
  orgWide?: OrgWideOrigin;
}

function actionJson(slack: SlackStandIn, found: FoundElement, selected: Selection | undefined): JsonObject {
  const { element, blockId } = found;
  const common = { action_id: element.action_id, block_id: blockId, type: element.type, action_ts: slack.newTs() };
  if (element.type === 'button') {
    return {
      ...common,
      text: element.text,
      ...(element.value !== undefined && { value: element.value }),
      ...(element.style !== undefined && { style: element.style }),
    };
  }
  return { ...common, ...elementValue(element, selected ?? null) };
}

function messageSource(slack: SlackStandIn, input: BlockActionInput, channelId: string, messageTs: string) {
  const message = required(slack.message(channelId, messageTs), `message ${messageTs} in ${channelId}`);
  const found = findElement(message.blocks, input.actionId, input.blockId);
  const channel = channelOf(slack, channelId);
  const threadTs = typeof message.thread_ts === 'string' && message.thread_ts !== messageTs ? message.thread_ts : null;
  return {
    found,
    fields: {
      container: {
        type: 'message',
        message_ts: messageTs,
        channel_id: channelId,
        is_ephemeral: false,
        ...(threadTs !== null && { thread_ts: threadTs }),
      },
      channel: { id: channelId, name: channelName(channel) },
      message,
      state: { values: {} },
      response_url: slack.newResponseUrl({ channelId, userId: input.userId, messageTs }),
    },
    triggerContext: { userId: input.userId },
  };
}

function ephemeralSource(slack: SlackStandIn, input: BlockActionInput, channelId: string, messageTs: string) {
  const ephemeral = slack.ephemeralsTo(input.userId).find((e) => e.ts === messageTs && e.channel === channelId);
  const found = findElement(
    required(ephemeral, `ephemeral ${messageTs} to ${input.userId}`).blocks,
    input.actionId,
    input.blockId,
  );
  const channel = channelOf(slack, channelId);
  return {
    found,
    fields: {
      container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: true },
      channel: { id: channelId, name: channelName(channel) },
      state: { values: {} },
      response_url: slack.newResponseUrl({ channelId, userId: input.userId, messageTs, ephemeral: true }),
    },
    triggerContext: { userId: input.userId },
  };
}

function viewSource(slack: SlackStandIn, input: BlockActionInput, viewId: string) {
  const view = required(slack.viewById(viewId), `view ${viewId}`);
  const found = findElement(view.blocks, input.actionId, input.blockId);
  return {
    found,
    fields: {
      container: { type: 'view', view_id: viewId },
      view: { ...view, state: viewState(view, input.state ?? {}) },
    },
    triggerContext: { userId: input.userId, viewId },
  };
}

/** A click (or selection) on a Block Kit element, found by action_id where it actually is. */
export function blockActionsBody(slack: SlackStandIn, input: BlockActionInput): SignedBody {
  const { source } = input;
  const located =
    'viewId' in source
      ? viewSource(slack, input, source.viewId)
      : 'ephemeral' in source
        ? ephemeralSource(slack, input, source.ephemeral.channelId, source.ephemeral.messageTs)
        : messageSource(slack, input, source.channelId, source.messageTs);
  const payload: JsonObject = {
    type: 'block_actions',
    user: interactiveUser(slack, input.userId),
    api_app_id: slack.appId,
    token: slack.verificationToken,
    trigger_id: slack.issueTriggerId(located.triggerContext),
    team: teamOf(slack, input.orgWide),
    enterprise: enterpriseOf(slack, input.orgWide),
    is_enterprise_install: input.orgWide !== undefined,
    ...located.fields,
    actions: [actionJson(slack, located.found, input.selected)],
  };
  return interactivityBody(payload);
}

export interface ViewSubmissionInput {
  userId: string;
  viewId: string;
  /** What the user entered, keyed by action_id; inputs not given keep their initial value (or none). */
  values?: Record<string, Selection>;
  /**
   * Submitted under an org-wide install: Slack then sends `team: null` (the user's own team_id stays
   * in `user`) with the organisation in `enterprise`.
   */
  orgWide?: OrgWideOrigin;
}

/** A modal submitted: the view Slack holds, with `state.values` filled in. */
export function viewSubmissionBody(slack: SlackStandIn, input: ViewSubmissionInput): SignedBody {
  const stored = required(slack.viewById(input.viewId), `view ${input.viewId}`);
  const { orgWide } = input;
  // Under an org-wide install the view names the workspace it was opened in, not an installed team.
  const { app_installed_team_id: _installed, ...orgView } = stored;
  const view = orgWide ? { ...orgView, team_id: orgWide.teamId } : stored;
  const payload: JsonObject = {
    type: 'view_submission',
    team: orgWide ? null : team(slack),
    user: interactiveUser(slack, input.userId),
    api_app_id: slack.appId,
    token: slack.verificationToken,
    trigger_id: slack.issueTriggerId({ userId: input.userId, viewId: input.viewId }),
    view: { ...view, state: viewState(view, input.values ?? {}) },
    response_urls: [],
    is_enterprise_install: orgWide !== undefined,
    enterprise: enterpriseOf(slack, orgWide),
  };
  return interactivityBody(payload);
}

export interface MessageShortcutInput {
  userId: string;
  channelId: string;
  messageTs: string;
  callbackId?: string;
  /** Run under an org-wide install, in this workspace of the organisation. */
  orgWide?: OrgWideOrigin;
}

/** A message shortcut (default callback_id `add_to_timeline`) run on a message. */
export function messageShortcutBody(slack: SlackStandIn, input: MessageShortcutInput): SignedBody {
  // Shortcuts, like slash commands, come with the `commands` scope.
  slack.noteScopeUsed('commands');
  const message = required(slack.message(input.channelId, input.messageTs), `message ${input.messageTs}`);
  const channel = channelOf(slack, input.channelId);
  const payload: JsonObject = {
    type: 'message_action',
    token: slack.verificationToken,
    action_ts: slack.newTs(),
    team: teamOf(slack, input.orgWide),
    user: interactiveUser(slack, input.userId),
    channel: { id: input.channelId, name: channelName(channel) },
    is_enterprise_install: input.orgWide !== undefined,
    enterprise: enterpriseOf(slack, input.orgWide),
    callback_id: input.callbackId ?? 'add_to_timeline',
    trigger_id: slack.issueTriggerId({ userId: input.userId }),
    response_url: slack.newResponseUrl({ channelId: input.channelId, userId: input.userId }),
    message_ts: input.messageTs,
    message,
  };
  return interactivityBody(payload);
}

// ─── Sending ─────────────────────────────────────────────────────────────────

export interface SendOptions {
  /** X-Slack-Retry-Num: Slack's 1st, 2nd, 3rd redelivery of an event (sends that one delivery only). */
  retryNum?: number;
  /** X-Slack-Retry-Reason, e.g. `http_timeout`, `http_error`. */
  retryReason?: string;
  /** Request timestamp in seconds (default now); an old one makes a correctly signed but stale request. */
  timestamp?: number;
  /** `undefined`: sign properly; `null`: send no signature headers; a string: send that signature. */
  signature?: string | null;
}

export interface SlackAppResponse {
  /** The HTTP status; 0 when the app did not answer within Slack's deadline. */
  status: number;
  text: string;
  json?: unknown;
  /** The app did not answer within Slack's deadline (3 s). */
  timedOut?: boolean;
  /** For an event: every delivery Slack made, the first and its retries, in order. */
  deliveries?: SlackAppResponse[];
}

/** Slack's answer to the person when an app misses the 3-second deadline of a command or an interaction. */
export class SlackOperationTimeoutError extends Error {
  readonly code = 'operation_timeout';

  constructor(what: string, deadlineMs: number) {
    super(
      `operation_timeout: the app did not answer ${what} within ${deadlineMs} ms, so Slack showed the user an error`,
    );
    this.name = 'SlackOperationTimeoutError';
  }
}

export interface SlackRequestClientOptions {
  /** How long Slack waits for the app's answer (Slack: 3 s). */
  deadlineMs?: number;
  /**
   * Waits before Slack's 1st, 2nd and 3rd redelivery of an event that failed (Slack: at once, after
   * 1 min, after 5 min). Default: no wait, so tests do not sleep.
   */
  retryDelaysMs?: readonly [number, number, number];
}

const SLACK_DEADLINE_MS = 3000;
const EVENT_RETRIES = 3;

/**
 * Posts Slack's requests to an app, signed with its signing secret as Slack signs them, and holds
 * the app to Slack's deadline: a slash command or interaction not answered within 3 s throws
 * SlackOperationTimeoutError; an event not answered 2xx within 3 s is redelivered (X-Slack-Retry-Num
 * 1..3, X-Slack-Retry-Reason http_timeout or http_error) up to 3 times.
 */
export class SlackRequestClient {
  private readonly url: string;
  private readonly deadlineMs: number;
  private readonly retryDelaysMs: readonly number[];

  constructor(
    appUrl: string,
    private readonly signingSecret: string,
    options: SlackRequestClientOptions = {},
  ) {
    this.url = `${appUrl.replace(/\/+$/, '')}/slack/events`;
    this.deadlineMs = options.deadlineMs ?? SLACK_DEADLINE_MS;
    this.retryDelaysMs = options.retryDelaysMs ?? [0, 0, 0];
  }

  /**
   * Sends a request as Slack would. An event is redelivered until answered 2xx (at most 3 retries),
   * unless `retryNum` is given: that sends the one redelivery asked for.
   */
  async send(body: SignedBody, options: SendOptions = {}): Promise<SlackAppResponse> {
    if (body.payload.type !== 'event_callback') {
      const response = await this.deliver(body, options);
      if (response.timedOut) throw new SlackOperationTimeoutError(describe(body), this.deadlineMs);
      return response;
    }
    if (options.retryNum !== undefined) return this.deliver(body, options);
    const deliveries = [await this.deliver(body, options)];
    for (let retryNum = 1; retryNum <= EVENT_RETRIES && !isSuccess(deliveries.at(-1)!); retryNum++) {
      const delay = this.retryDelaysMs[retryNum - 1] ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const retryReason = deliveries.at(-1)!.timedOut ? 'http_timeout' : 'http_error';
      deliveries.push(await this.deliver(body, { ...options, retryNum, retryReason }));
    }
    return { ...deliveries.at(-1)!, deliveries };
  }

  /** One POST, given up (as Slack gives up) after the deadline. */
  private async deliver(body: SignedBody, options: SendOptions): Promise<SlackAppResponse> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.deadlineMs);
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': body.contentType, ...this.headers(body, options) },
        body: body.rawBody,
        signal: controller.signal,
      });
      const text = await response.text();
      return { status: response.status, text, ...parseJson(text) };
    } catch (error) {
      if (controller.signal.aborted) return { status: 0, text: '', timedOut: true };
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private headers(body: SignedBody, options: SendOptions): Record<string, string> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const signed = signSlackRequest(this.signingSecret, body.rawBody, timestamp);
    const signature =
      options.signature === null
        ? {}
        : options.signature === undefined
          ? signed
          : {
              'x-slack-request-timestamp': signed['x-slack-request-timestamp'],
              'x-slack-signature': options.signature,
            };
    return {
      ...signature,
      ...(options.retryNum !== undefined && { 'x-slack-retry-num': String(options.retryNum) }),
      ...(options.retryReason !== undefined && { 'x-slack-retry-reason': options.retryReason }),
    };
  }
}

function isSuccess(response: SlackAppResponse): boolean {
  return !response.timedOut && response.status >= 200 && response.status < 300;
}

function describe(body: SignedBody): string {
  const { payload } = body;
  if (typeof payload.command === 'string') return `${payload.command} ${String(payload.text ?? '')}`.trim();
  return String(payload.type ?? 'the request');
}

function parseJson(text: string): { json?: unknown } {
  try {
    return text === '' ? {} : { json: JSON.parse(text) };
  } catch {
    return {};
  }
}
