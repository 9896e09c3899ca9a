/**
 * Postmortem messages and modals: asking who owns it, the owner's checklist, a reviewer's request,
 * the `show` view, the section picker and one edit modal per section.
 */

import type { ActionsBlock, ContextBlock, KnownBlock, ModalView, PlainTextOption, SectionBlock } from '@slack/types';
import { severityLabel } from '../../domain/policy';
import {
  type CompletenessCheck,
  type CompletenessReport,
  DATA_LOSS_ANSWERS,
  type DetectedBy,
  type LanguageWarning,
  type PostmortemActionItem,
  type PostmortemDocument,
  type PostmortemSections,
  SECTION_KEYS,
  type SectionKey,
} from '../../domain/postmortem';
import { SECTION_NAMES } from '../../domain/postmortem-command';
import type { Notice } from '../../services/slack-port';
import { ActionIds, PostmortemFieldIds as F, IncidentBlockPrefixes, postmortemSectionCallbackId } from '../ids';
import { multilineField, radioField, selectField, textField } from './fields';
import {
  cutSafely,
  escapeMrkdwn,
  mention,
  mrkdwn,
  plainText,
  quoteUserText,
  truncate,
  unescapeEntities,
} from './format';
import type { RenderedMessage } from './notices';

type NoticeOf<K extends Notice['kind']> = Extract<Notice, { kind: K }>;

/** The button values carry the incident id: the action's workspace scopes it. */
function incidentValue(incidentId: number): string {
  return String(incidentId);
}

export function postmortemOwnerWanted(notice: NoticeOf<'postmortem_owner_wanted'>): RenderedMessage {
  const why = {
    required: `Incident #${notice.incidentNumber} needs a postmortem (its severity policy requires one).`,
    optional: `Incident #${notice.incidentNumber} is resolved; a short postmortem is optional for its severity.`,
    handed_over: `${notice.by ? mention(notice.by) : 'The owner'} handed over the postmortem of incident #${notice.incidentNumber}.`,
  }[notice.reason];
  const text = `${why} Who will own it?`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      // A users_select sends only the user picked: the block id says which incident it is about.
      block_id: `${IncidentBlockPrefixes.postmortemOwner}${notice.incidentId}`,
      text: mrkdwn(`${text} The owner drafts it with the team; Debrief has started it from the timeline.`),
      accessory: {
        type: 'users_select',
        action_id: ActionIds.postmortemOwnerSelect,
        placeholder: plainText('Pick the owner'),
      },
    },
    {
      type: 'context',
      elements: [mrkdwn(`Or: \`/postmortem assign @someone due friday\``)],
    },
  ];
  return { text, blocks };
}

export function postmortemChecklist(notice: NoticeOf<'postmortem_checklist'>): RenderedMessage {
  const name = notice.title ? ` ${quoteUserText(notice.title)}` : '';
  const text = `${mention(notice.assignedBy)} asked you to own the postmortem of incident #${notice.incidentNumber}${name}, due ${notice.dueDate}.`;
  const todo = notice.missing.length > 0 ? notice.missing.map((m) => `• ${m}`).join('\n') : '• nothing: it is complete';
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(text) },
    { type: 'section', text: mrkdwn(`*Still to do*\n${todo}`) },
    {
      type: 'section',
      text: mrkdwn(
        `*How*: \`/postmortem #${notice.incidentNumber} edit\` opens a section, \`/postmortem #${notice.incidentNumber} show\` shows what is missing, \`/postmortem #${notice.incidentNumber} review\` asks for approval, then \`publish\`. Next step after the draft: the debrief meeting.`,
      ),
    },
    {
      type: 'actions',
      block_id: `postmortem_owner_${notice.incidentId}`,
      elements: [
        {
          type: 'button',
          action_id: ActionIds.postmortemAccept,
          style: 'primary',
          text: plainText('Accept'),
          value: incidentValue(notice.incidentId),
        },
        {
          type: 'button',
          action_id: ActionIds.postmortemHandOver,
          text: plainText('Hand over'),
          value: incidentValue(notice.incidentId),
        },
      ],
    },
  ];
  return { text, blocks };
}

