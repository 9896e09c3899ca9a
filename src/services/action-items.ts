/**
 * Action-item use cases (SPEC 5): add, list, done, cancel, snooze, reassign, mute and edit. The rules are
 * the domain's (action-items.ts, policy.ts); this layer finds the item in the workspace, checks who may
 * change it, stores the change with its audit record, and tells a new owner.
 */
import {
  type ActionItemInContext,
  allocateItemNumber,
  countOpenItems,
  findActionItemById,
  findActionItemByNumber,
  insertActionItem,
  listIncidentItems,
  lockActionItem,
  updateActionItem,
} from '../db/action-items';
import { findIncidentById, loadIncidentSummary } from '../db/incidents';
import { findPostmortemForUpdate, updatePostmortem } from '../db/postmortems';
import type { ActionItemRow } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { ActionCommand } from '../domain/action-command';
import {
  type ActionItem,
  type ActionItemPriority,
  cancelItem,
  completeItem,
  createActionItem,
  type ItemChange,
  needsDecision,
  redateItem,
  snoozeItem,
} from '../domain/action-items';
import { dateInZone, type IsoDate } from '../domain/business-days';
import { postmortemPermission } from '../domain/policy';
import { storableText } from '../domain/redact';
import { parseWhen, resolveZone } from '../domain/when';
import { type ActionContext, actorInIncidentChannel, actorOf, type Scope } from './context';
import { EditConflictError, PermissionDeniedError, UserFacingError } from './errors';
import type { IncidentInChannel } from './incidents';
import { ensurePostmortem } from './postmortems';
import { recordAudit, recordSystemEntry } from './records';
import type { SlackUser } from './slack-port';

/** An action item as lists, digests, modals and the Home tab show it: the domain's item, where it lives, and its version. */
export interface ActionItemView extends Omit<ActionItem, 'createdAt' | 'doneAt'> {
  id: number;
  incidentId: number;
  incidentNumber: number;
  /** Null for a private incident: a DM or the Home tab may be read anywhere. */
  incidentTitle: string | null;
  postmortemOwnerId: string | null;
  version: number;
}

export function actionItemView(row: ActionItemInContext): ActionItemView {
  return {
    id: row.id,
    incidentId: row.incident_id,
    incidentNumber: row.incident_number,
    incidentTitle: row.incident_is_private ? null : row.incident_title,
    number: row.number,
    text: row.text,
    ownerId: row.owner_id,
    dueDate: row.due_date,
    priority: row.priority,
    type: row.type,
    status: row.status,
    cancelReason: row.cancel_reason,
    ticketUrl: row.ticket_url,
    muted: row.muted,
    snoozeCount: row.snooze_count,
    createdBy: row.created_by,
    postmortemOwnerId: row.postmortem_owner_id,
    version: row.version,
  };
}

/** What `/postmortem action` stored, with the owner's zone so the answer can echo the date as they read it. */
export interface AddedActionItem {
  item: ActionItemView;
  ownerTimeZone: string;
  /** The due date came from the priority (4 or 8 weeks), not from the command. */
  defaultDue: boolean;
}

const ACTION_EXAMPLE = '/postmortem action Alert on checkout 5xx rate @alice due friday priority high';

/**
 * `/postmortem action <text> <@owner> [due <when>] [priority …] [type …] [ticket <url>]`: any member of the
 * incident channel who is not a guest. The owner must be a person of this workspace who can act on it; the
 * due date is read in the owner's zone and may not be past. Numbers are per incident, allocated under a lock.
 */
