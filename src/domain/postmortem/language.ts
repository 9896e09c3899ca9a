/**
 * The blameless-language check over a whole postmortem (SPEC 4): the analysis sections, the timeline and
 * the action items. Warnings are for `show` and `publish`; they never block and never enter the export.
 */
import { type BlameWarning, findBlame, findVagueActionItem, type VagueItemWarning, type VagueKind } from '../blameless';
import { utcMinute } from '../durations';
import { displayName, hasWords, type PostmortemDocument } from './document';

export type LanguageWarning =
  | ({ kind: 'blame'; where: string } & BlameWarning)
  | ({ kind: 'vague_action_item'; where: string; itemNumber: number; text: string; vague: VagueKind } & Omit<
      VagueItemWarning,
      'kind'
    >);

/** Every blaming sentence and vague action item in the document, with where it is ("Summary", "Timeline 2026-11-20 09:12", "Action item 3"). */
export function checkPostmortemLanguage(doc: PostmortemDocument): LanguageWarning[] {
  const names = peopleNames(doc);
  const warnings: LanguageWarning[] = [];
  const blame = (where: string, text: string | null) => {
    if (!hasWords(text)) return;
    for (const w of findBlame(text, { names })) warnings.push({ kind: 'blame', where, ...w });
  };
  const s = doc.sections;
  blame('Summary', s.summary);
  blame('Impact', s.impact.narrative);
  blame('Detection', s.detection.howSooner);
  blame('Detection', s.detection.narrative);
  blame('Response', s.response.slowedUs);
  blame('Response', s.response.helped);
  blame('Response', s.response.narrative);
  for (const factor of s.contributingFactors.factors) blame('Contributing factors', factor.text);
  blame('Contributing factors', s.contributingFactors.fiveWhys);
  blame('Resolution', s.resolution.mitigation);
  blame('Resolution', s.resolution.permanentFix);
  blame('Lessons learned', s.lessonsLearned.wentWell);
  blame('Lessons learned', s.lessonsLearned.wentWrong);
  blame('Lessons learned', s.lessonsLearned.gotLucky);
  blame('Action items', s.actionItemsNote);
  for (const entry of doc.timeline) {
    // System entries are Debrief's own words ("<@U1> is now commander"), never blame.
    if (entry.source !== 'system' && !entry.erasedInSlack) blame(`Timeline ${utcMinute(entry.at)}`, entry.text);
  }
  for (const item of doc.actionItems) {
    if (item.status === 'cancelled') continue;
    const where = `Action item ${item.number}`;
    blame(where, item.text);
    for (const w of findVagueActionItem(item.text, item.type)) {
      const { kind: vague, ...rest } = w;
      warnings.push({ kind: 'vague_action_item', where, itemNumber: item.number, text: item.text, vague, ...rest });
    }
  }
  return warnings;
}

/** The display names of everyone the document mentions, so that blame of a named person is found. */
function peopleNames(doc: PostmortemDocument): string[] {
  const ids = new Set<string>();
  const add = (id: string | null | undefined) => {
    if (id) ids.add(id);
  };
  add(doc.ownerId);
  for (const id of Object.values(doc.roles)) add(id);
  for (const r of doc.responders) add(r.userId);
  for (const r of doc.reviewers) add(r.userId);
  for (const item of doc.actionItems) add(item.ownerId);
  for (const entry of doc.timeline) {
    add(entry.loggedBy);
    add(entry.saidBy);
  }
  const names = new Set<string>();
  for (const id of ids) {
    const name = displayName(doc.names, id);
    if (name !== `@${id}`) {
      names.add(name);
      // People write first names: "Bob forgot" blames "Bob Smith" just the same.
      const first = name.split(/\s+/)[0];
      if (first !== undefined && first.length >= 3) names.add(first);
    }
  }
  return [...names];
}
