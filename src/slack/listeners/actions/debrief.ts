import type { BlockAction, ButtonAction } from '@slack/bolt';
import { cancelDebrief, pickDebriefSlot } from '../../../services/debriefs';
import { incidentById } from '../../../services/incidents';
import {
  cancelAnswer,
  DebriefBlockPrefixes,
  instantOfValue,
  parseDebriefPickBlockId,
  scheduleAnswer,
  slotUtc,
} from '../../blocks/debrief';
import { mention } from '../../blocks/format';
import type { SlackDeps } from '../../deps';
import { ActionIds, incidentIdInBlock } from '../../ids';
import type { SlackRoutes } from '../../routes';
import { interactionListener } from '../../surfaces';

/** `debrief_pick` on the proposals and `debrief_cancel` on the confirmation. */
export function registerDebriefActions(routes: SlackRoutes, deps: SlackDeps): void {
  routes.action<BlockAction<ButtonAction>>(
    ActionIds.debriefPick,
    interactionListener(deps, async ({ action, respond, request }) => {
      const target = parseDebriefPickBlockId(action.block_id);
      const start = instantOfValue(action.value);
      if (!target || !start) return;
      const context = await request.act();
      const outcome = await pickDebriefSlot(context, { ...target, start });
      // The proposals are answered: replace them for everyone, so nobody picks from an old list.
      await respond({
        replace_original: true,
        response_type: 'in_channel',
        text: `:calendar: ${mention(context.actor.userId)} picked ${slotUtc(outcome.start, outcome.end)} for the debrief of #${outcome.incidentNumber}${outcome.previousStart ? ' (moved)' : ''}. The agenda follows.`,
      });
      const answer = scheduleAnswer(outcome);
      await respond({ replace_original: false, response_type: 'ephemeral', text: answer.text });
    }),
  );

  routes.action<BlockAction<ButtonAction>>(
    ActionIds.debriefCancel,
    interactionListener(deps, async ({ action, respond, request }) => {
      const incidentId = incidentIdInBlock(DebriefBlockPrefixes.cancel, action.block_id);
      const expectedStart = instantOfValue(action.value);
      if (incidentId === undefined || !expectedStart) return;
      const context = await request.act();
      const incident = await incidentById(context, incidentId);
      const outcome = await cancelDebrief(context, incident, { expectedStart });
      await respond({
        replace_original: false,
        response_type: 'in_channel',
        text: `:x: ${mention(context.actor.userId)} cancelled the debrief of #${outcome.incidentNumber}.`,
      });
      await respond({ replace_original: false, response_type: 'ephemeral', text: cancelAnswer(outcome).text });
    }),
  );
}
