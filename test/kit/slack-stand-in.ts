/**
 * A local stand-in for the Slack Web API, served over real HTTP so that the app's own
 * `@slack/web-api` WebClient (pointed here with `slackApiUrl`) talks to it exactly as it would
 * talk to Slack, and as strictly: form-encoded or JSON bodies, `ok:false` answers with Slack's error
 * codes, each method's OAuth scope (`missing_scope`), per-method rate limits (HTTP 429 with
 * `Retry-After`), Block Kit limits (`invalid_blocks`), trigger ids that expire 3 s after they were
 * issued (Slack's clock is real time unless a test passes one), response URLs that take 5 messages
 * in 30 minutes, and the OAuth v2 code exchange whose bot tokens then authenticate like the seeded one.
 *
 * It is not a mock of Debrief's functions: it keeps a small workspace (users, channels, messages,
 * views) that the API reads and changes, and records every call for assertions. It implements only
 * the methods Debrief calls (methods/index.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector } from './faults';
import { bearerToken, type HttpAnswer, parseApiRequest, readBody, send } from './http';
import { zodMessages } from './methods/arguments';
import {
  FILE_UPLOAD,
  forgetUploads,
  receiveUpload,
  UPLOAD_PATH,
  type UploadedFile,
  uploadedFilesOf,
} from './methods/files';
import { METHODS, type MethodSpec } from './methods/index';
import { clientCredentials, OAUTH_V2_ACCESS, oauthV2Access } from './oauth';
import { type Allowance, RATE_LIMITS, RateLimiter, WORKSPACE_POSTS } from './rate-limits';
import { applyResponse, parseResponseBody, RESPONSE_URL_MAX_USES, RESPONSE_URL_TTL_MS } from './response-urls';
import { manifestBotScopes, SCOPES_SEEN_ENV, ScopeLedger } from './scopes';
import { fail, invalidArguments, SlackError } from './slack-errors';
import { APPS_CONNECTIONS_OPEN, CONNECTIONS_WRITE, type SocketModeOptions, SocketModeServer } from './socket-mode';
import {
  type ChannelMessage,
  type EphemeralMessage,
  type FailureSpec,
  type JsonObject,
  type OAuthCodeRequest,
  RESPONSE_URL,
  type RecordedCall,
  type RecordedView,
  type ResponseUrlContext,
  type ResponseUrlPost,
  type SeedChannel,
  type SeedMessage,
  type SeedUser,
  type SlackStandInOptions,
  type TriggerContext,
} from './types';
import { channelJson, messageJson, userJson, viewJson, zoneOffsetSeconds } from './wire-shapes';
import { type MessageRecord, randomHex, Workspace } from './workspace';

export { FILE_UPLOAD, type UploadedFile } from './methods/files';
export * from './types';

/** Methods the stand-in implements. */
export const SUPPORTED_METHODS: readonly string[] = [...Object.keys(METHODS), OAUTH_V2_ACCESS, APPS_CONNECTIONS_OPEN];

export class SlackStandIn {
  private readonly ws: Workspace;
  private readonly recorded: RecordedCall[] = [];
  private readonly responsePosts: ResponseUrlPost[] = [];
  private readonly faults = new FaultInjector();
  private readonly limiter?: RateLimiter;
  private readonly scopeLedger: ScopeLedger;
  /** The seeded bot token's scopes. */
  private readonly botScopes: readonly string[];
  private readonly host: string;
  private readonly port: number;
  private server?: Server;
  private base?: string;
  private oauthCodeCount = 0;
  private socketMode?: SocketModeServer;
  /** Bugs in the stand-in itself (answered 500); a test can assert there were none. */
  readonly internalErrors: unknown[] = [];

