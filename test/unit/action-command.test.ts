import fc from 'fast-check';
import {
  ACTION_EXAMPLE,
  MAX_ACTION_TEXT_LENGTH,
  parseActionCommand,
  parseCancelCommand,
  parseDoneCommand,
} from '../../src/domain/action-command';

describe('/postmortem action', () => {
  test('text, then the owner (escaped with a name), then nothing: only what was given', () => {
    expect(parseActionCommand('Alert on checkout 5xx rate <@U123|alice>')).toEqual({
      ok: true,
      text: 'Alert on checkout 5xx rate',
      ownerId: 'U123',
    });
  });

  test('options after the owner, in any order and any case; the due date stays text', () => {
    expect(
      parseActionCommand(
        'Add a rate limiter   to the\nlogin API <@U9> TYPE prevent priority High due in 2 weeks ticket <https://jira.example.com/browse/OPS-12>',
      ),
    ).toEqual({
      ok: true,
      text: 'Add a rate limiter to the login API',
      ownerId: 'U9',
      type: 'prevent',
      priority: 'high',
      dueText: 'in 2 weeks',
      ticketUrl: 'https://jira.example.com/browse/OPS-12',
    });
    expect(parseActionCommand('Write the runbook <@U9> due 2026-12-01 type process')).toMatchObject({
      ok: true,
      dueText: '2026-12-01',
      type: 'process',
    });
  });

  test('the owner is the LAST mention: earlier mentions stay in the text', () => {
    expect(parseActionCommand('Pair with <@U1|bob> on the alert <@W2> due friday')).toEqual({
      ok: true,
      text: 'Pair with <@U1|bob> on the alert',
      ownerId: 'W2',
      dueText: 'friday',
    });
  });

  test('option words before the owner are text', () => {
    expect(parseActionCommand('Decide the type and priority of alerts <@U1>')).toEqual({
      ok: true,
      text: 'Decide the type and priority of alerts',
      ownerId: 'U1',
    });
  });

  test('ticket links: Slack’s escaped form with a label, a bare link, and http; other schemes refused', () => {
    expect(parseActionCommand('x <@U1> ticket <https://t.example.com/1|OPS-1>')).toMatchObject({
      ticketUrl: 'https://t.example.com/1',
    });
    expect(parseActionCommand('x <@U1> ticket http://t.example.com/1')).toMatchObject({
      ticketUrl: 'http://t.example.com/1',
    });
    for (const bad of ['ticket javascript:alert(1)', 'ticket <ftp://t.example.com/1>', 'ticket', 'ticket a b']) {
      expect(parseActionCommand(`x <@U1> ${bad}`)).toEqual({
        ok: false,
        message: expect.stringContaining('http or https'),
      });
    }
  });

  test.each([
    ['', 'Say what needs doing'],
    ['   ', 'Say what needs doing'],
    ['Alert on 5xx', 'Mention the owner'],
    ['Alert on 5xx @alice', 'did not recognise `@alice`'],
    ['<@U1> due friday', 'Say what needs doing before the owner'],
    ['Alert <@U1> please', 'only the options'],
    ['Alert <@U1> due', '`due` needs a date'],
    ['Alert <@U1> priority urgent', '`priority` must be high, medium, low (got `urgent`)'],
    ['Alert <@U1> priority', '`priority` must be high, medium, low (got nothing)'],
    ['Alert <@U1> type fix', '`type` must be prevent, detect, mitigate, repair, process, investigate'],
    ['Alert <@U1> due friday due monday', '`due` is given twice'],
  ])('%j is refused: %s, with an example', (input, problem) => {
    const result = parseActionCommand(input);
    expect(result).toEqual({ ok: false, message: expect.stringContaining(problem) });
    expect(result).toEqual({ ok: false, message: expect.stringContaining(`For example: \`${ACTION_EXAMPLE}\``) });
  });

  test('the text fits a modal field', () => {
    const long = 'a'.repeat(MAX_ACTION_TEXT_LENGTH + 1);
    expect(parseActionCommand(`${long} <@U1>`)).toMatchObject({ ok: false });
    expect(parseActionCommand(`${'a'.repeat(MAX_ACTION_TEXT_LENGTH)} <@U1>`)).toMatchObject({ ok: true });
  });

  test('what the user typed is echoed without breaking out of backticks', () => {
    const result = parseActionCommand('Alert <@U1> priority `rm -rf`');
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('(got `rm -rf`)') });
  });

  test('property: any text parses or is refused with an example, never throws', () => {
    const words = fc.constantFrom(
      'due',
      'priority',
      'type',
      'ticket',
      'high',
      'low',
      'detect',
      'friday',
      '<@U1>',
      '<@U2|bob>',
      '@carol',
      '<https://x.example>',
      '`',
      '#3',
      '',
      '\n',
    );
    const input = fc.oneof(
      fc.string(),
      fc.array(fc.oneof(words, fc.string()), { maxLength: 12 }).map((w) => w.join(' ')),
    );
    fc.assert(
      fc.property(input, (text) => {
        const result = parseActionCommand(text);
        if (result.ok) {
          expect(result.text).toBe(result.text.trim());
          expect(result.text).not.toBe('');
          expect(result.ownerId).toMatch(/^[UW][A-Z0-9]+$/);
          if (result.ticketUrl !== undefined) expect(result.ticketUrl).toMatch(/^https?:/i);
        } else {
          expect(result.message).toContain('For example: `/postmortem ');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('/postmortem done and cancel', () => {
  test.each([
    ['3', 3],
    ['#3', 3],
    ['  #12  ', 12],
  ])('done %j → item %i', (input, number) => {
    expect(parseDoneCommand(input)).toEqual({ ok: true, number });
  });

  test.each([
    ['', 'Say which action item'],
    ['three', 'needs an action item number'],
    ['0', 'needs an action item number'],
    ['#', 'needs an action item number'],
    ['-1', 'needs an action item number'],
    ['3 4', 'one item number'],
  ])('done %j is refused: %s', (input, problem) => {
    expect(parseDoneCommand(input)).toEqual({
      ok: false,
      message: expect.stringMatching(new RegExp(`${problem}.*For example: \`/postmortem done 3\``)),
    });
  });

  test('cancel keeps the reason', () => {
    expect(parseCancelCommand('#3   covered by the new\nrate limiter')).toEqual({
      ok: true,
      number: 3,
      reason: 'covered by the new rate limiter',
    });
  });

  test.each([
    ['3', 'Say why #3 will not be done'],
    ['', 'Say which action item'],
    ['because it is done', 'needs an action item number like `3` or `#3` .got `because`.'],
  ])('cancel %j is refused: %s', (input, problem) => {
    expect(parseCancelCommand(input)).toEqual({
      ok: false,
      message: expect.stringMatching(new RegExp(`${problem}.*For example: \`/postmortem cancel 3 `)),
    });
  });

  test('property: any text gives a number ≥ 1 or a message with an example', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.nat().map((n) => `#${n} ${n}`),
        ),
        (text) => {
          for (const result of [parseDoneCommand(text), parseCancelCommand(text)]) {
            if (result.ok) expect(result.number).toBeGreaterThanOrEqual(1);
            else expect(result.message).toContain('For example: `/postmortem ');
          }
        },
      ),
    );
  });
});
