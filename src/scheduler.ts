import type { Logger } from '@slack/bolt';
import cron from 'node-cron';
import type { Config } from './config';
import type { Db } from './db/connect';
import { forgetOldEventIds, purgeAbandonedCaptures, purgeExpiredMessageLogs } from './services/retention';
import type { SlackPort } from './services/slack-port';

export interface Scheduler {
  /** Runs one sweep now (the CLI and tests); the cron job calls the same. */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Sweeps for due work on SCHEDULER_CRON. node-cron keeps no shared state, so every job it runs
 * must be safe on every replica at once: each claims or applies its work in Postgres.
 */
export function startScheduler(options: {
  db: Db;
  /** How sweeps tell people things (reminders, nudges) outside any Slack request. */
  slack: SlackPort;
  config: Config;
  logger: Logger;
  clock: () => Date;
}): Scheduler {
  const { db, config, logger, clock } = options;
  const sweep = async () => {
    const purged = await purgeExpiredMessageLogs(db, clock(), config.messageLogRetentionDays);
    if (purged > 0) {
      logger.info(`deleted ${purged} logged messages past their ${config.messageLogRetentionDays}-day retention`);
    }
    await forgetOldEventIds(db, clock());
    await purgeAbandonedCaptures(db, clock());
  };
  const task = cron.schedule(
    config.schedulerCron,
    () => sweep().catch((error: unknown) => logger.error('scheduled sweep failed; the next sweep retries', error)),
    { name: 'debrief-sweep', noOverlap: true },
  );
  return {
    sweep,
    async stop() {
      await task.stop();
    },
  };
}
