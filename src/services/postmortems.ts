import {
  findIncidentById,
  findIncidentByNumber,
  findLatestIncidentInChannel,
  loadIncidentSummary,
} from '../db/incidents';
import {
  claimOwnerNudge,
  findPostmortem,
  findPostmortemForUpdate,
  insertPostmortemIfMissing,
  listActionItems,
  listChannelSpeakers,
  listDuplicatesOf,
  listReviewers,
  listUnacceptedAssignments,
  recordApproval,
  requestReviews,
  updatePostmortem,
} from '../db/postmortems';
import type { IncidentRow, PostmortemRow } from '../db/schema';
import { listTimeline } from '../db/timeline';
import { inTransaction } from '../db/transaction';
import { listWorkspaces } from '../db/workspaces';
import { addBusinessDaysToInstant, dateInZone, type IsoDate } from '../domain/business-days';
import { formatDuration, incidentFacts } from '../domain/durations';
import {
  type PostmortemAction,
  postmortemDueDate,
  postmortemPermission,
  postmortemPolicy,
  waiveAllowed,
} from '../domain/policy';
import {
  type Authorship,
  type CompletenessReport,
  checkCompleteness,
  checkPostmortemLanguage,
  type DebriefRecord,
  emptySections,
  type LanguageWarning,
  type PostmortemDocument,
  type PostmortemSections,
  renderPostmortemMarkdown,
  type SectionKey,
  timelineEntryForDocument,
} from '../domain/postmortem';
import { storableText } from '../domain/redact';
import type { IncidentSummary } from '../domain/types';
import { parseWhen } from '../domain/when';
import { type ActionContext, actorInIncidentChannel, addressOfWorkspace, type Scope } from './context';
import { debriefRecordOf } from './debriefs';
import { EditConflictError, PermissionDeniedError, UserFacingError } from './errors';
import type { IncidentInChannel } from './incidents';
import { recordAudit, recordSystemEntry } from './records';
import type { SlackPort } from './slack-port';

/** A postmortem with its incident, as every postmortem use case starts from. */
export interface PostmortemInContext {
  incident: IncidentRow;
  summary: IncidentSummary;
  postmortem: PostmortemRow;
}

/** What `show` and `export` read: the document and the checks over it. */
export interface PostmortemReport {
  document: PostmortemDocument;
  completeness: CompletenessReport;
  warnings: LanguageWarning[];
  openActionItems: PostmortemDocument['actionItems'];
  version: number;
}

/**
 * The incident a `/postmortem` command is about: `#<n>` names it from anywhere (incident channels
 * get archived); otherwise the channel's own. A private incident is shown only to its channel's members.
 */
export async function incidentForPostmortem(
  context: ActionContext,
  where: { channelId: string | null; number: number | null },
  example: string,
): Promise<IncidentInChannel> {
  const { db, workspaceId } = context;
  let row: IncidentRow | undefined;
  if (where.number !== null) {
    row = await findIncidentByNumber(db, workspaceId, where.number);
    if (!row)
      throw new UserFacingError(`There is no incident #${where.number} in this workspace. Example: \`${example}\``);
  } else if (where.channelId) {
    row = await findLatestIncidentInChannel(db, workspaceId, where.channelId);
  }
  if (!row) {
    throw new UserFacingError(
      `Run this in the incident's channel, or name the incident first: \`/postmortem #42 ${example.replace('/postmortem ', '')}\`.`,
    );
  }
  if (row.is_private && !(await actorInIncidentChannel(context, row))) {
    throw new UserFacingError(`There is no incident #${row.number} you can see. Ask a member of its channel.`);
  }
  return { row, summary: await loadIncidentSummary(db, row) };
}

/**
 * Creates the draft when missing (at resolution or at the first assignment, whichever is first):
 * the summary and resolution come from what was captured, marked as generated, so `show` asks a
 * person to write them; the due date follows the policy of the peak severity.
 */
