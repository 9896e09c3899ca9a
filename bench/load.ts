/**
 * The load generator: a process of its own (forked by bench/run.ts) that drives an app over loopback
 * with autocannon, every request signed as Slack signs it and every event with its own event_id.
 * It is told what to do over IPC and answers with what it measured.
 */
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { messageEventBody, type Signed, sign, type Target, timelineCommandBody } from './payloads';

export interface LoadJob {
  kind: 'events' | 'timeline';
  target: Target;
  connections: number;
  durationS: number;
  /** Requests per second across all connections; unset = as fast as the app answers. */
  rate?: number;
  /** Distinguishes the runs' event ids and message ts (see messageTs). */
  run: number;
  /** Events: every n-th request is a Slack retry (same event_id and body, X-Slack-Retry-Num) of a recent one. */
  retryEvery?: number;
  /** Events: where to write the ts of every event answered 2xx (first deliveries only), for the count check. */
  ackFile?: string;
  /** A short run first whose figures are thrown away (JIT, pools, caches). */
  warmupS?: number;
}

export interface LoadResult {
  durationS: number;
  /** Requests answered 2xx per second. */
  rps: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Per-request latency of 2xx answers, ms (measured to the microsecond). */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** autocannon's own histogram (whole ms; corrected for coordinated omission at a fixed rate). */
  autocannonLatencyMs: { p50: number; p99: number; max: number };
  /** Events: first deliveries answered 2xx, retries sent and retries answered 2xx. */
  firstDeliveriesOk?: number;
  retriesSent?: number;
  retriesOk?: number;
  /** Timeline: 2xx answers that did not say the entry was added. */
  wrongAnswers?: number;
}

interface InFlight {
  ts: string;
  retry: boolean;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index]! * 100) / 100;
}

async function drive(job: LoadJob, durationS: number, run: number): Promise<LoadResult> {
  const { target } = job;
  const path = '/slack/events';
  const latencies: number[] = [];
  const acked: string[] = [];
  const recent: { eventId: string; ts: string; body: string }[] = [];
  let n = 0;
  let retriesSent = 0;
  let retriesOk = 0;
  let firstOk = 0;
  let wrongAnswers = 0;

  const nextEvent = (context: Record<string, unknown>): Signed => {
    const i = n++;
    const retryEvery = job.retryEvery ?? 0;
    if (retryEvery > 0 && i % retryEvery === retryEvery - 1 && recent.length > 0) {
      // Slack redelivers the same body (same event_id), signed anew, saying it is a retry.
      const original = recent[(i * 31) % recent.length]!;
      retriesSent++;
      context.current = { ts: original.ts, retry: true } satisfies InFlight;
      return sign(target.signingSecret, original.body, 'application/json', {
        'x-slack-retry-num': '1',
        'x-slack-retry-reason': 'http_timeout',
      });
    }
    const event = messageEventBody(target, run, i);
    recent.push(event);
    if (recent.length > 256) recent.shift();
    context.current = { ts: event.ts, retry: false } satisfies InFlight;
    return sign(target.signingSecret, event.body, 'application/json');
  };
  const nextCommand = (): Signed =>
    sign(
      target.signingSecret,
      timelineCommandBody(target, new URL(target.url).origin, n++),
      'application/x-www-form-urlencoded',
    );

  const options: autocannon.Options = {
    url: target.url,
    connections: job.connections,
    duration: durationS,
    pipelining: 1,
    timeout: 10,
    ...(job.rate !== undefined && { overallRate: job.rate }),
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (request, context) => {
          const signed = job.kind === 'events' ? nextEvent(context as Record<string, unknown>) : nextCommand();
          return { ...request, method: 'POST', path, headers: signed.headers, body: signed.body };
        },
        onResponse: (status, body, context) => {
          const ok = status >= 200 && status < 300;
          if (job.kind === 'events') {
            const current = (context as { current?: InFlight }).current;
            if (!ok || !current) return;
            if (current.retry) retriesOk++;
            else {
              firstOk++;
              acked.push(current.ts);
            }
          } else if (ok && !String(body).includes('Added to the timeline')) {
            wrongAnswers++;
          }
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error: unknown, finished) => (error ? reject(error) : resolve(finished)));
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (status >= 200 && status < 300) latencies.push(responseTime);
    });
  });
  const sorted = Float64Array.from(latencies).sort();
  const ok = result['2xx'];
  if (job.ackFile && job.kind === 'events') writeFileSync(job.ackFile, JSON.stringify(acked));
  return {
    durationS: result.duration,
    rps: Math.round(ok / result.duration),
    total: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, (stats as { count: number }).count]),
    ),
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: percentile(sorted, 100),
    },
    autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    ...(job.kind === 'events' ? { firstDeliveriesOk: firstOk, retriesSent, retriesOk } : { wrongAnswers }),
  };
}

async function runJob(job: LoadJob): Promise<LoadResult> {
  // The warm-up sends its own events (another run number), never counted.
  if (job.warmupS) await drive({ ...job, ackFile: undefined }, job.warmupS, job.run + 50);
  return drive(job, job.durationS, job.run);
}

process.on('message', (job: LoadJob) => {
  runJob(job).then(
    (result) => process.send?.({ type: 'result', result }, () => process.exit(0)),
    (error: unknown) => process.send?.({ type: 'error', message: String(error) }, () => process.exit(1)),
  );
});
