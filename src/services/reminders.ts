/**
 * The reminder sweep (SPEC 5): what each person hears about today, sent at most once per person and
 * local date whatever the number of replicas, restarts or overlapping sweeps.
 *
 * Per workspace: load the open items, overdue drafts and waiting reviews, ask Slack for the people's
 * zones (cached; someone Slack cannot describe right now is skipped until a later sweep, and after a 429
 * on users.info nobody more is looked up), plan with the domain's `planDigests`, then deliver up to
 * SEND_CONCURRENCY digests at once, each: claimed (workspace, person, local date) in Postgres before it
 * is sent — a batch of them in one statement, a little ahead of the sends — sent once through the port
 * (no retry, a timeout), and marked sent. A definite refusal (`ok:false`, 429) releases the claim for a
 * later sweep; a 429 also stops new sends there at once (those in flight finish) and gives back the claims
 * not yet tried, since a sweep posts into each DM once and so meets only the workspace's posting limit;
 * an unknown outcome (a timeout, a crash mid-send) keeps the claim: a missed digest is cheaper than a
 * double.
 */
import { listItemsInContext, listOpenItems } from '../db/action-items';
import type { Db } from '../db/connect';
import {
  claimDigests,
  countDraftReminders,
  type DigestClaimKey,
  listClaimedDigests,
  listDraftsForDigest,
  listWaitingReviews,
  markDigestsSent,
  markReviewsNudged,
  releaseDigest,
  unclaimDigests,
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
import {
  type DeliveryOutcome,
  retryAfterOf,
  type SlackPort,
  type SlackUser,
  type WorkspaceAddress,
} from './slack-port';

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
  const [items, draftRows, reviewRows] = await Promise.all([
    listOpenItems(db, workspaceId),
    listDraftsForDigest(db, workspaceId),
    listWaitingReviews(db, workspaceId),
  ]);
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
  // Temporal per zone, not per person: 20,000 people live in a few hundred zones at most.
  const localDates = new Set([...new Set(people.map((p) => p.timeZone))].map((zone) => dateInZone(now, zone)));
  const claimedRows = await listClaimedDigests(db, workspaceId, [...localDates]);
  const claimed = new Set(claimedRows.map((c) => digestKey(c.user_id, c.local_date)));
  const planned = planDigests<DigestItem, Draft, Review>(
    { people, items, drafts, reviews, claimed, reminderHour: deps.reminderHour },
    now,
  );
  const skippedSet = new Set(skipped);
  // Someone Slack could not describe is planned as if in UTC (the planner's default): not now.
  const due = planned.filter((d) => !skippedSet.has(d.recipientId));
  // What the digests say about their items is read for the few items they list, not for every open one.
  const listed = new Set<number>();
  for (const digest of due) {
    const s = digest.sections;
    for (const list of [s.dueToday, s.dueSoon, s.overdue, s.escalated, s.reassign])
      for (const line of list) listed.add(line.item.id);
  }
  const views = new Map<number, ActionItemView>();
  for (const row of await listItemsInContext(db, workspaceId, [...listed])) views.set(row.id, actionItemView(row));
  return {
    workspaceId,
    workspace,
    teamId,
    digests: due.map((d) => digestView(d, views)),
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

/**
 * Digests of one workspace in flight at once. Each mostly waits — on Slack (one or two HTTP round trips)
 * and on Postgres (a commit) — so a few dozen overlap those waits, and the claims and sent-marks of
 * more digests share each commit. On the bench's 2-core machine 32 delivered 1,040–1,190 digests/s
 * where 16 delivered 730–780 and 48 no more than 32. A workspace-wide 429 finds at most 31 others
 * already on their way.
 */
export const SEND_CONCURRENCY = 32;
/**
 * Digests claimed per statement, just ahead of their sends: one commit instead of one per digest. The
 * next batch is claimed while the last half of this one is being sent, so sends never wait for a claim.
 * A crash keeps what was claimed and not yet sent (at most 1.5 batches waiting plus those in flight):
 * missed today, never doubled, so it stays small.
 */
const CLAIM_BATCH = SEND_CONCURRENCY;

/** One sweep: plan, then claim, send once and mark each digest, several at a time per workspace. */
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
    await deliverWorkspace(deps, plan, report);
  }
  return report;
}