export async function ensurePostmortem(scope: Scope, incident: IncidentRow): Promise<PostmortemRow> {
  const existing = await findPostmortem(scope.db, incident.id);
  if (existing) return existing;
  const summary = await loadIncidentSummary(scope.db, incident);
  const { sections, authorship } = generatedDraft(incident, summary);
  return insertPostmortemIfMissing(scope.db, {
    incidentId: incident.id,
    sections: JSON.stringify(sections),
    authorship: JSON.stringify(authorship),
    dueDate: policyDueDate(incident, summary, null),
    at: scope.now,
  });
}

function policyDueDate(incident: IncidentRow, summary: IncidentSummary, timeZone: string | null): IsoDate {
  return postmortemDueDate({
    peakSeverity: incident.peak_severity,
    reopened: incident.reopen_count > 0,
    resolvedAt: summary.milestones.resolved ?? incident.closed_at ?? incident.declared_at,
    timeZone,
  });
}

/** What Debrief can write by itself: a factual summary and the resolution as stated at `resolve`. */
function generatedDraft(incident: IncidentRow, summary: IncidentSummary) {
  const sections: PostmortemSections = emptySections();
  const authorship: Partial<Record<SectionKey, Authorship>> = {};
  const facts = incidentFacts({ milestones: summary.milestones, declaredAt: incident.declared_at });
  const impactMs = facts.impact?.durationMs;
  const lasted = impactMs !== undefined && impactMs !== null ? ` Impact lasted ${formatDuration(impactMs)}.` : '';
  sections.summary = `${incident.title}: a ${incident.peak_severity} incident declared at ${incident.declared_at.toISOString().slice(0, 16).replace('T', ' ')} UTC.${lasted}`;
  authorship.summary = 'generated';
  if (incident.summary) {
    sections.resolution.mitigation = incident.summary;
    authorship.resolution = 'generated';
  }
  return { sections, authorship };
}

async function loadForChange(trx: Scope['db'], incident: IncidentRow): Promise<PostmortemRow> {
  const row = await findPostmortemForUpdate(trx, incident.id);
  if (!row)
    throw new UserFacingError(
      `Incident #${incident.number} has no postmortem yet. Start it with \`/postmortem assign @owner\`.`,
    );
  return row;
}

/** Refuses unless the actor may do that to the postmortem (SPEC 2, who may do what). */
export async function requirePostmortemPermission(
  context: ActionContext,
  action: PostmortemAction,
  incident: IncidentInChannel,
  postmortem: PostmortemRow | undefined,
  extra: { reviewerIds?: string[] } = {},
): Promise<void> {
  const permission = postmortemPermission(action, {
    actor: context.actor,
    isChannelMember: await actorInIncidentChannel(context, incident.row),
    commanderId: incident.summary.roles.commander ?? null,
    ownerId: postmortem?.owner_id ?? null,
    ...extra,
  });
  if (!permission.allowed) throw new PermissionDeniedError(permission.reason);
}

export interface Assignment {
  postmortem: PostmortemRow;
  ownerId: string;
  dueDate: IsoDate;
  previousOwnerId: string | null;
}

/**
 * `/postmortem assign <@user> [due <when>]`: sets the owner (creating the draft if needed), records it
 * in the timeline and the audit log, and sends the owner a checklist to accept or hand over.
 */
