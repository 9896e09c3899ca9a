/** The incident card and the modals to declare an incident and to correct or delete a timeline entry. */

import type { ContextBlock, KnownBlock, ModalView, PlainTextOption, SectionBlock } from '@slack/types';
import {
  type IncidentStatus,
  type IncidentSummary,
  MILESTONE_KINDS,
  type MilestoneKind,
  ROLES,
  type Role,
  SEVERITIES,
  type Severity,
  type TimelineEntryView,
} from '../../domain/types';
import { BlockIds, CallbackIds } from '../ids';
import {
  cutSafely,
  displayText,
  escapeMrkdwn,
  isoUtc,
  mention,
  mrkdwn,
  plainText,
  quoteUserText,
  slackDate,
  truncate,
  unescapeEntities,
} from './format';
import { entryByline, renderEntryText } from './timeline';

/** Slack's limits that these builders write up to. */
const HEADER_MAX = 150;
const MODAL_MAX_BLOCKS = 100;
const MODAL_TEXT_INPUT_MAX = 3_000;
const TITLE_INPUT_MAX = 150;
/** Old versions are context, not the thing being edited: a few hundred characters each is plenty. */
const HISTORY_TEXT_MAX = 300;
/** Versions listed before "… N older versions"; keeps the modal readable and far below Slack's limits. */
const HISTORY_VERSIONS_MAX = 30;

const SEVERITY_LABELS: Record<Severity, string> = {
  sev1: ':red_circle: SEV1',
  sev2: ':large_orange_circle: SEV2',
  sev3: ':large_yellow_circle: SEV3',
  sev4: ':large_blue_circle: SEV4',
};

const SEVERITY_DESCRIPTIONS: Record<Severity, string> = {
  sev1: 'SEV1 · critical, customer-facing outage',
  sev2: 'SEV2 · major, significant degradation',
  sev3: 'SEV3 · minor, limited impact',
  sev4: 'SEV4 · low, no customer impact',
};

const STATUS_LABELS: Record<IncidentStatus, string> = {
  investigating: 'Investigating',
  resolved: 'Resolved',
  false_alarm: 'False alarm',
  duplicate: 'Duplicate',
};

const STATUS_EMOJI: Record<IncidentStatus, string> = {
  investigating: ':mag:',
  resolved: ':white_check_mark:',
  false_alarm: ':information_source:',
  duplicate: ':link:',
};

const ROLE_LABELS: Record<Role, string> = { commander: 'Commander', comms: 'Comms', scribe: 'Scribe' };

const MILESTONE_LABELS: Record<MilestoneKind, string> = {
  started: 'Started',
  detected: 'Detected',
  acknowledged: 'Acknowledged',
  mitigated: 'Mitigated',
  resolved: 'Resolved',
};

/** Where the start modal declares the incident. */
export const START_WHERE = ['new', 'private', 'here'] as const;
export type StartWhere = (typeof START_WHERE)[number];

const WHERE_LABELS: Record<StartWhere, string> = {
  new: 'Create a new channel',
  private: 'Create a new private channel',
  here: 'Use this channel',
};

/** One earlier version of a timeline entry, as the edit modal lists it. */
export interface EntryRevisionView {
  text: string;
  occurredAt: Date;
  /** A `RevisionChange` (`edited`, `edited_in_slack`, `removed`, `restored`) or another word to show as is. */
  change: string;
  changedBy: string;
  changedAt: Date;
}

const CHANGE_LABELS = new Map<string, string>([
  ['edited', 'Edited'],
  ['edited_in_slack', 'Edited in Slack'],
  ['removed', 'Deleted'],
  ['restored', 'Restored'],
]);

// ---- incident card -----------------------------------------------------------------------------

/** The incident card: title, severity, status, roles, milestones and who declared it when. */
export function incidentCard(incident: IncidentSummary): { text: string; blocks: KnownBlock[] } {
  const name = `#${incident.number} ${incident.title}`;
  return {
    // The fallback text is what notifies: the title is quoted so `<!channel>` in it pings nobody.
    text: `Incident ${quoteUserText(name)} · ${incident.severity.toUpperCase()} · ${STATUS_LABELS[incident.status]}`,
    blocks: [
      // Header text is plain: decode Slack's entities so `A &amp; B` reads `A & B`.
      { type: 'header', text: plainText(truncate(unescapeEntities(name), HEADER_MAX, '…')) },
      { type: 'section', fields: [...summaryFields(incident), ...roleFields(incident)] },
      { type: 'section', text: mrkdwn(milestoneLines(incident)) },
      declaredContext(incident),
    ],
  };
}

