/**
 * Postmortem rules by severity (SPEC 4) and who may do what to a postmortem (SPEC 2). The defaults live in
 * code; a caller may pass another `PostmortemPolicyConfig`. Policy follows the incident's PEAK severity: a
 * sev1 downgraded to sev3 after the fact still needs its postmortem.
 */
import { businessDaysAfter, type IsoDate } from './business-days';
import { type Actor, readOnlyReason } from './permissions';
import { SEVERITIES, type Severity } from './types';

/** The schedule for one class of postmortem. `maxReminders` null means "until it is done". */
export interface PostmortemSchedule {
  dueBusinessDays: number;
  maxReminders: number | null;
}

/** Which severities require a postmortem, and the schedules of required and optional ones. */
export interface PostmortemPolicyConfig {
  requiredSeverities: readonly Severity[];
  required: PostmortemSchedule;
  optional: PostmortemSchedule;
}

/** SPEC 4: sev1–2 required within 5 business days; sev3–4 an optional draft within 10, reminded once. */
export const DEFAULT_POSTMORTEM_POLICY: PostmortemPolicyConfig = {
  requiredSeverities: ['sev1', 'sev2'],
  required: { dueBusinessDays: 5, maxReminders: null },
  optional: { dueBusinessDays: 10, maxReminders: 1 },
};

/** What the policy says about one incident's postmortem. */
export interface PostmortemPolicy extends PostmortemSchedule {
  required: boolean;
  /** Why, in words fit for a checklist: "required for sev1 (peak severity)". */
  reason: string;
}

/** The facts the policy depends on. */
export interface PolicyInput {
  peakSeverity: Severity;
  /** True once the incident was ever reopened. */
  reopened: boolean;
}

/** The most severe of the severities an incident has had (sev1 is the most severe); the declared one when the list is empty. */
export function peakSeverity(declared: Severity, changes: readonly Severity[] = []): Severity {
  let peak = declared;
  for (const severity of changes) if (SEVERITIES.indexOf(severity) < SEVERITIES.indexOf(peak)) peak = severity;
  return peak;
}

/** Whether a postmortem is required, when it is due (in business days) and how often to remind, for an incident. */
export function postmortemPolicy(
  input: PolicyInput,
  config: PostmortemPolicyConfig = DEFAULT_POSTMORTEM_POLICY,
): PostmortemPolicy {
  if (config.requiredSeverities.includes(input.peakSeverity)) {
    return { required: true, ...config.required, reason: `required for ${input.peakSeverity} (peak severity)` };
  }
  if (input.reopened) {
    return { required: true, ...config.required, reason: 'required because the incident was reopened' };
  }
  return { required: false, ...config.optional, reason: `optional for ${input.peakSeverity} (peak severity)` };
}

/**
 * The postmortem's default due date: the policy's business days after the day of resolution in the zone
 * (the owner's, or the workspace's when the owner is not known yet).
 */
export function postmortemDueDate(
  input: PolicyInput & { resolvedAt: Date; timeZone: string | null | undefined },
  config: PostmortemPolicyConfig = DEFAULT_POSTMORTEM_POLICY,
): IsoDate {
  return businessDaysAfter(input.resolvedAt, postmortemPolicy(input, config).dueBusinessDays, input.timeZone);
}

/** The severity as the metadata shows it: `sev1`, or `sev1 (peak; declared sev3)` when the declaration differs. */
export function severityLabel(peak: Severity, declared: Severity): string {
  return peak === declared ? peak : `${peak} (peak; declared ${declared})`;
}

export type Permission = { allowed: true } | { allowed: false; reason: string };

/** What someone wants to do to a postmortem (SPEC 2, "who may do what"). */
export type PostmortemAction =
  | 'assign'
  | 'edit'
  | 'action'
  | 'publish'
  | 'waive'
  | 'review'
  | 'debrief'
  | 'approve'
  | 'item_update'
  | 'item_cancel';