export function postmortemReviewRequested(notice: NoticeOf<'postmortem_review_requested'>): RenderedMessage {
  const name = notice.title ? ` ${quoteUserText(notice.title)}` : '';
  const text = `${mention(notice.by)} asks you to review the postmortem of incident #${notice.incidentNumber}${name}.`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `${text} Read it with \`/postmortem #${notice.incidentNumber} show\` (or \`export\`), then approve.`,
        ),
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ActionIds.postmortemApprove,
            style: 'primary',
            text: plainText('Approve'),
            value: incidentValue(notice.incidentId),
          },
        ],
      },
    ],
  };
}

// ---- the `show` view -----------------------------------------------------------------------------

/** Titles as the document and the modals use them (a modal title holds 24 characters). */
export const SECTION_TITLES: Record<SectionKey, string> = {
  summary: 'Summary',
  impact: 'Impact',
  detection: 'Detection',
  response: 'Response',
  contributingFactors: 'Contributing factors',
  resolution: 'Resolution',
  lessonsLearned: 'Lessons learned',
  actionItems: 'Action items',
  supportingInformation: 'Supporting information',
};

/** Slack's limits for a message: 50 blocks, 3,000 characters of section text. */
const MESSAGE_MAX_BLOCKS = 50;
const SECTION_TEXT_MAX = 2_900;
/**
 * What the `show` answer may weigh, measured as the JSON of its blocks: Slack fails a message at about
 * 13k characters of block text (`msg_blocks_too_long`), so the whole JSON stays below that.
 */
export const SHOW_JSON_BUDGET = 11_500;
/** How much of a person's sentence or item one line shows. */
const QUOTE_MAX = 200;
/** Lines per list before "… N more": a view to act on, not an archive. */
const LIST_MAX = 10;
/** How much of a warning's suggested wording one line shows. */
const SUGGESTION_MAX = 240;
/** Room kept for a group's "… N more" line. */
const MORE_RESERVE = 300;

const CHECK_ICONS: Record<CompletenessCheck['status'], string> = {
  complete: ':white_check_mark:',
  missing: ':x:',
  draft_only: ':pencil2:',
  incomplete: ':warning:',
  optional: ':white_circle:',
};

const CHECK_WORDS: Record<CompletenessCheck['status'], string> = {
  complete: 'done',
  missing: 'missing',
  draft_only: 'draft only (Debrief’s words; a person has not written it yet)',
  incomplete: 'incomplete',
  optional: 'optional, not written',
};

/** What `show` renders: the report of the use case (document, completeness, warnings, open items). */
export interface PostmortemShowInput {
  incidentId: number;
  document: PostmortemDocument;
  completeness: CompletenessReport;
  warnings: readonly LanguageWarning[];
  openActionItems: readonly PostmortemActionItem[];
}

/**
 * The ephemeral answer of `/postmortem show`: each check with its state, what `publish` still needs,
 * blameless-language warnings with their suggestion, open action items and suggestions — within
 * Slack's limits whatever the document holds, with a visible "… N more" where a list was cut.
 */