export async function assignOwner(
  context: ActionContext,
  incident: IncidentInChannel,
  input: { ownerId: string; dueText: string | null },
): Promise<Assignment> {
  const owner = await context.slack.lookupUser(context.workspace, input.ownerId);
  if (owner.isBot || owner.deleted || owner.isGuest) {
    throw new UserFacingError(
      'A postmortem owner must be a full member of the workspace (not a bot, a guest or a deactivated account). Example: `/postmortem assign @alex due friday`.',
    );
  }
  const due = input.dueText === null ? null : parseDueDate(input.dueText, context, owner.timeZone);
  await ensurePostmortem(context, incident.row);
  const assignment = await inTransaction(context.db, async (trx) => {
    const current = await loadForChange(trx, incident.row);
    await requirePostmortemPermission({ ...context, db: trx }, 'assign', incident, current);
    if (isClosed(current)) throw new UserFacingError(closedMessage(incident.row, current));
    const dueDate = due ?? current.due_date ?? policyDueDate(incident.row, incident.summary, owner.timeZone);
    const updated = await updatePostmortem(
      trx,
      current.id,
      {
        owner_id: input.ownerId,
        assigned_by: context.actor.userId,
        assigned_at: context.now,
        owner_accepted_at: input.ownerId === context.actor.userId ? context.now : null,
        owner_nudged_at: null,
        due_date: dueDate,
      },
      context.now,
    );
    if (!updated) throw new Error('the locked postmortem could not be updated');
    await recordSystemEntry(
      trx,
      context,
      incident.row.id,
      'postmortem_owner',
      `Postmortem owner: <@${input.ownerId}>, due ${dueDate}`,
    );
    await recordAudit(trx, context, incident.row.id, 'postmortem.assigned', { ownerId: input.ownerId, dueDate });
    return { postmortem: updated, ownerId: input.ownerId, dueDate, previousOwnerId: current.owner_id };
  });
  const report = await postmortemReport(context, incident);
  await context.slack.sendDirect(context.workspace, input.ownerId, {
    kind: 'postmortem_checklist',
    incidentId: incident.row.id,
    incidentNumber: incident.row.number,
    title: incident.row.is_private ? null : incident.row.title,
    dueDate: assignment.dueDate,
    assignedBy: context.actor.userId,
    missing: report.completeness.missing,
  });
  return assignment;
}

function parseDueDate(text: string, context: ActionContext, ownerZone: string | null): IsoDate {
  const parsed = parseWhen(text, { now: context.now, timeZone: ownerZone, direction: 'future' });
  if (!parsed.ok) throw new UserFacingError(`${parsed.message}\nExample: \`/postmortem assign @alex due friday\``);
  return dateInZone(parsed.at, ownerZone);
}

/** The owner takes the postmortem (the checklist's Accept button). */
export async function acceptOwnership(context: ActionContext, incidentId: number): Promise<PostmortemInContext> {
  const found = await postmortemById(context, incidentId);
  if (found.postmortem.owner_id !== context.actor.userId) {
    throw new PermissionDeniedError('Only the assigned owner can accept the postmortem.');
  }
  const updated = await updatePostmortem(
    context.db,
    found.postmortem.id,
    { owner_accepted_at: context.now },
    context.now,
  );
  await recordAudit(context.db, context, incidentId, 'postmortem.accepted', {});
  return { ...found, postmortem: updated ?? found.postmortem };
}

/** The owner gives the postmortem back (Hand over): nobody owns it until the channel picks someone. */
export async function handOverOwnership(context: ActionContext, incidentId: number): Promise<PostmortemInContext> {
  const found = await postmortemById(context, incidentId);
  if (found.postmortem.owner_id !== context.actor.userId) {
    throw new PermissionDeniedError('Only the current owner can hand the postmortem over.');
  }
  const updated = await inTransaction(context.db, async (trx) => {
    const row = await updatePostmortem(
      trx,
      found.postmortem.id,
      { owner_id: null, owner_accepted_at: null, owner_nudged_at: null },
      context.now,
    );
    await recordSystemEntry(
      trx,
      context,
      incidentId,
      'postmortem_owner',
      `<@${context.actor.userId}> handed the postmortem over`,
    );
    await recordAudit(trx, context, incidentId, 'postmortem.handed_over', {});
    return row;
  });
  if (found.incident.channel_id) {
    await context.slack.post(context.workspace, found.incident.channel_id, {
      kind: 'postmortem_owner_wanted',
      incidentId,
      incidentNumber: found.incident.number,
      reason: 'handed_over',
      by: context.actor.userId,
    });
  }
  return { ...found, postmortem: updated ?? found.postmortem };
}

async function postmortemById(scope: Scope, incidentId: number): Promise<PostmortemInContext> {
  const incident = await findIncidentById(scope.db, scope.workspaceId, incidentId);
  const postmortem = incident && (await findPostmortem(scope.db, incident.id));
  if (!incident || !postmortem) throw new UserFacingError('That postmortem no longer exists in this workspace.');
  return { incident, summary: await loadIncidentSummary(scope.db, incident), postmortem };
}