export async function addActionItem(
  context: ActionContext,
  incident: IncidentInChannel,
  input: Extract<ActionCommand, { ok: true }>,
): Promise<AddedActionItem> {
  const owner = await requireOwner(context, input.ownerId);
  const ownerZone = resolveZone(owner.timeZone);
  const dueDate = input.dueText === undefined ? undefined : parseDueDate(context, input.dueText, owner, ACTION_EXAMPLE);
  await ensurePostmortem(context, incident.row);
  const isChannelMember = await actorInIncidentChannel(context, incident.row);
  const row = await inTransaction(context.db, async (trx) => {
    const postmortem = await findPostmortemForUpdate(trx, incident.row.id);
    const permission = postmortemPermission('action', {
      actor: context.actor,
      isChannelMember,
      commanderId: incident.summary.roles.commander ?? null,
      ownerId: postmortem?.owner_id ?? null,
    });
    if (!permission.allowed) throw new PermissionDeniedError(permission.reason);
    const number = await allocateItemNumber(trx, incident.row.id);
    const item = createActionItem({
      number,
      text: storableText(input.text),
      ownerId: input.ownerId,
      ...(dueDate !== undefined && { dueDate }),
      ...(input.priority !== undefined && { priority: input.priority }),
      ...(input.type !== undefined && { type: input.type }),
      ticketUrl: input.ticketUrl ?? null,
      createdBy: context.actor.userId,
      createdAt: context.now,
      ownerTimeZone: ownerZone,
    });
    const stored = await insertActionItem(trx, {
      incident_id: incident.row.id,
      number: item.number,
      text: item.text,
      owner_id: item.ownerId,
      due_date: item.dueDate,
      priority: item.priority,
      type: item.type,
      status: item.status,
      cancel_reason: null,
      ticket_url: item.ticketUrl,
      created_by: item.createdBy,
      created_at: item.createdAt,
      done_at: null,
    });
    await recordSystemEntry(
      trx,
      context,
      incident.row.id,
      'action_item_added',
      `Action item #${number} for <@${item.ownerId}>${item.dueDate ? `, due ${item.dueDate}` : ' (backlog)'}: ${item.text}`,
    );
    await recordAudit(trx, context, incident.row.id, 'action_item.added', {
      itemId: stored.id,
      number,
      ownerId: item.ownerId,
      dueDate: item.dueDate,
      priority: item.priority,
      type: item.type,
      ticketUrl: item.ticketUrl,
    });
    return stored;
  });
  const found = await findActionItemById(context.db, context.workspaceId, row.id);
  if (!found) throw new Error('the action item vanished after it was stored');
  const item = actionItemView(found);
  if (item.ownerId !== context.actor.userId) {
    await tellOwner(context, item, false);
  }
  return { item, ownerTimeZone: ownerZone, defaultDue: dueDate === undefined };
}

/** `/postmortem actions`: every item of the incident, open ones first, each by number. */
export async function listActionItems(context: ActionContext, incident: IncidentInChannel): Promise<ActionItemView[]> {
  const rows = await listIncidentItems(context.db, context.workspaceId, incident.row.id);
  const views = rows.map(actionItemView);
  const rank = (item: ActionItemView) => (item.status === 'open' ? 0 : 1);
  return views.sort((a, b) => rank(a) - rank(b) || a.number - b.number);
}

/** Which item a change is about: a button's item id, or an incident's item number from a command. */
export type ItemRef = { itemId: number } | { incident: IncidentInChannel; number: number };

/** Done (`/postmortem done <n>` or the Done button): the item's owner, its creator or the postmortem owner. */
export async function completeActionItem(context: ActionContext, ref: ItemRef): Promise<ActionItemView> {
  return changeItem(context, ref, 'item_update', async ({ item }) => {
    const change = completeItem(item, context.now);
    return { change, audit: 'action_item.done', detail: {} };
  });
}

/** `/postmortem cancel <n> <reason>`: the postmortem owner or the commander; the reason is kept. */
export async function cancelActionItem(context: ActionContext, ref: ItemRef, reason: string): Promise<ActionItemView> {
  const why = storableText(reason.trim());
  return changeItem(context, ref, 'item_cancel', async ({ item }) => ({
    change: cancelItem(item, why),
    audit: 'action_item.cancelled',
    detail: { reason: why },
  }));
}

/**
 * Snooze 1 week (no reason). Once the item was snoozed twice or is 30+ days overdue the owner decides
 * instead: a new date with a reason (Edit) or a cancellation — snoozing again would only hide it.
 */
export async function snoozeActionItem(context: ActionContext, ref: ItemRef): Promise<ActionItemView> {
  return changeItem(context, ref, 'item_update', async ({ item, ownerToday }) => {
    if (needsDecision(item, ownerToday)) {
      return {
        change: {
          ok: false,
          message: `#${item.number} was snoozed twice or is long overdue: give it a new date with a reason (Edit), or ask the postmortem owner to cancel it.`,
        },
        audit: '',
        detail: {},
      };
    }
    const change = snoozeItem(item, ownerToday);
    return { change, audit: 'action_item.snoozed', detail: { dueDate: change.ok ? change.item.dueDate : null } };
  });
}

