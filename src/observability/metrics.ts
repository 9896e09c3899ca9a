/**
 * Every metric Debrief exposes on /metrics, defined in one place (prom-client). Names, labels and the
 * alerts worth setting on them are listed in the README's metrics section.
 *
 * Label values come from fixed sets (request kinds and outcomes, Web API method names, job names),
 * never from ids or text, so the number of series stays bounded however many workspaces there are.
 */
import type { FetchFunction } from '@slack/web-api';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DigestMetrics, DigestOutcome } from '../services/metrics-port';
import { type DuplicateStage, REQUEST_KINDS, type RequestKind, type RequestOutcome } from './request-scope';

/** Slack's acknowledgement deadline is 3 s; Debrief answers "working on it" at 2.5 s (SPEC 8). */
export const ACK_LATE_SECONDS = 2.5;

export const SLACK_CALL_RESULTS = ['ok', 'ok_false', 'rate_limited', 'http_error', 'timeout', 'network_error'] as const;
export type SlackCallResult = (typeof SLACK_CALL_RESULTS)[number];

type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/** What the database pool reports (pg's Pool); the embedded database has none. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

const REQUEST_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 3, 5, 10];
const SLACK_CALL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];
const SWEEP_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 300];

export class DebriefMetrics implements DigestMetrics {
  readonly registry: Registry;

  readonly requests: Counter<'kind' | 'outcome'>;
  readonly requestDuration: Histogram<'kind' | 'outcome'>;
  readonly acksLate: Counter<'kind'>;
  readonly commandsDeferred: Counter<string>;
  readonly eventsDeduplicated: Counter<'stage'>;
  readonly slackCalls: Counter<'method' | 'result'>;
  readonly slackCallDuration: Histogram<'method'>;
  readonly sweeps: Counter<'job' | 'outcome'>;
  readonly sweepDuration: Histogram<'job'>;
  readonly sweepLastSuccess: Gauge<'job'>;
  readonly digests: Counter<'outcome' | 'reason'>;

  private poolStats: (() => PoolStats) | undefined;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registry = new Registry();
    this.registry = registry;
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'debrief_' });
    const registers = [registry];

    this.requests = new Counter({
      name: 'debrief_slack_requests_total',
      help: 'Slack requests handled, by kind (command, event, action, view, shortcut, options) and outcome (ok, user_error, failed, deduplicated).',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'debrief_slack_request_duration_seconds',
      help: 'Time from the request middleware to the end of the listener (the HTTP answer, as responses wait for the work).',
      labelNames: ['kind', 'outcome'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.acksLate = new Counter({
      name: 'debrief_slack_acks_late_total',
      help: `Slack requests answered later than ${ACK_LATE_SECONDS} s after the middleware saw them, and commands answered "working on it" (Slack gives up at 3 s).`,
      labelNames: ['kind'],
      registers,
    });
    this.commandsDeferred = new Counter({
      name: 'debrief_slack_commands_deferred_total',
      help: `Slash commands answered "working on it" because their work outlived ${ACK_LATE_SECONDS} s; the answer followed through response_url.`,
      registers,
    });
    this.eventsDeduplicated = new Counter({
      name: 'debrief_slack_events_deduplicated_total',
      help: 'Slack event redeliveries recognised as already processed: before any work (early) or by the claim committed with the work (claim).',
      labelNames: ['stage'],
      registers,
    });
    this.slackCalls = new Counter({
      name: 'debrief_slack_api_calls_total',
      help: 'HTTP requests to Slack (each retry counts), by Web API method (response_url for answers, other for uploads) and result: ok, ok_false (Slack answered ok:false), rate_limited (429), http_error (other non-200), timeout, network_error.',
      labelNames: ['method', 'result'],
      registers,
    });
    this.slackCallDuration = new Histogram({
      name: 'debrief_slack_api_call_duration_seconds',
      help: 'Duration of HTTP requests to Slack, by Web API method.',
      labelNames: ['method'],
      buckets: SLACK_CALL_BUCKETS,
      registers,
    });
    this.sweeps = new Counter({
      name: 'debrief_scheduler_sweeps_total',
      help: 'Scheduler job runs, by job and outcome (ok, failed: retried on the next sweep).',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.sweepDuration = new Histogram({
      name: 'debrief_scheduler_sweep_duration_seconds',
      help: 'Duration of scheduler job runs, by job.',
      labelNames: ['job'],
      buckets: SWEEP_BUCKETS,
      registers,
    });
    this.sweepLastSuccess = new Gauge({
      name: 'debrief_scheduler_last_success_timestamp_seconds',
      help: 'When each scheduler job last finished without failing (Unix time).',
      labelNames: ['job'],
      registers,
    });
    this.digests = new Counter({
      name: 'debrief_digests_total',
      help: 'Reminder digests: sent; failed (reason refused: Slack said no, released for a later sweep; rate_limited; unknown: kept as claimed, never resent); skipped (reason claimed_elsewhere: another replica sends it; no_person: Slack could not describe the person; rate_limited: waits for a later sweep).',
      labelNames: ['outcome', 'reason'],
      registers,
    });
    const pool = () => this.poolStats?.();
    new Gauge({
      name: 'debrief_db_pool_connections',
      help: 'Postgres pool connections by state (in_use, idle). Absent with the embedded database.',
      labelNames: ['state'],
      registers,
      collect() {
        const stats = pool();
        if (!stats) return;
        this.set({ state: 'in_use' }, stats.total - stats.idle);
        this.set({ state: 'idle' }, stats.idle);
      },
    });
    new Gauge({
      name: 'debrief_db_pool_waiting_clients',
      help: 'Queries waiting for a free Postgres pool connection.',
      registers,
      collect() {
        const stats = pool();
        if (stats) this.set(stats.waiting);
      },
    });
    new Gauge({
      name: 'debrief_db_pool_max_connections',
      help: 'The Postgres pool size limit.',
      registers,
      collect() {
        const stats = pool();
        if (stats) this.set(stats.max);
      },
    });
    // Every label set a dashboard or alert divides by starts at zero rather than appearing on first use.
    this.eventsDeduplicated.inc({ stage: 'early' }, 0);
    this.eventsDeduplicated.inc({ stage: 'claim' }, 0);
    this.commandsDeferred.inc(0);
    for (const kind of REQUEST_KINDS) this.acksLate.inc({ kind }, 0);
  }

  /** The database pool to report (Postgres only). */
  observePool(stats: (() => PoolStats) | undefined): void {
    this.poolStats = stats;
  }

  /**
   * A finished Slack request. `seconds` runs from the middleware to the end of the listener, which is
   * when the HTTP receiver sends Slack its answer (processBeforeResponse). A command answered "working
   * on it" is late by definition: its answer missed the 2.5 s budget and follows through response_url.
   */
  requestFinished(
    kind: RequestKind,
    outcome: RequestOutcome,
    seconds: number,
    details: { duplicate?: DuplicateStage | undefined; deferred?: boolean | undefined } = {},
  ): void {
    this.requests.inc({ kind, outcome });
    this.requestDuration.observe({ kind, outcome }, seconds);
    if (seconds > ACK_LATE_SECONDS || details.deferred) this.acksLate.inc({ kind });
    if (details.duplicate) this.eventsDeduplicated.inc({ stage: details.duplicate });
    if (details.deferred) this.commandsDeferred.inc();
  }

  /** Times one run of a scheduler job; the job's name becomes a snake_case label. */
  async timeSweep<T>(job: string, run: () => Promise<T>): Promise<T> {
    const label = jobLabel(job);
    const end = this.sweepDuration.startTimer({ job: label });
    try {
      const result = await run();
      this.sweeps.inc({ job: label, outcome: 'ok' });
      this.sweepLastSuccess.setToCurrentTime({ job: label });
      return result;
    } catch (error) {
      this.sweeps.inc({ job: label, outcome: 'failed' });
      throw error;
    } finally {
      end();
    }
  }

  digest(outcome: DigestOutcome, reason?: string, count = 1): void {
    if (count > 0) this.digests.inc({ outcome, reason: reason ?? 'none' }, count);
  }

  /**
   * A fetch for Slack's Web API clients (and Bolt's respond), counting each HTTP request by method
   * and result. Slack answers most failures 200 with `ok:false`, so the body of a 200 is read from a
   * clone; the client reads the original.
   */
  slackFetch(base: FetchFunction): FetchFunction {
    return async (url, init) => {
      const method = slackMethodOf(url);
      const end = this.slackCallDuration.startTimer({ method });
      let response: FetchResponse;
      try {
        response = await base(url, init);
      } catch (error) {
        end();
        this.slackCalls.inc({ method, result: isTimeout(error) ? 'timeout' : 'network_error' });
        throw error;
      }
      end();
      this.slackCalls.inc({ method, result: await resultOf(method, response) });
      return response;
    };
  }
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): DebriefMetrics {
  return new DebriefMetrics(options);
}