/**
 * On `/incident resolve`: the draft is created (required or optional by the policy) and the channel
 * is asked who owns it, unless someone already does.
 */
export async function startPostmortemAfterResolve(scope: Scope, incidentId: number): Promise<void> {
  const incident = await findIncidentById(scope.db, scope.workspaceId, incidentId);
  if (!incident) return;
  const postmortem = await ensurePostmortem(scope, incident);
  if (postmortem.owner_id || !incident.channel_id || isClosed(postmortem)) return;
  const policy = postmortemPolicy({ peakSeverity: incident.peak_severity, reopened: incident.reopen_count > 0 });
  await scope.slack.post(scope.workspace, incident.channel_id, {
    kind: 'postmortem_owner_wanted',
    incidentId: incident.id,
    incidentNumber: incident.number,
    reason: policy.required ? 'required' : 'optional',
    by: null,
  });
}

/** A section's new content from the edit modal: the whole section, written by a person. */
export type SectionEdit =
  | { section: 'summary'; value: PostmortemSections['summary'] }
  | { section: 'impact'; value: PostmortemSections['impact'] }
  | { section: 'detection'; value: PostmortemSections['detection'] }
  | { section: 'response'; value: PostmortemSections['response'] }
  | { section: 'contributingFactors'; value: PostmortemSections['contributingFactors'] }
  | { section: 'resolution'; value: PostmortemSections['resolution'] }
  | { section: 'lessonsLearned'; value: PostmortemSections['lessonsLearned'] }
  | { section: 'actionItems'; value: PostmortemSections['actionItemsNote'] }
  | { section: 'supportingInformation'; value: PostmortemSections['supportingLinks'] };

/**
 * Saves one section if the postmortem is still the version the editor opened; otherwise refuses and
 * shows the newer text, so a concurrent edit is never silently lost.
 */
export async function editSection(
  context: ActionContext,
  incident: IncidentInChannel,
  edit: SectionEdit & { expectedVersion: number },
): Promise<PostmortemRow> {
  return inTransaction(context.db, async (trx) => {
    const current = await loadForChange(trx, incident.row);
    await requirePostmortemPermission({ ...context, db: trx }, 'edit', incident, current);
    if (current.version !== edit.expectedVersion) {
      const newer = sectionText(JSON.parse(current.sections) as PostmortemSections, edit.section);
      throw new EditConflictError(
        `Someone saved the postmortem while you were editing. ${newer ? `This section now reads: “${newer}”. ` : ''}Close this and edit again.`,
      );
    }
    const sections = JSON.parse(current.sections) as PostmortemSections;
    applyEdit(sections, edit);
    const authorship = { ...(JSON.parse(current.authorship) as Record<string, Authorship>), [edit.section]: 'person' };
    const updated = await updatePostmortem(
      trx,
      current.id,
      { sections: storableText(JSON.stringify(sections)), authorship: JSON.stringify(authorship) },
      context.now,
      edit.expectedVersion,
    );
    if (!updated) throw new Error('the locked postmortem changed under its lock');
    await recordAudit(trx, context, incident.row.id, 'postmortem.edited', { section: edit.section });
    return updated;
  });
}

function applyEdit(sections: PostmortemSections, edit: SectionEdit): void {
  switch (edit.section) {
    case 'actionItems':
      sections.actionItemsNote = edit.value;
      return;
    case 'supportingInformation':
      sections.supportingLinks = edit.value;
      return;
    default:
      (sections as unknown as Record<string, unknown>)[edit.section] = edit.value;
  }
}

