/**
 * The reminder sweep (SPEC 5), in a process of its own (forked by bench/run.ts), over 100,000 open
 * action items owned by 20,000 people across 50 time zones:
 *
 * - planning alone: the domain planner `planDigests` over the same shape of data held in memory;
 * - with BENCH_DATABASE_URL: the product's own sweep service (`planSweep`, `runReminderSweep` of
 *   src/services/reminders.ts, as the scheduler and `debrief remind` call it) over a real Postgres,
 *   sending through the real outbound port (SlackMessenger, one WebClient per workspace) to the Slack
 *   stand-in of test/kit over HTTP: time to plan from the database, and digests delivered per second
 *   while the stand-in does not throttle; then a smaller run where it does (Slack's per-method limits,
 *   on a simulated Slack clock, one sweep every 5 minutes as SCHEDULER_CRON's default), checking that
 *   no call was made inside a Retry-After window and that every digest was delivered exactly once;
 *   and one sweep over the full data against the throttling stand-in (what one scheduled sweep gets
 *   through at that scale).
 *
 * The sweeps run in a scratch database of their own beside BENCH_DATABASE_URL's (its name plus
 * `_reminders`, dropped at the end): the sweep goes over every workspace of its database, and the
 * bench's own holds the app process's workspace and items.
 */
import { performance } from 'node:perf_hooks';
import type { FetchFunction } from '@slack/web-api';
import { Client } from 'pg';
import { listOpenItems } from '../src/db/action-items';
import { type DatabaseHandle, openPostgres } from '../src/db/connect';
import { migrateToLatest } from '../src/db/migrate';
import { type DigestDraft, type DigestItem, type DigestReview, planDigests } from '../src/domain/reminders';
import { createMetrics } from '../src/observability/metrics';
import { planSweep, runReminderSweep, type SweepReport } from '../src/services/reminders';
import { slackHttp } from '../src/slack/http';
import { SlackMessenger } from '../src/slack/messenger';
import { WorkspaceClients } from '../src/slack/workspace-clients';
import { SlackStandIn } from '../test/kit/slack-stand-in';
import { quietLogger } from '../test/support/quiet-logger';
import { type Reached, type SeedPerson, startStandInProcess } from './stand-in-client';
import { reachedBy } from './stand-in-process';

const ITEMS = 100_000;
const PEOPLE = 20_000;
const ZONE_COUNT = 50;
const DRAFTS = 5_000;
const REVIEWS = 2_000;
/** A Tuesday, 14:00 UTC: Europe and Asia are past their reminder hour, the Americas partly not. */
const NOW = new Date('2026-11-24T14:00:00Z');
const TODAY = NOW.toISOString().slice(0, 10);
/** REMINDER_HOUR's default. */
const REMINDER_HOUR = 9;
/** When the seeded incidents were declared, resolved and their items created. */
const CREATED = new Date('2026-09-01T12:00:00Z');
/** SCHEDULER_CRON's default, every 5 minutes: how far the throttled run moves time between sweeps. */
const SWEEP_EVERY_MS = 5 * 60_000;
/** The throttled run: this many people, each with one item due today, all in zones past 09:00 at NOW. */
const THROTTLED_PEOPLE = 400;
/** chat.postMessage 429s injected into the throttled run's first sends (Slack's per-channel limit). */
const INJECTED_POST_429S = 3;
const INJECTED_RETRY_AFTER_S = 30;
const MAX_THROTTLED_SWEEPS = 20;

const TEAM_ID = 'T0REMINDERS';
const BOT_TOKEN = 'xoxb-reminders-bench';

/** Person `i`'s Slack id; the SQL seed builds the same ids. */
function userId(i: number): string {
  return `U${String(i).padStart(6, '0')}`;
}

/** 50 zones spread over the world's offsets, from the runtime's own list. */
function zones(): string[] {
  const all = Intl.supportedValuesOf('timeZone');
  const step = all.length / ZONE_COUNT;
  return Array.from({ length: ZONE_COUNT }, (_, i) => all[Math.floor(i * step)]!);
}

/** Every 500th person has left the workspace: their items go to the postmortem owner to reassign. */
function isDeleted(i: number): boolean {
  return i % 500 === 0;
}

function isoDay(epochDay: number): string {
  return new Date(epochDay * 86_400_000).toISOString().slice(0, 10);
}

// ---- planning over data in memory -----------------------------------------------------------------

