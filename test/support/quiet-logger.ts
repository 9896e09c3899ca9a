import { ConsoleLogger, type Logger, LogLevel } from '@slack/logger';

/**
 * The app's logger in tests: silent, so a passing run prints no error-level noise from the failures
 * tests provoke on purpose (refused OAuth states, injected Slack errors). DEBRIEF_TEST_LOGS=1 shows
 * the lines; tests that assert on logs pass their own capturing logger.
 */
export function quietLogger(): Logger {
  const logger = new ConsoleLogger();
  logger.setLevel(LogLevel.DEBUG);
  if (process.env.DEBRIEF_TEST_LOGS) return logger;
  for (const level of ['debug', 'info', 'warn', 'error'] as const) logger[level] = () => undefined;
  return logger;
}
