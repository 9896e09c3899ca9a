import type { IncidentSummary, TimelineEntryView } from './types';

/** Who is asking, as far as permissions care. */
export interface Actor {
  userId: string;
  /** Guests (restricted or ultra-restricted) and users from another organisation read but change nothing. */
  isGuest: boolean;
  isExternal: boolean;
}

export type IncidentAuthority = { allowed: true; becomesCommander: boolean } | { allowed: false; reason: string };

/** Whether the actor may change the incident itself (resolve, reopen, severity, role). */
export function incidentAuthority(incident: IncidentSummary, actor: Actor): IncidentAuthority {
  const readOnly = readOnlyReason(actor);
  if (readOnly) return { allowed: false, reason: readOnly };
  const commander = incident.roles.commander;
  if (commander === undefined) return { allowed: true, becomesCommander: true };
  const holders = Object.values(incident.roles);
  if (holders.includes(actor.userId)) return { allowed: true, becomesCommander: false };
  return {
    allowed: false,
    reason: `Only the incident's role holders can do that; the commander is <@${commander}>. Ask them, or ask them to give you a role with \`/incident role comms @you\`.`,
  };
}

/** Why the actor may not change anything at all, or undefined when they may. */
export function readOnlyReason(actor: Actor): string | undefined {
  if (actor.isGuest)
    return 'Guests can read the incident but not change it. Ask a full member of the workspace to do it.';
  if (actor.isExternal) {
    return 'People from another organisation can read the incident but not change it. Ask a member of this workspace to do it.';
  }
  return undefined;
}

/** Timeline entries are corrected by whoever added them or by the commander. */
export function canCorrectEntry(entry: TimelineEntryView, incident: IncidentSummary, actor: Actor): boolean {
  if (readOnlyReason(actor)) return false;
  if (incident.roles.commander === actor.userId) return true;
  return entry.source !== 'system' && entry.authorId === actor.userId;
}