/** A short text of a section, to show an editor what someone else saved. */
function sectionText(sections: PostmortemSections, key: SectionKey): string {
  const value =
    key === 'actionItems'
      ? sections.actionItemsNote
      : key === 'supportingInformation'
        ? sections.supportingLinks
        : sections[key];
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/**
 * What a section's edit modal starts from: the sections as saved, who wrote them and the version the
 * edit will expect. Database only (no Slack call), so it can run before `views.open` spends the trigger.
 */
export async function sectionsForEdit(scope: Scope, incident: IncidentInChannel) {
  const postmortem = await ensurePostmortem(scope, incident.row);
  return {
    sections: JSON.parse(postmortem.sections) as PostmortemSections,
    authorship: JSON.parse(postmortem.authorship) as PostmortemDocument['authorship'],
    version: postmortem.version,
  };
}

/** The document as it stands, with completeness, language warnings and open action items. */
export async function postmortemReport(scope: Scope, incident: IncidentInChannel): Promise<PostmortemReport> {
  const postmortem = await ensurePostmortem(scope, incident.row);
  const document = await assembleDocument(scope, incident, postmortem);
  return {
    document,
    completeness: checkCompleteness(document),
    warnings: checkPostmortemLanguage(document),
    openActionItems: document.actionItems.filter((item) => item.status === 'open'),
    version: postmortem.version,
  };
}

/** The Markdown export of SPEC 4, named `postmortem-<n>.md`. */
export async function exportMarkdown(scope: Scope, incident: IncidentInChannel) {
  // The document alone: the completeness and language checks are for `show`, not the export.
  const document = await assembleDocument(scope, incident, await ensurePostmortem(scope, incident.row));
  return { filename: `postmortem-${incident.row.number}.md`, markdown: renderPostmortemMarkdown(document) };
}

async function assembleDocument(
  scope: Scope,
  incident: IncidentInChannel,
  postmortem: PostmortemRow,
): Promise<PostmortemDocument> {
  const { db } = scope;
  const [timeline, reviewers, items, speakers, duplicates, debrief] = await Promise.all([
    listTimeline(db, incident.row.id),
    listReviewers(db, postmortem.id),
    listActionItems(db, incident.row.id),
    listChannelSpeakers(db, incident.row.id),
    listDuplicatesOf(db, incident.row.id),
    debriefRecordOf(db, incident.row.id, scope.now),
  ]);
  const responders = new Map<string, Date | null>();
  for (const speaker of speakers) responders.set(speaker.user_id, speaker.first_at ? new Date(speaker.first_at) : null);
  for (const entry of timeline) {
    if (entry.source === 'system') continue;
    const first = responders.get(entry.authorId);
    if (!responders.has(entry.authorId) || (first && entry.recordedAt < first))
      responders.set(entry.authorId, entry.recordedAt);
  }
  const people = new Set<string>([
    ...responders.keys(),
    ...Object.values(incident.summary.roles),
    ...timeline.map((e) => e.authorId),
    ...timeline.flatMap((e) => (e.message?.authorId ? [e.message.authorId] : [])),
    ...reviewers.map((r) => r.user_id),
    ...items.map((i) => i.owner_id),
    ...(postmortem.owner_id ? [postmortem.owner_id] : []),
    ...mentionedIds(timeline.map((e) => e.text).join(' ')),
    ...debriefPeople(debrief),
  ]);
  const names = await resolveNames(scope, [...people]);
  const related = incident.row.duplicate_of
    ? await findIncidentById(db, scope.workspaceId, incident.row.duplicate_of)
    : undefined;
  return {
    incident: {
      number: incident.row.number,
      title: incident.row.title,
      peakSeverity: incident.row.peak_severity,
      declaredSeverity: declaredSeverity(incident.row, timeline),
      status: incident.row.status,
      channelName: incident.row.channel_name,
      isPrivate: incident.row.is_private,
      reopened: incident.row.reopen_count > 0,
    },
    status: postmortem.status,
    ownerId: postmortem.owner_id,
    dueDate: postmortem.due_date,
    reviewers: reviewers.map((r) => ({ userId: r.user_id, approvedAt: r.approved_at })),
    relatedIncidents: [
      ...(related ? [{ number: related.number, title: related.is_private ? null : related.title }] : []),
      ...duplicates.map((d) => ({ number: d.number, title: d.is_private ? null : d.title })),
    ],
    roles: incident.summary.roles,
    responders: [...responders].map(([userId, joinedAt]) => ({ userId, joinedAt })),
    names,
    milestones: incident.summary.milestones,
    declaredAt: incident.row.declared_at,
    mitigatedNotApplicable: postmortem.mitigated_not_applicable,
    laterImpactWindows: [],
    timeline: timeline.map(timelineEntryForDocument),
    sections: JSON.parse(postmortem.sections) as PostmortemSections,
    authorship: JSON.parse(postmortem.authorship) as PostmortemDocument['authorship'],
    actionItems: items.map((i) => ({
      number: i.number,
      text: i.text,
      type: i.type,
      ownerId: i.owner_id,
      dueDate: i.due_date,
      priority: i.priority,
      status: i.status,
      cancelReason: i.cancel_reason,
      ticketUrl: i.ticket_url,
    })),
    debrief,
  };
}

/** Who the document's `## Debrief` names, so their names are resolved with everyone else's. */
function debriefPeople(debrief: DebriefRecord | null): string[] {
  if (debrief === null || debrief.kind === 'skipped') return [];
  return [...(debrief.attendeeIds ?? []), ...(debrief.facilitatorId ? [debrief.facilitatorId] : [])];
}

/** The severity it was declared with: the first system entry says it ("Incident declared (sev3): …"). */
function declaredSeverity(incident: IncidentRow, timeline: { kind: string; text: string }[]) {
  const declared = timeline.find((e) => e.kind === 'declared');
  const match = declared && /\((sev[1-4])\)/.exec(declared.text);
  return (match?.[1] as IncidentRow['severity'] | undefined) ?? incident.severity;
}

function mentionedIds(text: string): string[] {
  return [...text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1]!);
}

