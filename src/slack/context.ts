import type { AnyMiddlewareArgs, Context, Middleware } from '@slack/bolt';
import { noteDuplicate } from '../observability/request-scope';
import { type ActionContext, actorOf, type Scope, wasEventProcessed } from '../services/context';
import type { WorkspaceAddress } from '../services/slack-port';
import type { SlackDeps } from './deps';
import { observed } from './observed-request';

/**
 * Who and where a Slack request is, resolved once by middleware (lazily: a message event never
 * needs users.info). Listeners take it from here instead of reading payloads themselves.
 */
export interface DebriefRequest {
  workspace: WorkspaceAddress;
  /** The person who clicked, typed or reacted, when the payload names one. */
  userId: string | undefined;
  channelId: string | undefined;
  /** The workspace row, the port and the time; for events also the event id (see commitOnce). */
  scope(): Promise<Scope>;
  /** The scope with the requester as actor (users.info, cached): for anything that changes data. */
  act(): Promise<ActionContext>;
  /** The scope with another person as actor, e.g. the reacting user of an event. */
  actAs(userId: string): Promise<ActionContext>;
  /**
   * Before views.open: a trigger_id lives 3 s, so the requester is taken as a member without a
   * users.info call; the modal's submission checks everything again with `act()`.
   */
  beforeModal(): Promise<ActionContext>;
}

const KEY = 'debrief';

/** Reads the request context the middleware put on Bolt's context. */
export function requestOf(context: Context): DebriefRequest {
  const request = context[KEY] as DebriefRequest | undefined;
  if (!request) throw new Error('the Debrief request middleware did not run');
  return request;
}

/**
 * Event types whose work makes no Slack call: message events (logging, edits, deletions). For them
 * the early read below would be a second round trip on every first delivery to spare nothing, since
 * the claim committed with the work already makes a retry change nothing (logChannelMessageOnce,
 * commitOnce). Reaction events keep it: their work asks Slack (users.info, conversations.history).
 */
const NO_SLACK_CALL_EVENTS = new Set(['message']);

/**
 * Resolves the request's context once. Also skips Slack's retry of an event whose work already
 * committed, before any Slack call; the authoritative check is the claim committed with the work.
 * The whole request runs observed: logged with its request id and workspace, counted by outcome.
 */
export function requestContextMiddleware(deps: SlackDeps): Middleware<AnyMiddlewareArgs> {
  return async ({ body, context, next }) =>
    observed(context, async () => {
      const payload = body as Payload;
      const eventId = typeof payload.event_id === 'string' ? payload.event_id : undefined;
      const checkEarly = eventId !== undefined && !NO_SLACK_CALL_EVENTS.has(payload.event?.type ?? '');
      if (checkEarly && (await wasEventProcessed(deps.db, eventId))) return noteDuplicate('early');
      context[KEY] = buildRequest(deps, context, payload, eventId);
      await next();
    });
}

function buildRequest(
  deps: SlackDeps,
  context: Context,
  payload: Payload,
  eventId: string | undefined,
): DebriefRequest {
  // Bolt derives these from every payload shape; an org-wide install's interactions carry team: null.
  const workspace: WorkspaceAddress = {
    teamId: context.teamId ?? null,
    enterpriseId: context.enterpriseId ?? null,
    isEnterpriseInstall: context.isEnterpriseInstall === true,
  };
  const now = deps.clock();
  const scope = memo(
    async (): Promise<Scope> => ({
      db: deps.db,
      slack: deps.slack,
      workspace,
      workspaceId: await deps.workspaces.idOf(workspace),
      now,
      ...(eventId !== undefined && { eventId }),
    }),
  );
  const actAs = async (userId: string): Promise<ActionContext> => {
    const [resolved, user] = await Promise.all([scope(), deps.slack.lookupUser(workspace, userId)]);
    return { ...resolved, actor: actorOf(user, workspace) };
  };
  const userId = userOf(payload);
  return {
    workspace,
    userId,
    channelId: channelOf(payload),
    scope,
    actAs,
    beforeModal: async () => {
      if (!userId) throw new Error('this Slack request names no user');
      return { ...(await scope()), actor: { userId, isGuest: false, isExternal: false, timeZone: null } };
    },
    act: memo(() => {
      if (!userId) throw new Error('this Slack request names no user');
      return actAs(userId);
    }),
  };
}

/** The fields Slack's payloads use for user and channel: commands, interactions and events. */
interface Payload {
  event_id?: unknown;
  user_id?: string;
  channel_id?: string;
  user?: { id?: string } | string;
  channel?: { id?: string } | string;
  event?: { type?: string; user?: string; channel?: string; item?: { channel?: string } };
}

function userOf(payload: Payload): string | undefined {
  if (payload.user_id) return payload.user_id;
  if (typeof payload.user === 'object' && payload.user?.id) return payload.user.id;
  return payload.event?.user;
}

function channelOf(payload: Payload): string | undefined {
  if (payload.channel_id) return payload.channel_id;
  if (typeof payload.channel === 'object' && payload.channel?.id) return payload.channel.id;
  return payload.event?.channel ?? payload.event?.item?.channel;
}

/** The first call's promise, shared: "once per request". */
function memo<T>(compute: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => {
    result ??= compute();
    return result;
  };
}
