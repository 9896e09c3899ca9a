/**
 * The reminder sweep (SPEC 5): what each person hears about today, sent at most once per person and
 * local date whatever the number of replicas, restarts or overlapping sweeps.
 *
 * Per workspace: load the open items, overdue drafts and waiting reviews, ask Slack for the people's
 * zones (cached; someone Slack cannot describe right now is skipped until a later sweep), plan with the
 * domain's `planDigests`, then for each digest: claim (workspace, person, local date) in Postgres, send
 * once through the port (no retry, a timeout), and mark it sent. A definite refusal (`ok:false`, 429)
 * releases the claim for a later sweep; a 429 on the workspace's own limit (conversations.open) also
 * ends this sweep's sends there, while chat.postMessage's per-conversation 429 concerns one person; an
 * unknown outcome (a timeout, a crash mid-send) keeps the claim: a missed digest is cheaper than a double.
 */
import type { ActionItemInContext } from '../db/action-items';
import { listOpenItems } from '../db/action-items';
import type { Db } from '../db/connect';
import {
  claimDigest,
  countDraftReminders,
  type DigestClaimKey,
  listClaimedDigests,
  listDraftsForDigest,
  listWaitingReviews,
  markDigestSent,
  markReviewsNudged,
  releaseDigest,
} from '../db/digests';
import { inTransaction } from '../db/transaction';
import { listWorkspaces } from '../db/workspaces';
import { dateInZone, type IsoDate } from '../domain/business-days';
import { postmortemPolicy } from '../domain/policy';
import {
  type DigestDraft,
  type DigestItem,
  type DigestPerson,
  type DigestReview,
  type DigestSections,
  digestKey,
  type PlannedDigest,
  planDigests,
} from '../domain/reminders';
import { resolveZone } from '../domain/when';
import { type ActionItemView, actionItemView } from './action-items';
import { addressOfWorkspace } from './context';
import type { DigestMetrics } from './metrics-port';
import type { DeliveryOutcome, SlackPort, SlackUser, WorkspaceAddress } from './slack-port';

/** One item line of a digest. */
export interface DigestItemLine {
  item: ActionItemView;
  daysOverdue: number;
  /** Snoozed twice or 30+ days overdue: the digest asks for a new date with a reason, or a cancellation. */
  needsDecision: boolean;
}

export interface DigestDraftLine {
  postmortemId: number;
  incidentId: number;
  incidentNumber: number;
  /** Null for a private incident: a DM may be read anywhere. */
  incidentTitle: string | null;
  dueDate: IsoDate;
  daysOverdue: number;
}

export interface DigestReviewLine {
  postmortemId: number;
  incidentId: number;
  incidentNumber: number;
  incidentTitle: string | null;
  requestedAt: Date;
}

/** What one digest DM says, section by section (the planner's sections, as data for `slack/blocks`). */
export interface DigestView {
  recipientId: string;
  /** The recipient's local date the digest is for. */
  localDate: IsoDate;
  timeZone: string;
  dueToday: DigestItemLine[];
  dueSoon: DigestItemLine[];
  overdue: DigestItemLine[];
  escalated: DigestItemLine[];
  reassign: DigestItemLine[];
  overdueDrafts: DigestDraftLine[];
  reviewsWaiting: DigestReviewLine[];
}

/** What a sweep needs: the database, the outbound port, the instant it runs as, and REMINDER_HOUR. */
export interface ReminderDeps {
  db: Db;
  slack: SlackPort;
  now: Date;
  reminderHour: number;
  /** Problems worth an operator's attention (a send with an unknown outcome, a rate limit); ids only. */
  warn?: (message: string) => void;
  /** Counts digests sent, failed and skipped (the composition root hands in /metrics). */
  metrics?: DigestMetrics;
}

/** The digests one workspace would get now. */
export interface WorkspacePlan {
  workspaceId: number;
  workspace: WorkspaceAddress;
  /** The team (or organisation) id, for output. */
  teamId: string;
  digests: DigestView[];
  /** People Slack could not describe this sweep: they get nothing now, and a later sweep tries again. */
  skippedPeople: string[];
}