/** Display names from Slack (cached by the port); someone Slack cannot name shows as their id. */
async function resolveNames(scope: Scope, userIds: string[]): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  await Promise.all(
    userIds.map(async (userId) => {
      try {
        const user = await scope.slack.lookupUser(scope.workspace, userId);
        if (user.name) names[userId] = user.name;
      } catch {
        // Export must not fail because Slack is slow or rate-limiting: the id is shown instead.
      }
    }),
  );
  return names;
}

/** `/postmortem publish`: the owner or the commander; refused with the list of what is missing. */
export async function publishPostmortem(
  context: ActionContext,
  incident: IncidentInChannel,
  announceIn: string | null,
) {
  const report = await postmortemReport(context, incident);
  const published = await inTransaction(context.db, async (trx) => {
    const current = await loadForChange(trx, incident.row);
    await requirePostmortemPermission({ ...context, db: trx }, 'publish', incident, current);
    if (isClosed(current)) throw new UserFacingError(closedMessage(incident.row, current));
    if (!report.completeness.complete) {
      throw new UserFacingError(
        `The postmortem of #${incident.row.number} is not complete yet. Missing:\n${report.completeness.missing.map((m) => `• ${m}`).join('\n')}`,
      );
    }
    const allDone = report.document.actionItems.every((i) => i.status !== 'open');
    const row = await updatePostmortem(
      trx,
      current.id,
      { status: allDone && report.document.actionItems.length > 0 ? 'closed' : 'published', published_at: context.now },
      context.now,
    );
    await recordSystemEntry(trx, context, incident.row.id, 'postmortem_published', 'Postmortem published');
    await recordAudit(trx, context, incident.row.id, 'postmortem.published', {});
    return row;
  });
  if (announceIn) {
    await context.slack.post(context.workspace, announceIn, {
      kind: 'postmortem_published',
      incidentNumber: incident.row.number,
      // A private incident's announcement names only its number (SPEC 2).
      title: incident.row.is_private ? null : incident.row.title,
      channelId: incident.row.is_private ? null : incident.row.channel_id,
      by: context.actor.userId,
    });
  }
  return published;
}