function summaryFields(incident: IncidentSummary) {
  const channel = incident.channelId ? `<#${incident.channelId}>` : '_none yet_';
  return [
    mrkdwn(`*Severity*\n${SEVERITY_LABELS[incident.severity]}`),
    mrkdwn(`*Status*\n${STATUS_EMOJI[incident.status]} ${STATUS_LABELS[incident.status]}`),
    mrkdwn(`*Channel*\n${channel}${incident.isPrivate ? ' :lock:' : ''}`),
  ];
}

function roleFields(incident: IncidentSummary) {
  return ROLES.map((role) => {
    const holder = incident.roles[role];
    return mrkdwn(`*${ROLE_LABELS[role]}*\n${holder ? mention(holder) : '_unassigned_'}`);
  });
}

function milestoneLines(incident: IncidentSummary): string {
  const lines = MILESTONE_KINDS.flatMap((kind) => {
    const at = incident.milestones[kind];
    return at ? [`*${MILESTONE_LABELS[kind]}* ${slackDate(at)}`] : [];
  });
  return lines.length > 0 ? lines.join('\n') : '_No milestones yet._ Set one with `/incident milestone detected 09:02`';
}

function declaredContext(incident: IncidentSummary): ContextBlock {
  return {
    type: 'context',
    elements: [mrkdwn(`Declared by ${mention(incident.declaredBy)} ${slackDate(incident.declaredAt)}`)],
  };
}

// ---- start modal -------------------------------------------------------------------------------

/**
 * The form `/incident start` opens without text. "Use this channel" is left out when run from a DM
 * (channel ids starting with `D`), where an incident cannot live.
 */
export function startIncidentModal(input: { channelId: string; privateMetadata: string }): ModalView {
  const where = START_WHERE.filter((choice) => choice !== 'here' || !input.channelId.startsWith('D'));
  const whereOptions = where.map((choice) => option(WHERE_LABELS[choice], choice));
  const severityOptions = SEVERITIES.map((severity) => option(SEVERITY_DESCRIPTIONS[severity], severity));
  return {
    type: 'modal',
    callback_id: CallbackIds.incidentStart,
    private_metadata: input.privateMetadata,
    title: plainText('Declare an incident'),
    submit: plainText('Declare'),
    close: plainText('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: BlockIds.title,
        label: plainText('Title'),
        hint: plainText('What is broken, as customers see it. It also names the channel.'),
        element: {
          type: 'plain_text_input',
          action_id: BlockIds.title,
          max_length: TITLE_INPUT_MAX,
          placeholder: plainText('Checkout returns 500s'),
        },
      },
      {
        type: 'input',
        block_id: BlockIds.severity,
        label: plainText('Severity'),
        element: {
          type: 'static_select',
          action_id: BlockIds.severity,
          options: severityOptions,
          initial_option: severityOptions[2],
        },
      },
      {
        type: 'input',
        block_id: BlockIds.where,
        label: plainText('Where'),
        element: {
          type: 'radio_buttons',
          action_id: BlockIds.where,
          options: whereOptions,
          initial_option: whereOptions[0],
        },
      },
    ],
  };
}

function option(text: string, value: string): PlainTextOption {
  return { text: plainText(text), value };
}

// ---- edit and delete a timeline entry ----------------------------------------------------------

const WHEN_HINT =
  'UTC in ISO-8601 as shown, or 09:05 (your time zone), 09:05 UTC, 2026-11-20 09:05, 2026-11-20 09:05 UTC, 10m ago, 2h ago.';

/**
 * The Edit modal of a timeline entry: its text and time, then its earlier versions newest first.
 * The text input shows what the person typed (Slack's `&lt;` entities decoded); the submitted value
 * is plain text again, to be escaped with `escapeMrkdwn` before it is stored.
 */