type Item = DigestItem & { view: ActionItemView };
type Draft = DigestDraft & { line: Omit<DigestDraftLine, 'daysOverdue'> };
type Review = DigestReview & { line: DigestReviewLine };

/**
 * The digests every workspace would get at `deps.now`, without claiming or sending anything: the
 * dry run of `debrief remind`, and what `debrief demo` prints. Digests already claimed or sent today
 * (in each person's zone) are not planned again.
 */
export async function planSweep(deps: Omit<ReminderDeps, 'warn'>): Promise<WorkspacePlan[]> {
  const plans: WorkspacePlan[] = [];
  for (const row of await listWorkspaces(deps.db)) {
    const workspace = await addressOfWorkspace(deps.db, row.id);
    if (!workspace) continue;
    plans.push(await planWorkspace(deps, row.id, row.team_id, workspace));
  }
  return plans;
}

async function planWorkspace(
  deps: Omit<ReminderDeps, 'warn'>,
  workspaceId: number,
  teamId: string,
  workspace: WorkspaceAddress,
): Promise<WorkspacePlan> {
  const { db, now } = deps;
  const [itemRows, draftRows, reviewRows] = await Promise.all([
    listOpenItems(db, workspaceId),
    listDraftsForDigest(db, workspaceId),
    listWaitingReviews(db, workspaceId),
  ]);
  const items: Item[] = itemRows.map(digestItem);
  const drafts: Draft[] = draftRows.map((d) => ({
    id: d.id,
    incidentNumber: d.incident_number,
    ownerId: d.owner_id,
    dueDate: d.due_date,
    status: d.status,
    required: postmortemPolicy({ peakSeverity: d.peak_severity, reopened: d.reopen_count > 0 }).required,
    remindersSent: d.draft_reminders_sent,
    line: {
      postmortemId: d.id,
      incidentId: d.incident_id,
      incidentNumber: d.incident_number,
      incidentTitle: d.incident_is_private ? null : d.incident_title,
      dueDate: d.due_date ?? '',
    },
  }));
  const reviews: Review[] = reviewRows.map((r) => ({
    postmortemId: r.postmortem_id,
    incidentNumber: r.incident_number,
    reviewerId: r.user_id,
    requestedAt: r.requested_at,
    nudged: r.nudged_at !== null,
    line: {
      postmortemId: r.postmortem_id,
      incidentId: r.incident_id,
      incidentNumber: r.incident_number,
      incidentTitle: r.incident_is_private ? null : r.incident_title,
      requestedAt: r.requested_at,
    },
  }));
  const ids = new Set<string>();
  for (const item of items) {
    ids.add(item.ownerId);
    if (item.postmortemOwnerId) ids.add(item.postmortemOwnerId);
  }
  for (const draft of drafts) if (draft.ownerId) ids.add(draft.ownerId);
  for (const review of reviews) ids.add(review.reviewerId);
  const { people, skipped } = await describePeople(deps.slack, workspace, [...ids]);
  const localDates = new Set(people.map((p) => dateInZone(now, p.timeZone)));
  const claimedRows = await listClaimedDigests(db, workspaceId, [...localDates]);
  const claimed = new Set(claimedRows.map((c) => digestKey(c.user_id, c.local_date)));
  const planned = planDigests<Item, Draft, Review>(
    { people, items, drafts, reviews, claimed, reminderHour: deps.reminderHour },
    now,
  );
  const skippedSet = new Set(skipped);
  return {
    workspaceId,
    workspace,
    teamId,
    // Someone Slack could not describe is planned as if in UTC (the planner's default): not now.
    digests: planned.filter((d) => !skippedSet.has(d.recipientId)).map(digestView),
    skippedPeople: skipped,
  };
}

/** What one sweep did, for logs, the CLI and tests. */
export interface SweepReport {
  planned: number;
  sent: DigestClaimKey[];
  /** Slack refused for certain; released for a later sweep. */
  refused: (DigestClaimKey & { slackError: string })[];
  /** Outcome unknown (a timeout): kept as claimed, not retried. */
  unknown: (DigestClaimKey & { reason: string })[];
  /** Another sweep (another replica) claimed it first. */
  claimedElsewhere: number;
  /** Workspaces that answered 429: their remaining digests wait for a later sweep. */
  rateLimited: { workspaceId: number; retryAfterSeconds: number; left: number }[];
  skippedPeople: number;
}

