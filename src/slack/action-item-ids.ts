/**
 * The ids of the action-item surfaces (SPEC 2, "Interactive element ids"): the list's and the digest's
 * buttons, the Edit modal and its inputs. A contract like ids.ts: tests match on them.
 */
import { z } from 'zod';
import { ActionIds } from './ids';

export const ActionItemIds = {
  /** Buttons whose value is the action item's id. */
  done: ActionIds.actionItemDone,
  snooze: ActionIds.actionItemSnooze,
  edit: ActionIds.actionItemEdit,
  mute: 'action_item_mute',
  /** A users_select (it sends no value): the item id is in its block id, `action_item_<id>`. */
  reassign: ActionIds.actionItemReassign,
  /** Older/Newer of `/postmortem actions`; value is JSON `{"incidentId":…,"page":…}`. */
  page: 'action_item_page',
} as const;

/** Every item's actions block is `action_item_<id>`: the users_select there names its item this way. */
export const ACTION_ITEM_BLOCK_PREFIX = 'action_item_';

export function actionItemBlockId(itemId: number): string {
  return `${ACTION_ITEM_BLOCK_PREFIX}${itemId}`;
}

/** The item id of a button's value or of an actions block id, or undefined. */
export function itemIdOf(text: string | undefined): number | undefined {
  const raw = text?.startsWith(ACTION_ITEM_BLOCK_PREFIX) ? text.slice(ACTION_ITEM_BLOCK_PREFIX.length) : text;
  if (!raw || !/^\d{1,12}$/.test(raw)) return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** The Edit modal: its callback id, and its inputs (block id = action id). */
export const ActionItemEditIds = {
  callback: 'action_item_edit_modal',
  text: 'text',
  owner: 'owner',
  due: 'due',
  priority: 'priority',
  ticket: 'ticket',
  reason: 'reason',
} as const;

/** The Edit modal carries the item and the version it showed: a change since then is refused, not overwritten. */
export const actionItemEditMetadata = z.object({
  itemId: z.number().int().positive(),
  version: z.number().int(),
  channelId: z.string().nullable(),
});

export const actionItemPageValue = z.object({ incidentId: z.number().int().positive(), page: z.number().int() });