function sweepInput() {
  const zoneList = zones();
  const people = Array.from({ length: PEOPLE }, (_, i) => ({
    userId: userId(i),
    timeZone: zoneList[i % ZONE_COUNT]!,
    deleted: isDeleted(i),
  }));
  const today = Math.floor(NOW.getTime() / 86_400_000);
  const priorities = ['high', 'medium', 'medium', 'low'] as const;
  const items: DigestItem[] = Array.from({ length: ITEMS }, (_, i) => ({
    id: i + 1,
    number: (i % 20) + 1,
    incidentNumber: Math.floor(i / 20) + 1,
    ownerId: people[(i * 7919) % PEOPLE]!.userId,
    postmortemOwnerId: people[Math.floor(i / 20) % PEOPLE]!.userId,
    // Due dates from 60 days ago to 60 days ahead; a few backlog items without one.
    dueDate: i % 13 === 0 ? null : isoDay(today - 60 + (i % 121)),
    priority: priorities[i % priorities.length]!,
    status: 'open' as const,
    muted: i % 97 === 0,
    snoozeCount: i % 5 === 0 ? 2 : 0,
  }));
  const drafts: DigestDraft[] = Array.from({ length: DRAFTS }, (_, i) => ({
    id: i + 1,
    incidentNumber: i + 1,
    ownerId: people[i % PEOPLE]!.userId,
    dueDate: isoDay(today - 10 + (i % 30)),
    status: 'drafting' as const,
    required: i % 2 === 0,
    remindersSent: i % 3,
  }));
  const reviews: DigestReview[] = Array.from({ length: REVIEWS }, (_, i) => ({
    postmortemId: i + 1,
    incidentNumber: i + 1,
    reviewerId: people[(i * 31) % PEOPLE]!.userId,
    requestedAt: new Date(NOW.getTime() - (i % 6) * 86_400_000),
    nudged: i % 4 === 0,
  }));
  return { people, items, drafts, reviews, claimed: new Set<string>() };
}

function measurePlanning() {
  const input = sweepInput();
  const runs: number[] = [];
  let digests = 0;
  let listed = 0;
  for (let i = 0; i < 4; i++) {
    const started = performance.now();
    const planned = planDigests(input, NOW);
    runs.push(performance.now() - started);
    digests = planned.length;
    listed = planned.reduce((sum, d) => sum + Object.values(d.sections).reduce((s, list) => s + list.length, 0), 0);
  }
  return {
    items: ITEMS,
    people: PEOPLE,
    zones: ZONE_COUNT,
    drafts: input.drafts.length,
    reviews: input.reviews.length,
    now: NOW.toISOString(),
    firstPlanMs: Math.round(runs[0]!),
    warmPlanMedianMs: Math.round(median(runs.slice(1))),
    digestsPlanned: digests,
    remindersListed: listed,
  };
}

// ---- the scratch database -------------------------------------------------------------------------

/** A database of the bench's own beside the one named (same server), dropped and created afresh. */
async function scratchDatabase(benchUrl: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const url = new URL(benchUrl);
  const base = decodeURIComponent(url.pathname.slice(1)) || 'postgres';
  const name = `${base}_reminders`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = async (statement: string) => {
    const client = new Client({ connectionString: benchUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`drop database if exists "${name}" with (force)`);
  await admin(`create database "${name}"`);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => admin(`drop database if exists "${name}" with (force)`) };
}

/** Runs seed statements on a connection of its own (no statement timeout: the app's is 5 s). */
async function execute(url: string, statements: { text: string; values?: unknown[] }[]): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement.text, statement.values);
  } finally {
    await client.end();
  }
}

const PERSON_ID = (expression: string) => `'U' || lpad((${expression})::text, 6, '0')`;

/**
 * The data of the in-memory planning run, set-based: `ITEMS` open items, 20 per incident, their
 * owners spread over `PEOPLE` people; each incident resolved with a postmortem — the first `DRAFTS`
 * drafting past or near their due date (sev1–2 required), then `REVIEWS` more in review, one reviewer
 * each, asked 0–5 days ago.
 */
