import type { Logger } from '@slack/bolt';

/**
 * Work that follows Slack's acknowledgement (creating a channel, posting announcements). It is
 * tracked so that shutdown, tests and the demo can wait for it instead of cutting it off.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(name: string, work: () => Promise<void>): void {
    const task = work()
      .catch((error: unknown) => this.logger.error(`background work "${name}" failed`, error))
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  /** Resolves once every task started so far, and any they started, has finished. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
