/**
 * What `publish` requires and `show` reports against (SPEC 4, "Complete"), section by section, and the
 * suggestions `show` adds (a `detect` action, lead-up entries, milestones out of order). Warnings about
 * language are `checkPostmortemLanguage`'s; nothing here blocks on them.
 */
import { incidentFacts } from '../durations';
import { DEFAULT_POSTMORTEM_POLICY, type PostmortemPolicyConfig } from '../policy';
import { hasWords, type PostmortemDocument, type PostmortemSections, type SectionKey } from './document';

/** One line of the checklist. */
export type CompletenessKey =
  | 'owner'
  | 'milestones'
  | 'summary'
  | 'impact'
  | 'detection'
  | 'response'
  | 'contributingFactors'
  | 'resolution'
  | 'lessonsLearned'
  | 'actionItems'
  | 'approval'
  | 'debrief';

/**
 * `complete`; `missing` (nothing there); `draft_only` (only Debrief's draft, no person wrote it);
 * `incomplete` (written, but a required answer is missing); `optional` (not required and not written).
 */
export type CompletenessStatus = 'complete' | 'missing' | 'draft_only' | 'incomplete' | 'optional';

export interface CompletenessCheck {
  key: CompletenessKey;
  title: string;
  required: boolean;
  status: CompletenessStatus;
  /** What is missing, in words fit for `show` and for `publish`'s refusal. */
  missing: string[];
}

export type SuggestionKind = 'detect_action' | 'lead_up_entries' | 'milestone_order';

export interface Suggestion {
  kind: SuggestionKind;
  message: string;
}

export interface CompletenessReport {
  /** True when `publish` may go ahead. */
  complete: boolean;
  checks: CompletenessCheck[];
  /** Every missing thing of the required checks, in checklist order. */
  missing: string[];
  suggestions: Suggestion[];
}

/** The sections whose words must come from a person, with the title `show` uses. */
const WRITTEN_SECTIONS: readonly { key: SectionKey & CompletenessKey; title: string; required: boolean }[] = [
  { key: 'summary', title: 'Summary', required: true },
  { key: 'impact', title: 'Impact', required: true },
  { key: 'detection', title: 'Detection', required: true },
  { key: 'response', title: 'Response', required: false },
  { key: 'contributingFactors', title: 'Contributing factors', required: true },
  { key: 'resolution', title: 'Resolution', required: true },
  { key: 'lessonsLearned', title: 'Lessons learned', required: true },
];

/** Checks the document against SPEC 4's "Complete", section by section, and gathers `show`'s suggestions. */
export function checkCompleteness(
  doc: PostmortemDocument,
  config: PostmortemPolicyConfig = DEFAULT_POSTMORTEM_POLICY,
): CompletenessReport {
  const checks: CompletenessCheck[] = [ownerCheck(doc), milestonesCheck(doc)];
  for (const section of WRITTEN_SECTIONS) checks.push(writtenCheck(doc, section));
  checks.push(actionItemsCheck(doc));
  // SPEC: approval and debrief are asked of sev1–2 (by peak severity), i.e. the severities that require a postmortem.
  const strict = config.requiredSeverities.includes(doc.incident.peakSeverity);
  checks.push(approvalCheck(doc, strict), debriefCheck(doc, strict));
  const missing = checks.filter((c) => c.required).flatMap((c) => c.missing);
  return { complete: missing.length === 0, checks, missing, suggestions: suggestions(doc) };
}

function check(
  key: CompletenessKey,
  title: string,
  required: boolean,
  missing: string[],
  status?: CompletenessStatus,
): CompletenessCheck {
  return { key, title, required, missing, status: status ?? (missing.length === 0 ? 'complete' : 'incomplete') };
}

function ownerCheck(doc: PostmortemDocument): CompletenessCheck {
  return doc.ownerId === null
    ? check('owner', 'Owner', true, ['a postmortem owner (`/postmortem assign @someone`)'], 'missing')
    : check('owner', 'Owner', true, []);
}

function milestonesCheck(doc: PostmortemDocument): CompletenessCheck {
  const m = doc.milestones;
  const missing: string[] = [];
  if (!m.started) missing.push('the `started` milestone (when the impact began)');
  if (!m.detected) missing.push('the `detected` milestone');
  if (!m.mitigated && !hasWords(doc.mitigatedNotApplicable)) {
    missing.push('the `mitigated` milestone (or why it does not apply, in words)');
  }
  if (!m.resolved) missing.push('the `resolved` milestone');
  return check('milestones', 'Milestones', true, missing);
}

/** Whether the section holds anything at all (a draft's words count: authorship is checked separately). */
function sectionHasContent(sections: PostmortemSections, key: SectionKey): boolean {
  switch (key) {
    case 'summary':
      return hasWords(sections.summary);
    case 'impact': {
      const s = sections.impact;
      return (
        s.affectedServices.length > 0 ||
        s.customerVisible !== null ||
        s.affected !== null ||
        hasWords(s.notMeasurableReason) ||
        s.dataLoss !== null ||
        hasWords(s.sloBudgetSpent) ||
        s.supportTickets !== null ||
        hasWords(s.statusPageUrl) ||
        hasWords(s.narrative)
      );
    }
    case 'detection': {
      const s = sections.detection;
      return s.detectedBy !== null || hasWords(s.howSooner) || hasWords(s.narrative);
    }
    case 'response': {
      const s = sections.response;
      return hasWords(s.slowedUs) || hasWords(s.helped) || hasWords(s.narrative);
    }
    case 'contributingFactors':
      return (
        sections.contributingFactors.factors.some((f) => hasWords(f.text)) ||
        hasWords(sections.contributingFactors.fiveWhys)
      );
    case 'resolution':
      return hasWords(sections.resolution.mitigation) || hasWords(sections.resolution.permanentFix);
    case 'lessonsLearned': {
      const s = sections.lessonsLearned;
      return hasWords(s.wentWell) || hasWords(s.wentWrong) || hasWords(s.gotLucky);
    }
    case 'actionItems':
      return hasWords(sections.actionItemsNote);
    case 'supportingInformation':
      return sections.supportingLinks.some((l) => hasWords(l.url));
  }
}