  constructor(options: SlackStandInOptions) {
    const teamDomain = options.teamDomain ?? 'debrief-demo';
    this.ws = new Workspace(
      {
        teamId: options.teamId,
        teamDomain,
        teamName: options.teamName ?? 'Debrief Demo',
        appId: options.appId ?? 'A0DEBRIEF1',
        botToken: options.botToken,
        botUserId: options.botUserId,
        botId: options.botId,
        botName: options.botName ?? 'debrief',
        ...(options.enterpriseId !== undefined && { enterpriseId: options.enterpriseId }),
        verificationToken: options.verificationToken ?? 'verificationtoken00000000',
        ...(options.clientId !== undefined && { clientId: options.clientId }),
        ...(options.clientSecret !== undefined && { clientSecret: options.clientSecret }),
      },
      options.now ?? Date.now,
    );
    this.botScopes = options.botScopes ?? manifestBotScopes();
    if (options.rateLimits !== false) this.limiter = new RateLimiter(this.ws.now);
    const reportDir = options.scopesSeenDir ?? (options.reportScopes ? process.env[SCOPES_SEEN_ENV] : undefined);
    this.scopeLedger = new ScopeLedger(reportDir || undefined);
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.ws.users.set(options.botUserId, {
      id: options.botUserId,
      name: this.ws.config.botName,
      realName: 'Debrief',
      tz: 'America/Los_Angeles',
      isRestricted: false,
      isUltraRestricted: false,
      isBot: true,
      deleted: false,
      teamId: options.teamId,
      botId: options.botId,
    });
  }