export function editTimelineEntryModal(input: {
  entry: TimelineEntryView;
  history: EntryRevisionView[];
  privateMetadata: string;
}): ModalView {
  const { entry } = input;
  const fullText = unescapeEntities(entry.text);
  const initialText = cutSafely(fullText, MODAL_TEXT_INPUT_MAX);
  const blocks: KnownBlock[] = [
    contextBlock(entryByline(entry)),
    {
      type: 'input',
      block_id: BlockIds.text,
      label: plainText('Text'),
      element: {
        type: 'plain_text_input',
        action_id: BlockIds.text,
        multiline: true,
        max_length: MODAL_TEXT_INPUT_MAX,
        // A tombstone has no text left: leave the box empty rather than send an empty initial_value.
        ...(initialText === '' ? {} : { initial_value: initialText }),
      },
    },
    {
      type: 'input',
      block_id: BlockIds.when,
      label: plainText('When'),
      hint: plainText(WHEN_HINT),
      element: {
        type: 'plain_text_input',
        action_id: BlockIds.when,
        initial_value: isoUtc(entry.occurredAt),
      },
    },
  ];
  if (initialText.length < fullText.length) {
    blocks.push(
      contextBlock(
        `:warning: This entry has ${fullText.length.toLocaleString('en-US')} characters; only the first ` +
          `${initialText.length.toLocaleString('en-US')} fit in this box, and saving keeps only those.`,
      ),
    );
  }
  blocks.push(...historyBlocks(input.history, MODAL_MAX_BLOCKS - blocks.length));
  return {
    type: 'modal',
    callback_id: CallbackIds.timelineEntryEdit,
    private_metadata: input.privateMetadata,
    title: plainText('Edit timeline entry'),
    submit: plainText('Save'),
    close: plainText('Cancel'),
    blocks,
  };
}

/** History as context blocks, newest first, fitting in `room` blocks with a line for the rest. */
function historyBlocks(history: EntryRevisionView[], room: number): KnownBlock[] {
  if (history.length === 0) return [];
  const newestFirst = [...history].sort((a, b) => b.changedAt.getTime() - a.changedAt.getTime());
  const heading: KnownBlock[] = [{ type: 'divider' }, { type: 'section', text: mrkdwn('*History*') }];
  // One block stays free for the "… N older versions" line.
  const shown = newestFirst.slice(0, Math.min(room - heading.length - 1, HISTORY_VERSIONS_MAX));
  const hidden = newestFirst.length - shown.length;
  const more = hidden > 0 ? [contextBlock(`… ${hidden} older ${hidden === 1 ? 'version' : 'versions'}`)] : [];
  return [...heading, ...shown.map(revisionBlock), ...more];
}

function revisionBlock(revision: EntryRevisionView): ContextBlock {
  const change = CHANGE_LABELS.get(revision.change) ?? escapeMrkdwn(revision.change);
  const before = revision.text.trim() === '' ? '_(no text)_' : displayText(revision.text, HISTORY_TEXT_MAX);
  return contextBlock(
    `*${change}* by ${mention(revision.changedBy)} ${slackDate(revision.changedAt)}\n` +
      `Before: ${slackDate(revision.occurredAt)} ${before}`,
  );
}

/**
 * The confirmation a Delete from the entry menu opens (callback `timeline_entry_delete`). A modal
 * rather than a `confirm` on the overflow, because an overflow's confirm would also guard Edit.
 */
export function confirmDeleteEntryModal(input: { entry: TimelineEntryView; privateMetadata: string }): ModalView {
  return {
    type: 'modal',
    callback_id: CallbackIds.timelineEntryDelete,
    private_metadata: input.privateMetadata,
    title: plainText('Delete entry?'),
    submit: plainText('Delete'),
    close: plainText('Keep it'),
    blocks: [
      { type: 'section', text: mrkdwn(renderEntryText(input.entry)) } satisfies SectionBlock,
      contextBlock(
        'It disappears from the timeline and the postmortem draft. Its text stays in the entry history, ' +
          'so the change can be audited.',
      ),
    ],
  };
}

function contextBlock(text: string): ContextBlock {
  return { type: 'context', elements: [mrkdwn(text)] };
}
