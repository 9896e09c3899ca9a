/**
 * The postmortem as Markdown, exactly in SPEC 4's order: title and metadata, then Summary, Impact,
 * Detection, Response, Timeline, Contributing factors, Resolution, Lessons learned, Action items, Debrief
 * and Supporting information (left out without links). All times are UTC. Unfilled sections show an
 * italic prompt of what belongs there; sections only Debrief drafted say so.
 */
import { formatDuration, type IncidentFacts, incidentFacts, utcMinute } from '../durations';
import { severityLabel } from '../policy';
import { type MilestoneKind, ROLES } from '../types';
import {
  type DetectedBy,
  displayName,
  hasWords,
  type NameLookup,
  type PostmortemActionItem,
  type PostmortemDocument,
  type PostmortemTimelineEntry,
  type SectionKey,
} from './document';
import { markdownBlock, markdownCell, markdownInline } from './slack-text';

/** The milestones and the declaration, in the order the metadata lists them. */
export type TimelineMark = MilestoneKind | 'declared';
const MARK_ORDER: readonly TimelineMark[] = [
  'started',
  'detected',
  'acknowledged',
  'declared',
  'mitigated',
  'resolved',
];

/** How a milestone is marked inline in the timeline (SPEC 4 item 3). */
export const MILESTONE_MARKERS: Record<TimelineMark, string> = {
  started: 'IMPACT BEGINS',
  detected: 'DETECTED',
  acknowledged: 'ACKNOWLEDGED',
  declared: 'DECLARED',
  mitigated: 'MITIGATED',
  resolved: 'RESOLVED',
};

const MARK_LABELS: Record<TimelineMark, string> = {
  started: 'Impact began (started)',
  detected: 'Detected',
  acknowledged: 'Acknowledged',
  declared: 'Declared',
  mitigated: 'Mitigated',
  resolved: 'Resolved',
};

/** Mermaid timeline periods: no colon or `#` may appear in them. */
const MERMAID_LABELS: Record<TimelineMark, string> = {
  started: 'Impact begins',
  detected: 'Detected',
  acknowledged: 'Acknowledged',
  declared: 'Declared',
  mitigated: 'Mitigated',
  resolved: 'Resolved',
};

/** The short prompts shown in place of unfilled sections. */
export const SECTION_PROMPTS: Record<SectionKey | 'debrief', string> = {
  summary: 'Five sentences at most: what happened, how long it lasted, and who was affected.',
  impact:
    'Which services were affected, whether customers saw it, how many customers or requests, data loss, SLO budget spent, support tickets, the status page.',
  detection: 'How we found out (an alert, a customer, an employee, a third party), and how we could have known sooner.',
  response: 'Who joined when, what slowed the response, and what helped.',
  contributingFactors:
    'The systemic factors that combined to cause this, with the trigger marked; optionally a five-whys chain. Not a single root cause, never a person.',
  resolution: 'How the impact was mitigated, and the permanent fix when it differs.',
  lessonsLearned: 'What went well, what went wrong, and where we got lucky.',
  actionItems: 'Action items with an owner, a due date and a type, or why none is needed.',
  supportingInformation: 'Links to dashboards, queries and tickets.',
  debrief: 'When the debrief meeting was held, who attended and what was decided, or why none was held.',
};

const GENERATED_NOTE = '_Drafted by Debrief; not yet written by a person._';

/** Renders the whole postmortem as Markdown (the `/postmortem export` file). */
export function renderPostmortemMarkdown(doc: PostmortemDocument): string {
  const names = cachedNames(doc.names);
  const facts = incidentFacts({
    milestones: doc.milestones,
    declaredAt: doc.declaredAt,
    laterImpactWindows: doc.laterImpactWindows,
  });
  const parts: string[] = [
    `# Postmortem: ${markdownInline(doc.incident.title, names) || `incident ${doc.incident.number}`}`,
    metadata(doc, facts, names),
    section('Summary', summary(doc, names)),
    section('Impact', impact(doc, names)),
    section('Detection', detection(doc, names)),
    section('Response', response(doc, names)),
    section('Timeline', timeline(doc, facts, names)),
    section('Contributing factors', contributingFactors(doc, names)),
    section('Resolution', resolution(doc, names)),
    section('Lessons learned', lessonsLearned(doc, names)),
    section('Action items', actionItems(doc, names)),
    section('Debrief', debrief(doc, names)),
  ];
  const links = supportingInformation(doc, names);
  if (links !== null) parts.push(section('Supporting information', links));
  return `${parts.join('\n\n')}\n`;
}