  // lifecycle

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      void this.route(request, response);
    });
    // Socket Mode's WebSocket (the URL apps.connections.open hands out) is served on the same port.
    server.on('upgrade', (request, socket, head) => {
      if (this.socketMode) this.socketMode.handleUpgrade(request, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.server = server;
    this.base = `http://${this.host}:${port}/`;
    this.ws.baseUrl = this.base;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // Upgraded sockets are no longer the HTTP server's to close.
    await this.socketMode?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `http://127.0.0.1:<port>/` */
  get baseUrl(): string {
    if (!this.base) throw new Error('SlackStandIn is not started');
    return this.base;
  }

  /** What the app's WebClient takes as `slackApiUrl`. */
  get apiUrl(): string {
    return `${this.baseUrl}api/`;
  }

  // identity

  get teamId(): string {
    return this.ws.config.teamId;
  }
  get teamDomain(): string {
    return this.ws.config.teamDomain;
  }
  get appId(): string {
    return this.ws.config.appId;
  }
  get botUserId(): string {
    return this.ws.config.botUserId;
  }
  get botId(): string {
    return this.ws.config.botId;
  }
  get enterpriseId(): string | undefined {
    return this.ws.config.enterpriseId;
  }
  get verificationToken(): string {
    return this.ws.config.verificationToken;
  }
  /** The authorize page a browser is sent to (`/oauth/v2/authorize` beside `/api/`, as on slack.com). */
  get authorizeUrl(): string {
    return `${this.baseUrl}oauth/v2/authorize`;
  }

  // seeding

  addUser(user: SeedUser): void {
    if (user.tz) zoneOffsetSeconds(user.tz, new Date()); // throws RangeError on an unknown zone
    this.ws.users.set(user.id, {
      id: user.id,
      name: user.name,
      realName: user.realName ?? user.name,
      tz: user.tz === undefined ? 'UTC' : user.tz,
      // Slack marks a single-channel guest both restricted and ultra-restricted.
      isRestricted: (user.isRestricted ?? false) || (user.isUltraRestricted ?? false),
      isUltraRestricted: user.isUltraRestricted ?? false,
      isBot: user.isBot ?? false,
      deleted: user.deleted ?? false,
      teamId: user.teamId ?? this.ws.config.teamId,
      ...(user.enterpriseId !== undefined && { enterpriseId: user.enterpriseId }),
    });
  }

  addChannel(channel: SeedChannel): string {
    const id = channel.id ?? this.ws.newId('C', (candidate) => this.ws.channels.has(candidate));
    if (this.ws.channels.has(id)) throw new Error(`channel ${id} already exists`);
    this.ws.addChannelRecord({
      id,
      name: channel.name,
      kind: 'channel',
      isPrivate: channel.isPrivate ?? false,
      isArchived: channel.isArchived ?? false,
      isExtShared: channel.isExtShared ?? false,
      members: new Set(channel.members ?? []),
      created: this.ws.nowSeconds(),
      creator: channel.members?.[0] ?? this.ws.config.botUserId,
    });
    return id;
  }

  /** A message already in Slack (posted by a person, or by another bot when `botId` is set). */
  addMessage(channelId: string, message: SeedMessage): string {
    if (!this.ws.channels.has(channelId)) throw new Error(`unknown channel ${channelId}`);
    const ts = message.ts ?? this.ws.nextTs();
    this.ws.insertMessage({
      ts,
      channel: channelId,
      ...(message.user !== undefined && { user: message.user }),
      ...(message.botId !== undefined && { botId: message.botId }),
      ...(message.appId !== undefined && { appId: message.appId }),
      ...(message.subtype !== undefined && { subtype: message.subtype }),
      ...(message.username !== undefined && { username: message.username }),
      text: message.text,
      ...(message.blocks !== undefined && { blocks: message.blocks }),
      ...(message.threadTs !== undefined && { threadTs: message.threadTs }),
      reactions: new Map(),
    });
    return ts;
  }

  /** A person edits a message (what Slack then reports as `message_changed`). Returns the edit's ts. */
  editMessage(channelId: string, ts: string, text: string, blocks?: unknown[]): string {
    const message = this.requireMessage(channelId, ts);
    const editTs = this.ws.nextTs();
    message.text = text;
    if (blocks !== undefined) message.blocks = blocks;
    message.edited = { user: message.user ?? this.ws.config.botUserId, ts: editTs };
    return editTs;
  }

  /** The stand-in's clock, in epoch milliseconds. */
  now(): number {
    return this.ws.now();
  }

  /** A fresh Slack ts, later than every message so far (event_ts, action_ts). */
  newTs(): string {
    return this.ws.nextTs();
  }

  /** A person deletes a message. */
  removeMessage(channelId: string, ts: string): void {
    this.ws.deleteMessage(this.requireMessage(channelId, ts));
  }

  addReaction(channelId: string, ts: string, name: string, userId: string): void {
    const message = this.requireMessage(channelId, ts);
    const users = message.reactions.get(name) ?? [];
    if (!users.includes(userId)) message.reactions.set(name, [...users, userId]);
  }

  removeReaction(channelId: string, ts: string, name: string, userId: string): void {
    const message = this.requireMessage(channelId, ts);
    const users = (message.reactions.get(name) ?? []).filter((u) => u !== userId);
    if (users.length === 0) message.reactions.delete(name);
    else message.reactions.set(name, users);
  }

  /** Adds a user to a channel (as when they join it in Slack). */
  joinChannel(channelId: string, userId: string): void {
    const channel = this.ws.channels.get(channelId);
    if (!channel) throw new Error(`unknown channel ${channelId}`);
    channel.members.add(userId);
  }

  // looking things up (what Slack would show)

  /** The message as the Web API would return it, or undefined. */
  message(channelId: string, ts: string): JsonObject | undefined {
    const message = this.ws.findMessage(channelId, ts);
    return message && messageJson(this.ws, message);
  }

  user(userId: string): JsonObject | undefined {
    const user = this.ws.users.get(userId);
    return user && userJson(this.ws, user);
  }

  channel(channelId: string): JsonObject | undefined {
    const channel = this.ws.channels.get(channelId);
    return channel && channelJson(this.ws, channel, true);
  }

  channelIdByName(name: string): string | undefined {
    return this.ws.channelByName(name)?.id;
  }

  membersOf(channelId: string): string[] {
    return [...(this.ws.channels.get(channelId)?.members ?? [])];
  }

  /**
   * A direct message between two people, which the bot is not in: a slash command can be run there,
   * but the bot can neither read nor post in it (chat.postEphemeral answers channel_not_found).
   */
  addDirectMessage(userId: string, otherUserId: string): string {
    for (const id of [userId, otherUserId]) if (!this.ws.users.has(id)) throw new Error(`unknown user ${id}`);
    const channel = this.ws.addChannelRecord({
      id: this.ws.newId('D', (candidate) => this.ws.channels.has(candidate)),
      name: otherUserId,
      kind: 'im',
      isPrivate: true,
      isArchived: false,
      isExtShared: false,
      members: new Set([userId, otherUserId]),
      created: this.ws.nowSeconds(),
      // No imUser: that marks the bot's own DM with someone (see Workspace.dmWith).
      creator: userId,
    });
    return channel.id;
  }

  /** The bot's DM channel with a user, opened if needed. */
  dmChannelWith(userId: string): string {
    const user = this.ws.users.get(userId);
    if (!user) throw new Error(`unknown user ${userId}`);
    return this.ws.dmWith(user).channel.id;
  }

  /** The user's published Home tab, as the Web API would return it, or undefined before the first publish. */
  homeOf(userId: string): JsonObject | undefined {
    const viewId = this.ws.homes.get(userId);
    return viewId === undefined ? undefined : this.viewById(viewId);
  }

  viewById(viewId: string): JsonObject | undefined {
    const view = this.ws.views.get(viewId);
    return view && viewJson(this.ws, view);
  }

  // short-lived ids Slack hands to the app

  /** Registers a fresh trigger id, usable once within 3 s (of Slack's clock) for views.open. */
  issueTriggerId(context: TriggerContext = {}): string {
    return this.ws.issueTrigger(context);
  }

  /**
   * What Slack does when a person approves the app on its authorize page: a code for oauth.v2.access,
   * good once within 10 minutes. The redirect carrying it to the app is the caller's to send.
   */
  issueOAuthCode(request: OAuthCodeRequest): string {
    if (request.enterprise !== undefined && request.teamId !== undefined) {
      throw new Error('an org-wide install is the organisation’s: give `enterprise` or `teamId`, not both');
    }
    if (request.teamId !== undefined && request.teamId !== this.ws.config.teamId) {
      throw new Error(`the stand-in simulates one workspace, ${this.ws.config.teamId}, not ${request.teamId}`);
    }
    if (!this.ws.users.has(request.userId)) throw new Error(`unknown user ${request.userId}`);
    const code = `${this.ws.teamNumber()}.${this.ws.nowSeconds()}${String(this.oauthCodeCount++).padStart(3, '0')}.${randomHex(32)}`;
    this.ws.oauthCodes.set(code, {
      userId: request.userId,
      scopes: [...request.scopes],
      ...(request.redirectUri !== undefined && { redirectUri: request.redirectUri }),
      issuedAt: this.ws.now(),
      used: false,
      ...(request.enterprise !== undefined && {
        enterprise: { id: request.enterprise.id, name: request.enterprise.name ?? request.enterprise.id },
      }),
    });
    return code;
  }

  /**
   * Turns Socket Mode on for the app: apps.connections.open then answers the app-level token with a
   * WebSocket URL on this stand-in's port, where the returned server delivers envelopes.
   */
  enableSocketMode(options: SocketModeOptions): SocketModeServer {
    if (this.socketMode) throw new Error('Socket Mode is already on');
    this.socketMode = new SocketModeServer(options, {
      appId: () => this.ws.config.appId,
      baseUrl: () => this.baseUrl,
      now: () => this.ws.now(),
    });
    return this.socketMode;
  }

  /** Scopes the calls (and the events and commands Slack sent the app) needed so far, sorted. */
  get scopesUsed(): string[] {
    return this.scopeLedger.used;
  }

  /** Notes a scope the app relies on outside the Web API: `commands`, an event subscription's scope. */
  noteScopeUsed(scope: string): void {
    this.scopeLedger.note(scope);
  }

  /** Bot tokens handed out by oauth.v2.access and not revoked, newest last. */
  get issuedBotTokens(): string[] {
    return [...this.ws.issuedTokens].filter(([, record]) => !record.revoked).map(([token]) => token);
  }

  /** How recordings name a token: `bot token` (the seeded one), `oauth #<n>`, or undefined for an unknown one. */
  credentialOf(token: string | undefined): string | undefined {
    if (token === undefined || token === '') return undefined;
    if (token === this.ws.config.botToken) return 'bot token';
    if (token === this.socketMode?.appToken) return 'app-level token';
    return this.ws.issuedTokens.get(token)?.label;
  }

  /**
   * Revokes every token oauth.v2.access handed out, as uninstalling the app does (calls with them
   * then answer `token_revoked`). The seeded bot token stays valid.
   */
  revokeIssuedTokens(): void {
    for (const record of this.ws.issuedTokens.values()) record.revoked = true;
  }

  /** A response URL served here: 5 messages within 30 minutes, like Slack's. */
  newResponseUrl(context: ResponseUrlContext = {}): string {
    const id = `${this.ws.config.teamId}/${this.ws.now().toString(36)}${randomHex(4)}/${randomHex(12)}`;
    this.ws.responseUrls.set(id, { createdAt: this.ws.now(), uses: 0, context });
    return `${this.baseUrl}response/${id}`;
  }

  // fault injection

  /** The next call(s) to `method` fail. `ratelimited` answers HTTP 429 with `Retry-After`. */
  failNext(methodName: string, failure: FailureSpec): void {
    this.faults.failNext(methodName, failure);
  }

  /** The next call(s) to `method` are answered only after `ms` milliseconds (a slow Slack). */
  delayNext(methodName: string, ms: number, times = 1): void {
    this.faults.delayNext(methodName, ms, times);
  }

  // recordings

  get calls(): readonly RecordedCall[] {
    return this.recorded;
  }

  callsTo(methodName: string): RecordedCall[] {
    return this.recorded.filter((call) => call.method === methodName);
  }

  lastCall(methodName: string): RecordedCall | undefined {
    return this.callsTo(methodName).at(-1);
  }

  /** The channel as a reader sees it now, oldest first, thread replies included. */
  messagesIn(channelId: string): ChannelMessage[] {
    return this.ws.messagesOf(channelId).map((message) => ({
      ts: message.ts,
      channel: message.channel,
      ...(message.user !== undefined && { user: message.user }),
      ...(message.botId !== undefined && { botId: message.botId }),
      ...(message.subtype !== undefined && { subtype: message.subtype }),
      text: message.text,
      ...(message.blocks !== undefined && { blocks: message.blocks }),
      ...(message.attachments !== undefined && { attachments: message.attachments }),
      ...(message.threadTs !== undefined && { threadTs: message.threadTs }),
      ...(message.edited !== undefined && { edited: message.edited }),
      reactions: [...message.reactions].map(([name, users]) => ({ name, users: [...users] })),
    }));
  }

  /** Ephemeral messages shown to a user (and not since deleted), oldest first. */
  ephemeralsTo(userId: string): EphemeralMessage[] {
    return this.ws.ephemerals.filter((e) => e.user === userId && !e.deleted).map(({ deleted: _, ...e }) => e);
  }

  responsesAt(url: string): ResponseUrlPost[] {
    return this.responsePosts.filter((post) => post.url === url);
  }

  get responses(): readonly ResponseUrlPost[] {
    return this.responsePosts;
  }

  get openedViews(): readonly RecordedView[] {
    return this.ws.openedViews;
  }

  /** Files the app uploaded (files.getUploadURLExternal, the upload, files.completeUploadExternal), with their content. */
  get uploadedFiles(): readonly UploadedFile[] {
    return uploadedFilesOf(this.ws);
  }

  /** Forgets recordings (calls, responses, ephemerals, views) and faults; the workspace itself stays. */
  reset(): void {
    this.recorded.length = 0;
    this.responsePosts.length = 0;
    this.ws.ephemerals.length = 0;
    this.ws.openedViews.length = 0;
    forgetUploads(this.ws);
    this.internalErrors.length = 0;
    this.faults.clear();
  }

  // HTTP

  private requireMessage(channelId: string, ts: string): MessageRecord {
    const message = this.ws.findMessage(channelId, ts);
    if (!message) throw new Error(`no message ${ts} in ${channelId}`);
    return message;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://stand-in');
      const raw = await readBody(request);
      const path = url.pathname;
      let answer: HttpAnswer;
      if (path.startsWith('/api/')) answer = await this.handleApi(path.slice(5), request, raw, url.searchParams);
      else if (path.startsWith('/response/')) answer = await this.handleResponseUrl(path.slice(10), request, raw);
      else if (path.startsWith(UPLOAD_PATH))
        answer = await this.handleUpload(path.slice(UPLOAD_PATH.length), request, raw);
      else answer = { status: 404, body: 'not found' };
      send(response, answer);
    } catch (error) {
      this.internalErrors.push(error);
      if (!response.headersSent) send(response, { status: 500, body: { ok: false, error: 'internal_error' } });
    }
  }

  private async handleApi(
    methodName: string,
    request: IncomingMessage,
    raw: Buffer,
    query: URLSearchParams,
  ): Promise<HttpAnswer> {
    let args: JsonObject = {};
    let token: string | undefined;
    let scope: string | undefined;
    const answer = await (async (): Promise<HttpAnswer> => {
      try {
        const parsed = parseApiRequest(request, raw, query);
        args = parsed.args;
        if (methodName === OAUTH_V2_ACCESS) {
          // The app authenticates with its client id and secret here, not with a token.
          const injected = await this.faults.apply(methodName);
          if (injected) return injected;
          return { status: 200, body: { ok: true, ...oauthV2Access(this.ws, clientCredentials(request, args), args) } };
        }
        if (methodName === APPS_CONNECTIONS_OPEN) {
          // An app-level token's call: its scope is the app's, not the bot's (kept out of the scope ledger).
          token = bearerToken(request) ?? parsed.token;
          scope = CONNECTIONS_WRITE;
          const injected = await this.faults.apply(methodName);
          if (injected) return injected;
          const body = this.socketMode
            ? this.socketMode.connectionsOpen(token, (other) => this.isKnownToken(other))
            : fail(token === undefined || token === '' ? 'not_authed' : 'invalid_auth');
          return { status: 200, body: { ok: true, ...body } };
        }
        const spec = METHODS[methodName];
        if (!spec) fail('unknown_method', { req_method: methodName });
        token = bearerToken(request) ?? parsed.token;
        const granted = this.authenticate(token);
        scope = this.requiredScope(spec, args);
        if (scope !== undefined) {
          this.scopeLedger.note(scope);
          if (!granted.includes(scope)) fail('missing_scope', { needed: scope, provided: granted.join(',') });
        }
        const limited = this.rateLimit(methodName, spec, args);
        if (limited) return limited;
        const injected = await this.faults.apply(methodName);
        if (injected) return injected;
        // Methods run synchronously: the caller is theirs alone while they run (auth.test reads it).
        this.ws.caller = token === undefined ? undefined : this.ws.issuedTokens.get(token);
        try {
          return { status: 200, body: { ok: true, ...this.runMethod(spec, args) } };
        } finally {
          this.ws.caller = undefined;
        }
      } catch (error) {
        if (error instanceof SlackError) return { status: 200, body: { ok: false, error: error.code, ...error.extra } };
        throw error;
      }
    })();
    const { client_secret: _secret, ...recordedArgs } = args;
    const credential = this.credentialOf(token);
    this.recorded.push({
      method: methodName,
      args: recordedArgs,
      ...(credential !== undefined && { credential }),
      ...(scope !== undefined && { scope }),
      at: new Date(this.ws.now()),
      status: answer.status,
      response: answer.body as JsonObject,
    });
    return answer;
  }

  /** The seeded bot token, or one oauth.v2.access handed out (until it is revoked); answers its scopes. */
  private authenticate(token: string | undefined): readonly string[] {
    if (token === undefined || token === '') fail('not_authed');
    if (token === this.ws.config.botToken) return this.botScopes;
    // Slack refuses an app-level token for everything but apps.connections.open (and a few app methods).
    if (token === this.socketMode?.appToken) fail('not_allowed_token_type');
    const issued = this.ws.issuedTokens.get(token);
    if (!issued) fail('invalid_auth');
    if (issued.revoked) fail('token_revoked');
    return issued.scopes;
  }

  private isKnownToken(token: string): boolean {
    return token === this.ws.config.botToken || this.ws.issuedTokens.has(token);
  }

  private requiredScope(spec: MethodSpec, args: JsonObject): string | undefined {
    return typeof spec.scope === 'function' ? spec.scope(this.ws, args) : spec.scope;
  }

  /** The conversation a `channel` argument names: a user id and the bot's DM with that user name the same. */
  private conversationOf(channel: string): string {
    const dmUser = this.ws.users.has(channel) ? channel : this.ws.channels.get(channel)?.imUser;
    return dmUser === undefined ? channel : `im:${dmUser}`;
  }

  /** HTTP 429 with Retry-After once the method's bucket (chat.postMessage: the channel's or the workspace's) is empty. */
  private rateLimit(methodName: string, spec: MethodSpec, args: JsonObject): HttpAnswer | undefined {
    if (!this.limiter) return undefined;
    const allowances: Allowance[] =
      spec.tier === 'per-channel'
        ? [
            {
              key: `${methodName}:${this.conversationOf(String(args.channel ?? ''))}`,
              limit: RATE_LIMITS['per-channel'],
            },
            { key: methodName, limit: WORKSPACE_POSTS },
          ]
        : [{ key: methodName, limit: RATE_LIMITS[spec.tier] }];
    const waitSeconds = this.limiter.take(allowances);
    if (waitSeconds === 0) return undefined;
    return {
      status: 429,
      body: { ok: false, error: 'ratelimited' },
      headers: { 'retry-after': String(waitSeconds) },
    };
  }

  private runMethod(spec: MethodSpec, args: JsonObject): JsonObject {
    const parsed = spec.schema.safeParse(args);
    if (!parsed.success) invalidArguments(zodMessages(parsed.error, args));
    return spec.handle(this.ws, parsed.data);
  }

  /** An upload URL of files.getUploadURLExternal (Slack's file servers answer in text, not JSON). */
  private async handleUpload(ticket: string, request: IncomingMessage, raw: Buffer): Promise<HttpAnswer> {
    const injected = await this.faults.apply(FILE_UPLOAD);
    if (injected) return injected;
    return receiveUpload(this.ws, ticket, request, raw);
  }

  private async handleResponseUrl(id: string, request: IncomingMessage, raw: Buffer): Promise<HttpAnswer> {
    const url = `${this.baseUrl}response/${id}`;
    let body: unknown;
    const answer = await (async (): Promise<HttpAnswer> => {
      const record = this.ws.responseUrls.get(id);
      if (!record) return { status: 404, body: { ok: false, error: 'invalid_url' } };
      if (this.ws.now() - record.createdAt > RESPONSE_URL_TTL_MS)
        return { status: 404, body: { ok: false, error: 'expired_url' } };
      if (record.uses >= RESPONSE_URL_MAX_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
      const injected = await this.faults.apply(RESPONSE_URL);
      if (injected) return injected;
      try {
        body = parseResponseBody(request, raw);
        applyResponse(this.ws, record.context, body as JsonObject);
        record.uses += 1;
        return { status: 200, body: { ok: true } };
      } catch (error) {
        if (error instanceof SlackError) return { status: 400, body: { ok: false, error: error.code, ...error.extra } };
        throw error;
      }
    })();
    this.responsePosts.push({
      url,
      body,
      at: new Date(this.ws.now()),
      status: answer.status,
      result: answer.body as JsonObject,
    });
    return answer;
  }
}