function writtenCheck(
  doc: PostmortemDocument,
  section: { key: SectionKey & CompletenessKey; title: string; required: boolean },
): CompletenessCheck {
  const { key, title, required } = section;
  if (!sectionHasContent(doc.sections, key)) {
    return check(
      key,
      title,
      required,
      required ? [`${title}, written by a person`] : [],
      required ? 'missing' : 'optional',
    );
  }
  if (doc.authorship[key] !== 'person') {
    const missing = required ? [`${title} written by a person (it holds only Debrief's draft)`] : [];
    return check(key, title, required, missing, 'draft_only');
  }
  return check(key, title, required, key === 'impact' ? impactAnswers(doc) : []);
}

function impactAnswers(doc: PostmortemDocument): string[] {
  const s = doc.sections.impact;
  const missing: string[] = [];
  if (s.customerVisible === null) missing.push('Impact: whether customers could see it (yes/no)');
  if (s.dataLoss === null) missing.push('Impact: data loss (none, recovered, permanent or unknown)');
  if (s.affected === null && !hasWords(s.notMeasurableReason)) {
    missing.push('Impact: how many customers or requests were affected, or why that cannot be measured');
  }
  return missing;
}

function actionItemsCheck(doc: PostmortemDocument): CompletenessCheck {
  const missing: string[] = [];
  // A cancelled item is one the team decided not to do: it needs nothing more, and it does not count as an action.
  const live = doc.actionItems.filter((item) => item.status !== 'cancelled');
  for (const item of [...live].sort((a, b) => a.number - b.number)) {
    const lacks: string[] = [];
    if (item.ownerId === null) lacks.push('an owner');
    // SPEC 5: low priority is backlog, with no due date required.
    if (item.dueDate === null && item.priority !== 'low') lacks.push('a due date');
    if (item.type === null) lacks.push('a type');
    if (lacks.length > 0) missing.push(`action item ${item.number}: ${joinWords(lacks)}`);
  }
  const noteWritten = hasWords(doc.sections.actionItemsNote);
  if (live.length === 0 && !noteWritten) {
    missing.push('at least one action item, or words in Action items saying why none is needed');
  }
  const status: CompletenessStatus | undefined = live.length === 0 && !noteWritten ? 'missing' : undefined;
  return check('actionItems', 'Action items', true, missing, status);
}

function approvalCheck(doc: PostmortemDocument, required: boolean): CompletenessCheck {
  const approved = doc.reviewers.some((r) => r.approvedAt !== null && r.userId !== doc.ownerId);
  if (approved) return check('approval', 'Approval', required, []);
  if (!required) return check('approval', 'Approval', false, [], 'optional');
  return check(
    'approval',
    'Approval',
    true,
    ['an approval from someone other than the owner (`/postmortem review @reviewer`)'],
    'missing',
  );
}

function debriefCheck(doc: PostmortemDocument, required: boolean): CompletenessCheck {
  const d = doc.debrief;
  const done = d !== null && (d.kind === 'held' || (d.kind === 'skipped' && hasWords(d.reason)));
  if (done) return check('debrief', 'Debrief', required, []);
  if (!required) return check('debrief', 'Debrief', false, [], 'optional');
  const why =
    d?.kind === 'scheduled'
      ? 'the debrief held (it is scheduled), or skipped with a reason'
      : 'the debrief held, or skipped with a reason (`/postmortem debrief skip <reason>`)';
  return check('debrief', 'Debrief', true, [why], d === null ? 'missing' : 'incomplete');
}

function suggestions(doc: PostmortemDocument): Suggestion[] {
  const found: Suggestion[] = [];
  const by = doc.sections.detection.detectedBy;
  const hasDetectItem = doc.actionItems.some((item) => item.type === 'detect' && item.status !== 'cancelled');
  if (by !== null && by.kind !== 'alert' && !hasDetectItem) {
    const who = { customer: 'a customer', employee: 'an employee', third_party: 'a third party' }[by.kind];
    found.push({
      kind: 'detect_action',
      message: `This was detected by ${who}, not an alert: consider a \`detect\` action item so that next time an alert finds it first (\`/postmortem action … type detect\`).`,
    });
  }
  const started = doc.milestones.started;
  if (started && !doc.timeline.some((entry) => entry.at.getTime() < started.getTime())) {
    found.push({
      kind: 'lead_up_entries',
      message:
        'Nothing in the timeline comes before the impact began: add the lead-up, such as the last deploy or configuration change (`/incident timeline <when> <text>`).',
    });
  }
  const facts = incidentFacts({ milestones: doc.milestones, declaredAt: doc.declaredAt });
  for (const problem of facts.outOfOrder) {
    found.push({
      kind: 'milestone_order',
      message: `Milestones out of order: ${problem.message}. Correct it with \`/incident milestone ${problem.later} <when>\` if it is a mistake.`,
    });
  }
  return found;
}

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
