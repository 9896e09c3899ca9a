import { createServer } from 'node:net';
import { ConsoleLogger, LogLevel } from '@slack/logger';
import { loadConfig } from '../../src/config';
import type { DatabaseHandle } from '../../src/db/connect';
import { startDebrief } from '../../src/main';
import { openTestDatabase } from '../support/database';

/** A port nothing listens on: Slack "unreachable" without leaving the machine. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Socket Mode with Slack unreachable', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase('embedded');
  });
  afterAll(async () => database.close());

  test('starts anyway, retries with backoff in one line per try, and /healthz names Slack, not the database', async () => {
    const lines: string[] = [];
    const logger = new ConsoleLogger();
    logger.setLevel(LogLevel.INFO);
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      logger[level] = (...parts: unknown[]) => void lines.push(`${level} ${parts.map(String).join(' ')}`);
    }
    const config = loadConfig({
      SLACK_APP_TOKEN: 'xapp-1-unreachable',
      SLACK_BOT_TOKEN: 'xoxb-1-unreachable',
      SLACK_API_URL: `http://127.0.0.1:${await closedPort()}/api/`,
      PORT: String(await closedPort()),
      HOST: '127.0.0.1',
    });
    const running = await startDebrief(config, { database, logger });
    try {
      let status = '';
      for (let attempt = 0; attempt < 50 && !status.includes('Slack unreachable'); attempt++) {
        const health = await fetch(`${running.url}/healthz`);
        expect(health.status).toBe(503);
        status = ((await health.json()) as { status: string }).status;
        if (!status.includes('Slack unreachable')) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toMatch(/^Slack unreachable over Socket Mode/);
      expect(status).not.toContain('database');
      expect(lines.some((line) => /^warn Socket Mode: cannot reach Slack .*retrying in \d+ s$/.test(line))).toBe(true);
      // One line per failure: no stack traces.
      expect(lines.filter((line) => /\n\s+at /.test(line))).toEqual([]);
    } finally {
      await running.stop();
    }
  });
});
