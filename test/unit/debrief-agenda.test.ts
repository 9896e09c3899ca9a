import fc from 'fast-check';
import { type AgendaInput, debriefAgenda, MIN_AGENDA_MINUTES } from '../../src/domain/debrief';

const base: AgendaInput = {
  severity: 'sev1',
  minutes: 60,
  contributingFactors: ['Trigger: a config push without a canary', 'Queue alarms paged nobody after hours', '  '],
  helped: ['Rollback script was one command'],
  hindered: ['Dashboards were in another account'],
  actionItems: [
    { number: 1, text: 'Canary config pushes', ownerId: 'UALICE', priority: 'high', due: '2027-03-20' },
    { number: 2, text: 'Route queue alarms to on-call', ownerId: null, priority: null, due: null },
  ],
  nameOf: (id) => `@${id.slice(1).toLowerCase()}`,
};

describe('debriefAgenda', () => {
  it('builds the SPEC 6 parts from the draft, time-boxed to the meeting length', () => {
    const agenda = debriefAgenda(base);
    expect(agenda.parts.map((p) => [p.key, p.minutes])).toEqual([
      ['ground_rules', 3],
      ['recap', 5],
      ['how_we_got_here', 18],
      ['response', 13],
      ['action_items', 15],
      ['customer_communication', 6],
    ]);
    expect(agenda.parts[0]!.points.join(' ')).toMatch(/Blameless/);
    expect(agenda.parts[0]!.points.join(' ')).toMatch(/Facts, not fault/);
    expect(agenda.parts[1]!.title).toMatch(/read the draft beforehand/);
    expect(agenda.parts[2]!.points).toEqual([
      'Trigger: a config push without a canary',
      'Queue alarms paged nobody after hours',
    ]);
    expect(agenda.parts[3]!.points.slice(0, 2)).toEqual([
      'Helped: Rollback script was one command',
      'Hindered: Dashboards were in another account',
    ]);
    expect(agenda.parts[4]!.points).toEqual([
      '#1 Canary config pushes (owner @alice, priority high, due 2027-03-20)',
      '#2 Route queue alarms to on-call (no owner yet, no priority yet, no due date yet)',
      'Record the items we decide against, and why.',
    ]);
  });

  it('has customer communication for sev1–2 only, and a prompt when no factors are written', () => {
    const sev3 = debriefAgenda({ ...base, severity: 'sev3', minutes: 45, contributingFactors: [] });
    expect(sev3.parts.map((p) => p.key)).not.toContain('customer_communication');
    expect(sev3.parts[2]!.points).toEqual(['No contributing factors written yet: list them together.']);
    expect(debriefAgenda({ ...base, severity: 'sev2' }).parts.map((p) => p.key)).toContain('customer_communication');
  });

  it('minutes always add up to the meeting length, every part at least one minute, the recap five', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MIN_AGENDA_MINUTES, max: 240 }),
        fc.constantFrom('sev1' as const, 'sev2' as const, 'sev3' as const, 'sev4' as const),
        (minutes, severity) => {
          const agenda = debriefAgenda({ ...base, minutes, severity });
          expect(agenda.parts.reduce((sum, p) => sum + p.minutes, 0)).toBe(minutes);
          for (const part of agenda.parts) expect(part.minutes).toBeGreaterThanOrEqual(1);
          expect(agenda.parts.find((p) => p.key === 'recap')!.minutes).toBe(5);
        },
      ),
    );
    expect(() => debriefAgenda({ ...base, minutes: MIN_AGENDA_MINUTES - 1 })).toThrow(RangeError);
  });
});
