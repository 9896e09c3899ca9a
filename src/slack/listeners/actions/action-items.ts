import type { BlockAction, ButtonAction, RespondFn, UsersSelectAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { needsDecision } from '../../../domain/action-items';
import { dateInZone } from '../../../domain/business-days';
import {
  type ActionItemView,
  actionItemForEdit,
  completeActionItem,
  listActionItems,
  muteActionItem,
  reassignActionItem,
  snoozeActionItem,
} from '../../../services/action-items';
import type { ActionContext } from '../../../services/context';
import { homeFor } from '../../../services/home';
import { incidentById } from '../../../services/incidents';
import { incidentForPostmortem } from '../../../services/postmortems';
import { ActionItemIds, actionItemEditMetadata, actionItemPageValue, itemIdOf } from '../../action-item-ids';
import { actionItemEditModal, actionItemListMessage, itemChangedText } from '../../blocks/action-items';
import { homeTab } from '../../blocks/home';
import type { SlackDeps } from '../../deps';
import { encodeMetadata } from '../../modal-metadata';
import type { SlackRoutes } from '../../routes';
import { interactionListener } from '../../surfaces';
import { safeJson } from '../views/fields';

type ItemChange = (context: ActionContext, itemId: number) => Promise<ActionItemView>;

const BUTTONS: [actionId: string, change: ItemChange, kind: 'done' | 'snoozed' | 'muted'][] = [
  [ActionItemIds.done, (context, itemId) => completeActionItem(context, { itemId }), 'done'],
  [ActionItemIds.snooze, (context, itemId) => snoozeActionItem(context, { itemId }), 'snoozed'],
  [ActionItemIds.mute, (context, itemId) => muteActionItem(context, { itemId }), 'muted'],
];

/**
 * The buttons on every open item — in `/postmortem actions`, the digest DM, the note to a new owner and
 * the Home tab: Done, Snooze 1 week, Mute (value = item id), Reassign (a users_select in the item's
 * `action_item_<id>` block), Edit (opens the modal), and the list's pages. Who may press them is the
 * use case's to decide.
 */
export function registerActionItemActions(routes: SlackRoutes, deps: SlackDeps): void {
  for (const [actionId, change, kind] of BUTTONS) {
    routes.action<BlockAction<ButtonAction>>(
      actionId,
      interactionListener(deps, async ({ action, body, respond, client, request }) => {
        const itemId = itemIdOf(action.value);
        if (itemId === undefined) return;
        const context = await request.act();
        const item = await change(context, itemId);
        await answer({ body, respond, client, context }, itemChangedText(kind, item));
      }),
    );
  }

  routes.action<BlockAction<UsersSelectAction>>(
    ActionItemIds.reassign,
    interactionListener(deps, async ({ action, body, respond, client, request }) => {
      const itemId = itemIdOf(action.block_id);
      if (itemId === undefined || !action.selected_user) return;
      const context = await request.act();
      const item = await reassignActionItem(context, { itemId }, action.selected_user);
      await answer({ body, respond, client, context }, itemChangedText('reassigned', item));
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ActionItemIds.edit,
    interactionListener(deps, async ({ action, body, client, request }) => {
      const itemId = itemIdOf(action.value);
      if (itemId === undefined) return;
      // A trigger_id lives 3 s: only the database before views.open; the submission checks who may edit.
      const scope = await request.scope();
      const item = await actionItemForEdit(scope, itemId);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: actionItemEditModal({
          item,
          // The modal's wording only; the use case decides with the owner's own date.
          needsDecision: needsDecision(item, dateInZone(scope.now, null)),
          privateMetadata: encodeMetadata(actionItemEditMetadata, {
            itemId,
            version: item.version,
            channelId: body.channel?.id ?? null,
          }),
        }),
      });
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ActionItemIds.page,
    interactionListener(deps, async ({ action, respond, request }) => {
      const value = actionItemPageValue.safeParse(safeJson(action.value));
      if (!value.success) return;
      const context = await request.act();
      const found = await incidentById(context, value.data.incidentId);
      // A private incident's items are shown only to its channel's members.
      const incident = found.row.is_private
        ? await incidentForPostmortem(context, { channelId: null, number: found.row.number }, '/postmortem actions')
        : found;
      const items = await listActionItems(context, incident);
      const message = actionItemListMessage({
        incident: { id: incident.row.id, number: incident.row.number },
        items,
        page: value.data.page,
      });
      await respond({ replace_original: true, response_type: 'ephemeral', ...message });
    }),
  );
}

interface Answerable {
  body: BlockAction;
  respond: RespondFn | undefined;
  client: WebClient;
  context: ActionContext;
}

/**
 * Tells the person what changed: in the conversation the button was in, or — clicked on the Home tab,
 * which has no response URL — by publishing their Home again with the change in it.
 */
async function answer({ body, respond, client, context }: Answerable, text: string): Promise<void> {
  if (body.view?.type === 'home' || !respond) {
    await client.views.publish({ user_id: context.actor.userId, view: homeTab(await homeFor(context)) });
    return;
  }
  await respond({ response_type: 'ephemeral', replace_original: false, text });
}
