/** What tests and the app see of the Slack stand-in: options, seeds and recordings. */

export type JsonObject = Record<string, unknown>;

export interface SlackStandInOptions {
  teamId: string;
  botToken: string;
  botUserId: string;
  botId: string;
  teamDomain?: string;
  teamName?: string;
  appId?: string;
  botName?: string;
  enterpriseId?: string;
  /** The (deprecated) verification token Slack still puts in request payloads. */
  verificationToken?: string;
  /** The app's OAuth credentials; without them oauth.v2.access answers `invalid_client_id`. */
  clientId?: string;
  clientSecret?: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * Slack's clock in epoch milliseconds: real time by default, so trigger ids really expire 3 s after
   * they are issued. A test may pass its own to move time (response URLs, OAuth codes, rate limits).
   */
  now?: () => number;
  /** The bot token's scopes; default: the bot scopes of manifest.yml, as an install grants them. */
  botScopes?: readonly string[];
  /** Slack's per-method rate limits (default on); a benchmark may turn them off. */
  rateLimits?: boolean;
  /**
   * Appends every scope a call needed to a file in this directory, for the suite-wide manifest check
   * (default: env DEBRIEF_SCOPES_SEEN_DIR, set by jest's globalSetup, when `reportScopes` is set).
   */
  reportScopes?: boolean;
  scopesSeenDir?: string;
}

export interface SeedUser {
  id: string;
  name: string;
  realName?: string;
  /** IANA zone (default `UTC`); `null` for a user with no time zone (Slack then sends no tz fields). */
  tz?: string | null;
  /** A guest (multi-channel guest). */
  isRestricted?: boolean;
  /** A single-channel guest: Slack then reports both is_restricted and is_ultra_restricted. */
  isUltraRestricted?: boolean;
  isBot?: boolean;
  deleted?: boolean;
  /** A user from another organisation (Slack Connect) has another team id. */
  teamId?: string;
  /**
   * Enterprise Grid: the organisation the user's workspace (`teamId`) belongs to; users.info then
   * names it in `enterprise_user`.
   */
  enterpriseId?: string;
}

export interface SeedChannel {
  id?: string;
  name: string;
  isPrivate?: boolean;
  members?: string[];
  isArchived?: boolean;
  /** Shared with another organisation (Slack Connect). */
  isExtShared?: boolean;
}

export interface SeedMessage {
  user?: string;
  text: string;
  ts?: string;
  threadTs?: string;
  botId?: string;
  blocks?: unknown[];
  /** e.g. `bot_message` for a legacy integration's post (no `user`, a `username` instead). */
  subtype?: string;
  username?: string;
  appId?: string;
}

export interface RecordedCall {
  method: string;
  /** Parsed arguments, token (and an OAuth client secret) removed. */
  args: JsonObject;
  /**
   * Which token the call was made with, never the token itself: `bot token` for the seeded one,
   * `oauth #<n>` for the n-th oauth.v2.access handed out (see credentialOf); absent without a known token.
   */
  credential?: string;
  /** The OAuth scope the call needed (none for auth.test, views.*), granted or not. */
  scope?: string;
  at: Date;
  status: number;
  response: JsonObject;
}

export interface ChannelMessage {
  ts: string;
  channel: string;
  user?: string;
  botId?: string;
  subtype?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  threadTs?: string;
  edited?: { user: string; ts: string };
  reactions: { name: string; users: string[] }[];
}

export interface EphemeralMessage {
  channel: string;
  user: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  at: Date;
  via: 'chat.postEphemeral' | 'response_url';
}

export interface ResponseUrlPost {
  url: string;
  body: unknown;
  at: Date;
  status: number;
  result: JsonObject;
}

export interface RecordedView {
  viewId: string;
  userId?: string;
  view: JsonObject;
  at: Date;
  via: 'views.open' | 'views.update' | 'views.publish';
}

export interface FailureSpec {
  /** Slack error code; `ratelimited` answers HTTP 429 with `Retry-After` unless `status` says otherwise. */
  error: 'ratelimited' | (string & {});
  status?: 429 | 500 | 502 | 503 | 200 | 404;
  retryAfterSeconds?: number;
  /** How many consecutive calls fail (default 1). */
  times?: number;
}

/** Who a trigger id belongs to, and from which view it came. */
export interface TriggerContext {
  userId?: string;
  viewId?: string;
}

/** Where a response URL's messages go. */
export interface ResponseUrlContext {
  channelId?: string;
  userId?: string;
  /** The message an interaction came from, for `replace_original` / `delete_original`. */
  messageTs?: string;
  ephemeral?: boolean;
}

/** What a person approved on Slack's authorize page; issueOAuthCode turns it into a code for oauth.v2.access. */
export interface OAuthCodeRequest {
  /** The workspace installing the app: the stand-in's own (the default; it simulates one workspace). */
  teamId?: string;
  /** The person who approved the installation. */
  userId: string;
  /** The bot scopes granted. */
  scopes: readonly string[];
  /** The redirect_uri of the authorize request, if it named one: oauth.v2.access must then send the same. */
  redirectUri?: string;
  /**
   * An org-wide (Enterprise Grid) install by this organisation: oauth.v2.access then answers
   * `team: null`, the `enterprise`, and `is_enterprise_install: true`. `teamId` must be unset.
   */
  enterprise?: { id: string; name?: string };
}

/**
 * Where a request under an org-wide (Enterprise Grid) install comes from: a workspace (`teamId`) of
 * the organisation. Slash commands then carry that team_id with the enterprise_id; shortcuts and
 * buttons name the workspace in `team`; view submissions carry `team: null` (Slack's real shapes).
 */
export interface OrgWideOrigin {
  enterpriseId: string;
  enterpriseName?: string;
  teamId: string;
  teamDomain?: string;
}

/** Pseudo-method names for failNext/delayNext on the non-API endpoints. */
export const RESPONSE_URL = 'response_url';
