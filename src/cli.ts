#!/usr/bin/env node
import { ConfigError, loadConfig } from './config';
import { DataDirLockedError, openDatabase } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { createLogger, startDebrief } from './main';

const USAGE = `Usage: debrief <command>

Commands:
  serve     run the Slack app and the scheduler (also: npm start)
  migrate   apply pending database migrations and exit
  demo      the simulated incident runs from a development checkout: npm ci && npm run demo

Configuration comes from the environment; see README.md.`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: serve,
  migrate: migrate,
  // The demo uses the Slack test kit, which is not shipped: it runs from a development checkout.
  demo: async () => {
    console.error('debrief demo runs from a development checkout: npm ci && npm run demo');
    return 1;
  },
};

async function serve(): Promise<number> {
  const config = loadConfig();
  const running = await startDebrief(config);
  const logger = createLogger(config);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info(`${signal} received: finishing in-flight work and stopping`);
      void running.stop().then(resolve, (error: unknown) => {
        logger.error('shutdown failed', error);
        resolve();
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  return 0;
}

async function migrate(): Promise<number> {
  const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-unused', SLACK_SIGNING_SECRET: 'unused', ...process.env });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(database.db);
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    return 0;
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(args);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirLockedError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
