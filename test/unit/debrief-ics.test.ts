import {
  type DebriefIcsInput,
  debriefAgenda,
  debriefCancellationIcs,
  debriefIcs,
  debriefIcsFileName,
  debriefIcsUid,
} from '../../src/domain/debrief';

const agenda = debriefAgenda({
  severity: 'sev2',
  minutes: 60,
  contributingFactors: ['Config push without a canary; no rollback, at first'],
  actionItems: [{ number: 1, text: 'Canary config pushes', ownerId: 'UALICE', priority: 'high', due: '2027-03-20' }],
});

const base: DebriefIcsInput = {
  workspaceId: 'T0001',
  incidentNumber: 42,
  incidentTitle: 'Checkout returns 500s',
  start: new Date('2027-03-02T14:00:00Z'),
  end: new Date('2027-03-02T15:00:00Z'),
  organizer: { userId: 'UALICE', name: 'Alice Owner', email: 'alice@example.com' },
  attendees: [
    { userId: 'UALICE', name: 'Alice Owner', email: 'alice@example.com', required: true },
    { userId: 'UBOB', name: 'Bob "the builder" Smith', required: true },
    { userId: 'UCAROL', name: 'Carol', required: false },
  ],
  agenda,
  preReadUrl: 'https://example.slack.com/archives/C123/p1700000000000100',
  stampedAt: new Date('2027-02-26T10:30:00Z'),
};

/** Content lines after unfolding (RFC 5545 §3.1). */
function contentLines(ics: string): string[] {
  return ics
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((l) => l !== '');
}

/** Unescapes a TEXT value. */
function text(value: string): string {
  return value.replace(/\\n/gi, '\n').replace(/\\([,;\\])/g, '$1');
}

function property(lines: string[], name: string): string[] {
  return lines.filter((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));
}

describe('debriefIcs', () => {
  it('is one published VEVENT in UTC with a stable UID', () => {
    const ics = debriefIcs(base);
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // CRLF only
    const lines = contentLines(ics);
    expect(lines).toContain('VERSION:2.0');
    expect(lines).toContain('METHOD:PUBLISH');
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
    expect(lines.filter((l) => l === 'END:VEVENT')).toHaveLength(1);
    expect(lines).toContain('UID:debrief-T0001-42@debrief');
    expect(lines).toContain('DTSTART:20270302T140000Z');
    expect(lines).toContain('DTEND:20270302T150000Z');
    expect(lines).toContain('DTSTAMP:20270226T103000Z');
    expect(lines).toContain('SEQUENCE:0');
    expect(lines).toContain('STATUS:CONFIRMED');
    expect(lines).toContain('SUMMARY:Debrief: incident #42 Checkout returns 500s');
    expect(debriefIcsFileName(42)).toBe('debrief-42.ics');
    expect(debriefIcsUid('T 1/x', 7)).toBe('debrief-T_1_x-7@debrief');
  });

  it('names the organizer and attendees, required and optional, with a placeholder address where Slack has none', () => {
    const lines = contentLines(debriefIcs(base));
    expect(property(lines, 'ORGANIZER')).toEqual(['ORGANIZER;CN="Alice Owner":MAILTO:alice@example.com']);
    expect(property(lines, 'ATTENDEE')).toEqual([
      'ATTENDEE;RSVP=FALSE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN="Alice Owner":mailto:alice@example.com',
      'ATTENDEE;RSVP=FALSE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN="Bob \'the builder\' Smith":mailto:noreply+UBOB@debrief.invalid',
      'ATTENDEE;RSVP=FALSE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN="Carol":mailto:noreply+UCAROL@debrief.invalid',
    ]);
    const noEmail = contentLines(debriefIcs({ ...base, organizer: { userId: 'UALICE', name: 'Alice' } }));
    expect(property(noEmail, 'ORGANIZER')).toEqual(['ORGANIZER;CN="Alice":MAILTO:noreply@debrief.invalid']);
  });

  it('describes the agenda and the pre-read', () => {
    const lines = contentLines(debriefIcs(base));
    const description = text(property(lines, 'DESCRIPTION')[0]!.slice('DESCRIPTION:'.length));
    expect(description).toContain(`Pre-read (before the meeting): ${base.preReadUrl}`);
    expect(description).toContain('Agenda (60 min)');
    expect(description).toContain('Ground rules — 3 min');
    expect(description).toContain('  - Config push without a canary; no rollback, at first');
    expect(description).toContain('Customer communication — 6 min');
    expect(lines).toContain(`URL:${base.preReadUrl}`);
  });

  it('folds lines at 75 octets without splitting a character', () => {
    const title = `Zahlungsausfall 💳 — Überlastung der Warteschlange für Bestellungen ${'é'.repeat(40)}`;
    const ics = debriefIcs({ ...base, incidentTitle: title });
    const physical = ics.split('\r\n').filter((l) => l !== '');
    for (const line of physical) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(physical.some((l) => l.startsWith(' '))).toBe(true);
    expect(ics).not.toContain('\uFFFD');
    expect(contentLines(ics)).toContain(`SUMMARY:Debrief: incident #42 ${title}`);
  });

  it('surfaces an error from the ics package as a thrown Error with its message', () => {
    expect(() => debriefIcs({ ...base, preReadUrl: 'not a url' })).toThrow(/debrief calendar file: .*url/);
    expect(() => debriefIcs({ ...base, end: base.start })).toThrow(RangeError);
  });
});

describe('debriefCancellationIcs', () => {
  const { agenda: _agenda, preReadUrl: _preRead, ...meeting } = base;
  const cancellation = (reason: string | null) =>
    contentLines(debriefCancellationIcs({ ...meeting, sequence: 1, cancelledBy: 'Carol', reason }));

  it('cancels the same event: same UID, the next sequence, METHOD:CANCEL and STATUS:CANCELLED', () => {
    const scheduled = contentLines(debriefIcs(base));
    const lines = cancellation(null);
    expect(property(lines, 'UID')).toEqual(property(scheduled, 'UID'));
    expect(property(lines, 'DTSTART')).toEqual(property(scheduled, 'DTSTART'));
    expect(lines).toContain('METHOD:CANCEL');
    expect(lines).toContain('STATUS:CANCELLED');
    expect(lines).toContain('SEQUENCE:1');
    expect(lines).not.toContain('METHOD:PUBLISH');
    expect(property(lines, 'ORGANIZER')).toHaveLength(1);
    expect(property(lines, 'ATTENDEE')).toHaveLength(3);
  });

  it('says who cancelled it and, for a skipped debrief, why', () => {
    const description = (lines: string[]) => text(property(lines, 'DESCRIPTION')[0]!.replace(/^DESCRIPTION[^:]*:/, ''));
    expect(description(cancellation(null))).toBe('Cancelled by Carol.');
    expect(description(cancellation('discussed in the weekly ops review'))).toBe(
      'Cancelled by Carol. No debrief will be held: discussed in the weekly ops review',
    );
  });
});
