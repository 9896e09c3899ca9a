/** The modal the "Add to incident timeline" shortcut opens when the message is outside an incident channel. */

import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { BlockIds, CallbackIds } from '../ids';
import { displayText, mrkdwn, plainText, truncate, unescapeEntities } from './format';

/** Slack allows 100 options in a static select. */
export const MAX_SELECT_OPTIONS = 100;
/** Slack caps an option's text at 75 characters. */
const OPTION_TEXT_MAX = 75;
const PREVIEW_MAX = 500;

export interface PickableIncident {
  id: number;
  number: number;
  title: string;
}

/**
 * Asks which active incident the captured message belongs to. Pass the incidents most relevant
 * first: beyond 100 the rest are left out and the modal says so. The selected option's value is
 * the incident id.
 */
export function pickIncidentModal(input: {
  incidents: PickableIncident[];
  messagePreview: string;
  privateMetadata: string;
}): ModalView {
  const base = {
    type: 'modal' as const,
    callback_id: CallbackIds.addToTimelinePick,
    private_metadata: input.privateMetadata,
    title: plainText('Add to timeline'),
    close: plainText('Cancel'),
  };
  const preview = previewBlock(input.messagePreview);
  if (input.incidents.length === 0) {
    // No input block, so no submit button: there is nothing to choose.
    return { ...base, blocks: [preview, noIncidentsBlock()] };
  }
  return { ...base, submit: plainText('Add'), blocks: [preview, ...incidentSelect(input.incidents)] };
}

function previewBlock(messagePreview: string): KnownBlock {
  const quoted = messagePreview.trim() === '' ? '_(no text)_' : displayText(messagePreview, PREVIEW_MAX);
  return { type: 'section', text: mrkdwn(`>${quoted.replace(/\n/g, '\n>')}`) };
}

function noIncidentsBlock(): KnownBlock {
  return {
    type: 'section',
    text: mrkdwn(
      'There is no active incident you can add this to. Declare one with `/incident start sev2 Checkout returns 500s`.',
    ),
  };
}

function incidentSelect(incidents: PickableIncident[]): KnownBlock[] {
  const options = incidents.slice(0, MAX_SELECT_OPTIONS).map(incidentOption);
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: BlockIds.incident,
      label: plainText('Incident'),
      element: {
        type: 'static_select',
        action_id: BlockIds.incident,
        placeholder: plainText('Choose an incident'),
        options,
        // With a single candidate there is nothing to decide; pre-select it.
        ...(options.length === 1 ? { initial_option: options[0] } : {}),
      },
    },
  ];
  if (incidents.length > MAX_SELECT_OPTIONS) {
    const text = `Showing ${MAX_SELECT_OPTIONS} of ${incidents.length} active incidents. For another one, use \`/incident timeline\` in its channel.`;
    blocks.push({ type: 'context', elements: [mrkdwn(text)] });
  }
  return blocks;
}

function incidentOption(incident: PickableIncident): PlainTextOption {
  const label = `#${incident.number} ${unescapeEntities(incident.title)}`;
  return { text: plainText(truncate(label, OPTION_TEXT_MAX, '…')), value: String(incident.id) };
}
