import { canCorrectEntry, incidentAuthority, readOnlyReason } from '../../src/domain/permissions';
import type { IncidentSummary, Role, TimelineEntryView, TimelineSource } from '../../src/domain/types';
import { external, guest, incidentSummary, member, timelineEntry } from '../support/fixtures';

const DECLARED = new Date('2026-11-20T10:00:00Z');

function incident(roles: Partial<Record<Role, string>> = {}): IncidentSummary {
  return incidentSummary({ number: 42, roles, milestones: { started: DECLARED } });
}

function entry(authorId: string, source: TimelineSource = 'command'): TimelineEntryView {
  return timelineEntry(7, {
    source,
    kind: source === 'system' ? 'severity_changed' : 'note',
    authorId,
    message: source === 'reaction' ? { channelId: 'C0INC', ts: '1763632800.000100', authorId } : null,
  });
}

const GUEST_MESSAGE = /^Guests can read the incident but not change it/;
const EXTERNAL_MESSAGE = /^People from another organisation can read the incident but not change it/;

describe('readOnlyReason', () => {
  test('full members of the workspace may change things', () => {
    expect(readOnlyReason(member('UALICE'))).toBeUndefined();
  });

  test('guests are told they can read but not change', () => {
    expect(readOnlyReason(guest('UGUEST'))).toMatch(GUEST_MESSAGE);
  });

  test('users from another organisation are told they can read but not change', () => {
    expect(readOnlyReason(external('UEXT'))).toMatch(EXTERNAL_MESSAGE);
  });

  test('an external guest is refused', () => {
    expect(readOnlyReason({ userId: 'UBOTH', isGuest: true, isExternal: true })).toEqual(expect.any(String));
  });
});

describe('incidentAuthority', () => {
  test('with no commander, any member is allowed and becomes commander', () => {
    expect(incidentAuthority(incident(), member('UALICE'))).toEqual({ allowed: true, becomesCommander: true });
  });

  test('with no commander but other roles held, a member without a role still becomes commander', () => {
    expect(incidentAuthority(incident({ comms: 'UCOMMS' }), member('UALICE'))).toEqual({
      allowed: true,
      becomesCommander: true,
    });
  });

  test('the commander is allowed and does not "become" commander again', () => {
    expect(incidentAuthority(incident({ commander: 'UCMD' }), member('UCMD'))).toEqual({
      allowed: true,
      becomesCommander: false,
    });
  });

  test.each(['comms', 'scribe'] as const)('the %s role holder is allowed', (role) => {
    const summary = incident({ commander: 'UCMD', [role]: 'UHOLDER' });
    expect(incidentAuthority(summary, member('UHOLDER'))).toEqual({ allowed: true, becomesCommander: false });
  });

  test('anyone else is refused with a message naming the commander', () => {
    const result = incidentAuthority(incident({ commander: 'UCMD', comms: 'UCOMMS' }), member('UBOB'));
    expect(result.allowed).toBe(false);
    if (result.allowed) return;
    expect(result.reason).toContain('<@UCMD>');
    expect(result.reason).toMatch(/role holders/);
  });

  test.each([
    ['a guest', guest, GUEST_MESSAGE],
    ['an external user', external, EXTERNAL_MESSAGE],
  ])('%s is refused with no commander, as commander and as a role holder', (_label, make, message) => {
    const situations = [
      incident(),
      incident({ commander: 'UX' }),
      incident({ commander: 'UCMD', scribe: 'UX' }),
      incident({ commander: 'UCMD' }),
    ];
    for (const summary of situations) {
      const result = incidentAuthority(summary, make('UX'));
      expect(result).toEqual({ allowed: false, reason: expect.stringMatching(message) });
    }
  });
});

describe('canCorrectEntry', () => {
  const commanded = incident({ commander: 'UCMD', comms: 'UCOMMS' });

  test.each(['command', 'reaction', 'shortcut'] as const)('the author may correct their own %s entry', (source) => {
    expect(canCorrectEntry(entry('UALICE', source), commanded, member('UALICE'))).toBe(true);
  });

  test('nobody corrects a system entry by authorship alone', () => {
    expect(canCorrectEntry(entry('UALICE', 'system'), commanded, member('UALICE'))).toBe(false);
    expect(canCorrectEntry(entry('UALICE', 'system'), incident(), member('UALICE'))).toBe(false);
  });

  test.each(['command', 'reaction', 'shortcut', 'system'] as const)(
    'the commander may correct anyone’s %s entry',
    (source) => {
      expect(canCorrectEntry(entry('UALICE', source), commanded, member('UCMD'))).toBe(true);
    },
  );

  test('other members, other role holders included, may not correct someone else’s entry', () => {
    expect(canCorrectEntry(entry('UALICE'), commanded, member('UBOB'))).toBe(false);
    expect(canCorrectEntry(entry('UALICE'), commanded, member('UCOMMS'))).toBe(false);
    expect(canCorrectEntry(entry('UALICE'), incident(), member('UBOB'))).toBe(false);
  });

  test('guests and external users never correct, not even their own entry or as commander', () => {
    for (const make of [guest, external]) {
      expect(canCorrectEntry(entry('UX'), commanded, make('UX'))).toBe(false);
      expect(canCorrectEntry(entry('UALICE'), incident({ commander: 'UX' }), make('UX'))).toBe(false);
      expect(canCorrectEntry(entry('UX'), incident({ commander: 'UX' }), make('UX'))).toBe(false);
    }
  });
});