export function postmortemShowMessage(input: PostmortemShowInput): { text: string; blocks: KnownBlock[] } {
  const { document: doc, completeness, warnings, openActionItems } = input;
  const name = `#${doc.incident.number} ${doc.incident.title}`;
  const state = completeness.complete
    ? 'complete, ready to publish'
    : `${completeness.missing.length} ${completeness.missing.length === 1 ? 'thing' : 'things'} missing before it can be published`;
  const tail = (note: string): KnownBlock[] => [
    sectionPicker(input.incidentId, sectionStatuses(completeness)),
    contextBlock(
      `Edit with \`/postmortem edit <section>\` (or pick one above) · \`/postmortem export\` uploads the document · \`/postmortem publish\` when complete${note}`,
    ),
  ];
  const candidates: Group[] = [
    {
      title: '*Sections*',
      lines: completeness.checks.map(checkLine),
      total: completeness.checks.length,
      more: (n) => `… ${n} more`,
    },
    completeness.complete
      ? {
          title: '*Ready to publish*',
          lines: ['Nothing is missing: `/postmortem publish` publishes it.'],
          total: 1,
          more: () => '',
        }
      : {
          title: '*Missing before it can be published*',
          lines: completeness.missing.slice(0, LIST_MAX).map((m) => `• ${escapeMrkdwn(m)}`),
          total: completeness.missing.length,
          more: (n) => `… ${n} more`,
        },
    {
      title: `*Blameless language* (${warnings.length} ${warnings.length === 1 ? 'warning' : 'warnings'}; they never block publishing)`,
      lines: warnings.slice(0, LIST_MAX).map(warningLine),
      total: warnings.length,
      more: (n) => `… ${n} more not shown: reword the ones above, then \`show\` again.`,
    },
    {
      title: `*Open action items* (${openActionItems.length})`,
      lines: openActionItems.slice(0, LIST_MAX).map(actionItemLine),
      total: openActionItems.length,
      more: (n) => `… ${n} more (the export lists them all).`,
    },
    {
      title: '*Suggestions*',
      lines: completeness.suggestions.slice(0, LIST_MAX).map((s) => `• ${escapeMrkdwn(s.message)}`),
      total: completeness.suggestions.length,
      more: (n) => `… ${n} more`,
    },
  ];
  const groups = candidates.filter((group) => group.total > 0);
  const budget = new BlockBudget(SHOW_JSON_BUDGET, MESSAGE_MAX_BLOCKS);
  // The tail is reserved at its longest, with the note saying something was left out.
  budget.reserve(tail(LEFT_OUT_NOTE));
  budget.push({ type: 'section', text: mrkdwn(headText(doc, name, state)) });
  // Each group keeps room for the ones after it to show at least their first line.
  groups.forEach((group, index) => {
    budget.group(group, (groups.length - index - 1) * GROUP_RESERVE);
  });
  return {
    text: `Postmortem of ${quoteUserText(name)}: ${state}`,
    blocks: [...budget.blocks, ...tail(budget.leftOut ? LEFT_OUT_NOTE : '')],
  };
}

interface Group {
  title: string;
  /** The lines to show, at most; `total` counts them all, shown or not. */
  lines: string[];
  total: number;
  more: (hidden: number) => string;
}

/** One line of a list at most (a few lines of a message): a longer one is cut with "…". */
const LINE_MAX = 600;
/** What a later group needs to show its title, a line and its "… N more". */
const GROUP_RESERVE = 1_200;

const LEFT_OUT_NOTE = ' · Some parts were left out to fit in a Slack message.';

function headText(doc: PostmortemDocument, name: string, state: string): string {
  const owner = doc.ownerId ? mention(doc.ownerId) : '_nobody yet_ (`/postmortem assign @someone`)';
  const due = doc.dueDate ? `, due ${doc.dueDate}` : '';
  const severity = severityLabel(doc.incident.peakSeverity, doc.incident.declaredSeverity);
  return [
    `*Postmortem of ${quoted(name, 200)}*: ${state}`,
    `Status: ${doc.status.replace('_', ' ')} · Severity: ${severity} · Owner: ${owner}${due}`,
  ].join('\n');
}

/** What one check line lists of its missing parts before "and N more". */
const CHECK_DETAILS_MAX = 3;

function checkLine(check: CompletenessCheck): string {
  const listed = check.missing.slice(0, CHECK_DETAILS_MAX).join('; ');
  const rest = check.missing.length - CHECK_DETAILS_MAX;
  const details =
    check.missing.length > 0 && check.status !== 'missing' ? `: ${listed}${rest > 0 ? `; and ${rest} more` : ''}` : '';
  return `${CHECK_ICONS[check.status]} *${check.title}* — ${CHECK_WORDS[check.status]}${escapeMrkdwn(details)}`;
}

