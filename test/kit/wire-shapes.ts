/**
 * The JSON Slack answers with — users, conversations, messages, views — built from the workspace's
 * records. Field names and nesting follow Slack's own samples (slackapi/java-slack-sdk json-logs).
 */

import type { JsonObject } from './types';
import type { ChannelRecord, MessageRecord, UserRecord, ViewRecord, Workspace } from './workspace';

/** Offset of a zone from UTC at one instant, in seconds (what Slack's `tz_offset` holds for today). */
export function zoneOffsetSeconds(zone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wallClock = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return Math.round((wallClock - Math.floor(at.getTime() / 1000) * 1000) / 1000);
}

function zoneLabel(zone: string, at: Date): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'long' }).formatToParts(at);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
}

export function userJson(ws: Workspace, user: UserRecord): JsonObject {
  const at = new Date(ws.now());
  const tzFields =
    user.tz === null
      ? {}
      : { tz: user.tz, tz_label: zoneLabel(user.tz, at), tz_offset: zoneOffsetSeconds(user.tz, at) };
  return {
    id: user.id,
    team_id: user.teamId,
    name: user.name,
    deleted: user.deleted,
    color: '9f69e7',
    real_name: user.realName,
    ...tzFields,
    profile: {
      real_name: user.realName,
      real_name_normalized: user.realName,
      display_name: user.name,
      display_name_normalized: user.name,
      avatar_hash: 'g0000000000',
      status_text: '',
      status_emoji: '',
      team: user.teamId,
      ...(user.botId !== undefined && { bot_id: user.botId, api_app_id: ws.config.appId, always_active: true }),
    },
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: user.isRestricted,
    is_ultra_restricted: user.isUltraRestricted,
    is_bot: user.isBot,
    is_app_user: false,
    updated: ws.nowSeconds(),
    ...(user.enterpriseId !== undefined && {
      enterprise_user: {
        id: user.id,
        enterprise_id: user.enterpriseId,
        enterprise_name: user.enterpriseId,
        is_admin: false,
        is_owner: false,
        is_primary_owner: false,
        teams: [user.teamId],
      },
    }),
  };
}

export function channelJson(ws: Workspace, channel: ChannelRecord, withMemberCount = false): JsonObject {
  if (channel.kind === 'im') {
    return {
      id: channel.id,
      created: channel.created,
      is_archived: false,
      is_im: true,
      is_org_shared: false,
      context_team_id: ws.config.teamId,
      user: channel.imUser,
      is_user_deleted: ws.users.get(channel.imUser ?? '')?.deleted ?? false,
      priority: 0,
    };
  }
  const blank = { value: '', creator: '', last_set: 0 };
  return {
    id: channel.id,
    name: channel.name,
    is_channel: channel.kind === 'channel',
    is_group: false,
    is_im: false,
    is_mpim: channel.kind === 'mpim',
    is_private: channel.isPrivate,
    created: channel.created,
    creator: channel.creator,
    is_archived: channel.isArchived,
    is_general: false,
    unlinked: 0,
    name_normalized: channel.name,
    is_shared: channel.isExtShared,
    is_ext_shared: channel.isExtShared,
    is_org_shared: false,
    pending_shared: [],
    is_pending_ext_shared: false,
    is_member: ws.botIsMember(channel),
    context_team_id: ws.config.teamId,
    updated: channel.created * 1000,
    topic: blank,
    purpose: blank,
    previous_names: [],
    ...(withMemberCount && { num_members: channel.members.size }),
  };
}

function botProfile(ws: Workspace): JsonObject {
  return {
    id: ws.config.botId,
    app_id: ws.config.appId,
    name: ws.config.botName,
    deleted: false,
    updated: 1_700_000_000,
    team_id: ws.config.teamId,
    icons: { image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png' },
  };
}

export function messageJson(ws: Workspace, message: MessageRecord): JsonObject {
  const replies = ws.repliesTo(message);
  const parent = message.threadTs !== undefined && message.threadTs !== message.ts;
  const replyUsers = [...new Set(replies.map((r) => r.user).filter((u): u is string => u !== undefined))];
  return {
    type: 'message',
    ...(message.subtype !== undefined && { subtype: message.subtype }),
    // A tombstone (a deleted thread parent) is hidden from the channel; only its replies show.
    ...(message.subtype === 'tombstone' && { hidden: true }),
    text: message.text,
    ...(message.user !== undefined && { user: message.user }),
    ...(message.botId !== undefined && { bot_id: message.botId }),
    ...(message.appId !== undefined && { app_id: message.appId }),
    ...(message.username !== undefined && { username: message.username }),
    ...(message.botId === ws.config.botId && { bot_profile: botProfile(ws) }),
    ts: message.ts,
    team: ws.config.teamId,
    ...(message.blocks !== undefined && { blocks: message.blocks }),
    ...(message.attachments !== undefined && { attachments: message.attachments }),
    ...(message.edited !== undefined && { edited: message.edited }),
    ...(parent && {
      thread_ts: message.threadTs,
      parent_user_id: ws.findMessage(message.channel, message.threadTs)?.user,
    }),
    ...(replies.length > 0 && {
      thread_ts: message.ts,
      reply_count: replies.length,
      reply_users_count: replyUsers.length,
      latest_reply: replies[replies.length - 1]!.ts,
      reply_users: replyUsers,
    }),
    ...(message.reactions.size > 0 && { reactions: reactionsJson(message) }),
  };
}

export function reactionsJson(message: MessageRecord): JsonObject[] {
  return [...message.reactions].map(([name, users]) => ({ name, users, count: users.length }));
}

export function viewJson(ws: Workspace, view: ViewRecord): JsonObject {
  const input = view.input;
  const modalFields =
    view.type === 'modal'
      ? { title: input.title, submit: input.submit ?? null, close: input.close ?? null }
      : { ...(input.title !== undefined && { title: input.title }) };
  return {
    id: view.id,
    team_id: ws.config.teamId,
    type: view.type,
    ...modalFields,
    blocks: input.blocks ?? [],
    private_metadata: input.private_metadata ?? '',
    callback_id: input.callback_id ?? '',
    external_id: view.externalId,
    state: { values: {} },
    hash: view.hash,
    clear_on_close: input.clear_on_close ?? false,
    notify_on_close: input.notify_on_close ?? false,
    previous_view_id: view.previousViewId,
    root_view_id: view.rootViewId,
    app_id: ws.config.appId,
    app_installed_team_id: ws.config.teamId,
    bot_id: ws.config.botId,
  };
}