/** Mute (or unmute): no more reminders for the item; it still shows in lists. */
export async function muteActionItem(context: ActionContext, ref: ItemRef): Promise<ActionItemView> {
  return changeItem(context, ref, 'item_update', async ({ item }) => {
    if (item.status !== 'open') return { change: notOpen(item), audit: '', detail: {} };
    const muted = !item.muted;
    return {
      change: { ok: true, item: { ...item, muted } },
      audit: muted ? 'action_item.muted' : 'action_item.unmuted',
      detail: {},
    };
  });
}

/** Reassign: the new owner must be a person of the workspace; they are told by DM. */
export async function reassignActionItem(
  context: ActionContext,
  ref: ItemRef,
  newOwnerId: string,
): Promise<ActionItemView> {
  await requireOwner(context, newOwnerId);
  const item = await changeItem(context, ref, 'item_update', async ({ item }) => {
    if (item.status !== 'open') return { change: notOpen(item), audit: '', detail: {} };
    if (item.ownerId === newOwnerId) {
      return {
        change: { ok: false, message: `<@${newOwnerId}> already owns #${item.number}.` },
        audit: '',
        detail: {},
      };
    }
    return {
      change: { ok: true, item: { ...item, ownerId: newOwnerId } },
      audit: 'action_item.reassigned',
      detail: { from: item.ownerId, to: newOwnerId },
    };
  });
  if (newOwnerId !== context.actor.userId) await tellOwner(context, item, true);
  return item;
}

/** What the Edit modal submits; every field as it should be afterwards. */
export interface ItemEdit {
  expectedVersion: number;
  text: string;
  ownerId: string;
  /** A <when> in the owner's zone; empty: no due date (allowed for low priority only). */
  dueText: string;
  priority: ActionItemPriority;
  ticketUrl: string | null;
  /** Why the date moves; required when the digest asked for a decision (snoozed twice or 30+ days overdue). */
  reason: string;
}

/** The item the Edit modal starts from: database only, so it can run before `views.open` spends the trigger. */
export async function actionItemForEdit(scope: Scope, itemId: number): Promise<ActionItemView> {
  const row = await findActionItemById(scope.db, scope.workspaceId, itemId);
  if (!row) throw new UserFacingError('That action item no longer exists in this workspace.');
  return actionItemView(row);
}

/**
 * Edit (text, owner, due date, priority, ticket) if the item is still the version the modal opened;
 * otherwise the editor is told and sees the newer item. A new date on an item that needed a decision is
 * recorded with its reason and starts the snooze count again.
 */
export async function editActionItem(context: ActionContext, itemId: number, edit: ItemEdit): Promise<ActionItemView> {
  const text = storableText(edit.text.replace(/\s+/g, ' ').trim());
  if (text === '') throw new UserFacingError('Say what needs doing.', { field: 'text' });
  const ticketUrl = edit.ticketUrl === null || edit.ticketUrl.trim() === '' ? null : edit.ticketUrl.trim();
  if (ticketUrl !== null && !isWebLink(ticketUrl)) {
    throw new UserFacingError('Give an http or https link, e.g. https://jira.example.com/browse/OPS-12', {
      field: 'ticket',
    });
  }
  const current = await actionItemForEdit(context, itemId);
  const owner =
    edit.ownerId === current.ownerId
      ? await context.slack.lookupUser(context.workspace, edit.ownerId)
      : await requireOwner(context, edit.ownerId, 'owner');
  const dueDate =
    edit.dueText.trim() === ''
      ? null
      : parseDueDate(context, edit.dueText, owner, '`friday`, `in 2 weeks` or `2026-12-01`', 'due', current.dueDate);
  if (dueDate === null && edit.priority !== 'low') {
    throw new UserFacingError('High and medium items need a due date; only low priority (backlog) may have none.', {
      field: 'due',
    });
  }
  const reason = storableText(edit.reason.trim());
  const updated = await changeItem(
    context,
    { itemId },
    'item_update',
    async ({ item, ownerToday }) => {
      if (item.status !== 'open') return { change: notOpen(item), audit: '', detail: {} };
      let next: ActionItem = { ...item, text, ownerId: edit.ownerId, priority: edit.priority, ticketUrl };
      const changes: Record<string, unknown> = {};
      if (dueDate !== item.dueDate) {
        if (needsDecision(item, ownerToday) && dueDate !== null) {
          const redated = redateItem(next, dueDate, reason, ownerToday);
          if (!redated.ok) throw new UserFacingError(redated.message, { field: reason === '' ? 'reason' : 'due' });
          next = redated.item;
          changes.reason = reason;
        } else {
          next = { ...next, dueDate };
          if (reason !== '') changes.reason = reason;
        }
        changes.dueDate = { from: item.dueDate, to: dueDate };
      }
      if (text !== item.text) changes.text = true;
      if (edit.ownerId !== item.ownerId) changes.owner = { from: item.ownerId, to: edit.ownerId };
      if (edit.priority !== item.priority) changes.priority = { from: item.priority, to: edit.priority };
      if (ticketUrl !== item.ticketUrl) changes.ticketUrl = ticketUrl;
      return { change: { ok: true, item: next }, audit: 'action_item.edited', detail: changes };
    },
    edit.expectedVersion,
  );
  if (updated.ownerId !== current.ownerId && updated.ownerId !== context.actor.userId) {
    await tellOwner(context, updated, true);
  }
  return updated;
}