type Delivery = 'claimed elsewhere' | Exclude<DeliveryOutcome, { outcome: 'sent' }> | { outcome: 'sent' };

/**
 * Claims, sends and marks the workspace's digests with up to SEND_CONCURRENCY in flight. The first goes
 * alone and each one finished lets one more start, so that a workspace already over its limit (or whose
 * token no longer works) costs one refused call, not a pool's worth. After a workspace-wide 429 nothing
 * new starts; the claims not yet tried are given back, not left claimed.
 */
async function deliverWorkspace(deps: ReminderDeps, plan: WorkspacePlan, report: SweepReport): Promise<void> {
  const { digests } = plan;
  const keyOf = (digest: DigestView): DigestClaimKey => ({
    workspaceId: plan.workspaceId,
    userId: digest.recipientId,
    localDate: digest.localDate,
  });
  /** Each digest's result, by its place in the plan, so that the report keeps the plan's order. */
  const results: (Delivery | undefined)[] = Array.from({ length: digests.length }, () => undefined);
  /** Claimed by this sweep and not yet started: indexes into `digests`. */
  const ready: number[] = [];
  let nextToClaim = 0;
  let claiming: Promise<void> | undefined;
  let stoppedBy: { retryAfterSeconds: number } | undefined;
  let failure: { error: unknown } | undefined;
  let finished = 0;
  let running = 0;
  const workers: Promise<void>[] = [];
  const marks = new SentMarks(deps);

  const claimNextBatch = async () => {
    const batch: number[] = [];
    while (batch.length < CLAIM_BATCH && nextToClaim < digests.length) batch.push(nextToClaim++);
    const won = await claimDigests(
      deps.db,
      batch.map((i) => keyOf(digests[i]!)),
      deps.now,
    );
    const wonUsers = new Set(won.map((k) => k.userId));
    for (const i of batch) {
      if (wonUsers.has(digests[i]!.recipientId)) ready.push(i);
      else record(i, 'claimed elsewhere');
    }
  };
  const claimMore = (): Promise<void> => {
    claiming ??= claimNextBatch().finally(() => {
      claiming = undefined;
    });
    return claiming;
  };
  const next = async (): Promise<number | undefined> => {
    while (stoppedBy === undefined && failure === undefined) {
      const index = ready.shift();
      if (index !== undefined) {
        if (ready.length < CLAIM_BATCH / 2 && nextToClaim < digests.length) {
          claimMore().catch((error: unknown) => {
            failure ??= { error };
          });
        }
        return index;
      }
      if (nextToClaim >= digests.length && claiming === undefined) return undefined;
      await claimMore();
    }
    return undefined;
  };
  const record = (index: number, result: Delivery) => {
    results[index] = result;
    countDigest(deps.metrics, result);
    const key = keyOf(digests[index]!);
    if (result === 'claimed elsewhere' || result.outcome === 'sent') return;
    if (result.outcome === 'unknown') {
      deps.warn?.(
        `reminder digest to ${key.userId} (workspace ${key.workspaceId}, ${key.localDate}): outcome unknown (${result.reason}); kept as claimed so it is never sent twice`,
      );
    }
  };
  const worker = async () => {
    for (let index = await next(); index !== undefined; index = await next()) {
      if (stoppedBy !== undefined) {
        // A 429 came back while this one was being handed out: it is not tried.
        ready.push(index);
        return;
      }
      const digest = digests[index]!;
      const key = keyOf(digest);
      const outcome = await sendDigest(deps, plan.workspace, key, digest);
      // At once, not after the release's round trip: no other send of this workspace starts from here on.
      if (outcome.outcome === 'refused' && outcome.rateLimited) {
        stoppedBy ??= { retryAfterSeconds: outcome.rateLimited.retryAfterSeconds };
      }
      await settleDigest(deps, marks, key, digest, outcome);
      record(index, outcome);
      finished += 1;
      startWorkers();
    }
  };
  const startWorkers = () => {
    const allowed = Math.min(SEND_CONCURRENCY, 1 + finished);
    while (
      running < allowed &&
      stoppedBy === undefined &&
      failure === undefined &&
      (ready.length > 0 || nextToClaim < digests.length)
    ) {
      running += 1;
      workers.push(
        worker()
          .catch((error: unknown) => {
            failure ??= { error };
          })
          .finally(() => {
            running -= 1;
          }),
      );
    }
  };

  startWorkers();
  while (workers.length > 0) await Promise.all(workers.splice(0));
  if (claiming) await claiming.catch(() => undefined);
  try {
    // Claimed, never tried: as if never claimed, so that a later sweep sends them.
    await unclaimDigests(
      deps.db,
      ready.map((i) => keyOf(digests[i]!)),
    );
  } catch (error) {
    failure ??= { error };
  }
  if (failure) throw failure.error;

  for (const [index, result] of results.entries()) {
    if (result === undefined) continue;
    const key = keyOf(digests[index]!);
    if (result === 'claimed elsewhere') report.claimedElsewhere += 1;
    else if (result.outcome === 'sent') report.sent.push(key);
    else if (result.outcome === 'unknown') report.unknown.push({ ...key, reason: result.reason });
    else report.refused.push({ ...key, slackError: result.slackError });
  }
  if (stoppedBy) {
    const left = results.filter((r) => r === undefined).length;
    report.rateLimited.push({ workspaceId: plan.workspaceId, retryAfterSeconds: stoppedBy.retryAfterSeconds, left });
    deps.metrics?.digest('skipped', 'rate_limited', left);
    deps.warn?.(
      `Slack rate-limited reminder digests in workspace ${plan.workspaceId} (Retry-After ${stoppedBy.retryAfterSeconds} s): ${left} not tried and those refused wait for a later sweep`,
    );
  }
}