/** One sweep: plan, then claim, send once and mark each digest. */
export async function runReminderSweep(deps: ReminderDeps): Promise<SweepReport> {
  const report: SweepReport = {
    planned: 0,
    sent: [],
    refused: [],
    unknown: [],
    claimedElsewhere: 0,
    rateLimited: [],
    skippedPeople: 0,
  };
  for (const plan of await planSweep(deps)) {
    report.planned += plan.digests.length;
    report.skippedPeople += plan.skippedPeople.length;
    deps.metrics?.digest('skipped', 'no_person', plan.skippedPeople.length);
    for (const [index, digest] of plan.digests.entries()) {
      const key: DigestClaimKey = {
        workspaceId: plan.workspaceId,
        userId: digest.recipientId,
        localDate: digest.localDate,
      };
      const result = await deliver(deps, plan.workspace, key, digest);
      countDigest(deps.metrics, result);
      if (result === 'claimed elsewhere') report.claimedElsewhere += 1;
      else if (result.outcome === 'sent') report.sent.push(key);
      else if (result.outcome === 'unknown') {
        report.unknown.push({ ...key, reason: result.reason });
        deps.warn?.(
          `reminder digest to ${key.userId} (workspace ${key.workspaceId}, ${key.localDate}): outcome unknown (${result.reason}); kept as claimed so it is never sent twice`,
        );
      } else {
        report.refused.push({ ...key, slackError: result.slackError });
        const limit = result.rateLimited;
        if (limit?.wholeWorkspace) {
          const left = plan.digests.length - index - 1;
          report.rateLimited.push({ workspaceId: plan.workspaceId, retryAfterSeconds: limit.retryAfterSeconds, left });
          deps.metrics?.digest('skipped', 'rate_limited', left);
          deps.warn?.(
            `Slack rate-limited reminder digests in workspace ${plan.workspaceId} (Retry-After ${limit.retryAfterSeconds} s): ${left + 1} wait for a later sweep`,
          );
          break;
        }
      }
    }
  }
  return report;
}

type Delivery = 'claimed elsewhere' | Exclude<DeliveryOutcome, { outcome: 'sent' }> | { outcome: 'sent' };

function countDigest(metrics: DigestMetrics | undefined, result: Delivery): void {
  if (!metrics) return;
  if (result === 'claimed elsewhere') metrics.digest('skipped', 'claimed_elsewhere');
  else if (result.outcome === 'sent') metrics.digest('sent');
  else if (result.outcome === 'unknown') metrics.digest('failed', 'unknown');
  else metrics.digest('failed', result.rateLimited ? 'rate_limited' : 'refused');
}

async function deliver(
  deps: ReminderDeps,
  workspace: WorkspaceAddress,
  key: DigestClaimKey,
  digest: DigestView,
): Promise<Delivery> {
  if (!(await claimDigest(deps.db, key, deps.now))) return 'claimed elsewhere';
  let outcome: DeliveryOutcome;
  try {
    outcome = await deps.slack.sendDirectOnce(workspace, key.userId, { kind: 'action_item_digest', digest });
  } catch (error) {
    // Whatever failed may have failed after Slack took the message: keep the claim.
    outcome = { outcome: 'unknown', reason: error instanceof Error ? error.name : 'failure' };
  }
  if (outcome.outcome === 'sent') {
    await inTransaction(deps.db, async (trx) => {
      await markDigestSent(trx, key, deps.now);
      await countDraftReminders(
        trx,
        digest.overdueDrafts.map((d) => d.postmortemId),
      );
      await markReviewsNudged(
        trx,
        digest.reviewsWaiting.map((r) => ({ postmortemId: r.postmortemId, userId: key.userId })),
        deps.now,
      );
    });
    return { outcome: 'sent' };
  }
  if (outcome.outcome === 'refused') await releaseDigest(deps.db, key, outcome.slackError);
  return outcome;
}

