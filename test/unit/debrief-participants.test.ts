import { debriefParticipants, MAX_DEBRIEF_PARTICIPANTS, type ParticipantsInput } from '../../src/domain/debrief';

function input(overrides: Partial<ParticipantsInput> = {}): ParticipantsInput {
  return {
    severity: 'sev2',
    commanderId: 'UCMD',
    ownerId: 'UOWNER',
    roles: { commander: 'UCMD', comms: 'UCOMMS', scribe: 'USCRIBE' },
    actionItemOwners: ['UACT', 'UOWNER'],
    timelineEntries: [
      { loggedBy: 'ULOG', messageAuthor: null },
      { loggedBy: 'USCRIBE', messageAuthor: 'UPINNED' },
      { loggedBy: 'UBOT', messageAuthor: null },
    ],
    messageCounts: [
      { userId: 'UQUIET', count: 1 },
      { userId: 'UCHATTY', count: 40 },
      { userId: 'UCMD', count: 30 },
      { userId: 'UBOT', count: 99 },
      { userId: 'UGONE', count: 20 },
    ],
    excluded: [
      { userId: 'UBOT', bot: true },
      { userId: 'UGONE', deleted: true },
    ],
    teamLeadId: null,
    ...overrides,
  };
}

describe('debriefParticipants', () => {
  it('requires roles, action-item owners and whoever logged or wrote a timeline entry; others are optional', () => {
    const result = debriefParticipants(input());
    const required = result.participants.filter((p) => p.required).map((p) => p.userId);
    const optional = result.participants.filter((p) => !p.required).map((p) => p.userId);
    expect(required).toEqual(['UCMD', 'UOWNER', 'UCOMMS', 'USCRIBE', 'UACT', 'ULOG', 'UPINNED']);
    // Most active first; bots and deleted users never appear, however much they posted.
    expect(optional).toEqual(['UCHATTY', 'UQUIET']);
    expect(result.participants.find((p) => p.userId === 'UOWNER')!.reasons).toEqual(['owner', 'action_item_owner']);
    expect(result.participants.find((p) => p.userId === 'UCMD')!.messageCount).toBe(30);
    expect(result.participants.find((p) => p.userId === 'UPINNED')!.reasons).toEqual(['timeline']);
  });

  it('dedupes, and excludes bots and deleted users even in roles', () => {
    const result = debriefParticipants(
      input({
        ownerId: 'UCMD',
        roles: { commander: 'UCMD', scribe: 'UGONE' },
        actionItemOwners: ['UCMD', 'UCMD', 'UBOT'],
      }),
    );
    const ids = result.participants.map((p) => p.userId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain('UGONE');
    expect(ids).not.toContain('UBOT');
    expect(result.participants[0]!.reasons).toEqual(['commander', 'owner', 'action_item_owner']);
  });

  it('caps the list at 12, most active optional people first, never dropping a required one', () => {
    const posters = Array.from({ length: 20 }, (_, i) => ({ userId: `UP${i}`, count: i + 1 }));
    const result = debriefParticipants(input({ messageCounts: posters }));
    expect(result.participants).toHaveLength(MAX_DEBRIEF_PARTICIPANTS);
    const optional = result.participants.filter((p) => !p.required).map((p) => p.userId);
    expect(optional).toEqual(['UP19', 'UP18', 'UP17', 'UP16', 'UP15']); // 12 − 7 required
    expect(result.leftOut[0]).toBe('UP14');
    expect(result.leftOut).toHaveLength(15);

    const manyRequired = debriefParticipants(
      input({ actionItemOwners: Array.from({ length: 14 }, (_, i) => `UA${i}`), messageCounts: posters }),
    );
    expect(manyRequired.participants.every((p) => p.required)).toBe(true);
    expect(manyRequired.participants).toHaveLength(20);
  });

  it('suggests a facilitator who is neither owner nor commander when there is one', () => {
    expect(debriefParticipants(input()).facilitatorId).toBe('USCRIBE');
    expect(debriefParticipants(input({ roles: { comms: 'UCOMMS' } })).facilitatorId).toBe('UCOMMS');
    const noRoles = debriefParticipants(input({ roles: {} }));
    expect(noRoles.facilitatorId).toBe('UACT'); // required, and as active as the other required ones (0): first
    const alone = debriefParticipants(
      input({ roles: {}, actionItemOwners: [], timelineEntries: [], messageCounts: [] }),
    );
    expect(alone.facilitatorId).toBe('UCMD');
  });

  it("suggests the owning team's lead, and for sev1 whoever talked to customers when no comms role exists", () => {
    expect(debriefParticipants(input()).suggestions).toEqual([
      { kind: 'team_lead', userId: null, text: "Add the owning team's lead." },
    ]);
    expect(debriefParticipants(input({ teamLeadId: 'ULEAD' })).suggestions.map((s) => s.userId)).toEqual(['ULEAD']);
    expect(debriefParticipants(input({ teamLeadId: 'UACT' })).suggestions).toEqual([]);
    const sev1 = debriefParticipants(input({ severity: 'sev1', roles: { commander: 'UCMD' }, teamLeadId: 'UACT' }));
    expect(sev1.suggestions).toEqual([expect.objectContaining({ kind: 'customer_contact', userId: null })]);
    // With a comms role holder, they are already required: nothing more to suggest.
    expect(debriefParticipants(input({ severity: 'sev1', teamLeadId: 'UACT' })).suggestions).toEqual([]);
  });
});