/** Who holds what on this incident and postmortem, and what the actor is to it. */
export interface PostmortemParties {
  actor: Actor;
  /** The actor is a member of the incident channel. */
  isChannelMember: boolean;
  commanderId: string | null;
  ownerId: string | null;
  /** For approve: the reviewers asked. */
  reviewerIds?: readonly string[];
  /** For item_update: the item's owner and creator. */
  item?: { ownerId: string | null; createdBy: string | null };
}

/**
 * Whether the actor may do that to the postmortem: guests and external users change nothing; `edit`,
 * `action`, `review` and `debrief` are for any channel member; `assign` for the commander or the current
 * owner; `publish` for the owner or the commander; `waive` for the commander; item buttons for the item's
 * owner, its creator or the postmortem owner; cancelling an item for the postmortem owner or the commander.
 * `approve` is for someone other than the owner (a requested reviewer, the commander, or any member).
 */
export function postmortemPermission(action: PostmortemAction, parties: PostmortemParties): Permission {
  const readOnly = readOnlyReason(parties.actor);
  if (readOnly) return { allowed: false, reason: readOnly };
  const me = parties.actor.userId;
  const isCommander = parties.commanderId !== null && parties.commanderId === me;
  const isOwner = parties.ownerId !== null && parties.ownerId === me;
  const deny = (reason: string): Permission => ({ allowed: false, reason });
  switch (action) {
    case 'edit':
    case 'action':
    case 'review':
    case 'debrief':
      return parties.isChannelMember
        ? { allowed: true }
        : deny('Only members of the incident channel can do that. Join the channel first.');
    case 'assign':
      // With no owner yet and no commander, nobody could ever assign: any member may then take it.
      if (isCommander || isOwner) return { allowed: true };
      if (parties.ownerId === null && parties.commanderId === null && parties.isChannelMember) return { allowed: true };
      return deny(
        `Only the commander${parties.ownerId ? ' or the current postmortem owner' : ''} can assign the postmortem.`,
      );
    case 'publish':
      return isCommander || isOwner
        ? { allowed: true }
        : deny('Only the postmortem owner or the commander can publish.');
    case 'waive':
      return isCommander ? { allowed: true } : deny('Only the commander can waive the postmortem.');
    case 'approve':
      // An approval counts only from someone other than the owner: the owner approving their own work is no review.
      if (isOwner) return deny('The postmortem owner cannot approve their own postmortem; ask a reviewer.');
      return parties.isChannelMember || parties.reviewerIds?.includes(me)
        ? { allowed: true }
        : deny('Only a reviewer or a member of the incident channel can approve.');
    case 'item_update': {
      const item = parties.item;
      if (isOwner || (item && (item.ownerId === me || item.createdBy === me))) return { allowed: true };
      return deny("Only the item's owner, whoever created it, or the postmortem owner can change it.");
    }
    case 'item_cancel':
      return isOwner || isCommander
        ? { allowed: true }
        : deny('Only the postmortem owner or the commander can cancel an action item.');
  }
}

/**
 * Whether the postmortem may be waived: only for a sev3–4 peak severity, and not once the incident was
 * reopened (a reopened incident requires a postmortem, so waiving it would undo the rule). Who may waive
 * is `postmortemPermission('waive', …)`.
 */
export function waiveAllowed(
  input: PolicyInput,
  config: PostmortemPolicyConfig = DEFAULT_POSTMORTEM_POLICY,
): Permission {
  if (config.requiredSeverities.includes(input.peakSeverity)) {
    return {
      allowed: false,
      reason: `A ${input.peakSeverity} incident requires a postmortem (policy follows the peak severity); it cannot be waived.`,
    };
  }
  if (input.reopened) {
    return {
      allowed: false,
      reason: 'A reopened incident requires a postmortem whatever its severity; it cannot be waived.',
    };
  }
  return { allowed: true };
}