/** `/postmortem review [@reviewers]`: in review, and each reviewer (default: the commander) is asked. */
export async function requestReview(context: ActionContext, incident: IncidentInChannel, reviewerIds: string[]) {
  const commander = incident.summary.roles.commander;
  const reviewers = reviewerIds.length > 0 ? reviewerIds : commander ? [commander] : [];
  if (reviewers.length === 0) {
    throw new UserFacingError(
      'Name who should review, e.g. `/postmortem review @alex @sam` (there is no commander to ask by default).',
    );
  }
  const postmortem = await ensurePostmortem(context, incident.row);
  await inTransaction(context.db, async (trx) => {
    const current = await loadForChange(trx, incident.row);
    await requirePostmortemPermission({ ...context, db: trx }, 'review', incident, current);
    if (isClosed(current)) throw new UserFacingError(closedMessage(incident.row, current));
    await requestReviews(trx, postmortem.id, reviewers, context.actor.userId, context.now);
    await updatePostmortem(trx, postmortem.id, { status: 'in_review' }, context.now);
    await recordAudit(trx, context, incident.row.id, 'postmortem.review_requested', { reviewers });
  });
  for (const reviewerId of reviewers) {
    await context.slack.sendDirect(context.workspace, reviewerId, {
      kind: 'postmortem_review_requested',
      incidentId: incident.row.id,
      incidentNumber: incident.row.number,
      title: incident.row.is_private ? null : incident.row.title,
      by: context.actor.userId,
    });
  }
  return reviewers;
}

/** A reviewer approves (button `postmortem_approve`); the owner cannot approve their own postmortem. */
export async function approvePostmortem(context: ActionContext, incidentId: number) {
  const found = await postmortemById(context, incidentId);
  const reviewers = await listReviewers(context.db, found.postmortem.id);
  await requirePostmortemPermission(
    context,
    'approve',
    { row: found.incident, summary: found.summary },
    found.postmortem,
    {
      reviewerIds: reviewers.map((r) => r.user_id),
    },
  );
  const first = await recordApproval(
    context.db,
    found.postmortem.id,
    context.actor.userId,
    context.actor.userId,
    context.now,
  );
  if (first) await recordAudit(context.db, context, incidentId, 'postmortem.approved', {});
  return { ...found, first };
}

/** `/postmortem waive <reason>`: the commander, sev3–4 peak only; reminders stop. */
export async function waivePostmortem(context: ActionContext, incident: IncidentInChannel, reason: string) {
  const why = storableText(reason.trim());
  if (why === '')
    throw new UserFacingError(
      'Say why no postmortem is needed, e.g. `/postmortem waive known issue, fixed by the vendor`.',
    );
  const allowed = waiveAllowed({ peakSeverity: incident.row.peak_severity, reopened: incident.row.reopen_count > 0 });
  if (!allowed.allowed) throw new UserFacingError(allowed.reason);
  await ensurePostmortem(context, incident.row);
  await inTransaction(context.db, async (trx) => {
    const current = await loadForChange(trx, incident.row);
    await requirePostmortemPermission({ ...context, db: trx }, 'waive', incident, current);
    await updatePostmortem(trx, current.id, { status: 'waived', closing_reason: why }, context.now);
    await recordSystemEntry(trx, context, incident.row.id, 'postmortem_waived', `Postmortem waived: ${why}`);
    await recordAudit(trx, context, incident.row.id, 'postmortem.waived', {});
  });
  return why;
}

function isClosed(postmortem: PostmortemRow): boolean {
  return postmortem.status === 'waived' || postmortem.status === 'false_alarm';
}

function closedMessage(incident: IncidentRow, postmortem: PostmortemRow): string {
  return `The postmortem of #${incident.number} was ${postmortem.status === 'waived' ? 'waived' : 'closed'}${postmortem.closing_reason ? `: ${postmortem.closing_reason}` : ''}.`;
}

/**
 * The scheduler's part: an owner who has not accepted within one business day gets one private
 * nudge, and whoever assigned them is told privately. Claimed in Postgres, so N replicas send it once.
 */