function fullSeed(): { text: string; values?: unknown[] }[] {
  const incidents = Math.ceil(ITEMS / 20);
  return [
    { text: 'insert into workspaces (team_id) values ($1)', values: [TEAM_ID] },
    {
      text: `insert into incidents
          (workspace_id, number, title, severity, peak_severity, status, declared_by, declared_at, closed_at, updated_at)
        select w.id, g, 'Checkout errors after deploy ' || g, s.severity, s.severity, 'resolved', 'U000001', $1, $1, $1
        from workspaces w, generate_series(1, $2::int) g
        cross join lateral (select (array['sev1', 'sev2', 'sev3', 'sev4'])[1 + g % 4] as severity) s`,
      values: [CREATED, incidents + REVIEWS],
    },
    {
      text: `insert into postmortems
          (incident_id, status, owner_id, assigned_by, assigned_at, due_date, sections, draft_reminders_sent, created_at, updated_at)
        select i.id, case when i.number <= $1 then 'drafting' else 'in_review' end,
          ${PERSON_ID('(i.number - 1) % $2')}, 'U000001', $3,
          to_char($4::date - 10 + ((i.number - 1) % 30), 'YYYY-MM-DD'), '{}', (i.number - 1) % 3, $3, $3
        from incidents i`,
      values: [DRAFTS, PEOPLE, CREATED, TODAY],
    },
    {
      text: `insert into postmortem_reviewers (postmortem_id, user_id, requested_by, requested_at)
        select p.id, ${PERSON_ID('((i.number - $1 - 1) * 31) % $2')}, 'U000001',
          $3::timestamptz - ((i.number - $1 - 1) % 6) * interval '1 day'
        from postmortems p join incidents i on i.id = p.incident_id
        where i.number > $1 and i.number <= $1 + $4`,
      values: [incidents, PEOPLE, NOW, REVIEWS],
    },
    {
      text: `insert into action_items
          (incident_id, number, text, owner_id, due_date, priority, type, status, muted, snooze_count, created_by, created_at)
        select i.id, g % 20 + 1, 'Follow-up ' || g || ': alert when the payments queue is deeper than 10k',
          ${PERSON_ID('(g::bigint * 7919) % $1')},
          case when g % 13 = 0 then null else to_char($2::date - 60 + g % 121, 'YYYY-MM-DD') end,
          (array['high', 'medium', 'medium', 'low'])[1 + g % 4],
          (array['prevent', 'detect', 'mitigate', 'repair', 'process', 'investigate'])[1 + g % 6],
          'open', g % 97 = 0, case when g % 5 = 0 then 2 else 0 end, 'U000001', $3
        from generate_series(0, $4::int - 1) g
        join incidents i on i.number = g / 20 + 1`,
      values: [PEOPLE, TODAY, CREATED, ITEMS],
    },
    { text: 'analyze' },
  ];
}

/** The throttled run: one resolved incident per 20 people, each person owning one high item due today. */
function dueTodaySeed(people: number): { text: string; values?: unknown[] }[] {
  return [
    {
      text: `truncate reminder_digests, action_items, postmortem_reviewers, postmortems, incidents, workspaces
        restart identity cascade`,
    },
    { text: 'insert into workspaces (team_id) values ($1)', values: [TEAM_ID] },
    {
      text: `insert into incidents
          (workspace_id, number, title, severity, peak_severity, status, declared_by, declared_at, closed_at, updated_at)
        select w.id, g, 'Checkout errors ' || g, 'sev2', 'sev2', 'resolved', 'U000001', $1, $1, $1
        from workspaces w, generate_series(1, $2::int) g`,
      values: [CREATED, Math.ceil(people / 20)],
    },
    {
      text: `insert into action_items
          (incident_id, number, text, owner_id, due_date, priority, type, status, created_by, created_at)
        select i.id, g % 20 + 1, 'Follow-up ' || g, ${PERSON_ID('g')}, $1, 'high', 'prevent', 'open', 'U000001', $2
        from generate_series(0, $3::int - 1) g
        join incidents i on i.number = g / 20 + 1`,
      values: [TODAY, CREATED, people],
    },
    { text: 'analyze' },
  ];
}

// ---- the outbound port, instrumented ----------------------------------------------------------------

/** One Web API call as the app's WebClient made it: when it left and when its answer came (Slack's clock). */
interface ApiCall {
  method: string;
  /** What Slack rate-limits it by: the method, or for chat.postMessage the method and the channel. */
  key: string;
  issuedSeq: number;
  answeredSeq: number;
  answeredAt: number;
  status: number;
  retryAfterS?: number;
}

/**
 * The app's own transport to Slack (metrics over slackHttp, as startDebrief builds it), noting every
 * call and every Retry-After it was answered. The noting reads the method and the channel with two
 * string scans, so that the bench's bookkeeping does not weigh on the delivery rate it measures.
 */
