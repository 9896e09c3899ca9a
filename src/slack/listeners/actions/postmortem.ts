import type { BlockAction, ButtonAction, StaticSelectAction, UsersSelectAction } from '@slack/bolt';
import { SECTION_KEYS, type SectionKey } from '../../../domain/postmortem';
import { incidentById } from '../../../services/incidents';
import {
  acceptOwnership,
  approvePostmortem,
  assignOwner,
  handOverOwnership,
  incidentForPostmortem,
} from '../../../services/postmortems';
import { mention } from '../../blocks/format';
import type { SlackDeps } from '../../deps';
import { ActionIds, IncidentBlockPrefixes, incidentIdInBlock } from '../../ids';
import type { SlackRoutes } from '../../routes';
import { interactionListener } from '../../surfaces';
import { openSectionModal } from '../views/postmortem-section';

/** The owner prompt's picker, the checklist's Accept / Hand over, a reviewer's Approve and the section picker. */
export function registerPostmortemActions(routes: SlackRoutes, deps: SlackDeps): void {
  routes.action<BlockAction<UsersSelectAction>>(
    ActionIds.postmortemOwnerSelect,
    interactionListener(deps, async ({ action, respond, request }) => {
      const incidentId = incidentIdInBlock(IncidentBlockPrefixes.postmortemOwner, action.block_id);
      if (incidentId === undefined || !action.selected_user) return;
      const context = await request.act();
      const incident = await incidentById(context, incidentId);
      const assignment = await assignOwner(context, incident, { ownerId: action.selected_user, dueText: null });
      const by = context.actor.userId;
      const who =
        assignment.ownerId === by
          ? `${mention(by)} took the postmortem of #${incident.row.number}`
          : `${mention(by)} asked ${mention(assignment.ownerId)} to own the postmortem of #${incident.row.number}`;
      // The prompt is answered: replace it for everyone, so nobody picks a second owner from it.
      await respond({
        replace_original: true,
        response_type: 'in_channel',
        text: `:memo: ${who}, due ${assignment.dueDate}.`,
      });
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ActionIds.postmortemAccept,
    interactionListener(deps, async ({ action, respond, request }) => {
      const incidentId = buttonIncidentId(action);
      if (incidentId === undefined) return;
      const context = await request.act();
      const { incident, postmortem } = await acceptOwnership(context, incidentId);
      const number = incident.number;
      await respond({
        replace_original: true,
        text:
          `:white_check_mark: You accepted the postmortem of incident #${number}` +
          `${postmortem.due_date ? `, due ${postmortem.due_date}` : ''}. ` +
          `\`/postmortem #${number} show\` shows what is missing; \`/postmortem #${number} edit\` opens a section.`,
      });
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ActionIds.postmortemHandOver,
    interactionListener(deps, async ({ action, respond, request }) => {
      const incidentId = buttonIncidentId(action);
      if (incidentId === undefined) return;
      const context = await request.act();
      const { incident } = await handOverOwnership(context, incidentId);
      await respond({
        replace_original: true,
        text: `You handed over the postmortem of incident #${incident.number}; its channel has been asked who will own it.`,
      });
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ActionIds.postmortemApprove,
    interactionListener(deps, async ({ action, respond, request }) => {
      const incidentId = buttonIncidentId(action);
      if (incidentId === undefined) return;
      const context = await request.act();
      const { incident, first } = await approvePostmortem(context, incidentId);
      await respond({
        replace_original: true,
        text: first
          ? `:white_check_mark: You approved the postmortem of incident #${incident.number}. Thank you for reviewing.`
          : `You had already approved the postmortem of incident #${incident.number}.`,
      });
    }),
  );

  routes.action<BlockAction<StaticSelectAction>>(
    ActionIds.postmortemSectionPick,
    interactionListener(deps, async ({ action, body, client, request }) => {
      const incidentId = incidentIdInBlock(IncidentBlockPrefixes.postmortemSectionPick, action.block_id);
      const section = sectionKeyOf(action.selected_option?.value);
      if (incidentId === undefined || section === undefined) return;
      // As for `/postmortem edit <section>`: only the database before views.open spends the trigger.
      const context = await request.beforeModal();
      const found = await incidentById(context, incidentId);
      // A private incident's postmortem is shown only to its channel's members (the use case checks).
      const incident = found.row.is_private
        ? await incidentForPostmortem(context, { channelId: null, number: found.row.number }, '/postmortem edit')
        : found;
      await openSectionModal(client, body.trigger_id, context, incident, section);
    }),
  );
}

/** The checklist's and the review request's buttons carry the incident id as their value. */
function buttonIncidentId(action: ButtonAction): number | undefined {
  const id = Number(action.value);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

function sectionKeyOf(value: string | undefined): SectionKey | undefined {
  return (SECTION_KEYS as readonly string[]).includes(value ?? '') ? (value as SectionKey) : undefined;
}