export async function nudgeUnacceptedOwners(deps: { db: Scope['db']; slack: SlackPort; now: Date }): Promise<number> {
  const candidates = await listUnacceptedAssignments(deps.db, new Date(deps.now.getTime() - 24 * 60 * 60 * 1000));
  let nudged = 0;
  for (const candidate of candidates) {
    if (!candidate.owner_id || !candidate.assigned_at) continue;
    const workspace = await addressOfWorkspace(deps.db, candidate.workspace_id);
    if (!workspace) continue;
    const owner = await deps.slack.lookupUser(workspace, candidate.owner_id);
    if (addBusinessDaysToInstant(candidate.assigned_at, 1, owner.timeZone) > deps.now) continue;
    if (!(await claimOwnerNudge(deps.db, candidate.id, candidate.owner_id, deps.now))) continue;
    await deps.slack.sendDirect(workspace, candidate.owner_id, {
      kind: 'postmortem_owner_nudge',
      incidentId: candidate.incident_id,
      incidentNumber: candidate.number,
    });
    if (candidate.assigned_by && candidate.assigned_by !== candidate.owner_id) {
      await deps.slack.sendDirect(workspace, candidate.assigned_by, {
        kind: 'postmortem_owner_not_accepted',
        incidentNumber: candidate.number,
        ownerId: candidate.owner_id,
      });
    }
    nudged++;
  }
  return nudged;
}

/** `debrief export`: which workspace to read, when the database holds several. */
export class WorkspaceChoiceError extends UserFacingError {
  override name = 'WorkspaceChoiceError';
}

/**
 * `debrief export --incident <n> [--team <id>] [--format markdown|json]` (SPEC 7): the document as
 * Markdown, or as JSON holding the incident, its timeline in order, milestones, roles and sections.
 */
export async function exportForOperator(
  deps: { db: Scope['db']; slack: SlackPort; now: Date },
  request: { incidentNumber: number; teamId: string | null; format: 'markdown' | 'json' },
): Promise<string> {
  const workspaces = await listWorkspaces(deps.db);
  // --team names a workspace row: its team id (an org-wide install's row holds the organisation's id
  // there), or an organisation with exactly one row. Never the first of several rows of one
  // organisation: that would be another workspace's data.
  const exact = workspaces.filter((w) => w.team_id === request.teamId);
  const ofOrganisation = workspaces.filter((w) => w.enterprise_id === request.teamId);
  const chosen =
    request.teamId === null
      ? workspaces.length === 1
        ? workspaces[0]
        : undefined
      : exact.length === 1
        ? exact[0]
        : ofOrganisation.length === 1
          ? ofOrganisation[0]
          : undefined;
  if (!chosen) {
    throw new WorkspaceChoiceError(
      request.teamId === null
        ? `This database serves ${workspaces.length} workspaces: name one with --team (${workspaces.map((w) => w.team_id).join(', ') || 'none yet'}).`
        : ofOrganisation.length > 1
          ? `Organisation ${request.teamId} has ${ofOrganisation.length} workspaces here: name one with --team (${ofOrganisation.map((w) => w.team_id).join(', ')}).`
          : `No workspace ${request.teamId} in this database (known: ${workspaces.map((w) => w.team_id).join(', ') || 'none'}).`,
    );
  }
  const workspace = await addressOfWorkspace(deps.db, chosen.id);
  if (!workspace) throw new Error('the chosen workspace vanished');
  const scope: Scope = { db: deps.db, slack: deps.slack, workspace, workspaceId: chosen.id, now: deps.now };
  const row = await findIncidentByNumber(deps.db, chosen.id, request.incidentNumber);
  if (!row)
    throw new UserFacingError(`There is no incident #${request.incidentNumber} in workspace ${chosen.team_id}.`);
  const incident = { row, summary: await loadIncidentSummary(deps.db, row) };
  if (request.format === 'markdown') return (await exportMarkdown(scope, incident)).markdown;
  const { document, completeness } = await postmortemReport(scope, incident);
  const { names, ...rest } = document;
  return JSON.stringify({ ...rest, names: typeof names === 'function' ? {} : names, completeness }, null, 2);
}