/** A name lookup memoised for one render: a 10,000-entry timeline names the same few people. */
function cachedNames(names: NameLookup): NameLookup {
  if (typeof names !== 'function') return names;
  const cache = new Map<string, string | undefined>();
  return (id) => {
    if (!cache.has(id)) cache.set(id, names(id));
    return cache.get(id);
  };
}

function section(title: string, body: string): string {
  return `## ${title}\n\n${body}`;
}

function prompt(key: SectionKey | 'debrief'): string {
  return `_${SECTION_PROMPTS[key]}_`;
}

/** A written section's body, with the generated-draft note when no person wrote it. */
function authored(doc: PostmortemDocument, key: SectionKey, body: string): string {
  return doc.authorship[key] === 'generated' ? `${GENERATED_NOTE}\n\n${body}` : body;
}

function person(names: NameLookup, userId: string | null): string {
  return userId === null ? 'not assigned' : markdownInline(displayName(names, userId), {});
}

function at(date: Date): string {
  return `${utcMinute(date)} UTC`;
}

// ---------------------------------------------------------------------------------------------
// Metadata
// ---------------------------------------------------------------------------------------------

function metadata(doc: PostmortemDocument, facts: IncidentFacts, names: NameLookup): string {
  const incident = doc.incident;
  const lines: string[] = [];
  const channel = incident.channelName ? `, channel #${markdownInline(incident.channelName, {})}` : '';
  lines.push(`- Incident: #${incident.number}${channel}${incident.isPrivate ? ' (private)' : ''}`);
  lines.push(`- Severity: ${severityLabel(incident.peakSeverity, incident.declaredSeverity)}`);
  const due = doc.dueDate ? `, due ${doc.dueDate}` : '';
  const reopened = incident.reopened ? ' (reopened)' : '';
  lines.push(`- Status: incident ${incident.status}${reopened}; postmortem ${doc.status.replace('_', ' ')}${due}`);
  lines.push(`- Postmortem owner: ${person(names, doc.ownerId)}`);
  const roles = ROLES.filter((role) => doc.roles[role] !== undefined).map(
    (role) => `${capitalise(role)}: ${person(names, doc.roles[role] ?? null)}`,
  );
  if (doc.roles.commander === undefined) roles.unshift('Commander: not assigned');
  lines.push(`- ${roles.join('; ')}`);
  lines.push(
    `- Responders: ${doc.responders.length > 0 ? doc.responders.map((r) => person(names, r.userId)).join(', ') : 'none recorded'}`,
  );
  const reviewers = doc.reviewers.map(
    (r) => `${person(names, r.userId)} (${r.approvedAt ? `approved ${at(r.approvedAt)}` : 'not approved yet'})`,
  );
  lines.push(`- Reviewers: ${reviewers.length > 0 ? reviewers.join(', ') : 'none yet'}`);
  const related = doc.relatedIncidents.map(
    (r) => `#${r.number}${hasWords(r.title) ? ` ${markdownInline(r.title, names)}` : ''}`,
  );
  lines.push(`- Related incidents: ${related.length > 0 ? related.join(', ') : 'none'}`);
  for (const mark of MARK_ORDER) lines.push(`- ${MARK_LABELS[mark]}: ${milestoneValue(doc, mark, names)}`);
  lines.push(`- Impact: ${impactDuration(facts)}`);
  facts.laterImpactWindows.forEach((w, i) => {
    const span = `${w.started ? at(w.started) : 'start unknown'} → ${w.ended ? at(w.ended) : 'not ended'}`;
    lines.push(
      `- Impact after reopening${facts.laterImpactWindows.length > 1 ? ` (${i + 2})` : ''}: ${durationOr(w.durationMs, 'unknown')} (${span})`,
    );
  });
  lines.push(`- Response: ${durationOr(facts.responseMs, 'not resolved yet')}`);
  const times = (
    [
      ['TTD', facts.ttdMs],
      ['TTA', facts.ttaMs],
      ['TTM', facts.ttmMs],
      ['TTR', facts.ttrMs],
    ] as const
  ).filter(([, ms]) => ms !== null);
  for (const [label, ms] of times) lines.push(`- ${label}: ${formatDuration(ms as number)}`);
  return lines.join('\n');
}