function recordingFetch(slackClock: () => number, calls: ApiCall[]): FetchFunction {
  const base = createMetrics({ defaultMetrics: false }).slackFetch(slackHttp);
  let seq = 0;
  return async (url, init) => {
    const href = String(url);
    const method = href.slice(href.lastIndexOf('/') + 1);
    const channel =
      method === 'chat.postMessage' && typeof init?.body === 'string'
        ? (/(?:^|&)channel=([^&]*)/.exec(init.body)?.[1] ?? null)
        : null;
    const issuedSeq = ++seq;
    const response = await base(url, init);
    const call: ApiCall = {
      method,
      key: channel ? `${method} ${channel}` : method,
      issuedSeq,
      answeredSeq: ++seq,
      answeredAt: slackClock(),
      status: response.status,
    };
    if (response.status === 429) call.retryAfterS = Number(response.headers.get('retry-after'));
    calls.push(call);
    return response;
  };
}

/**
 * Calls sent after a 429 on the same key had been answered and before its Retry-After elapsed
 * (on Slack's clock), by method. A call already in flight when the 429 came back is not counted.
 */
function callsInsideRetryAfter(calls: ApiCall[]): Record<string, number> {
  const inside: Record<string, number> = {};
  const limits = new Map<string, { answeredSeq: number; until: number }[]>();
  for (const call of calls) {
    if (call.status !== 429) continue;
    const list = limits.get(call.key) ?? [];
    list.push({ answeredSeq: call.answeredSeq, until: call.answeredAt + (call.retryAfterS ?? 0) * 1000 });
    limits.set(call.key, list);
  }
  for (const call of calls) {
    const windows = limits.get(call.key);
    if (!windows) continue;
    // Issued after the 429 was answered, and answered (so issued, on a clock that only moves between
    // sweeps) before the window closed.
    if (windows.some((w) => call.issuedSeq > w.answeredSeq && call.answeredAt < w.until)) {
      inside[call.method] = (inside[call.method] ?? 0) + 1;
    }
  }
  return inside;
}

function count429s(calls: ApiCall[]): Record<string, number> {
  const by: Record<string, number> = {};
  for (const call of calls) if (call.status === 429) by[call.method] = (by[call.method] ?? 0) + 1;
  return by;
}

/** The product's port (SlackMessenger over WorkspaceClients, as createSlackPort builds it with one bot token), timed. */
class TimedMessenger extends SlackMessenger {
  sends = 0;
  sendMs = 0;
  firstSendAt: number | undefined;

  override async sendDirectOnce(...args: Parameters<SlackMessenger['sendDirectOnce']>) {
    const started = performance.now();
    this.firstSendAt ??= started;
    try {
      return await super.sendDirectOnce(...args);
    } finally {
      this.sends += 1;
      this.sendMs += performance.now() - started;
    }
  }
}

/** The port, sending to the Slack API at `apiUrl`, whose clock is `slackNow`. */
function messenger(apiUrl: string, slackNow: () => number, calls: ApiCall[]): TimedMessenger {
  const clients = new WorkspaceClients({ kind: 'single', botToken: BOT_TOKEN }, apiUrl, {
    logger: quietLogger(),
    fetch: recordingFetch(slackNow, calls),
  });
  // Retry-After windows run on Slack's clock, which the throttled run moves 5 minutes between sweeps.
  return new TimedMessenger(clients, { now: slackNow });
}

/** The bench's 20,000 people, with their zones, as the stand-in's users. */
function people(): SeedPerson[] {
  const zoneList = zones();
  return Array.from({ length: PEOPLE }, (_, i) => ({
    id: userId(i),
    name: `person${i}`,
    tz: zoneList[i % ZONE_COUNT]!,
    deleted: isDeleted(i),
  }));
}

async function startStandIn(options: { rateLimits: boolean; now?: () => number }): Promise<SlackStandIn> {
  const standIn = new SlackStandIn({
    teamId: TEAM_ID,
    botToken: BOT_TOKEN,
    botUserId: 'UDEBRIEF',
    botId: 'BDEBRIEF',
    rateLimits: options.rateLimits,
    ...(options.now && { now: options.now }),
  });
  await standIn.start();
  return standIn;
}

