/**
 * Every action, callback and block id Debrief puts on a Slack surface. Listeners and tests match on
 * these, so they are a contract: change one only together with everything that matches it.
 */

/** `action_id`s of interactive elements (buttons, menus, selects, modal inputs). */
export const ActionIds = {
  /** The overflow menu on a timeline entry; option values are `edit:<id>` / `delete:<id>`. */
  timelineEntryMenu: 'timeline_entry_menu',
  /** Newer/Older buttons of the timeline view; value is JSON `{"incidentId":…,"page":…}`. */
  timelinePage: 'timeline_page',
  debriefPick: 'debrief_pick',
  actionItemDone: 'action_item_done',
  actionItemSnooze: 'action_item_snooze',
  actionItemReassign: 'action_item_reassign',
  actionItemEdit: 'action_item_edit',
  postmortemOwnerSelect: 'postmortem_owner_select',
  postmortemAccept: 'postmortem_accept',
  postmortemHandOver: 'postmortem_hand_over',
  postmortemApprove: 'postmortem_approve',
  /** The section picker of `/postmortem edit` and `show`; option values are section keys. */
  postmortemSectionPick: 'postmortem_section_pick',
  debriefCancel: 'debrief_cancel',
} as const;

/** `callback_id`s of modals and shortcuts. */
export const CallbackIds = {
  incidentStart: 'incident_start',
  timelineEntryEdit: 'timeline_entry_edit',
  timelineEntryDelete: 'timeline_entry_delete',
  /** The message shortcut "Add to incident timeline". */
  addToTimeline: 'add_to_timeline',
  /** The incident picker the shortcut opens outside incident channels. */
  addToTimelinePick: 'add_to_timeline_pick',
} as const;

/** Each postmortem section's edit modal has its own callback id: `postmortem_section_<key>`. */
export function postmortemSectionCallbackId(section: string): string {
  return `postmortem_section_${section}`;
}

/**
 * `block_id`s of modal inputs and of blocks that listeners look for. A modal input's single element
 * uses its block id as its `action_id` too: read it as `values[id][id]`.
 */
export const BlockIds = {
  title: 'title',
  severity: 'severity',
  where: 'where',
  text: 'text',
  when: 'when',
  incident: 'incident',
  timelineOlder: 'timeline_older',
  timelineNewer: 'timeline_newer',
} as const;

/**
 * Block ids that carry the incident a message is about (`<prefix><incidentId>`): a users_select sends
 * no value of its own, so the owner prompt's section says which incident it asks about.
 */
export const IncidentBlockPrefixes = {
  postmortemOwner: 'postmortem_owner_',
  postmortemSectionPick: 'postmortem_section_pick_',
} as const;

/** The incident id in a block id made with one of IncidentBlockPrefixes, or undefined. */
export function incidentIdInBlock(prefix: string, blockId: string | undefined): number | undefined {
  if (!blockId?.startsWith(prefix)) return undefined;
  const id = Number(blockId.slice(prefix.length));
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** The inputs of the postmortem section modals (block id = action id). */
export const PostmortemFieldIds = {
  summary: 'summary',
  affectedServices: 'affected_services',
  customerVisible: 'customer_visible',
  affected: 'affected',
  affectedOf: 'affected_of',
  notMeasurable: 'not_measurable',
  dataLoss: 'data_loss',
  sloBudget: 'slo_budget',
  supportTickets: 'support_tickets',
  statusPage: 'status_page',
  narrative: 'narrative',
  detectedBy: 'detected_by',
  detectedDetail: 'detected_detail',
  howSooner: 'how_sooner',
  slowedUs: 'slowed_us',
  helped: 'helped',
  factors: 'factors',
  fiveWhys: 'five_whys',
  mitigation: 'mitigation',
  permanentFix: 'permanent_fix',
  wentWell: 'went_well',
  wentWrong: 'went_wrong',
  gotLucky: 'got_lucky',
  note: 'note',
  links: 'links',
} as const;
