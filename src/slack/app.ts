import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  App,
  type CustomRoute,
  ErrorCode,
  HTTPReceiver,
  type HTTPReceiverOptions,
  type Logger,
  LogLevel,
  type Receiver,
  SocketModeReceiver,
} from '@slack/bolt';
import { type FetchFunction, WebClient } from '@slack/web-api';
import type { Registry } from 'prom-client';
import type { Config } from '../config';
import { requestContextMiddleware } from './context';
import type { SlackDeps } from './deps';
import { failureSummary } from './failures';
import { slackHttp } from './http';
import type { SlackInstallationStore } from './installation-store';
import { registerListeners } from './listeners';
import { observeRequests } from './observed-request';
import { BOT_SCOPES } from './scopes';
import { WEB_API_CLIENT_OPTIONS } from './workspace-clients';

export interface SlackAppOptions {
  config: Config;
  deps: SlackDeps;
  logger: Logger;
  /** GET /healthz answers 200 only when this resolves true. */
  isHealthy: () => Promise<boolean>;
  /** What is wrong when unhealthy ("database unavailable", "Slack unreachable …"): /healthz names the cause. */
  healthProblems?: () => Promise<string[]>;
  metrics: Registry;
  botIdentity: BotIdentity | undefined;
  /** OAuth mode (config.slack.oauth): where installations, and so each workspace's token, are kept. */
  installationStore?: SlackInstallationStore | undefined;
  /** Tests only: takes the place of the HTTP or Socket Mode receiver (test/listeners hands payloads straight in). */
  receiver?: Receiver | undefined;
  /** Tests only: the HTTP transport of Bolt's clients and respond() instead of slackHttp (test/listeners answers in process). */
  slackTransport?: FetchFunction | undefined;
}

/** Where people install Debrief and where Slack sends them back, in OAuth mode. */
export const INSTALL_PATH = '/slack/install';
export const OAUTH_REDIRECT_PATH = '/slack/oauth_redirect';

/**
 * Builds the Bolt app: HTTP receiver on /slack/events (or Socket Mode), health and metrics routes,
 * listeners. With one bot token it serves one workspace; in OAuth mode it also serves /slack/install
 * and /slack/oauth_redirect and takes each request's token from that workspace's stored installation.
 */
export function createSlackApp(options: SlackAppOptions & { receiver: Receiver }): { app: App; receiver: Receiver };
export function createSlackApp(options: SlackAppOptions): { app: App; receiver: HTTPReceiver | SocketModeReceiver };
export function createSlackApp(options: SlackAppOptions): { app: App; receiver: Receiver } {
  const { config, logger } = options;
  const customRoutes = [healthRoute(options.isHealthy, options.healthProblems), metricsRoute(options.metrics)];
  // Every Web API client, the OAuth code exchange and the Socket Mode connection go to SLACK_API_URL.
  // Bolt's listener clients and its respond() use this fetch too: /metrics counts every call to Slack.
  const transport = options.slackTransport ?? slackHttp;
  const clientOptions = {
    slackApiUrl: config.slack.apiUrl,
    ...WEB_API_CLIENT_OPTIONS,
    fetch: options.deps.metrics ? options.deps.metrics.slackFetch(transport) : transport,
  };
  const oauth = oauthOptions(options, clientOptions);
  const receiver =
    options.receiver ??
    (config.slack.appToken
      ? new SocketModeReceiver({
          appToken: config.slack.appToken,
          logger,
          logLevel: boltLogLevel(config.logLevel),
          customRoutes,
          ...oauth,
          // SocketModeConnection reconnects (socket-mode.ts): the client's own loop can end the process.
          autoReconnectEnabled: false,
          // No client-side retries for apps.connections.open: SocketModeConnection retries with backoff and says so.
          installerOptions: {
            ...oauth?.installerOptions,
            port: config.port,
            clientOptions: { ...clientOptions, retryConfig: { retries: 0 } },
          },
        })
      : new HTTPReceiver({
          signingSecret: config.slack.signingSecret ?? '',
          endpoints: '/slack/events',
          customRoutes,
          logger,
          logLevel: boltLogLevel(config.logLevel),
          // Hold Slack's 200 until the listener has committed: nothing acknowledged is lost.
          processBeforeResponse: true,
          unhandledRequestTimeoutMillis: 3_001,
          ...oauth,
        }));
  const app = new App({
    // OAuth mode has no token of its own: Bolt asks the installation store on every request.
    ...(oauth === undefined && { token: config.slack.botToken }),
    receiver,
    // Bolt shares this logger with every WebClient it makes, which at debug level dumps request
    // bodies and results (a captured message's words, a modal's text): those lines are dropped.
    logger: withoutPayloadDumps(logger),
    // Bolt resets the logger's level to its own default unless told.
    logLevel: boltLogLevel(config.logLevel),
    // Bolt's own start-up auth.test crashes the process when Slack is unreachable (identifyBot asks instead).
    tokenVerificationEnabled: false,
    // Bolt's conversation store (context.conversation) is unused: by default it looks up every event's
    // channel in memory and builds an Error for each miss.
    convoStore: false,
    ...options.botIdentity,
    clientOptions,
  });
  // Each request in its own log scope (request id, workspace), counted for /metrics.
  observeRequests(app, options.deps);
  app.use(requestContextMiddleware(options.deps));
  registerListeners(app, options.deps, options.installationStore);
  app.error(async (error) => {
    // A workspace without an installation (never installed, or uninstalled): nothing to do and
    // nothing Slack could fix by retrying. Answered 200 so Slack does not keep redelivering.
    if (error.code === ErrorCode.AuthorizationError) {
      logger.warn(failureSummary(error.original ?? error));
      return;
    }
    // Listeners answer user-facing failures themselves; what arrives here is an event whose work
    // failed (or a bug). Rethrowing makes the receiver answer 500, so Slack delivers the event again.
    logger.error(`Slack request failed, answered non-2xx so Slack retries: ${failureSummary(error.original ?? error)}`);
    throw error;
  });
  return { app, receiver };
}