async function digestStates(database: DatabaseHandle): Promise<Record<string, number>> {
  const rows = await database.db
    .selectFrom('reminder_digests')
    .select((eb) => ['state', eb.fn.countAll<string>().as('n')])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

// ---- delivery without throttling ---------------------------------------------------------------------

async function measureUnthrottled(url: string, database: DatabaseHandle) {
  const seedStarted = performance.now();
  await execute(url, fullSeed());
  const seedMs = performance.now() - seedStarted;

  const standIn = await startStandInProcess({ teamId: TEAM_ID, botToken: BOT_TOKEN, rateLimits: false }, people());
  try {
    const calls: ApiCall[] = [];
    const slack = messenger(standIn.apiUrl, Date.now, calls);
    const deps = { db: database.db, slack, now: NOW, reminderHour: REMINDER_HOUR };

    // Cold: users.info for everyone the items, drafts and reviews name (the port caches them 5 minutes).
    let started = performance.now();
    const cold = await planSweep(deps);
    const planFromDbColdMs = performance.now() - started;
    const usersInfoCalls = calls.filter((c) => c.method === 'users.info').length;
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) {
      started = performance.now();
      await planSweep(deps);
      warm.push(performance.now() - started);
    }
    // Of which: reading the open items with their incident and postmortem owner (the largest query).
    const workspaceId = cold[0]?.workspaceId ?? 0;
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      started = performance.now();
      await listOpenItems(database.db, workspaceId);
      loads.push(performance.now() - started);
    }

    // The sweep itself, as the scheduler runs it: plan (warm cache), then claim, send once, mark, one by one.
    calls.length = 0;
    started = performance.now();
    const report = await runReminderSweep({ ...deps, warn: () => undefined });
    const sweepEnded = performance.now();
    const sweepMs = sweepEnded - started;
    const deliveryMs = slack.firstSendAt === undefined ? 0 : sweepEnded - slack.firstSendAt;
    const stood = await standIn.ask<Reached>({ type: 'reached' });
    const states = await digestStates(database);
    const again = await runReminderSweep({ ...deps, warn: () => undefined });
    const sent = report.sent.length;

    const checks = {
      // Every digest the sweep reported sent reached the stand-in once: one post each.
      postsEqualSent: stood.posts === sent && stood.channelsPostedTwice === 0,
      dbSentEqualsSent: (states.sent ?? 0) === sent,
      nothingRefused: report.refused.length === 0 && report.unknown.length === 0 && report.rateLimited.length === 0,
      no429s: calls.every((c) => c.status !== 429),
      repeatSweepSendsNothing: again.sent.length === 0 && again.planned === 0,
    };
    return {
      seedMs: Math.round(seedMs),
      planFromDbColdMs: Math.round(planFromDbColdMs),
      usersInfoCalls,
      planFromDbMs: Math.round(median(warm)),
      planFromDbMinMaxMs: [Math.round(Math.min(...warm)), Math.round(Math.max(...warm))],
      loadOpenItemsMs: Math.round(median(loads)),
      digestsDue: cold.reduce((n, plan) => n + plan.digests.length, 0),
      deliveryPlanned: report.planned,
      deliveryDigests: sent,
      deliveryRefused: report.refused.length,
      deliveryUnknown: report.unknown.length,
      deliverySeconds: round(deliveryMs / 1000, 2),
      deliveredPerS: Math.round(sent / (deliveryMs / 1000)),
      sweepMs: Math.round(sweepMs),
      sweepDigestsPerS: Math.round(sent / (sweepMs / 1000)),
      slackMsPerDigest: round(slack.sendMs / Math.max(1, slack.sends), 2),
      otherMsPerDigest: round((deliveryMs - slack.sendMs) / Math.max(1, slack.sends), 2),
      standInPosts: stood.posts,
      digestRows: states,
      checks,
    };
  } finally {
    await standIn.stop();
  }
}

// ---- delivery while Slack throttles ------------------------------------------------------------------

/**
 * One sweep over the full data (claims reset) against a stand-in that applies Slack's limits, Slack's
 * clock standing still: what a single scheduled sweep gets through at this scale, and whether it keeps
 * calling a method inside a Retry-After.
 */
