import type { AddressInfo } from 'node:net';
import { type Logger, SocketModeReceiver } from '@slack/bolt';
import type { Config } from './config';
import { type DatabaseHandle, openDatabase } from './db/connect';
import { countInstallations } from './db/installations';
import { migrateToLatest } from './db/migrate';
import { createDebriefLogger } from './observability/logger';
import { createMetrics, type DebriefMetrics } from './observability/metrics';
import { type Scheduler, startScheduler } from './scheduler';
import { TokenCipher } from './security/token-cipher';
import { WorkspaceDirectory } from './services/context';
import { createSlackApp, INSTALL_PATH, identifyBot } from './slack/app';
import { BackgroundWork } from './slack/background';
import type { SlackDeps } from './slack/deps';
import { slackHttp } from './slack/http';
import { SlackInstallationStore } from './slack/installation-store';
import { SlackMessenger } from './slack/messenger';
import { SocketModeConnection } from './slack/socket-mode';
import { WorkspaceClients } from './slack/workspace-clients';

export interface RunningDebrief {
  /** Where Slack sends requests, e.g. http://127.0.0.1:3000 */
  url: string;
  database: DatabaseHandle;
  background: BackgroundWork;
  /** The outbound Slack port, for work outside a request (tests drive the scheduler's side with it). */
  slack: SlackMessenger;
  scheduler: Scheduler;
  /** Finishes in-flight work, closes the listener and the database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** An already opened database (tests, the demo); otherwise opened from the configuration. */
  database?: DatabaseHandle;
  clock?: () => Date;
  logger?: Logger;
}

/**
 * The outbound Slack port: listeners, the scheduler and the CLI reach any workspace through it, with
 * the one bot token or, in OAuth mode, each installation's own (kept in Postgres, encrypted).
 */
export function createSlackPort(
  config: Config,
  db: DatabaseHandle['db'],
  clock: () => Date,
  logger: Logger,
  metrics?: DebriefMetrics,
) {
  const installationStore = config.slack.oauth
    ? new SlackInstallationStore(
        db,
        new TokenCipher(config.encryptionKey ?? '', config.encryptionKeysOld),
        clock,
        logger,
      )
    : undefined;
  const clients = new WorkspaceClients(
    installationStore
      ? { kind: 'installations', store: installationStore }
      : { kind: 'single', botToken: config.slack.botToken ?? '' },
    config.slack.apiUrl,
    { logger, fetch: metrics ? metrics.slackFetch(slackHttp) : slackHttp },
  );
  // A reinstall or an uninstall replaces or revokes the token a cached client holds.
  installationStore?.onChange((query) =>
    clients.forget({
      teamId: query.teamId ?? null,
      enterpriseId: query.enterpriseId ?? null,
      isEnterpriseInstall: query.isEnterpriseInstall === true,
    }),
  );
  // Retry-After windows run on the app's clock, as the sweeps they hold back do.
  return { slack: new SlackMessenger(clients, { now: () => clock().getTime() }), installationStore };
}

/** Whether the promise settled within `ms` (it keeps running either way). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  const result = await Promise.race([settled, timedOut]);
  clearTimeout(timer);
  return result;
}

/** JSON lines (pino) with request ids and redaction; see src/observability/logger.ts. */
export function createLogger(config: Config): Logger {
  return createDebriefLogger({ level: config.logLevel, name: 'debrief' });
}

/** The composition root: database, migrations, the Slack app and its listeners, the HTTP listener. */
export async function startDebrief(config: Config, options: StartOptions = {}): Promise<RunningDebrief> {
  const logger = options.logger ?? createLogger(config);
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      // Codes and first lines only: a driver's error can carry statement parameters (people's words).
      // A failed statement reaches its caller, who answers it; a dropped idle connection reaches nobody else.
      onError: (report) =>
        (report.kind === 'idle-connection' ? logger.error : logger.debug).call(
          logger,
          `database ${report.kind}: ${report.code ?? 'no code'} ${report.message}`,
        ),
    }));
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info(`applied migrations: ${applied.join(', ')}`);
    const background = new BackgroundWork(logger);
    const clock = options.clock ?? (() => new Date());
    const metrics = createMetrics();
    metrics.observePool(database.poolStats);
    const { slack, installationStore } = createSlackPort(config, database.db, clock, logger, metrics);
    const deps: SlackDeps = {
      db: database.db,
      slack,
      workspaces: new WorkspaceDirectory(database.db),
      background,
      logger,
      clock,
      postmortemChannel: config.postmortemChannel,
      metrics,
    };
    const botIdentity = await identifyBot(config, logger);
    let socketMode: SocketModeConnection | undefined;
    const healthProblems = async () => [
      ...((await database.ping()) ? [] : ['database unavailable']),
      ...(socketMode?.problems() ?? []),
    ];
    const { app, receiver } = createSlackApp({
      config,
      deps,
      logger,
      metrics: metrics.registry,
      botIdentity,
      installationStore,
      isHealthy: async () => (await healthProblems()).length === 0,
      healthProblems,
    });
    let started: unknown;
    if (receiver instanceof SocketModeReceiver) {
      // Socket Mode connects in the background: an unreachable Slack must not stop the process starting.
      socketMode = new SocketModeConnection(receiver, logger, app);
      await socketMode.start();
    } else {
      started = await app.start({ port: config.port, host: config.host });
    }
    const scheduler = startScheduler({ db: database.db, slack, config, logger, clock, metrics });
    const port =
      started && typeof started === 'object' && 'address' in started
        ? (started as { address(): AddressInfo }).address().port
        : config.port;
    logger.info(`Debrief is listening on ${config.host}:${port} (${database.kind} database)`);
    // A wildcard bind is reached on loopback by the tests, the demo and the health check.
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    if (installationStore) {
      const installed = await countInstallations(database.db);
      logger.info(`OAuth mode: installed in ${installed} workspace(s); more install at ${INSTALL_PATH}`);
    }
    return {
      url: `http://${host}:${port}`,
      database,
      background,
      slack,
      scheduler,
      async stop() {
        // SHUTDOWN_TIMEOUT_S bounds the whole stop: an orchestrator kills the process after its grace period.
        const deadline = Date.now() + config.shutdownTimeoutMs;
        const remaining = () => Math.max(0, deadline - Date.now());
        await scheduler.stop();
        const listenerClosed = await settlesWithin(socketMode ? socketMode.stop() : app.stop(), remaining());
        const abandoned = await background.drain(remaining());
        if (!listenerClosed) abandoned.unshift('requests still being answered');
        if (abandoned.length > 0) {
          logger.warn(`shutdown: ${config.shutdownTimeoutMs / 1000} s passed; abandoned: ${abandoned.join(', ')}`);
        }
        if (!options.database) await database.close();
      },
    };
  } catch (error) {
    if (!options.database) await database.close();
    throw error;
  }
}
