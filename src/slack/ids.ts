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