// ---- the shared path of every change -------------------------------------------------------------

interface ChangeInput {
  item: ActionItem;
  row: ActionItemRow;
  /** The owner's local date: snoozes and decisions count in their days. */
  ownerToday: IsoDate;
}

interface Decided {
  change: ItemChange;
  audit: string;
  detail: Record<string, unknown>;
}

/**
 * Finds the item in this workspace, locks it, checks the actor's permission, applies the domain's change,
 * stores it with an audit record, and closes a published postmortem whose last open item this was.
 */
async function changeItem(
  context: ActionContext,
  ref: ItemRef,
  action: 'item_update' | 'item_cancel',
  decide: (input: ChangeInput) => Promise<Decided>,
  expectedVersion?: number,
): Promise<ActionItemView> {
  const found = await findItem(context, ref);
  const owner = await ownerFor(context, found.owner_id);
  const ownerToday = dateInZone(context.now, owner?.timeZone ?? null);
  const incident = await findIncidentById(context.db, context.workspaceId, found.incident_id);
  if (!incident) throw new UserFacingError('That action item no longer exists in this workspace.');
  const summary = await loadIncidentSummary(context.db, incident);
  const changed = await inTransaction(context.db, async (trx) => {
    const row = await lockActionItem(trx, found.id);
    if (!row) throw new UserFacingError('That action item no longer exists in this workspace.');
    const postmortem = await findPostmortemForUpdate(trx, incident.id);
    const permission = postmortemPermission(action, {
      actor: context.actor,
      // Neither item permission depends on channel membership (SPEC 2): no Slack call on every click.
      isChannelMember: false,
      commanderId: summary.roles.commander ?? null,
      ownerId: postmortem?.owner_id ?? null,
      item: { ownerId: row.owner_id, createdBy: row.created_by },
    });
    if (!permission.allowed) throw new PermissionDeniedError(permission.reason);
    if (expectedVersion !== undefined && row.version !== expectedVersion) {
      throw new EditConflictError(
        `Someone changed #${row.number} while you were editing. It now reads: “${clip(row.text)}” (owner <@${row.owner_id}>, due ${row.due_date ?? 'none'}). Close this and edit again.`,
        { field: 'text' },
      );
    }
    const decided = await decide({ item: domainItem(row), row, ownerToday });
    if (!decided.change.ok) throw new UserFacingError(decided.change.message);
    const next = decided.change.item;
    const updated = await updateActionItem(trx, row.id, {
      text: next.text,
      owner_id: next.ownerId,
      due_date: next.dueDate,
      priority: next.priority,
      type: next.type,
      status: next.status,
      cancel_reason: next.cancelReason,
      ticket_url: next.ticketUrl,
      muted: next.muted,
      snooze_count: next.snoozeCount,
      done_at: next.doneAt,
    });
    if (!updated) throw new Error('the locked action item could not be updated');
    await recordAudit(trx, context, incident.id, decided.audit, {
      itemId: row.id,
      number: row.number,
      ...decided.detail,
    });
    if (
      next.status !== 'open' &&
      postmortem?.status === 'published' &&
      (await countOpenItems(trx, incident.id)) === 0
    ) {
      // SPEC 4: closed when published and every action item is done or cancelled.
      await updatePostmortem(trx, postmortem.id, { status: 'closed' }, context.now);
      await recordAudit(trx, context, incident.id, 'postmortem.closed', {
        reason: 'every action item is done or cancelled',
      });
    }
    return updated;
  });
  const reread = await findActionItemById(context.db, context.workspaceId, changed.id);
  if (!reread) throw new Error('the action item vanished after it was changed');
  return actionItemView(reread);
}

