import fc from 'fast-check';
import { type DebriefCommandResult, parseDebriefCommand } from '../../src/domain/debrief-command';

const BACKTICKED_EXAMPLE = /`\/postmortem debrief [^`]+`/;

function refusal(text: string): string {
  const result = parseDebriefCommand(text);
  if (result.ok) throw new Error(`expected a refusal for ${JSON.stringify(text)}, got ${JSON.stringify(result)}`);
  return result.message;
}

function command(text: string) {
  const result = parseDebriefCommand(text);
  if (!result.ok) throw new Error(`expected a command for ${JSON.stringify(text)}, got ${result.message}`);
  return result.command;
}

describe('parseDebriefCommand', () => {
  it.each(['', '   ', '\n\t'])('%j proposes slots with the defaults', (text) => {
    expect(command(text)).toEqual({ kind: 'propose', withinBusinessDays: null, minutes: null });
  });

  it('reads within and for, in either order and any case', () => {
    expect(command('within 3 days for 60 min')).toEqual({ kind: 'propose', withinBusinessDays: 3, minutes: 60 });
    expect(command('for 45 min within 2 days')).toEqual({ kind: 'propose', withinBusinessDays: 2, minutes: 45 });
    expect(command('WITHIN 4 Business Days')).toEqual({ kind: 'propose', withinBusinessDays: 4, minutes: null });
    expect(command('For 90 minutes')).toEqual({ kind: 'propose', withinBusinessDays: null, minutes: 90 });
    expect(command('within 1 day  for 30min')).toEqual({ kind: 'propose', withinBusinessDays: 1, minutes: 30 });
  });

  it('refuses numbers out of range or not numbers, with an example', () => {
    for (const text of [
      'within 0 days',
      'within 21 days',
      'within three days',
      'for 5 min',
      'for 241 min',
      'for 1.5 min',
    ]) {
      expect(refusal(text)).toMatch(BACKTICKED_EXAMPLE);
    }
    expect(refusal('within 99999999999999999999 days')).toMatch(/from 1 to 20/);
  });

  it('refuses a repeated option and unknown words', () => {
    expect(refusal('within 3 days within 4 days')).toMatch(/once/);
    expect(refusal('for 30 min for 60 min')).toMatch(/once/);
    expect(refusal('within 3 days please')).toMatch(/could not read `please`/);
    expect(refusal('tomorrow')).toMatch(BACKTICKED_EXAMPLE);
    expect(refusal('within 3')).toMatch(BACKTICKED_EXAMPLE);
  });

  it('returns the when text of `at` raw, for when.ts to read in the caller zone', () => {
    expect(command('at 2026-11-24 15:00')).toEqual({ kind: 'at', whenText: '2026-11-24 15:00' });
    expect(command('AT friday 10:00')).toEqual({ kind: 'at', whenText: 'friday 10:00' });
    expect(refusal('at')).toMatch(/Say when/);
    expect(refusal('at   ')).toMatch(BACKTICKED_EXAMPLE);
  });

  it('cancels only when nothing follows', () => {
    expect(command('cancel')).toEqual({ kind: 'cancel' });
    expect(command(' Cancel ')).toEqual({ kind: 'cancel' });
    expect(refusal('cancel it please')).toMatch(/skip/);
  });

  it('requires a reason to skip, and keeps its words', () => {
    expect(command('skip Discussed in the weekly\n ops review')).toEqual({
      kind: 'skip',
      reason: 'Discussed in the weekly ops review',
    });
    expect(refusal('skip')).toMatch(/Say why/);
    expect(refusal('skip    ')).toMatch(BACKTICKED_EXAMPLE);
    expect(refusal(`skip ${'x'.repeat(1001)}`)).toMatch(/1000/);
  });

  it('never throws on arbitrary text, and every refusal carries an example', () => {
    const words = fc.constantFrom('within', 'for', 'days', 'min', 'at', 'cancel', 'skip', '3', '60', ' ', '`', '\n');
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.array(words).map((w) => w.join(' ')),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result: DebriefCommandResult = parseDebriefCommand(input);
        if (!result.ok) expect(result.message).toMatch(BACKTICKED_EXAMPLE);
      }),
      { numRuns: 500 },
    );
    expect(parseDebriefCommand(undefined as unknown as string)).toEqual({
      ok: true,
      command: { kind: 'propose', withinBusinessDays: null, minutes: null },
    });
  });
});