interface SentMark {
  key: DigestClaimKey;
  /** Drafts past their due date the digest listed, and reviews it nudged. */
  drafts: number[];
  reviews: { postmortemId: number; userId: string }[];
}

/**
 * Marks sent digests by group commit: one write marks every digest that went out while the previous write
 * ran, so that concurrent sends share commits. Until its write ends a digest stays claimed, which is safe:
 * a crash then leaves it claimed, never sent twice — as a crash between a send and its mark always did.
 */
class SentMarks {
  private waiting: { mark: SentMark; done: () => void; failed: (error: unknown) => void }[] = [];
  private writing = false;

  constructor(private readonly deps: Pick<ReminderDeps, 'db' | 'now'>) {}

  /** Resolves once the digest is recorded as sent (with its drafts counted and reviews nudged). */
  markSent(mark: SentMark): Promise<void> {
    return new Promise((done, failed) => {
      this.waiting.push({ mark, done, failed });
      if (!this.writing) void this.write();
    });
  }

  private async write(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      const marks = batch.map((b) => b.mark);
      try {
        await this.record(marks);
        for (const b of batch) b.done();
      } catch (error) {
        for (const b of batch) b.failed(error);
      }
    }
    this.writing = false;
  }

  private async record(marks: SentMark[]): Promise<void> {
    const { db, now } = this.deps;
    const keys = marks.map((m) => m.key);
    const drafts = marks.flatMap((m) => m.drafts);
    const reviews = marks.flatMap((m) => m.reviews);
    // One statement is its own transaction: no BEGIN/COMMIT round trips for the usual batch.
    if (drafts.length === 0 && reviews.length === 0) return markDigestsSent(db, keys, now);
    await inTransaction(db, async (trx) => {
      await markDigestsSent(trx, keys, now);
      await countDraftReminders(trx, drafts);
      await markReviewsNudged(trx, reviews, now);
    });
  }
}

