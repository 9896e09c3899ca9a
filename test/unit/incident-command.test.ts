import fc from 'fast-check';
import {
  FALSE_ALARM_QUESTION,
  INCIDENT_HELP,
  type IncidentCommand,
  parseIncidentCommand,
  SUBCOMMANDS,
} from '../../src/domain/incident-command';

const BACKTICKED_EXAMPLE = /`\/incident [^`]+`/;

function invalidMessage(text: string): string {
  const command = parseIncidentCommand(text);
  if (command.kind !== 'invalid') throw new Error(`expected invalid for ${JSON.stringify(text)}, got ${command.kind}`);
  return command.message;
}

describe('parseIncidentCommand', () => {
  describe('help', () => {
    it.each(['', '   ', '\n\t ', 'help', 'HELP', 'Help me please'])('%j shows help', (text) => {
      expect(parseIncidentCommand(text)).toEqual({ kind: 'help' });
    });
  });

  describe('start', () => {
    it('declares with the default severity', () => {
      expect(parseIncidentCommand('start Checkout returns 500s')).toEqual({
        kind: 'start',
        here: false,
        private: false,
        severity: 'sev3',
        title: 'Checkout returns 500s',
      });
    });

    it('takes the first word as severity only when it is sev1…sev4, in any case', () => {
      expect(parseIncidentCommand('start SEV1 Payments down')).toMatchObject({
        severity: 'sev1',
        title: 'Payments down',
      });
      expect(parseIncidentCommand('Start Sev4 typo on status page')).toMatchObject({ severity: 'sev4' });
      expect(parseIncidentCommand('start severe latency')).toMatchObject({ severity: 'sev3', title: 'severe latency' });
      expect(parseIncidentCommand('start Payments sev1')).toMatchObject({ severity: 'sev3', title: 'Payments sev1' });
    });

    it('reads flags first, in any order and any case', () => {
      expect(parseIncidentCommand('start --here sev2 DB failover')).toMatchObject({
        kind: 'start',
        here: true,
        private: false,
        severity: 'sev2',
        title: 'DB failover',
      });
      expect(parseIncidentCommand('start --PRIVATE Leaked key')).toMatchObject({ here: false, private: true });
      expect(parseIncidentCommand('start --private --private Leaked key')).toMatchObject({ private: true });
    });

    it('treats typographic dashes as `--` (macOS smart punctuation)', () => {
      expect(parseIncidentCommand('start —here Payments down')).toMatchObject({ here: true, title: 'Payments down' });
    });

    it('ends flags at `--`', () => {
      expect(parseIncidentCommand('start -- --here is broken')).toMatchObject({
        here: false,
        private: false,
        severity: 'sev3',
        title: '--here is broken',
      });
      expect(parseIncidentCommand('start --here -- sev1 --private flag leaks')).toMatchObject({
        here: true,
        private: false,
        severity: 'sev1',
        title: '--private flag leaks',
      });
    });

    it('keeps mentions, emoji and punctuation in the title, collapsing whitespace', () => {
      expect(parseIncidentCommand('start  🔥 <@U1|bob> saw\n500s  ')).toMatchObject({ title: '🔥 <@U1|bob> saw 500s' });
    });

    it('opens the modal without text', () => {
      expect(parseIncidentCommand('start')).toEqual({ kind: 'start_modal' });
      expect(parseIncidentCommand('  START  \n')).toEqual({ kind: 'start_modal' });
    });

    it.each([
      ['start --here --private outage', /cannot be combined/],
      ['start --private --here outage', /cannot be combined/],
      ['start --loud outage', /Unknown flag `--loud`/],
      ['start --here', /Give the incident a title/],
      ['start sev2', /Give the incident a title/],
      ['start --private sev1   ', /Give the incident a title/],
      ['start --', /Give the incident a title/],
      ['start sev9 outage', /`sev9` is not a severity/],
      ['start sev0 outage', /`sev0` is not a severity/],
      ['start SEV-1 outage', /is not a severity/],
      [`start ${'x'.repeat(151)}`, /keep it to 150/],
    ])('%j is invalid', (text, reason) => {
      const message = invalidMessage(text);
      expect(message).toMatch(reason);
      expect(message).toMatch(BACKTICKED_EXAMPLE);
    });

    it('keeps the flags the user wrote in the missing-title example', () => {
      expect(invalidMessage('start --here sev1')).toContain('`/incident start --here sev1 Checkout returns 500s`');
    });
  });

  describe('reopen', () => {
    it('keeps the <when> as raw text', () => {
      expect(parseIncidentCommand('reopen')).toEqual({ kind: 'reopen', whenText: '' });
      expect(parseIncidentCommand('REOPEN 10m ago')).toEqual({ kind: 'reopen', whenText: '10m ago' });
    });
  });

  describe('timeline', () => {
    it('shows the timeline without text, or with "show"', () => {
      expect(parseIncidentCommand('timeline')).toEqual({ kind: 'timeline_show' });
      expect(parseIncidentCommand('Timeline SHOW')).toEqual({ kind: 'timeline_show' });
    });

    it('adds raw text that may begin with a <when>, keeping inner newlines', () => {
      expect(parseIncidentCommand('timeline 09:05 rolled back\nthe deploy ')).toEqual({
        kind: 'timeline_add',
        text: '09:05 rolled back\nthe deploy',
      });
      expect(parseIncidentCommand('timeline show me the logs')).toEqual({
        kind: 'timeline_add',
        text: 'show me the logs',
      });
    });
  });

  describe('milestone', () => {
    it.each(['started', 'detected', 'acknowledged', 'mitigated', 'resolved'])('accepts %s', (milestone) => {
      expect(parseIncidentCommand(`milestone ${milestone.toUpperCase()} 14:05 UTC`)).toEqual({
        kind: 'milestone',
        milestone,
        whenText: '14:05 UTC',
      });
    });

    it('defaults the time to now (empty whenText)', () => {
      expect(parseIncidentCommand('milestone detected')).toEqual({
        kind: 'milestone',
        milestone: 'detected',
        whenText: '',
      });
    });

    it('suggests the closest milestone', () => {
      expect(invalidMessage('milestone mitigate 14:05')).toContain('`/incident milestone mitigated 14:05`');
      expect(invalidMessage('milestone ack')).toContain('`/incident milestone acknowledged 14:05`');
      expect(invalidMessage('milestone')).toMatch(/Say which milestone/);
      expect(invalidMessage('milestone fixed')).toMatch(BACKTICKED_EXAMPLE);
    });
  });

  describe('resolve', () => {
    it('keeps `[<when>] [<summary>]` raw', () => {
      expect(parseIncidentCommand('resolve')).toEqual({ kind: 'resolve', text: '' });
      expect(parseIncidentCommand('resolve 14:30 Bad config rolled back')).toEqual({
        kind: 'resolve',
        text: '14:30 Bad config rolled back',
      });
      expect(parseIncidentCommand('resolve -- --false-alarm was a flag')).toEqual({
        kind: 'resolve',
        text: '--false-alarm was a flag',
      });
    });

    it('closes as a false alarm', () => {
      expect(parseIncidentCommand('resolve --False-Alarm Monitoring blip')).toEqual({
        kind: 'resolve_false_alarm',
        summary: 'Monitoring blip',
      });
    });

    it('asks for the one line a false alarm is recorded with when it is missing', () => {
      for (const text of ['resolve --false-alarm', 'resolve --false-alarm   ', 'RESOLVE --FALSE-ALARM']) {
        expect(parseIncidentCommand(text)).toEqual({ kind: 'invalid', message: FALSE_ALARM_QUESTION });
      }
      expect(FALSE_ALARM_QUESTION).toMatch(/what paged, and should it have\?/);
    });

    it('closes as a duplicate of #<n>', () => {
      expect(parseIncidentCommand('resolve --duplicate-of #41 Same outage')).toEqual({
        kind: 'resolve_duplicate',
        duplicateOf: 41,
        summary: 'Same outage',
      });
      expect(parseIncidentCommand('resolve --DUPLICATE-OF 7')).toEqual({
        kind: 'resolve_duplicate',
        duplicateOf: 7,
        summary: '',
      });
    });

    it.each([
      ['resolve --duplicate-of', /needs the number/],
      ['resolve --duplicate-of #abc', /needs the number/],
      ['resolve --duplicate-of #0', /needs the number/],
      ['resolve --duplicate-of yesterday', /needs the number/],
      ['resolve --false-alarm --duplicate-of #3', /not both/],
      ['resolve --duplicate-of --false-alarm', /not both/],
      ['resolve --fixed', /Unknown flag `--fixed`/],
    ])('%j is invalid', (text, reason) => {
      const message = invalidMessage(text);
      expect(message).toMatch(reason);
      expect(message).toMatch(BACKTICKED_EXAMPLE);
    });
  });

  describe('severity', () => {
    it.each(['sev1', 'SEV2', 'Sev3', 'sev4'])('accepts %s', (word) => {
      expect(parseIncidentCommand(`severity ${word}`)).toEqual({ kind: 'severity', severity: word.toLowerCase() });
    });

    it('explains the levels with an example', () => {
      expect(invalidMessage('severity sev9')).toBe(
        'Severity must be sev1, sev2, sev3 or sev4 (got `sev9`), e.g. `/incident severity sev2`',
      );
      expect(invalidMessage('severity')).toBe(
        'Severity must be sev1, sev2, sev3 or sev4, e.g. `/incident severity sev2`',
      );
      expect(invalidMessage('severity high')).toMatch(BACKTICKED_EXAMPLE);
      expect(invalidMessage('severity sev1 customers affected')).toContain('`/incident severity sev1`');
    });
  });

  describe('role', () => {
    it('reads escaped mentions, with or without a name', () => {
      expect(parseIncidentCommand('role commander <@U123|bob>')).toEqual({
        kind: 'role',
        role: 'commander',
        userId: 'U123',
      });
      expect(parseIncidentCommand('ROLE Scribe <@W0ABC>')).toEqual({ kind: 'role', role: 'scribe', userId: 'W0ABC' });
      expect(parseIncidentCommand('role <@U9|eve> comms')).toEqual({ kind: 'role', role: 'comms', userId: 'U9' });
    });

    it.each([
      ['role', /Say which role/],
      ['role <@U1|bob>', /Say which role/],
      ['role captain <@U1>', /Unknown role `captain`/],
      ['role commandr <@U1>', /role commander @alice/],
      ['role commander', /Mention the person to make commander/],
      ['role commander bob', /Mention the person/],
      ['role scribe @bob', /did not recognise `@bob`/],
      ['role commander <@U1> <@U2>', /one role and one person/],
    ])('%j is invalid', (text, reason) => {
      const message = invalidMessage(text);
      expect(message).toMatch(reason);
      expect(message).toMatch(BACKTICKED_EXAMPLE);
    });
  });

  describe('status', () => {
    it('posts text or shows the card when empty', () => {
      expect(parseIncidentCommand('status')).toEqual({ kind: 'status', text: '' });
      expect(parseIncidentCommand('STATUS Rollback done\n• errors falling')).toEqual({
        kind: 'status',
        text: 'Rollback done\n• errors falling',
      });
    });
  });

  describe('unknown subcommands', () => {
    it('lists the subcommands and suggests the closest one', () => {
      const message = invalidMessage('tiemline 09:05 paged oncall');
      expect(message).toContain('Unknown subcommand `tiemline`');
      expect(message).toContain('Did you mean `/incident timeline 09:05 paged oncall`?');
      for (const name of SUBCOMMANDS) expect(message).toContain(`\`${name}\``);
    });

    it.each([
      ['sev1 Payments down', '`/incident start sev1 Payments down`'],
      ['mitigated 14:05', '`/incident milestone mitigated 14:05`'],
      ['declare DB down', '`/incident start DB down`'],
      ['--here DB down', '`/incident start --here DB down`'],
      ['sev', '`/incident severity sev2`'],
      ['res', '`/incident resolve 14:30 Bad config rolled back`'],
      ['stat', '`/incident status Rollback done, error rate falling`'],
    ])('%j suggests %s', (text, suggestion) => {
      expect(invalidMessage(text)).toContain(suggestion);
    });

    it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('%j is just an unknown word', (word) => {
      expect(invalidMessage(`${word} x`)).toMatch(BACKTICKED_EXAMPLE);
    });

    it('does not let the echoed word break out of its backticks', () => {
      const message = invalidMessage('foo`bar` baz');
      expect(message).toContain('`foobar`');
    });
  });

  describe('INCIDENT_HELP', () => {
    it('has an example for every subcommand and explains <when>', () => {
      for (const name of SUBCOMMANDS) expect(INCIDENT_HELP).toContain(`\`/incident ${name}`);
      expect(INCIDENT_HELP).toContain('&lt;when&gt;');
      // Raw angle brackets would be read by Slack as links or mentions.
      expect(INCIDENT_HELP).not.toMatch(/<(?!@)/);
      expect(INCIDENT_HELP).toMatch(/10m ago/);
      expect(INCIDENT_HELP).toMatch(/--private/);
    });
  });

  describe('properties', () => {
    const prefixes = fc.constantFrom(
      '',
      ...SUBCOMMANDS.map((name) => `${name} `),
      'START ',
      'start --here ',
      'start --private ',
      'start -- ',
      'start sev1 ',
      'resolve --duplicate-of ',
      'resolve --false-alarm ',
      'role commander ',
      'milestone ',
      'severity ',
      '--',
      '—',
    );
    const words = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '<@U123|bob>',
        '<@U1>',
        '@bob',
        '🔥',
        '👩‍👩‍👧',
        '`',
        '--here',
        '--',
        '#12',
        'sev2',
        '\n',
        ' ',
        '\u00a0',
      ),
    );
    const texts = fc.oneof(
      fc.tuple(prefixes, fc.array(words, { maxLength: 12 })).map(([prefix, parts]) => prefix + parts.join(' ')),
      fc.tuple(prefixes, fc.string({ unit: 'grapheme', minLength: 3_000, maxLength: 12_000 })).map(([p, s]) => p + s),
    );

    function check(command: IncidentCommand): void {
      if (command.kind !== 'invalid') return;
      expect(command.message.trim()).not.toBe('');
      expect(command.message).toMatch(BACKTICKED_EXAMPLE);
      // Echoed input is capped, so an error never turns into a wall of text.
      expect(command.message.length).toBeLessThan(700);
    }

    it('never throws, and every invalid message carries a backticked example', () => {
      fc.assert(
        fc.property(texts, (text) => check(parseIncidentCommand(text))),
        { numRuns: 2_000 },
      );
    });

    it('is case-insensitive in subcommands and keywords', () => {
      // Each case is a list of [word, isKeyword]; only keywords get their case shuffled.
      const cases: [string, boolean][][] = [
        [
          ['start', true],
          ['--here', true],
          ['sev2', true],
          ['DB down', false],
        ],
        [
          ['milestone', true],
          ['mitigated', true],
          ['10m ago', false],
        ],
        [
          ['role', true],
          ['comms', true],
          ['<@U1|bob>', false],
        ],
        [
          ['severity', true],
          ['sev1', true],
        ],
        [
          ['resolve', true],
          ['--false-alarm', true],
          ['Blip', false],
        ],
        [
          ['timeline', true],
          ['show', true],
        ],
      ];
      const shuffleCase = (word: string, upper: boolean[]) =>
        [...word].map((ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch.toLowerCase())).join('');
      fc.assert(
        fc.property(
          fc.constantFrom(...cases),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
          (words, upper) => {
            const plain = words.map(([word]) => word).join(' ');
            const mixed = words.map(([word, keyword]) => (keyword ? shuffleCase(word, upper) : word)).join(' ');
            expect(parseIncidentCommand(mixed)).toEqual(parseIncidentCommand(plain));
          },
        ),
      );
    });

    it('keeps any title that follows `--` verbatim (whitespace collapsed)', () => {
      const title = fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 150 })
        .filter((s) => s.trim() !== '' && s.replace(/\s+/g, ' ').trim().length <= 150);
      fc.assert(
        fc.property(title, (t) => {
          const collapsed = t.replace(/\s+/g, ' ').trim();
          const command = parseIncidentCommand(`start -- sev1 ${t}`);
          expect(command).toEqual({ kind: 'start', here: false, private: false, severity: 'sev1', title: collapsed });
        }),
      );
    });
  });
});
