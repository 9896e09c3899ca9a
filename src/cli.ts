#!/usr/bin/env node
import { ConfigError, loadConfig } from './config';
import { DataDirLockedError, isDatabaseUnavailable, openDatabase } from './db/connect';
import { MigrationError, migrateToLatest } from './db/migrate';
import { createLogger, createSlackPort, startDebrief } from './main';
import { TokenCipher } from './security/token-cipher';
import { UserFacingError } from './services/errors';
import { exportForOperator } from './services/postmortems';
import { digestAsText, planSweep, runReminderSweep } from './services/reminders';
import { installationName, type RekeyReport, SlackInstallationStore } from './slack/installation-store';

const USAGE = `Usage: debrief <command>

Commands:
  serve     run the Slack app and the scheduler (also: npm start)
  migrate   apply pending database migrations and exit
  export    --incident <number> [--team <id>] [--format markdown|json]
            print an incident's postmortem to stdout
  remind    [--now <ISO>] [--dry-run]
            run one reminder sweep as if at that instant (default: now); --dry-run prints
            the digests that would be sent, without claiming or sending them
  rekey     re-seal every stored OAuth installation with ENCRYPTION_KEY (after rotating it,
            with the earlier key in ENCRYPTION_KEYS_OLD); exits 1 if any cannot be read
  demo      the simulated incident runs from a development checkout: npm ci && npm run demo

Configuration comes from the environment; see README.md.`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: serve,
  migrate: migrate,
  export: exportPostmortem,
  remind: remind,
  rekey: rekey,
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
  const config = commandConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(database.db);
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
    return 0;
  } finally {
    await database.close();
  }
}

/** The configuration a one-off command needs: Slack only for display names, which export can do without. */
function commandConfig() {
  return loadConfig({ SLACK_BOT_TOKEN: 'xoxb-unused', SLACK_SIGNING_SECRET: 'unused', ...process.env });
}