/** Bolt's receiver options for OAuth mode; undefined with a single bot token. */
function oauthOptions(
  options: SlackAppOptions,
  clientOptions: NonNullable<HTTPReceiverOptions['installerOptions']>['clientOptions'],
) {
  const { oauth, apiUrl } = options.config.slack;
  if (!oauth) return undefined;
  if (!options.installationStore) throw new Error('OAuth mode needs an installation store');
  return {
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    stateSecret: oauth.stateSecret,
    installationStore: options.installationStore,
    scopes: [...BOT_SCOPES],
    installerOptions: {
      installPath: INSTALL_PATH,
      redirectUriPath: OAUTH_REDIRECT_PATH,
      // /slack/install sends the browser straight on to Slack's authorize page.
      directInstall: true,
      authorizationUrl: authorizeUrl(apiUrl),
      // The code exchange (oauth.v2.access) and the auth.test after it use these, not the App's.
      clientOptions,
    },
  };
}

/** Slack's authorize page sits beside its Web API: https://slack.com/api/ → https://slack.com/oauth/v2/authorize. */
export function authorizeUrl(apiUrl: string): string {
  return new URL('../oauth/v2/authorize', apiUrl).toString();
}

function healthRoute(isHealthy: () => Promise<boolean>, problems?: () => Promise<string[]>): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        const healthy = await isHealthy();
        const found = healthy ? [] : ((await problems?.()) ?? []);
        res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: healthy ? 'ok' : found.join('; ') || 'unhealthy' }));
      })();
    },
  };
}

function metricsRoute(registry: Registry): CustomRoute {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      });
    },
  };
}

/** Bolt's log levels by our configuration names. */
export function boltLogLevel(level: Config['logLevel']): LogLevel {
  return { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR }[level];
}

export interface BotIdentity {
  botId: string;
  botUserId: string;
}

/**
 * Single-workspace mode: asks Slack who the bot is (auth.test), once, quickly. Knowing it up front spares Bolt an auth.test
 * on the first request, which would eat into a trigger_id's 3 seconds. A wrong token is reported
 * clearly; an unreachable Slack is logged, and Bolt then identifies the bot on the first request.
 */
export async function identifyBot(config: Config, logger: Logger): Promise<BotIdentity | undefined> {
  // OAuth mode has a bot per installation; Bolt reads each one's identity from the installation.
  if (config.slack.botToken === undefined) return undefined;
  const client = new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    logger,
    fetch: slackHttp,
    timeout: 5_000,
    retryConfig: { retries: 0 },
  });
  try {
    const identity = await client.auth.test();
    logger.info(`connected to Slack workspace ${identity.team ?? identity.team_id} as ${identity.user}`);
    return identity.bot_id && identity.user_id ? { botId: identity.bot_id, botUserId: identity.user_id } : undefined;
  } catch (error) {
    const slackError = (error as { data?: { error?: string } }).data?.error;
    logger.error(
      slackError
        ? `Slack rejected SLACK_BOT_TOKEN (${slackError}): copy the Bot User OAuth Token from the app's OAuth & Permissions page`
        : `could not reach Slack at start-up (${(error as Error).message}); Debrief will identify itself on the first request`,
    );
    return undefined;
  }
}

/** The Web API client's debug lines that carry whole request and response bodies. */
const PAYLOAD_DUMP = /^http request (body|result):/;

/** The logger, minus the Web API client's payload dumps (people's words must stay out of logs). */
export function withoutPayloadDumps(logger: Logger): Logger {
  return {
    ...logger,
    debug: (...parts: unknown[]) => {
      if (typeof parts[0] === 'string' && PAYLOAD_DUMP.test(parts[0])) return;
      logger.debug(...parts);
    },
    info: (...parts: unknown[]) => logger.info(...parts),
    warn: (...parts: unknown[]) => logger.warn(...parts),
    error: (...parts: unknown[]) => logger.error(...parts),
    setLevel: (level) => logger.setLevel(level),
    getLevel: () => logger.getLevel(),
    setName: (name) => logger.setName(name),
  };
}