function warningLine(warning: LanguageWarning): string {
  if (warning.kind === 'blame') {
    return `• *${escapeMrkdwn(warning.where)}*: “${quoted(warning.sentence, QUOTE_MAX)}” (${escapeMrkdwn(warning.phrase)})\n      _Instead:_ ${escapeMrkdwn(truncate(warning.suggestion, SUGGESTION_MAX, '…'))}`;
  }
  return `• *${escapeMrkdwn(warning.where)}*: “${quoted(warning.text, QUOTE_MAX)}” — ${escapeMrkdwn(warning.message)}\n      _Instead:_ ${escapeMrkdwn(truncate(warning.suggestion, SUGGESTION_MAX, '…'))}`;
}

function actionItemLine(item: PostmortemActionItem): string {
  const parts = [
    item.ownerId ? mention(item.ownerId) : '_no owner_',
    item.dueDate ? `due ${item.dueDate}` : '_no due date_',
    item.type ?? '_no type_',
    item.priority,
  ];
  return `• #${item.number} ${quoted(item.text, QUOTE_MAX)} — ${parts.join(', ')}`;
}

/** User text for one line: whitespace collapsed, quoted (no pings), cut with a visible notice. */
function quoted(text: string, max: number): string {
  const oneLine = cutSafely(text, max + 1_000)
    .replace(/\s+/g, ' ')
    .trim();
  return truncate(quoteUserText(oneLine), max, '…');
}

function sectionStatuses(completeness: CompletenessReport): Partial<Record<SectionKey, CompletenessCheck['status']>> {
  const statuses: Partial<Record<SectionKey, CompletenessCheck['status']>> = {};
  for (const check of completeness.checks) {
    if ((SECTION_KEYS as readonly string[]).includes(check.key)) statuses[check.key as SectionKey] = check.status;
  }
  return statuses;
}

function contextBlock(text: string): ContextBlock {
  return { type: 'context', elements: [mrkdwn(text)] };
}

/** The JSON weight of blocks: what Slack's message limits are measured against here. */
function weigh(blocks: KnownBlock | KnownBlock[]): number {
  return JSON.stringify(blocks).length;
}

/**
 * Blocks added under a weight and a count budget. A group of lines is packed into as few sections as
 * Slack's 3,000 characters allow; the lines that do not fit are counted in a last "… N more" line.
 */
class BlockBudget {
  readonly blocks: KnownBlock[] = [];
  /** True once something was left out entirely. */
  leftOut = false;
  private used = 0;

  constructor(
    private weightLeft: number,
    private blocksLeft: number,
  ) {}

  reserve(blocks: KnownBlock[]): void {
    this.weightLeft -= weigh(blocks);
    this.blocksLeft -= blocks.length;
  }

  push(block: KnownBlock): boolean {
    if (!this.room(weigh(block), 1)) {
      this.leftOut = true;
      return false;
    }
    this.blocks.push(block);
    this.used += weigh(block);
    return true;
  }

  group({ title, lines, total, more }: Group, reserveAfter: number): void {
    const chunks: string[] = [];
    let current = title;
    let shown = 0;
    const section = (text: string): SectionBlock => ({ type: 'section', text: mrkdwn(text) });
    const weightOf = (texts: string[]) => texts.reduce((sum, text) => sum + weigh(section(text)), 0);
    for (; shown < lines.length; shown++) {
      const line = truncate(lines[shown]!, LINE_MAX, '…');
      const joined = `${current}\n${line}`;
      const next = joined.length <= SECTION_TEXT_MAX ? [...chunks, joined] : [...chunks, current, line];
      // Room must stay for the "… N more" line, whichever line turns out to be the last shown.
      if (!this.room(weightOf(next) + MORE_RESERVE + reserveAfter, next.length + 1)) break;
      if (joined.length <= SECTION_TEXT_MAX) current = joined;
      else {
        chunks.push(current);
        current = line;
      }
    }
    const hidden = total - shown;
    if (hidden > 0) {
      const line = truncate(more(hidden), MORE_RESERVE - 60, '…');
      if (`${current}\n${line}`.length <= SECTION_TEXT_MAX) current = `${current}\n${line}`;
      else {
        chunks.push(current);
        current = line;
      }
    }
    chunks.push(current);
    const blocks = chunks.map(section);
    if (!this.room(weigh(blocks), blocks.length)) {
      this.leftOut = true;
      return;
    }
    for (const block of blocks) {
      this.blocks.push(block);
      this.used += weigh(block);
    }
  }