// ---- people --------------------------------------------------------------------------------------

/** How many users.info calls a sweep has in flight at once (Tier 4: about 100 a minute). */
const LOOKUP_CONCURRENCY = 8;

async function describePeople(
  slack: SlackPort,
  workspace: WorkspaceAddress,
  userIds: string[],
): Promise<{ people: DigestPerson[]; skipped: string[] }> {
  const people: DigestPerson[] = [];
  const skipped: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < userIds.length) {
      const userId = userIds[next++]!;
      let user: SlackUser | undefined;
      try {
        user = await slack.findUser(workspace, userId);
      } catch {
        skipped.push(userId);
        continue;
      }
      // Slack no longer knows them at all: as gone as a deactivated account.
      people.push({ userId, timeZone: user?.timeZone ?? null, deleted: user === undefined || user.deleted });
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, userIds.length) }, worker));
  return { people, skipped: skipped.sort() };
}

// ---- shapes --------------------------------------------------------------------------------------

function digestItem(row: ActionItemInContext): Item {
  return {
    id: row.id,
    number: row.number,
    ownerId: row.owner_id,
    dueDate: row.due_date,
    priority: row.priority,
    status: row.status,
    muted: row.muted,
    snoozeCount: row.snooze_count,
    incidentNumber: row.incident_number,
    postmortemOwnerId: row.postmortem_owner_id,
    view: actionItemView(row),
  };
}

function digestView(planned: PlannedDigest<Item, Draft, Review>): DigestView {
  const s: DigestSections<Item, Draft, Review> = planned.sections;
  const lines = (list: typeof s.dueToday): DigestItemLine[] =>
    list.map((r) => ({ item: r.item.view, daysOverdue: r.daysOverdue, needsDecision: r.needsDecision }));
  return {
    recipientId: planned.recipientId,
    localDate: planned.localDate,
    timeZone: resolveZone(planned.timeZone),
    dueToday: lines(s.dueToday),
    dueSoon: lines(s.dueSoon),
    overdue: lines(s.overdue),
    escalated: lines(s.escalated),
    reassign: lines(s.reassign),
    overdueDrafts: s.overdueDrafts.map((d) => ({ ...d.draft.line, daysOverdue: d.daysOverdue })),
    reviewsWaiting: s.reviewsWaiting.map((r) => r.review.line),
  };
}

/** A digest as plain text (no Slack markup), for `debrief remind --dry-run` and `debrief demo`. */
export function digestAsText(digest: DigestView): string {
  const lines = [`Digest for ${digest.recipientId} on ${digest.localDate} (${digest.timeZone})`];
  const items = (title: string, list: DigestItemLine[]) => {
    if (list.length === 0) return;
    lines.push(`  ${title}:`);
    for (const line of list) {
      const { item } = line;
      const late = line.daysOverdue > 0 ? `, ${line.daysOverdue} day${line.daysOverdue === 1 ? '' : 's'} overdue` : '';
      const decide = line.needsDecision ? ' [needs a new date or a cancellation]' : '';
      lines.push(
        `    - incident #${item.incidentNumber} item #${item.number}: ${item.text} (owner ${item.ownerId}, due ${item.dueDate ?? 'none'}${late})${decide}`,
      );
    }
  };
  items('Due today', digest.dueToday);
  items('Due soon', digest.dueSoon);
  items('Overdue', digest.overdue);
  items('Overdue 7+ days in postmortems you own', digest.escalated);
  items('Owner left the workspace: reassign', digest.reassign);
  if (digest.overdueDrafts.length > 0) {
    lines.push('  Postmortem drafts past their due date:');
    for (const d of digest.overdueDrafts)
      lines.push(`    - incident #${d.incidentNumber}: due ${d.dueDate}, ${d.daysOverdue} day(s) late`);
  }
  if (digest.reviewsWaiting.length > 0) {
    lines.push('  Reviews waiting for you:');
    for (const r of digest.reviewsWaiting) {
      lines.push(
        `    - incident #${r.incidentNumber}: asked ${r.requestedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      );
    }
  }
  return lines.join('\n');
}
