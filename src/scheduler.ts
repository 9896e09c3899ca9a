import type { Logger } from '@slack/bolt';
import cron from 'node-cron';
import type { Config } from './config';
import type { Db } from './db/connect';
import type { DebriefMetrics } from './observability/metrics';
import { withLogBindings } from './observability/request-scope';
import { sendDebriefReminders } from './services/debriefs';
import { nudgeUnacceptedOwners } from './services/postmortems';
import { runReminderSweep } from './services/reminders';
import { forgetOldEventIds, purgeAbandonedCaptures, purgeExpiredMessageLogs } from './services/retention';
import type { SlackPort } from './services/slack-port';
import { failureSummary } from './slack/failures';

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
  /** Sweeps by job and outcome, with durations, and reminder digests sent / failed / skipped. */
  metrics?: DebriefMetrics;
}): Scheduler {
  const { db, slack, config, logger, clock, metrics } = options;
  /** Jobs run one after another; one failing does not stop the others, and the next sweep retries it. */
  const jobs: [name: string, run: () => Promise<void>][] = [
    [
      'message log retention',
      async () => {
        const purged = await purgeExpiredMessageLogs(db, clock(), config.messageLogRetentionDays);
        if (purged > 0) {
          logger.info(`deleted ${purged} logged messages past their ${config.messageLogRetentionDays}-day retention`);
        }
      },
    ],
    ['forget old event ids', async () => void (await forgetOldEventIds(db, clock()))],
    ['purge abandoned shortcut captures', async () => void (await purgeAbandonedCaptures(db, clock()))],
    ['nudge unaccepted postmortem owners', async () => void (await nudgeUnacceptedOwners({ db, slack, now: clock() }))],
    [
      'reminder digests',
      async () => {
        const report = await runReminderSweep({
          db,
          slack,
          now: clock(),
          reminderHour: config.reminderHour,
          warn: (message) => logger.warn(message),
          ...(metrics && { metrics }),
        });
        if (report.sent.length + report.refused.length + report.unknown.length > 0) {
          logger.info(
            `reminder digests: ${report.sent.length} sent, ${report.refused.length} refused by Slack (retried later), ${report.unknown.length} outcome unknown (not resent)`,
          );
        }
      },
    ],
    [
      'debrief pre-reads and reminders',
      async () => {
        const report = await sendDebriefReminders({ db, slack, now: clock() });
        if (report.sent + report.refused + report.unknown > 0) {
          logger.info(
            `debrief reminders: ${report.sent} sent, ${report.refused} refused by Slack (retried later), ${report.unknown} outcome unknown (not resent)`,
          );
        }
      },
    ],
  ];
  const sweep = async () => {
    const failed: string[] = [];
    for (const [name, run] of jobs) {
      // Lines logged by the job carry its name; /metrics counts its runs and failures.
      await withLogBindings({ job: name }, () =>
        (metrics ? metrics.timeSweep(name, run) : run()).catch((error: unknown) => {
          failed.push(name);
          logger.error(`scheduled job "${name}" failed; the next sweep retries it: ${failureSummary(error)}`);
        }),
      );
    }
    if (failed.length > 0) throw new Error(`scheduled jobs failed: ${failed.join(', ')}`);
  };
  const task = cron.schedule(config.schedulerCron, () => sweep().catch(() => undefined), {
    name: 'debrief-sweep',
    noOverlap: true,
  });
  return {
    sweep,
    async stop() {
      await task.stop();
    },
  };
}