async function findItem(context: ActionContext, ref: ItemRef): Promise<ActionItemInContext> {
  if ('itemId' in ref) {
    const row = await findActionItemById(context.db, context.workspaceId, ref.itemId);
    if (!row) throw new UserFacingError('That action item no longer exists in this workspace.');
    return row;
  }
  const row = await findActionItemByNumber(context.db, context.workspaceId, ref.incident.row.id, ref.number);
  if (!row) {
    throw new UserFacingError(
      `Incident #${ref.incident.row.number} has no action item #${ref.number}. \`/postmortem #${ref.incident.row.number} actions\` lists them.`,
    );
  }
  return row;
}

/** The item owner as Slack describes them; undefined when Slack cannot say right now (their zone is then UTC). */
async function ownerFor(context: ActionContext, ownerId: string): Promise<SlackUser | undefined> {
  try {
    return await context.slack.lookupUser(context.workspace, ownerId);
  } catch {
    return undefined;
  }
}

function domainItem(row: ActionItemRow): ActionItem {
  return {
    number: row.number,
    text: row.text,
    ownerId: row.owner_id,
    dueDate: row.due_date,
    priority: row.priority,
    type: row.type,
    status: row.status,
    cancelReason: row.cancel_reason,
    ticketUrl: row.ticket_url,
    createdBy: row.created_by,
    createdAt: row.created_at,
    doneAt: row.done_at,
    muted: row.muted,
    snoozeCount: row.snooze_count,
  };
}

function notOpen(item: ActionItem): ItemChange {
  return {
    ok: false,
    message: `Action item #${item.number} is ${item.status === 'done' ? 'already done' : 'cancelled'}; nothing to change.`,
  };
}

// ---- owners and dates ----------------------------------------------------------------------------

/**
 * An owner must be able to act on the item: a person of this workspace (not a bot, not deactivated, not a
 * guest or someone from another organisation, who can change nothing in Debrief).
 */
async function requireOwner(context: ActionContext, userId: string, field?: string): Promise<SlackUser> {
  const user = await context.slack.findUser(context.workspace, userId);
  const options = field === undefined ? {} : { field };
  const example = `For example: \`${ACTION_EXAMPLE}\``;
  if (!user) throw new UserFacingError(`<@${userId}> is not a member of this workspace. ${example}`, options);
  if (user.isBot)
    throw new UserFacingError(`<@${userId}> is a bot; an action item needs a person to own it. ${example}`, options);
  if (user.deleted) {
    throw new UserFacingError(
      `<@${userId}> has left the workspace (deactivated); pick someone who can do it. ${example}`,
      options,
    );
  }
  const actor = actorOf(user, context.workspace);
  if (actor.isGuest || actor.isExternal) {
    throw new UserFacingError(
      `<@${userId}> is a guest or from another organisation and could not close the item in Debrief; pick a full member of this workspace. ${example}`,
      options,
    );
  }
  return user;
}

/** A due date read in the owner's zone, looking forward: a past date is refused with the parsed date shown. */
function parseDueDate(
  context: ActionContext,
  text: string,
  owner: SlackUser,
  example: string,
  field?: string,
  unchanged?: IsoDate | null,
): IsoDate {
  const zone = resolveZone(owner.timeZone);
  // The Edit modal shows the stored date: keeping it is no new date, even once it has passed.
  if (unchanged && text.trim() === unchanged) return unchanged;
  const parsed = parseWhen(text, { now: context.now, timeZone: zone, direction: 'future', example });
  if (!parsed.ok) {
    const whose = owner.id === context.actor.userId ? '' : ` (read in <@${owner.id}>'s time zone, ${zone})`;
    throw new UserFacingError(`Due date${whose}: ${parsed.message}`, field === undefined ? {} : { field });
  }
  return dateInZone(parsed.at, zone);
}

function isWebLink(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const protocol = new URL(text).protocol;
  return protocol === 'http:' || protocol === 'https:';
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

async function tellOwner(context: ActionContext, item: ActionItemView, reassigned: boolean): Promise<void> {
  // The item is stored whatever Slack says: a failed DM must not undo it or fail the command.
  try {
    await context.slack.sendDirect(context.workspace, item.ownerId, {
      kind: 'action_item_assigned',
      item,
      by: context.actor.userId,
      reassigned,
    });
  } catch {
    // Best effort: the owner sees the item in their digest and on the Home tab.
  }
}