function milestoneValue(doc: PostmortemDocument, mark: TimelineMark, names: NameLookup): string {
  const time = mark === 'declared' ? doc.declaredAt : doc.milestones[mark];
  if (time) return at(time);
  if (mark === 'started') return 'impact start unknown';
  if (mark === 'mitigated' && hasWords(doc.mitigatedNotApplicable)) {
    return `n/a (${markdownInline(doc.mitigatedNotApplicable, names)})`;
  }
  return 'not recorded';
}

function impactDuration(facts: IncidentFacts): string {
  if (facts.impactStartUnknown) return 'impact start unknown';
  if (facts.impact.durationMs === null) return 'ongoing (not mitigated or resolved yet)';
  const until = facts.impactEndedAt === 'resolved' ? ' (until resolved; no mitigated time)' : '';
  return `${formatDuration(facts.impact.durationMs)}${until}`;
}

function durationOr(ms: number | null, otherwise: string): string {
  return ms === null ? otherwise : formatDuration(ms);
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

function summary(doc: PostmortemDocument, names: NameLookup): string {
  const text = doc.sections.summary;
  return hasWords(text) ? authored(doc, 'summary', markdownBlock(text, names)) : prompt('summary');
}

function impact(doc: PostmortemDocument, names: NameLookup): string {
  const s = doc.sections.impact;
  const fields: string[] = [];
  if (s.affectedServices.length > 0) {
    fields.push(`- Affected services: ${s.affectedServices.map((x) => markdownInline(x, names)).join(', ')}`);
  }
  if (s.customerVisible !== null) fields.push(`- Customer-visible: ${s.customerVisible ? 'yes' : 'no'}`);
  if (s.affected !== null) {
    const value = s.affected.kind === 'percentage' ? `${s.affected.value}%` : s.affected.value.toLocaleString('en-US');
    fields.push(`- ${capitalise(markdownInline(s.affected.of, names) || 'customers or requests')} affected: ${value}`);
  } else if (hasWords(s.notMeasurableReason)) {
    fields.push(`- Customers or requests affected: not measurable (${markdownInline(s.notMeasurableReason, names)})`);
  }
  if (s.dataLoss !== null) fields.push(`- Data loss: ${s.dataLoss}`);
  if (hasWords(s.sloBudgetSpent)) fields.push(`- SLO budget spent: ${markdownInline(s.sloBudgetSpent, names)}`);
  if (s.supportTickets !== null) fields.push(`- Support tickets: ${s.supportTickets}`);
  if (hasWords(s.statusPageUrl)) fields.push(`- Status page: ${markdownInline(s.statusPageUrl, names)}`);
  if (fields.length === 0 && !hasWords(s.narrative)) return prompt('impact');
  // The two answers "complete" requires are shown as unanswered rather than silently absent.
  if (fields.length > 0 && s.customerVisible === null) fields.push('- Customer-visible: _not answered_');
  if (fields.length > 0 && s.dataLoss === null) fields.push('- Data loss: _not answered_');
  const parts = [fields.join('\n')].filter((p) => p !== '');
  if (hasWords(s.narrative)) parts.push(markdownBlock(s.narrative, names));
  return authored(doc, 'impact', parts.join('\n\n'));
}

function detectedBy(by: DetectedBy, names: NameLookup): string {
  if (by.kind === 'alert') {
    const name = hasWords(by.name) ? ` "${markdownInline(by.name, names)}"` : '';
    const url = hasWords(by.url) ? ` (${markdownInline(by.url, names)})` : '';
    return `an alert${name}${url}`;
  }
  const who = { customer: 'a customer', employee: 'an employee', third_party: 'a third party' }[by.kind];
  return hasWords(by.detail) ? `${who} (${markdownInline(by.detail, names)})` : who;
}

function detection(doc: PostmortemDocument, names: NameLookup): string {
  const s = doc.sections.detection;
  const fields: string[] = [];
  if (s.detectedBy) fields.push(`- Detected by: ${detectedBy(s.detectedBy, names)}`);
  if (hasWords(s.howSooner)) fields.push(`- How we could have known sooner: ${markdownInline(s.howSooner, names)}`);
  const parts = [fields.join('\n')].filter((p) => p !== '');
  if (hasWords(s.narrative)) parts.push(markdownBlock(s.narrative, names));
  return parts.length > 0 ? authored(doc, 'detection', parts.join('\n\n')) : prompt('detection');
}

function response(doc: PostmortemDocument, names: NameLookup): string {
  const s = doc.sections.response;
  const joined = doc.responders
    .filter((r) => r.joinedAt !== null)
    .sort((a, b) => (a.joinedAt as Date).getTime() - (b.joinedAt as Date).getTime())
    .map((r) => `- ${at(r.joinedAt as Date)}: ${person(names, r.userId)} joined`);
  const words: string[] = [];
  if (hasWords(s.slowedUs)) words.push(`**What slowed us down**\n\n${markdownBlock(s.slowedUs, names)}`);
  if (hasWords(s.helped)) words.push(`**What helped**\n\n${markdownBlock(s.helped, names)}`);
  if (hasWords(s.narrative)) words.push(markdownBlock(s.narrative, names));
  const parts: string[] = [];
  if (joined.length > 0) parts.push(`Who joined when:\n\n${joined.join('\n')}`);
  parts.push(words.length > 0 ? authored(doc, 'response', words.join('\n\n')) : prompt('response'));
  return parts.join('\n\n');
}

function contributingFactors(doc: PostmortemDocument, names: NameLookup): string {
  const s = doc.sections.contributingFactors;
  const factors = s.factors
    .filter((f) => hasWords(f.text))
    .map((f) => `- ${f.isTrigger ? '**Trigger:** ' : ''}${markdownInline(f.text, names)}`);
  const parts: string[] = [];
  if (factors.length > 0) parts.push(factors.join('\n'));
  if (hasWords(s.fiveWhys)) parts.push(`**Five whys**\n\n${markdownBlock(s.fiveWhys, names)}`);
  return parts.length > 0 ? authored(doc, 'contributingFactors', parts.join('\n\n')) : prompt('contributingFactors');
}

function resolution(doc: PostmortemDocument, names: NameLookup): string {
  const s = doc.sections.resolution;
  const parts: string[] = [];
  if (hasWords(s.mitigation)) parts.push(`**Mitigation**\n\n${markdownBlock(s.mitigation, names)}`);
  if (hasWords(s.permanentFix) && s.permanentFix.trim() !== s.mitigation?.trim()) {
    parts.push(`**Permanent fix**\n\n${markdownBlock(s.permanentFix, names)}`);
  }
  return parts.length > 0 ? authored(doc, 'resolution', parts.join('\n\n')) : prompt('resolution');
}

function lessonsLearned(doc: PostmortemDocument, names: NameLookup): string {
  const s = doc.sections.lessonsLearned;
  const parts = (
    [
      ['What went well', s.wentWell],
      ['What went wrong', s.wentWrong],
      ['Where we got lucky', s.gotLucky],
    ] as const
  )
    .filter(([, text]) => hasWords(text))
    .map(([title, text]) => `**${title}**\n\n${markdownBlock(text as string, names)}`);
  return parts.length > 0 ? authored(doc, 'lessonsLearned', parts.join('\n\n')) : prompt('lessonsLearned');
}

function actionItems(doc: PostmortemDocument, names: NameLookup): string {
  const parts: string[] = [];
  if (doc.actionItems.length > 0) {
    const rows = [...doc.actionItems].sort((a, b) => a.number - b.number).map((item) => actionItemRow(item, names));
    parts.push(
      [
        '| # | Item | Type | Owner | Due | Priority | Status | Ticket |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        ...rows,
      ].join('\n'),
    );
  }
  const note = doc.sections.actionItemsNote;
  if (hasWords(note)) parts.push(authored(doc, 'actionItems', markdownBlock(note, names)));
  return parts.length > 0 ? parts.join('\n\n') : prompt('actionItems');
}

function actionItemRow(item: PostmortemActionItem, names: NameLookup): string {
  const status =
    item.status === 'cancelled'
      ? `decided not to do: ${hasWords(item.cancelReason) ? markdownCell(item.cancelReason, names) : 'no reason given'}`
      : item.status;
  const owner = item.ownerId === null ? '—' : markdownCell(displayName(names, item.ownerId), {});
  const ticket = hasWords(item.ticketUrl) ? markdownCell(item.ticketUrl, names) : '—';
  const cells = [
    String(item.number),
    markdownCell(item.text, names) || '—',
    item.type ?? '—',
    owner,
    item.dueDate ?? (item.priority === 'low' ? 'backlog' : '—'),
    item.priority,
    status,
    ticket,
  ];
  return `| ${cells.join(' | ')} |`;
}

function debrief(doc: PostmortemDocument, names: NameLookup): string {
  const d = doc.debrief;
  if (d === null) return prompt('debrief');
  if (d.kind === 'skipped') return `No debrief meeting: ${markdownInline(d.reason, names) || 'no reason given'}`;
  if (d.kind === 'scheduled') {
    const lines = [`- Scheduled: ${at(d.at)}${d.minutes ? ` (${d.minutes} min)` : ''}`];
    if (d.facilitatorId) lines.push(`- Facilitator: ${person(names, d.facilitatorId)}`);
    if (d.attendeeIds && d.attendeeIds.length > 0) {
      lines.push(`- Invited: ${d.attendeeIds.map((id) => person(names, id)).join(', ')}`);
    }
    return `${lines.join('\n')}\n\n${prompt('debrief')}`;
  }
  const lines = [`- Held: ${at(d.at)}`];
  if (d.facilitatorId !== null) lines.push(`- Facilitator: ${person(names, d.facilitatorId)}`);
  lines.push(
    `- Attendees: ${d.attendeeIds.length > 0 ? d.attendeeIds.map((id) => person(names, id)).join(', ') : 'not recorded'}`,
  );
  if (hasWords(d.recordingUrl)) lines.push(`- Recording: ${markdownInline(d.recordingUrl, names)}`);
  const parts = [lines.join('\n')];
  if (hasWords(d.decisions)) parts.push(`**Decisions**\n\n${markdownBlock(d.decisions, names)}`);
  return parts.join('\n\n');
}

function supportingInformation(doc: PostmortemDocument, names: NameLookup): string | null {
  const links = doc.sections.supportingLinks.filter((l) => hasWords(l.url));
  if (links.length === 0) return null;
  return links
    .map((l) => {
      const url = markdownInline(l.url, names);
      return hasWords(l.label) ? `- ${markdownInline(l.label, names)}: ${url}` : `- ${url}`;
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Timeline
// ---------------------------------------------------------------------------------------------

/** A timeline line: an entry, or a milestone with no entry of its own (so that every milestone shows). */
interface TimelineLine {
  at: Date;
  /** `at` in milliseconds, read once: sorting 10,000 lines compares it often. */
  ms: number;
  mark: TimelineMark | null;
  entry: PostmortemTimelineEntry | null;
  order: number;
}

function timeline(doc: PostmortemDocument, facts: IncidentFacts, names: NameLookup): string {
  const marks = currentMarks(doc);
  const parts: string[] = [milestoneTable(marks, facts)];
  const mermaid = mermaidTimeline(doc, marks);
  if (mermaid !== null) parts.push(mermaid);
  const lines = timelineLines(doc, marks);
  if (lines.length > 0) {
    const people = new Map<string, string>();
    const who = (id: string) => {
      let name = people.get(id);
      if (name === undefined) {
        name = person(names, id);
        people.set(id, name);
      }
      return name;
    };
    // Two trailing spaces: a Markdown line break, so that each entry stays on its own line when rendered.
    parts.push(`Entries (times in UTC):\n\n${lines.map((line) => `${timelineLine(line, names, who)}  `).join('\n')}`);
  } else {
    parts.push('_No timeline entries. Add them with `/incident timeline <when> <text>` or a :pushpin: reaction._');
  }
  return parts.join('\n\n');
}

/** The milestones (and declaration) that are set, in the metadata's order. */
function currentMarks(doc: PostmortemDocument): { mark: TimelineMark; at: Date }[] {
  const marks: { mark: TimelineMark; at: Date }[] = [];
  for (const mark of MARK_ORDER) {
    const time = mark === 'declared' ? doc.declaredAt : doc.milestones[mark];
    if (time) marks.push({ mark, at: time });
  }
  return marks;
}

function milestoneTable(marks: { mark: TimelineMark; at: Date }[], facts: IncidentFacts): string {
  const started = facts.milestones.started;
  const rows = marks.map(({ mark, at: time }) => {
    const elapsed = started ? elapsedLabel(time.getTime() - started.getTime()) : 'impact start unknown';
    return `| ${MARK_LABELS[mark]} | ${at(time)} | ${elapsed} |`;
  });
  if (!started) rows.unshift('| Impact began (started) | impact start unknown | — |');
  return ['| Milestone | Time (UTC) | Since impact began |', '| --- | --- | --- |', ...rows].join('\n');
}

function elapsedLabel(ms: number): string {
  return ms > 0 ? `+${formatDuration(ms)}` : formatDuration(ms);
}

/**
 * A Mermaid `timeline` of the milestones in time order. Mermaid cannot have a colon in a timeline's period
 * (mermaid-js/mermaid#4175), so the period is the milestone's name and the time is its event text.
 */
function mermaidTimeline(doc: PostmortemDocument, marks: { mark: TimelineMark; at: Date }[]): string | null {
  if (marks.length === 0) return null;
  const sorted = [...marks].sort((a, b) => a.at.getTime() - b.at.getTime());
  return [
    '```mermaid',
    'timeline',
    `    title Incident ${doc.incident.number} milestones (UTC)`,
    ...sorted.map(({ mark, at: time }) => `    ${MERMAID_LABELS[mark]} : ${utcMinute(time)}`),
    '```',
  ].join('\n');
}

/**
 * Every entry in time order, each milestone marked inline on the system entry that recorded its current
 * time; a milestone whose entry is missing (or was recorded at another time before a correction) gets a
 * line of its own, so that the timeline never silently lacks one.
 */
function timelineLines(doc: PostmortemDocument, marks: { mark: TimelineMark; at: Date }[]): TimelineLine[] {
  const lines: TimelineLine[] = doc.timeline.map((entry, order) => ({
    at: entry.at,
    ms: entry.at.getTime(),
    mark: null,
    entry,
    order,
  }));
  for (const { mark, at: time } of marks) {
    const kind = mark === 'declared' ? 'declared' : `milestone:${mark}`;
    const ms = time.getTime();
    const line = lines.find(
      (l) => l.ms === ms && l.mark === null && l.entry?.kind === kind && l.entry.source === 'system',
    );
    if (line) line.mark = mark;
    else lines.push({ at: time, ms, mark, entry: null, order: lines.length });
  }
  return lines.sort((a, b) => a.ms - b.ms || a.order - b.order);
}

function timelineLine(line: TimelineLine, names: NameLookup, who: (userId: string) => string): string {
  const marker = line.mark !== null ? `**${MILESTONE_MARKERS[line.mark]}** — ` : '';
  const entry = line.entry;
  if (entry === null) return `${utcMinute(line.at)} — ${marker}milestone time (no timeline entry)`;
  const text = entry.erasedInSlack ? '_message deleted in Slack_' : markdownInline(entry.text, names) || '_(no text)_';
  const said = entry.saidBy !== null ? `said by ${who(entry.saidBy)}, ` : '';
  return `${utcMinute(line.at)} — ${marker}${text} (${said}logged by ${who(entry.loggedBy)})`;
}