async function measureThrottledAtScale(database: DatabaseHandle) {
  await database.db.deleteFrom('reminder_digests').execute();
  const slackNow = NOW.getTime();
  const standIn = await startStandIn({ rateLimits: true, now: () => slackNow });
  try {
    for (const person of people()) standIn.addUser(person);
    const calls: ApiCall[] = [];
    const slack = messenger(standIn.apiUrl, () => standIn.now(), calls);
    const started = performance.now();
    const report = await runReminderSweep({
      db: database.db,
      slack,
      now: NOW,
      reminderHour: REMINDER_HOUR,
      warn: () => undefined,
    });
    const wallMs = performance.now() - started;
    const usersInfo = calls.filter((c) => c.method === 'users.info');
    return {
      people: PEOPLE,
      usersInfoCalls: usersInfo.length,
      peopleDescribed: usersInfo.filter((c) => c.status === 200).length,
      skippedPeople: report.skippedPeople,
      planned: report.planned,
      sent: report.sent.length,
      standInPosts: reachedBy(standIn).posts,
      refused: report.refused.length,
      stoppedByRetryAfterS: report.rateLimited[0]?.retryAfterSeconds ?? null,
      leftForLaterSweeps: report.rateLimited.reduce((n, r) => n + r.left, 0),
      calls429: count429s(calls),
      callsInsideRetryAfter: callsInsideRetryAfter(calls),
      wallMs: Math.round(wallMs),
    };
  } finally {
    await standIn.stop();
  }
}

/** The zones of the 50 where it is a weekday, TODAY, and at or past the reminder hour at NOW. */
function zonesOpenAtNow(): string[] {
  return zones().filter((timeZone) => {
    const parts: Record<string, string> = {};
    const format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
      weekday: 'short',
    });
    for (const part of format.formatToParts(NOW)) parts[part.type] = part.value;
    const date = `${parts.year}-${parts.month}-${parts.day}`;
    return date === TODAY && Number(parts.hour) >= REMINDER_HOUR && !['Sat', 'Sun'].includes(parts.weekday ?? '');
  });
}

async function measureThrottled(url: string, database: DatabaseHandle) {
  await execute(url, dueTodaySeed(THROTTLED_PEOPLE));
  // Slack's clock moves only between sweeps: the stand-in's token buckets refill as they would over 5 minutes.
  let slackNow = NOW.getTime();
  const standIn = await startStandIn({ rateLimits: true, now: () => slackNow });
  try {
    const open = zonesOpenAtNow();
    for (let i = 0; i < THROTTLED_PEOPLE; i++)
      standIn.addUser({ id: userId(i), name: `person${i}`, tz: open[i % open.length]! });
    // chat.postMessage 429s, as Slack's posting limit (per channel, and per workspace) answers them: each
    // stops the sweep's sends in the workspace until a later sweep.
    standIn.failNext('chat.postMessage', {
      error: 'ratelimited',
      retryAfterSeconds: INJECTED_RETRY_AFTER_S,
      times: INJECTED_POST_429S,
    });
    const calls: ApiCall[] = [];
    const slack = messenger(standIn.apiUrl, () => standIn.now(), calls);
    const sweeps: {
      sent: number;
      planned: number;
      skippedPeople: number;
      refused: number;
      stoppedByRetryAfterS: number | null;
      calls429: Record<string, number>;
    }[] = [];
    let sentTotal = 0;
    const started = performance.now();
    for (let i = 0; i < MAX_THROTTLED_SWEEPS && sentTotal < THROTTLED_PEOPLE; i++) {
      const before = calls.length;
      const report: SweepReport = await runReminderSweep({
        db: database.db,
        slack,
        now: new Date(slackNow),
        reminderHour: REMINDER_HOUR,
        warn: () => undefined,
      });
      sentTotal += report.sent.length;
      sweeps.push({
        sent: report.sent.length,
        planned: report.planned,
        skippedPeople: report.skippedPeople,
        refused: report.refused.length,
        stoppedByRetryAfterS: report.rateLimited[0]?.retryAfterSeconds ?? null,
        calls429: count429s(calls.slice(before)),
      });
      slackNow += SWEEP_EVERY_MS;
    }
    const wallMs = performance.now() - started;
    const stood = reachedBy(standIn);
    const states = await digestStates(database);
    const inside = callsInsideRetryAfter(calls);
    const insideTotal = Object.values(inside).reduce((a, b) => a + b, 0);
    return {
      people: THROTTLED_PEOPLE,
      zones: open.length,
      digestsDue: THROTTLED_PEOPLE,
      limits: "the stand-in's (test/kit/rate-limits.ts): users.info Tier 4, chat.postMessage per channel",
      injected: `${INJECTED_POST_429S} chat.postMessage 429s with Retry-After ${INJECTED_RETRY_AFTER_S} s`,
      sweepEveryS: SWEEP_EVERY_MS / 1000,
      sweeps: sweeps.length,
      delivered: sentTotal,
      standInPosts: stood.posts,
      channelsPostedTwice: stood.channelsPostedTwice,
      digestRows: states,
      calls429: count429s(calls),
      callsInsideRetryAfter: inside,
      honouredRetryAfter: insideTotal === 0,
      allDelivered: sentTotal === THROTTLED_PEOPLE && stood.posts === sentTotal && (states.sent ?? 0) === sentTotal,
      wallMs: Math.round(wallMs),
      perSweep: sweeps,
    };
  } finally {
    await standIn.stop();
  }
}