async function exportPostmortem(args: string[]): Promise<number> {
  const options = parseExportArgs(args);
  if (typeof options === 'string') {
    console.error(`${options}\n\nUsage: debrief export --incident <number> [--team <id>] [--format markdown|json]`);
    return 2;
  }
  const config = commandConfig();
  const logger = createLogger({ ...config, logLevel: 'error' });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    const { slack } = createSlackPort(config, database.db, () => new Date(), logger);
    process.stdout.write(await exportForOperator({ db: database.db, slack, now: new Date() }, options));
    return 0;
  } catch (error) {
    if (error instanceof UserFacingError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

/**
 * `debrief remind [--now <ISO>] [--dry-run]` (SPEC 5): one reminder sweep as the scheduler runs it,
 * claims and all, so running it beside the servers never sends anyone a second digest.
 */
async function remind(args: string[]): Promise<number> {
  const options = parseRemindArgs(args);
  if (typeof options === 'string') {
    console.error(`${options}\n\nUsage: debrief remind [--now <ISO>] [--dry-run]`);
    return 2;
  }
  // Digests go out through Slack's Web API only: no request arrives here to verify.
  const config = loadConfig({ SLACK_SIGNING_SECRET: 'unused', ...process.env });
  const logger = createLogger({ ...config, logLevel: 'error' });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    const now = options.now;
    const { slack } = createSlackPort(config, database.db, () => now, logger);
    const deps = { db: database.db, slack, now, reminderHour: config.reminderHour };
    if (options.dryRun) {
      const plans = await planSweep(deps);
      const digests = plans.flatMap((plan) => plan.digests.map((digest) => ({ plan, digest })));
      console.log(`Reminder digests due at ${now.toISOString()} (dry run: nothing claimed or sent): ${digests.length}`);
      for (const { plan, digest } of digests) console.log(`\n[workspace ${plan.teamId}] ${digestAsText(digest)}`);
      for (const plan of plans) {
        if (plan.skippedPeople.length > 0) {
          console.log(
            `\n[workspace ${plan.teamId}] Slack could not describe ${plan.skippedPeople.join(', ')} now; a later sweep tries again.`,
          );
        }
      }
      return 0;
    }
    const report = await runReminderSweep({ ...deps, warn: (message) => console.error(message) });
    console.log(
      [
        `Reminder sweep at ${now.toISOString()}: ${report.planned} due`,
        `${report.sent.length} sent`,
        `${report.claimedElsewhere} already taken by another sweep`,
        `${report.refused.length} refused by Slack (retried by a later sweep)`,
        `${report.unknown.length} with an unknown outcome (kept, not resent)`,
      ].join(', '),
    );
    return report.refused.length + report.unknown.length > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}

function parseRemindArgs(args: string[]): { now: Date; dryRun: boolean } | string {
  let now = new Date();
  let dryRun = false;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--dry-run') dryRun = true;
    else if (flag === '--now') {
      const value = args[++i];
      // An instant with its zone, so that "9 o'clock" is never read in the machine's own zone.
      const at = value && /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? new Date(value) : undefined;
      if (!at || Number.isNaN(at.getTime())) {
        return `--now needs an ISO-8601 instant with its zone, e.g. 2026-11-23T09:30:00Z (got "${value ?? ''}").`;
      }
      now = at;
    } else return `Cannot read "${flag}".`;
  }
  return { now, dryRun };
}

/**
 * `debrief rekey`: what a running app does to each installation as it reads it, for all of them now,
 * so that an old key can be removed from ENCRYPTION_KEYS_OLD without waiting for every workspace to
 * send a request. Safe while the app runs: each row is replaced only if it still holds what was read.
 */
async function rekey(args: string[]): Promise<number> {
  if (args.length > 0) {
    console.error('debrief rekey takes no arguments.\n\nUsage: debrief rekey');
    return 2;
  }
  // Installations exist in OAuth mode only; its app credentials are not needed to re-seal them.
  const { SLACK_BOT_TOKEN: _, ...env } = process.env;
  const config = loadConfig({
    SLACK_CLIENT_ID: 'unused',
    SLACK_CLIENT_SECRET: 'unused',
    SLACK_STATE_SECRET: 'unused',
    SLACK_SIGNING_SECRET: 'unused',
    ...env,
  });
  const logger = createLogger({ ...config, logLevel: 'error' });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    // loadConfig guarantees ENCRYPTION_KEY in OAuth mode.
    const cipher = new TokenCipher(config.encryptionKey!, config.encryptionKeysOld);
    const store = new SlackInstallationStore(database.db, cipher, () => new Date(), logger);
    const report = await store.rekey();
    console.log(formatRekeyReport(report));
    return report.unreadable.length > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}

function formatRekeyReport(report: RekeyReport): string {
  const lines = [
    `Re-sealed with key ${report.keyId} (ENCRYPTION_KEY): ${report.resealed}`,
    `Already sealed with key ${report.keyId}: ${report.alreadyCurrent}`,
    `Unreadable: ${report.unreadable.length}`,
    ...report.unreadable.map((installation) =>
      installation.neededKeyId === undefined
        ? `  - ${installationName(installation)}: ${installation.reason}`
        : `  - ${installationName(installation)}: sealed with key ${installation.neededKeyId}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_OLD`,
    ),
  ];
  if (report.uninstalled > 0) lines.push(`Uninstalled while this ran: ${report.uninstalled}`);
  if (report.unreadable.length > 0) {
    lines.push(
      'Add the keys they need to ENCRYPTION_KEYS_OLD and run debrief rekey again (or have those workspaces install Debrief again).',
    );
  }
  return lines.join('\n');
}

function parseExportArgs(args: string[]) {
  let incidentNumber: number | undefined;
  let teamId: string | null = null;
  let format: 'markdown' | 'json' = 'markdown';
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--incident' && value && /^#?\d+$/.test(value)) incidentNumber = Number(value.replace('#', ''));
    else if (flag === '--team' && value) teamId = value;
    else if (flag === '--format' && (value === 'markdown' || value === 'json')) format = value;
    else return `Cannot read "${flag ?? ''}${value ? ` ${value}` : ''}".`;
    i++;
  }
  if (incidentNumber === undefined) return 'Say which incident: --incident <number>.';
  return { incidentNumber, teamId, format };
}

/** The code of a database-unreachable failure, looking through a migration's wrapper; undefined otherwise. */
function databaseUnreachable(error: unknown): string | undefined {
  const candidate = error instanceof MigrationError ? error.cause : error;
  if (!isDatabaseUnavailable(candidate)) return undefined;
  const code = (candidate as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'no answer';
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
    const unreachable = databaseUnreachable(error);
    if (unreachable) {
      // One clear line, not a driver's stack: the operator's fix is in the configuration or the server.
      console.error(
        `Debrief cannot reach its database (${unreachable}): check DATABASE_URL and that PostgreSQL is running and accepting connections.`,
      );
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
