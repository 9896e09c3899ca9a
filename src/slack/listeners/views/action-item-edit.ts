import { z } from 'zod';
import { ACTION_ITEM_PRIORITIES } from '../../../domain/action-items';
import { editActionItem } from '../../../services/action-items';
import { ActionItemEditIds, actionItemEditMetadata } from '../../action-item-ids';
import { itemChangedText } from '../../blocks/action-items';
import { escapeMrkdwn } from '../../blocks/format';
import type { SlackDeps } from '../../deps';
import { decodeMetadata } from '../../modal-metadata';
import type { SlackRoutes } from '../../routes';
import { viewListener } from '../../surfaces';
import { fieldErrors, fieldValue, selectedValue } from './fields';

const optionalText = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .optional()
    .transform((v) => v ?? '');

/** What the Edit modal may submit; the use case checks the rest (dates in the owner's zone, permissions). */
const editForm = z.object({
  [ActionItemEditIds.text]: z
    .string({ message: 'Say what needs doing.' })
    .trim()
    .min(1, 'Say what needs doing.')
    .max(3000, 'Keep it under 3,000 characters; link a ticket for the details.'),
  [ActionItemEditIds.owner]: z.string({ message: 'Pick the owner.' }).regex(/^[UW][A-Z0-9]+$/, 'Pick the owner.'),
  [ActionItemEditIds.due]: optionalText(100, 'Give a date such as `friday`, `in 2 weeks` or `2026-12-01`.'),
  [ActionItemEditIds.priority]: z.enum(ACTION_ITEM_PRIORITIES, { message: 'Pick a priority.' }),
  [ActionItemEditIds.ticket]: optionalText(2000, 'Keep the link under 2,000 characters.').refine(
    (v) => v === '' || (URL.canParse(v) && ['http:', 'https:'].includes(new URL(v).protocol)),
    'Give an http or https link, e.g. https://jira.example.com/browse/OPS-12',
  ),
  [ActionItemEditIds.reason]: optionalText(500, 'Keep the reason under 500 characters.'),
});

const OUT_OF_DATE = 'This form is out of date; open the item again.';

/** The action item's Edit modal: zod-validated, saved only if nobody changed the item since it opened. */
export function registerActionItemEditView(routes: SlackRoutes, deps: SlackDeps): void {
  routes.view(
    ActionItemEditIds.callback,
    viewListener(deps, ActionItemEditIds.text, async ({ view, request }) => {
      const values = view.state.values;
      const form = editForm.safeParse({
        [ActionItemEditIds.text]: fieldValue(values, ActionItemEditIds.text),
        [ActionItemEditIds.owner]:
          values[ActionItemEditIds.owner]?.[ActionItemEditIds.owner]?.selected_user ?? undefined,
        [ActionItemEditIds.due]: fieldValue(values, ActionItemEditIds.due),
        [ActionItemEditIds.priority]: selectedValue(values, ActionItemEditIds.priority),
        [ActionItemEditIds.ticket]: fieldValue(values, ActionItemEditIds.ticket),
        [ActionItemEditIds.reason]: fieldValue(values, ActionItemEditIds.reason),
      });
      if (!form.success) return { errors: fieldErrors(form.error) };
      const metadata = decodeMetadata(actionItemEditMetadata, view.private_metadata);
      if (!metadata) return { errors: { [ActionItemEditIds.text]: OUT_OF_DATE } };
      const context = await request.act();
      const data = form.data;
      const item = await editActionItem(context, metadata.itemId, {
        expectedVersion: metadata.version,
        // Modal inputs are plain text; stored item texts are Slack-escaped like the command's.
        text: escapeMrkdwn(data[ActionItemEditIds.text]),
        ownerId: data[ActionItemEditIds.owner],
        dueText: data[ActionItemEditIds.due],
        priority: data[ActionItemEditIds.priority],
        ticketUrl: data[ActionItemEditIds.ticket] === '' ? null : data[ActionItemEditIds.ticket],
        reason: data[ActionItemEditIds.reason],
      });
      const message = { kind: 'refused' as const, message: itemChangedText('edited', item) };
      return {
        afterwards: () =>
          context.slack.tellUser(
            context.workspace,
            { userId: context.actor.userId, channelId: metadata.channelId },
            message,
          ),
      };
    }),
  );
}