  private room(weight: number, count: number): boolean {
    // Each block adds a comma to the array's JSON.
    return this.blocks.length + count <= this.blocksLeft && this.used + weight + count <= this.weightLeft;
  }
}

// ---- choosing a section --------------------------------------------------------------------------

const STATUS_SUFFIX: Record<CompletenessCheck['status'], string> = {
  complete: ' ✓',
  missing: ' · missing',
  draft_only: ' · draft only',
  incomplete: ' · incomplete',
  optional: ' · optional',
};

/** A select of the sections; picking one opens its modal. The block id carries the incident. */
export function sectionPicker(
  incidentId: number,
  statuses: Partial<Record<SectionKey, CompletenessCheck['status']>> = {},
): ActionsBlock {
  const options: PlainTextOption[] = SECTION_KEYS.map((key) => {
    const status = statuses[key];
    return { text: plainText(`${SECTION_TITLES[key]}${status ? STATUS_SUFFIX[status] : ''}`), value: key };
  });
  return {
    type: 'actions',
    block_id: `${IncidentBlockPrefixes.postmortemSectionPick}${incidentId}`,
    elements: [
      {
        type: 'static_select',
        action_id: ActionIds.postmortemSectionPick,
        placeholder: plainText('Edit a section…'),
        options,
      },
    ],
  };
}

/** The answer to `/postmortem edit` without a section. */
export function sectionPickMessage(incident: { id: number; number: number }): { text: string; blocks: KnownBlock[] } {
  const names = SECTION_KEYS.map((key) => `\`${SECTION_NAMES[key][0]}\``).join(', ');
  const text = `Which section of the postmortem of #${incident.number} do you want to edit?`;
  return {
    text,
    blocks: [
      { type: 'section', text: mrkdwn(text) },
      sectionPicker(incident.id),
      contextBlock(`Or name it: \`/postmortem edit impact\` (${names}).`),
    ],
  };
}

// ---- the section modals --------------------------------------------------------------------------

/** The input a concurrent-edit refusal (or any error without a field) is shown under, per section. */
export const SECTION_FIRST_FIELD: Record<SectionKey, string> = {
  summary: F.summary,
  impact: F.affectedServices,
  detection: F.detectedBy,
  response: F.slowedUs,
  contributingFactors: F.factors,
  resolution: F.mitigation,
  lessonsLearned: F.wentWell,
  actionItems: F.note,
  supportingInformation: F.links,
};

export const DETECTED_BY_CHOICES: { value: DetectedBy['kind']; label: string }[] = [
  { value: 'alert', label: 'An alert' },
  { value: 'customer', label: 'A customer' },
  { value: 'employee', label: 'An employee' },
  { value: 'third_party', label: 'A third party' },
];

export const YES_NO_CHOICES = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
];

const DATA_LOSS_LABELS: Record<(typeof DATA_LOSS_ANSWERS)[number], string> = {
  none: 'None',
  recovered: 'Some, since recovered',
  permanent: 'Some, permanently lost',
  unknown: 'Unknown yet',
};

/** Marks the trigger among the contributing factors, at the start of its line. */
export const TRIGGER_PREFIX = 'trigger:';

export interface SectionModalInput {
  section: SectionKey;
  /** The sections as saved (Slack-escaped text, as every stored text). */
  sections: PostmortemSections;
  incident: { number: number; title: string };
  /** Only Debrief's draft is in the section: the person is asked to write it in their words. */
  draftOnly: boolean;
  privateMetadata: string;
}

