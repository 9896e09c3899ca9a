import fc from 'fast-check';
import { SECTION_KEYS } from '../../src/domain/postmortem';
import {
  POSTMORTEM_HELP,
  POSTMORTEM_SUBCOMMANDS,
  type PostmortemCommand,
  parsePostmortemCommand,
  SECTION_COMMAND_NAMES,
  sectionFromName,
} from '../../src/domain/postmortem-command';

const EXAMPLE = /`\/postmortem [^`]+`/;

function command(text: string): PostmortemCommand {
  return parsePostmortemCommand(text).command;
}

function invalidMessage(text: string): string {
  const parsed = command(text);
  if (parsed.kind !== 'invalid') throw new Error(`expected invalid for ${JSON.stringify(text)}, got ${parsed.kind}`);
  return parsed.message;
}

describe('parsePostmortemCommand', () => {
  it.each(['', '   ', 'help', 'HELP', 'Help me'])('%j shows help', (text) => {
    expect(parsePostmortemCommand(text)).toEqual({ incidentNumber: null, command: { kind: 'help' } });
  });

  describe('the incident number', () => {
    it('takes a leading #<n> for any subcommand', () => {
      expect(parsePostmortemCommand('#42 show')).toEqual({ incidentNumber: 42, command: { kind: 'show' } });
      expect(parsePostmortemCommand('  #7   EXPORT ')).toEqual({ incidentNumber: 7, command: { kind: 'export' } });
    });

    it('takes a trailing #<n> where nothing else may follow', () => {
      expect(parsePostmortemCommand('show #42')).toEqual({ incidentNumber: 42, command: { kind: 'show' } });
      expect(parsePostmortemCommand('edit impact #3')).toEqual({
        incidentNumber: 3,
        command: { kind: 'edit', section: 'impact' },
      });
      expect(parsePostmortemCommand('review <@U1|sam> #3')).toEqual({
        incidentNumber: 3,
        command: { kind: 'review', reviewerIds: ['U1'] },
      });
    });

    it('refuses two different numbers, a malformed number and a number alone, with an example', () => {
      expect(invalidMessage('#4 show #5')).toContain('`/postmortem #4 show`');
      for (const text of ['#0 show', '#abc show', '# show', '#12345678901 show', '#-1 show']) {
        expect(invalidMessage(text)).toMatch(/not an incident number.*`\/postmortem #42 show`/);
      }
      expect(invalidMessage('#42')).toBe('Say what to do with incident #42, e.g. `/postmortem #42 show`.');
    });

    it('explains that incidents are named by number, not by channel', () => {
      expect(invalidMessage('<#C123|inc-20261120-checkout> show')).toMatch(/by its number, not its channel/);
    });
  });

  describe('assign', () => {
    it('reads the escaped mention and an optional due date', () => {
      expect(command('assign <@U123|alex>')).toEqual({ kind: 'assign', userId: 'U123', dueText: null });
      expect(command('ASSIGN <@W9> due next friday 17:00')).toEqual({
        kind: 'assign',
        userId: 'W9',
        dueText: 'next friday 17:00',
      });
      expect(command('assign <@U1> DUE 2026-12-04')).toMatchObject({ dueText: '2026-12-04' });
    });

    it.each([
      ['assign', /Say who owns the postmortem/],
      ['assign alex', /Say who owns the postmortem/],
      ['assign @alex', /Slack did not recognise `@alex` as a person/],
      ['assign <@U1> <@U2>', /one owner/],
      ['assign due friday <@U1>', /right after `assign`/],
      ['assign <@U1> by friday', /only `due <when>` may follow/],
      ['assign <@U1> due', /Say when it is due/],
    ])('%j is refused with an example', (text, reason) => {
      const message = invalidMessage(text);
      expect(message).toMatch(reason);
      expect(message).toMatch(EXAMPLE);
    });

    it('uses the incident number in its example', () => {
      expect(invalidMessage('#9 assign')).toContain('`/postmortem #9 assign @alex due friday`');
    });
  });

  describe('edit', () => {
    it('without a section asks which one', () => {
      expect(command('edit')).toEqual({ kind: 'edit', section: null });
      expect(parsePostmortemCommand('edit #4')).toEqual({
        incidentNumber: 4,
        command: { kind: 'edit', section: null },
      });
    });

    it.each([
      ['summary', 'summary'],
      ['Impact', 'impact'],
      ['detection', 'detection'],
      ['detect', 'detection'],
      ['response', 'response'],
      ['factors', 'contributingFactors'],
      ['contributing-factors', 'contributingFactors'],
      ['Contributing factors', 'contributingFactors'],
      ['contributing_factors', 'contributingFactors'],
      ['contributingFactors', 'contributingFactors'],
      ['resolution', 'resolution'],
      ['mitigation', 'resolution'],
      ['lessons', 'lessonsLearned'],
      ['lessons learned', 'lessonsLearned'],
      ['action-items', 'actionItems'],
      ['action items', 'actionItems'],
      ['links', 'supportingInformation'],
      ['supporting', 'supportingInformation'],
      ['Supporting information', 'supportingInformation'],
    ])('edit %j opens %s', (name, section) => {
      expect(command(`edit ${name}`)).toEqual({ kind: 'edit', section });
    });

    it('names every section somehow, and each command name maps back to its section', () => {
      expect(SECTION_COMMAND_NAMES.map(sectionFromName)).toEqual([...SECTION_KEYS]);
    });

    it('refuses an unknown section with the list and the closest name', () => {
      const message = invalidMessage('edit impcat');
      expect(message).toMatch(/Unknown section `impcat`/);
      expect(message).toContain('`/postmortem edit impact`');
      for (const name of SECTION_COMMAND_NAMES) expect(message).toContain(`\`${name}\``);
    });

    it('sends the timeline to /incident and a root cause to contributing factors', () => {
      expect(invalidMessage('edit timeline')).toMatch(/`\/incident timeline <when> <text>`/);
      expect(invalidMessage('#3 edit root cause')).toContain('`/postmortem #3 edit factors`');
    });
  });

  describe('show, export, publish', () => {
    it.each(['show', 'export', 'publish'] as const)('%s takes nothing after it', (kind) => {
      expect(command(kind)).toEqual({ kind });
      expect(command(kind.toUpperCase())).toEqual({ kind });
      expect(invalidMessage(`${kind} now please`)).toContain(`\`/postmortem ${kind}`);
    });
  });

  describe('review', () => {
    it('asks the mentioned reviewers, each once, or nobody named (the commander)', () => {
      expect(command('review')).toEqual({ kind: 'review', reviewerIds: [] });
      expect(command('review <@U1|sam> <@U2> <@U1>')).toEqual({ kind: 'review', reviewerIds: ['U1', 'U2'] });
    });

    it('refuses anything but mentions', () => {
      expect(invalidMessage('review @sam')).toMatch(/did not recognise `@sam`/);
      expect(invalidMessage('review <@U1> please')).toMatch(/only the reviewers/);
    });
  });

  describe('waive', () => {
    it('keeps the reason as written', () => {
      expect(command('waive  Known vendor issue; fixed upstream ')).toEqual({
        kind: 'waive',
        reason: 'Known vendor issue; fixed upstream',
      });
    });

    it('needs a reason', () => {
      expect(invalidMessage('waive')).toContain('`/postmortem waive known vendor issue, fixed upstream`');
    });
  });

  describe('debrief and unknown subcommands', () => {
    it('debrief is read by the debrief grammar, its mistakes explained with an example', () => {
      expect(parsePostmortemCommand('#4 debrief within 2 days for 45 min')).toEqual({
        incidentNumber: 4,
        command: { kind: 'debrief', debrief: { kind: 'propose', withinBusinessDays: 2, minutes: 45 } },
      });
      expect(parsePostmortemCommand('debrief at friday 15:00').command).toEqual({
        kind: 'debrief',
        debrief: { kind: 'at', whenText: 'friday 15:00' },
      });
      expect(invalidMessage('debrief within 0 days')).toMatch(/business days from 1 to 20/);
      expect(invalidMessage('debrief for 300 min')).toMatch(/from 15 to 240/);
    });

    it.each([
      ['shwo', '`/postmortem show`'],
      ['publsh', '`/postmortem publish`'],
      ['download', '`/postmortem export`'],
      ['impact', '`/postmortem edit impact`'],
      ['<@U1|alex>', '`/postmortem assign <@U1|alex>`'],
      ['frobnicate', '`/postmortem show`'],
    ])('%j suggests %s', (word, suggestion) => {
      const message = invalidMessage(word);
      expect(message).toMatch(/^Unknown subcommand/);
      expect(message).toContain(suggestion);
      for (const name of POSTMORTEM_SUBCOMMANDS) expect(message).toContain(`\`${name}\``);
    });

    it('keeps an echoed word from breaking out of its backticks', () => {
      expect(invalidMessage('`oops`')).toMatch(/^Unknown subcommand `oops`/);
    });
  });

  it('help lists only subcommands that exist, each with an example, and no later ones as usable', () => {
    for (const name of POSTMORTEM_SUBCOMMANDS) expect(POSTMORTEM_HELP).toContain(`\`/postmortem ${name}`);
    expect(POSTMORTEM_HELP).not.toMatch(/<(?![@#!])/);
  });

  it('never throws: any text is a valid command or an invalid one with a message', () => {
    const words = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.constantFrom(
        '#42',
        '#0',
        '#',
        'assign',
        'due',
        'edit',
        'review',
        'waive',
        'show',
        'export',
        'publish',
        'help',
        'action',
        'debrief',
        '<@U123|alex>',
        '<@W9>',
        '@alex',
        '<#C1|inc>',
        'impact',
        'contributing factors',
        '`',
        '\n',
        '\u0000',
        'constructor',
        '__proto__',
      ),
    );
    const texts = fc.oneof(
      fc.array(words, { maxLength: 10 }).map((parts) => parts.join(' ')),
      fc.string({ unit: 'grapheme', minLength: 2_000, maxLength: 6_000 }),
    );
    fc.assert(
      fc.property(texts, (text) => {
        const { incidentNumber, command: parsed } = parsePostmortemCommand(text);
        expect(incidentNumber === null || (Number.isSafeInteger(incidentNumber) && incidentNumber > 0)).toBe(true);
        if (parsed.kind === 'invalid') {
          expect(parsed.message.trim().length).toBeGreaterThan(0);
          expect(parsed.message.length).toBeLessThan(1_500);
        } else {
          expect([...POSTMORTEM_SUBCOMMANDS]).toContain(parsed.kind);
          if (parsed.kind === 'assign') expect(parsed.userId).toMatch(/^[UW][A-Z0-9]+$/);
          if (parsed.kind === 'edit' && parsed.section !== null) expect(SECTION_KEYS).toContain(parsed.section);
          if (parsed.kind === 'waive') expect(parsed.reason.trim()).not.toBe('');
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
