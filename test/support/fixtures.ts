import type { Actor } from '../../src/domain/permissions';
import type { IncidentSummary, TimelineEntryView } from '../../src/domain/types';

export const FIXTURE_TIME = new Date('2026-11-20T10:00:00Z');

/** An incident as the Slack surfaces show it; override what the test is about. */
export function incidentSummary(overrides: Partial<IncidentSummary> = {}): IncidentSummary {
  return {
    id: 42,
    number: 7,
    title: 'Checkout returns 500s',
    severity: 'sev2',
    status: 'investigating',
    channelId: 'C0INC',
    isPrivate: false,
    declaredBy: 'U1',
    declaredAt: FIXTURE_TIME,
    roles: { commander: 'UCMD' },
    milestones: {},
    ...overrides,
  };
}

/** A timeline entry `id`, a minute after the fixture time per id unless overridden. */
export function timelineEntry(id: number, overrides: Partial<TimelineEntryView> = {}): TimelineEntryView {
  const at = new Date(FIXTURE_TIME.getTime() + id * 60_000);
  return {
    id,
    source: 'command',
    kind: 'note',
    authorId: 'UAUTHOR',
    text: `entry ${id}`,
    occurredAt: at,
    recordedAt: at,
    message: null,
    erasedInSlack: false,
    editCount: 0,
    version: 1,
    ...overrides,
  };
}

export const member = (userId: string): Actor => ({ userId, isGuest: false, isExternal: false });
export const guest = (userId: string): Actor => ({ userId, isGuest: true, isExternal: false });
export const external = (userId: string): Actor => ({ userId, isGuest: false, isExternal: true });