/** One section's edit modal, prefilled from the document (text shown as typed, entities decoded). */
export function postmortemSectionModal(input: SectionModalInput): ModalView {
  const inputs = sectionInputs(input.section, input.sections);
  const tooLong = inputs.some((block) => {
    const initial = (block.element as { initial_value?: string }).initial_value;
    return initial !== undefined && initial.length >= 3_000;
  });
  const intro = `Postmortem of ${quoted(`#${input.incident.number} ${input.incident.title}`, 300)}: *${SECTION_TITLES[input.section]}*`;
  const blocks: KnownBlock[] = [contextBlock(intro)];
  if (input.draftOnly) {
    blocks.push(
      contextBlock(
        ':pencil2: Debrief drafted this from what was captured. Rewrite it in your own words; saving marks it as written by a person.',
      ),
    );
  }
  blocks.push(...inputs);
  if (tooLong) {
    blocks.push(
      contextBlock(
        ':warning: A field holds 3,000 characters; this section had more, and saving keeps only what is shown.',
      ),
    );
  }
  return {
    type: 'modal',
    callback_id: postmortemSectionCallbackId(input.section),
    private_metadata: input.privateMetadata,
    title: plainText(SECTION_TITLES[input.section]),
    submit: plainText('Save'),
    close: plainText('Cancel'),
    blocks,
  };
}

/** Stored text as the person typed it. */
function typed(text: string | null | undefined): string | null {
  return text ? unescapeEntities(text) : null;
}

function sectionInputs(section: SectionKey, s: PostmortemSections) {
  switch (section) {
    case 'summary':
      return [
        multilineField({
          id: F.summary,
          label: 'Summary',
          hint: 'Five sentences at most: what happened, how long it lasted, and who was affected.',
          initial: typed(s.summary),
          optional: true,
        }),
      ];
    case 'impact':
      return impactInputs(s.impact);
    case 'detection':
      return detectionInputs(s.detection);
    case 'response':
      return [
        multilineField({
          id: F.slowedUs,
          label: 'What slowed the response',
          initial: typed(s.response.slowedUs),
          optional: true,
        }),
        multilineField({ id: F.helped, label: 'What helped', initial: typed(s.response.helped), optional: true }),
        multilineField({
          id: F.narrative,
          label: 'In your words',
          hint: 'Who joined when is taken from the channel and the timeline.',
          initial: typed(s.response.narrative),
          optional: true,
        }),
      ];
    case 'contributingFactors':
      return [
        multilineField({
          id: F.factors,
          label: 'Contributing factors',
          hint: `One per line. Start the trigger’s line with “${TRIGGER_PREFIX}”. Conditions in systems and processes, not people: there is no single root cause.`,
          placeholder: `${TRIGGER_PREFIX} a config change raised the pool size above the database limit`,
          initial:
            s.contributingFactors.factors
              .map((f) => `${f.isTrigger ? `${TRIGGER_PREFIX} ` : ''}${typed(f.text) ?? ''}`)
              .join('\n') || null,
          optional: true,
        }),
        multilineField({
          id: F.fiveWhys,
          label: 'Five whys (optional)',
          hint: 'A chain of “why?” from the impact to conditions you can change.',
          initial: typed(s.contributingFactors.fiveWhys),
          optional: true,
        }),
      ];
    case 'resolution':
      return [
        multilineField({
          id: F.mitigation,
          label: 'How the impact was mitigated',
          initial: typed(s.resolution.mitigation),
          optional: true,
        }),
        multilineField({
          id: F.permanentFix,
          label: 'The permanent fix, when it differs',
          initial: typed(s.resolution.permanentFix),
          optional: true,
        }),
      ];
    case 'lessonsLearned':
      return [
        multilineField({
          id: F.wentWell,
          label: 'What went well',
          initial: typed(s.lessonsLearned.wentWell),
          optional: true,
        }),
        multilineField({
          id: F.wentWrong,
          label: 'What went wrong',
          initial: typed(s.lessonsLearned.wentWrong),
          optional: true,
        }),
        multilineField({
          id: F.gotLucky,
          label: 'Where we got lucky',
          initial: typed(s.lessonsLearned.gotLucky),
          optional: true,
        }),
      ];
    case 'actionItems':
      return [
        multilineField({
          id: F.note,
          label: 'Action items',
          hint: 'Tracked action items arrive in a later release: list them here for now, or say why none is needed.',
          initial: typed(s.actionItemsNote),
          optional: true,
        }),
      ];
    case 'supportingInformation':
      return [
        multilineField({
          id: F.links,
          label: 'Links',
          hint: 'One per line: the link, then a label. Dashboards, queries, tickets.',
          placeholder: 'https://grafana.example.com/d/checkout Checkout error rate',
          initial:
            s.supportingLinks.map((l) => [typed(l.url), typed(l.label)].filter((part) => part).join(' ')).join('\n') ||
            null,
          optional: true,
        }),
      ];
  }
}