// ---- the whole measurement -----------------------------------------------------------------------------

async function measureDelivery(benchUrl: string) {
  const scratch = await scratchDatabase(benchUrl);
  const database = openPostgres(scratch.url);
  try {
    const migrateStarted = performance.now();
    await migrateToLatest(database.db);
    const migrateMs = performance.now() - migrateStarted;
    const unthrottled = await measureUnthrottled(scratch.url, database);
    const throttledAtScale = await measureThrottledAtScale(database);
    const throttled = await measureThrottled(scratch.url, database);
    return {
      database: `${scratch.name} (scratch, dropped after)`,
      migrateMs: Math.round(migrateMs),
      unthrottled,
      throttledAtScale,
      throttled,
    };
  } finally {
    await database.close().catch(() => undefined);
    await scratch.drop();
  }
}

function summary(
  u: Awaited<ReturnType<typeof measureUnthrottled>>,
  a: Awaited<ReturnType<typeof measureThrottledAtScale>>,
  t: Awaited<ReturnType<typeof measureThrottled>>,
): string {
  const failed = Object.entries(u.checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  const inside = Object.entries(t.callsInsideRetryAfter).map(([method, n]) => `${n} ${method}`);
  const seen = Object.entries(t.calls429).map(([method, n]) => `${n} ${method}`);
  return [
    `${u.deliveryDigests} digests in ${u.deliverySeconds} s = ${u.deliveredPerS}/s (target ≥ 1000/s; ${u.sweepMs} ms whole sweep)`,
    `plan from Postgres ${u.planFromDbMs} ms warm, ${u.planFromDbColdMs} ms with ${u.usersInfoCalls} users.info`,
    failed.length === 0 ? 'stand-in counts = sweep counts' : `CHECKS FAILED: ${failed.join(', ')}`,
    `throttled: ${t.delivered}/${t.digestsDue} delivered in ${t.sweeps} sweeps, 429s: ${seen.join(', ') || 'none'}; ` +
      (inside.length === 0 ? 'no call inside a Retry-After' : `calls inside a Retry-After: ${inside.join(', ')}`),
    `one throttled sweep at full scale: ${a.peopleDescribed} of ${a.people} people described, ${a.sent} of ${u.digestsDue} due digests sent`,
  ].join('; ');
}

async function measure() {
  const planning = measurePlanning();
  const note =
    'firstPlanMs/warmPlanMedianMs: planDigests over the same data held in memory; planFromDbMs: planSweep over ' +
    'Postgres with the people already cached by the port (planFromDbColdMs: with users.info for each of them)';
  const benchUrl = process.env.BENCH_DATABASE_URL;
  if (!benchUrl) {
    return {
      ...planning,
      note,
      delivery: 'not measured: set BENCH_DATABASE_URL (delivery runs the sweep service over Postgres)',
    };
  }
  const { database, migrateMs, unthrottled, throttledAtScale, throttled } = await measureDelivery(benchUrl);
  const { checks, digestRows, ...flat } = unthrottled;
  return {
    ...planning,
    note,
    database,
    migrateMs,
    ...flat,
    deliveryChecks: checks,
    deliveryDigestRows: digestRows,
    planTargetMet: flat.planFromDbMs < 2000,
    deliveryTargetMet: flat.deliveredPerS >= 1000,
    throttled,
    throttledAtScale,
    delivery: summary(unthrottled, throttledAtScale, throttled),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

measure().then(
  (result) => process.send?.({ type: 'result', result }, () => process.exit(0)),
  (error: unknown) =>
    process.send?.({ type: 'error', message: String((error as Error)?.stack ?? error) }, () => process.exit(1)),
);
