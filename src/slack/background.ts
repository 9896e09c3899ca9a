import type { Logger } from '@slack/bolt';

/**
 * Work that follows Slack's acknowledgement (creating a channel, posting announcements, finishing
 * a slow command). It is tracked so that shutdown, tests and the demo can wait for it instead of
 * cutting it off, and so that shutdown can say what it had to abandon.
 */
export class BackgroundWork {
  private readonly running = new Map<Promise<void>, string>();

  constructor(private readonly logger: Logger) {}

  run(name: string, work: () => Promise<void>): void {
    const task: Promise<void> = work()
      .catch((error: unknown) =>
        this.logger.error(`background work "${name}" failed: ${(error as Error).name ?? 'error'}`),
      )
      .finally(() => this.running.delete(task));
    this.running.set(task, name);
  }

  /**
   * Resolves once every task started so far, and any they started, has finished — or, given a
   * deadline, when it passes; returns the names of the tasks still running then (abandoned).
   */
  async drain(deadlineMs?: number): Promise<string[]> {
    const finished = (async () => {
      while (this.running.size > 0) await Promise.allSettled([...this.running.keys()]);
    })();
    if (deadlineMs === undefined) {
      await finished;
      return [];
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([finished, deadline]);
    clearTimeout(timer);
    return [...this.running.values()];
  }
}