function impactInputs(s: PostmortemSections['impact']) {
  const figure = s.affected ? `${s.affected.value}${s.affected.kind === 'percentage' ? '%' : ''}` : null;
  return [
    textField({
      id: F.affectedServices,
      label: 'Affected services',
      hint: 'Separate them with commas.',
      placeholder: 'checkout, payments-api',
      initial: s.affectedServices.map((x) => typed(x)).join(', ') || null,
      optional: true,
    }),
    radioField({
      id: F.customerVisible,
      label: 'Could customers see it?',
      options: YES_NO_CHOICES,
      initial: s.customerVisible === null ? null : s.customerVisible ? 'yes' : 'no',
      optional: true,
    }),
    textField({
      id: F.affected,
      label: 'Customers or requests affected',
      hint: 'A number (1200) or a percentage (12%).',
      initial: figure,
      maxLength: 40,
      optional: true,
    }),
    textField({
      id: F.affectedOf,
      label: '… of what',
      placeholder: 'checkout requests',
      initial: typed(s.affected?.of),
      optional: true,
    }),
    textField({
      id: F.notMeasurable,
      label: 'Or: why no figure can be given',
      initial: typed(s.notMeasurableReason),
      optional: true,
    }),
    radioField({
      id: F.dataLoss,
      label: 'Data loss',
      options: DATA_LOSS_ANSWERS.map((value) => ({ value, label: DATA_LOSS_LABELS[value] })),
      initial: s.dataLoss,
      optional: true,
    }),
    textField({
      id: F.sloBudget,
      label: 'SLO budget spent',
      placeholder: '18% of the monthly error budget',
      initial: typed(s.sloBudgetSpent),
      optional: true,
    }),
    textField({
      id: F.supportTickets,
      label: 'Support tickets',
      hint: 'How many.',
      initial: s.supportTickets === null ? null : String(s.supportTickets),
      maxLength: 12,
      optional: true,
    }),
    textField({
      id: F.statusPage,
      label: 'Status page',
      placeholder: 'https://status.example.com/incidents/…',
      initial: typed(s.statusPageUrl),
      optional: true,
    }),
    multilineField({ id: F.narrative, label: 'In your words', initial: typed(s.narrative), optional: true }),
  ];
}

function detectionInputs(s: PostmortemSections['detection']) {
  const by = s.detectedBy;
  const detail =
    by === null
      ? null
      : by.kind === 'alert'
        ? [typed(by.name), typed(by.url)].filter((p) => p).join(' ')
        : typed(by.detail);
  return [
    selectField({
      id: F.detectedBy,
      label: 'Detected by',
      options: DETECTED_BY_CHOICES,
      initial: by?.kind ?? null,
      placeholder: 'Who or what noticed first',
      optional: true,
    }),
    textField({
      id: F.detectedDetail,
      label: 'Which alert (its name or link), or who',
      placeholder: 'CheckoutErrorRateHigh https://alerts.example.com/rules/42',
      initial: detail || null,
      optional: true,
    }),
    multilineField({
      id: F.howSooner,
      label: 'How could we have known sooner?',
      initial: typed(s.howSooner),
      optional: true,
    }),
    multilineField({ id: F.narrative, label: 'In your words', initial: typed(s.narrative), optional: true }),
  ];
}
