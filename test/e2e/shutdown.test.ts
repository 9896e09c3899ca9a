import { ConsoleLogger, LogLevel } from '@slack/logger';
import { loadConfig } from '../../src/config';
import type { DatabaseHandle } from '../../src/db/connect';
import { startDebrief } from '../../src/main';
import { openTestDatabase } from '../support/database';

/** SIGTERM's part: stop taking requests, finish in-flight work within SHUTDOWN_TIMEOUT_S, then go. */
describe('shutdown', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase('embedded');
  });
  afterAll(async () => database.close());

  test('work still running at SHUTDOWN_TIMEOUT_S is abandoned and named in the log; finished work is not', async () => {
    const warnings: string[] = [];
    const logger = new ConsoleLogger();
    logger.setLevel(LogLevel.ERROR);
    logger.warn = (...parts: unknown[]) => void warnings.push(parts.map(String).join(' '));
    // Slack is unreachable on purpose (start-up says so at error level): kept out of the test output.
    logger.error = () => undefined;
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1-shutdown',
      SLACK_SIGNING_SECRET: 'shutdown-secret',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      PORT: '0',
      HOST: '127.0.0.1',
      SHUTDOWN_TIMEOUT_S: '1',
    });
    const running = await startDebrief(config, { database, logger });
    let finished = false;
    running.background.run('a quick announcement', async () => {
      finished = true;
    });
    let release: () => void = () => undefined;
    running.background.run('a stuck channel creation', () => new Promise<void>((resolve) => (release = resolve)));
    await running.stop();
    release();
    expect(finished).toBe(true);
    const abandoned = warnings.filter((line) => line.startsWith('shutdown: 1 s passed; abandoned:'));
    expect(abandoned).toEqual([expect.stringContaining('a stuck channel creation')]);
    expect(abandoned[0]).not.toContain('a quick announcement');
    // The listener is closed: nothing is taken any more.
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });
});
