import type { AddressInfo } from 'node:net';
import type { Logger } from '@slack/bolt';
import { ConsoleLogger } from '@slack/logger';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from './config';
import { type DatabaseHandle, openDatabase } from './db/connect';
import { countInstallations } from './db/installations';
import { migrateToLatest } from './db/migrate';
import { type Scheduler, startScheduler } from './scheduler';
import { TokenCipher } from './security/token-cipher';
import { boltLogLevel, createSlackApp, INSTALL_PATH, identifyBot } from './slack/app';
import { BackgroundWork } from './slack/background';
import { type SlackDeps, WorkspaceIds } from './slack/deps';
import { SlackInstallationStore } from './slack/installation-store';
import { UserDirectory } from './slack/user-directory';

export interface RunningDebrief {
  /** Where Slack sends requests, e.g. http://127.0.0.1:3000 */
  url: string;
  database: DatabaseHandle;
  background: BackgroundWork;
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

export function createLogger(config: Config): Logger {
  const logger = new ConsoleLogger();
  logger.setLevel(boltLogLevel(config.logLevel));
  logger.setName('debrief');
  return logger;
}

/** The composition root: database, migrations, the Slack app and its listeners, the HTTP listener. */
export async function startDebrief(config: Config, options: StartOptions = {}): Promise<RunningDebrief> {
  const logger = options.logger ?? createLogger(config);
  const database =
    options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info(`applied migrations: ${applied.join(', ')}`);
    const background = new BackgroundWork(logger);
    const deps: SlackDeps = {
      db: database.db,
      users: new UserDirectory(config.slack.apiUrl),
      background,
      logger,
      clock: options.clock ?? (() => new Date()),
      workspaces: new WorkspaceIds(database.db),
    };
    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics, prefix: 'debrief_' });
    const installationStore = config.slack.oauth
      ? new SlackInstallationStore(database.db, new TokenCipher(config.encryptionKey ?? ''), deps.clock, logger)
      : undefined;
    const botIdentity = await identifyBot(config, logger);
    const { app } = createSlackApp({
      config,
      deps,
      logger,
      metrics,
      botIdentity,
      installationStore,
      isHealthy: () => database.ping(),
    });
    const started = await app.start({ port: config.port, host: config.host });
    const scheduler = startScheduler({ db: database.db, config, logger, clock: deps.clock });
    const port =
      'address' in (started as object) ? (started as { address(): AddressInfo }).address().port : config.port;
    const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    logger.info(`Debrief is listening on ${host}:${port} (${database.kind} database)`);
    if (installationStore) {
      const installed = await countInstallations(database.db);
      logger.info(`OAuth mode: installed in ${installed} workspace(s); more install at ${INSTALL_PATH}`);
    }
    return {
      url: `http://${host}:${port}`,
      database,
      background,
      scheduler,
      async stop() {
        await scheduler.stop();
        await app.stop();
        await background.drain();
        if (!options.database) await database.close();
      },
    };
  } catch (error) {
    if (!options.database) await database.close();
    throw error;
  }
}