function countDigest(metrics: DigestMetrics | undefined, result: Delivery): void {
  if (!metrics) return;
  if (result === 'claimed elsewhere') metrics.digest('skipped', 'claimed_elsewhere');
  else if (result.outcome === 'sent') metrics.digest('sent');
  else if (result.outcome === 'unknown') metrics.digest('failed', 'unknown');
  else metrics.digest('failed', result.rateLimited ? 'rate_limited' : 'refused');
}

/** Sends a claimed digest once: never retried, and any failure that may have reached Slack is `unknown`. */
async function sendDigest(
  deps: ReminderDeps,
  workspace: WorkspaceAddress,
  key: DigestClaimKey,
  digest: DigestView,
): Promise<DeliveryOutcome> {
  try {
    return await deps.slack.sendDirectOnce(workspace, key.userId, { kind: 'action_item_digest', digest });
  } catch (error) {
    // Whatever failed may have failed after Slack took the message: keep the claim.
    return { outcome: 'unknown', reason: error instanceof Error ? error.name : 'failure' };
  }
}

/** Records a send: marked sent, released when Slack certainly refused, and left claimed when unknown. */
async function settleDigest(
  deps: ReminderDeps,
  marks: SentMarks,
  key: DigestClaimKey,
  digest: DigestView,
  outcome: DeliveryOutcome,
): Promise<void> {
  if (outcome.outcome === 'sent') {
    await marks.markSent({
      key,
      drafts: digest.overdueDrafts.map((d) => d.postmortemId),
      reviews: digest.reviewsWaiting.map((r) => ({ postmortemId: r.postmortemId, userId: key.userId })),
    });
  } else if (outcome.outcome === 'refused') {
    await releaseDigest(deps.db, key, outcome.slackError);
  }
}

// ---- people --------------------------------------------------------------------------------------

/** How many users.info calls a sweep has in flight at once (Tier 4: about 100 a minute). */
export const LOOKUP_CONCURRENCY = 8;

async function describePeople(
  slack: SlackPort,
  workspace: WorkspaceAddress,
  userIds: string[],
): Promise<{ people: DigestPerson[]; skipped: string[] }> {
  const people: DigestPerson[] = [];
  const skipped: string[] = [];
  let next = 0;
  // After a 429 no new lookup starts (Slack asks for none inside Retry-After): the rest wait for a later sweep.
  let rateLimited = false;
  const worker = async () => {
    while (next < userIds.length && !rateLimited) {
      const userId = userIds[next++]!;
      let user: SlackUser | undefined;
      try {
        user = await slack.findUser(workspace, userId);
      } catch (error) {
        if (retryAfterOf(error) !== undefined) rateLimited = true;
        skipped.push(userId);
        continue;
      }
      // Slack no longer knows them at all: as gone as a deactivated account.
      people.push({ userId, timeZone: user?.timeZone ?? null, deleted: user === undefined || user.deleted });
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, userIds.length) }, worker));
  skipped.push(...userIds.slice(next));
  return { people, skipped: skipped.sort() };
}

// ---- shapes --------------------------------------------------------------------------------------

function digestView(
  planned: PlannedDigest<DigestItem, Draft, Review>,
  views: ReadonlyMap<number, ActionItemView>,
): DigestView {
  const s: DigestSections<DigestItem, Draft, Review> = planned.sections;
  const lines = (list: typeof s.dueToday): DigestItemLine[] =>
    list.flatMap((r) => {
      const item = views.get(r.item.id);
      // Gone between the two reads (it cannot be: items are never deleted), so nothing to say about it.
      return item ? [{ item, daysOverdue: r.daysOverdue, needsDecision: r.needsDecision }] : [];
    });
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
