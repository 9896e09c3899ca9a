import { ConsoleLogger, LogLevel } from '@slack/logger';
import { UserFacingError } from '../../src/services/errors';
import { describeFailure, failureSummary } from '../../src/slack/failures';

/** What a failure looks like in the logs and to the person who caused it. */
describe('failure descriptions', () => {
  test('a database error is logged by its SQLSTATE, never with the value it quotes', () => {
    const error = Object.assign(new Error('invalid input syntax for type integer: "db password is hunter2"'), {
      name: 'DatabaseError',
      code: '22P02',
    });
    const summary = failureSummary(error);
    expect(summary).toContain('code=22P02');
    expect(summary).not.toContain('hunter2');
  });

  test("Slack's and Node's errors keep their first line, which names the method or the errno", () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432\nsecond line'), {
      code: 'ECONNREFUSED',
    });
    expect(failureSummary(error)).toContain('connect ECONNREFUSED 127.0.0.1:5432');
    expect(failureSummary(error)).not.toContain('second line');
  });

  test('user-facing errors are shown as they are; anything else gets a reference that is also logged', () => {
    const lines: string[] = [];
    const logger = new ConsoleLogger();
    logger.setLevel(LogLevel.ERROR);
    logger.error = (...parts: unknown[]) => void lines.push(parts.map(String).join(' '));
    expect(describeFailure(new UserFacingError('Say what happened.'), logger)).toBe('Say what happened.');
    const answer = describeFailure(new TypeError('cannot read x of undefined'), logger);
    const reference = /\(ref ([0-9a-f]{8})\)/.exec(answer)?.[1];
    expect(reference).toBeDefined();
    expect(lines).toEqual([expect.stringContaining(`ref ${reference}`)]);
  });
});