/** `chat.postMessage` from …/api/chat.postMessage; response_url for Slack's answer hooks; other otherwise. */
export function slackMethodOf(url: string | URL): string {
  let path: string;
  try {
    path = new URL(String(url)).pathname;
  } catch {
    return 'other';
  }
  const method = /\/api\/([a-z]+(?:\.[a-zA-Z0-9]+)+)$/.exec(path)?.[1];
  if (method) return method;
  if (/^\/(commands|actions|response)\//.test(path)) return 'response_url';
  return 'other';
}

async function resultOf(method: string, response: FetchResponse): Promise<SlackCallResult> {
  if (response.status === 429) return 'rate_limited';
  if (response.status < 200 || response.status >= 300) return 'http_error';
  if (method === 'response_url' || method === 'other') return 'ok';
  const clone = (response as Partial<Pick<Response, 'clone'>>).clone?.();
  if (!clone) return 'ok';
  try {
    const text = await clone.text();
    // Most answers are successes: only a body that can hold `"ok": false` is parsed.
    if (!/"ok"\s*:\s*false/.test(text)) return 'ok';
    return (JSON.parse(text) as { ok?: unknown }).ok === false ? 'ok_false' : 'ok';
  } catch {
    // Not JSON (a gzip export, an empty body): the client decides; the HTTP request itself went well.
    return 'ok';
  }
}

/** AbortSignal.timeout() rejects with a TimeoutError DOMException; an abort reason may also say so. */
function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  const cause = (error as { cause?: { name?: unknown; code?: unknown } } | null)?.cause;
  return (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    cause?.name === 'TimeoutError' ||
    cause?.code === 'UND_ERR_CONNECT_TIMEOUT' ||
    cause?.code === 'UND_ERR_HEADERS_TIMEOUT'
  );
}

/** 'reminder digests' → 'reminder_digests'. */
export function jobLabel(job: string): string {
  return (
    job
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '') || 'job'
  );
}
