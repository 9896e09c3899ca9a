/**
 * The load generator: a process of its own (forked by bench/run.ts) that drives an app over loopback,
 * every request signed as Slack signs it and every event with its own event_id. As fast as the app
 * answers: autocannon, closed loop. At a fixed rate: requests paced evenly (see drivePaced). It is
 * told what to do over IPC and answers with what it measured.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';
import { type LatencySummary, latencySummary, percentile } from './latency';
import { paceEvenly } from './pacing';
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
  /** Fixed-rate runs: the errors by code (ECONNRESET…), so that a connection failure can be told from the app's. */
  errorCodes?: Record<string, number>;
  timeouts: number;
  statusCodes: Record<string, number>;
  /**
   * Per-request latency of 2xx answers, ms (to the microsecond). At a fixed rate measured from when
   * the request was due, so time spent waiting for a free connection counts (no coordinated omission).
   */
  latencyMs: LatencySummary;
  /**
   * Fixed-rate runs: how late the load generator itself sent requests (its timers fire late when the
   * shared cores are busy), and the latency from when each request was actually sent (waiting for a
   * free connection still counts). On a quiet machine both match latencyMs.
   */
  senderLateMs?: { p50: number; p99: number; max: number };
  latencyFromSendMs?: LatencySummary;
  /** Closed-loop runs: autocannon's own histogram (whole ms). */
  autocannonLatencyMs?: { p50: number; p99: number; max: number };
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

/** What a run sends and counts, whichever way it is driven. */
function traffic(job: LoadJob, run: number) {
  const { target } = job;
  const latencies: number[] = [];
  const acked: string[] = [];
  const recent: { eventId: string; ts: string; body: string }[] = [];
  const statusCodes: Record<string, number> = {};
  let n = 0;
  let retriesSent = 0;
  let retriesOk = 0;
  let firstOk = 0;
  let wrongAnswers = 0;

  /** The next request, and what to remember about it until it is answered. */
  const next = (): { signed: Signed; inFlight: InFlight | undefined } => {
    if (job.kind === 'timeline') {
      const body = timelineCommandBody(target, new URL(target.url).origin, n++);
      return { signed: sign(target.signingSecret, body, 'application/x-www-form-urlencoded'), inFlight: undefined };
    }
    const i = n++;
    const retryEvery = job.retryEvery ?? 0;
    if (retryEvery > 0 && i % retryEvery === retryEvery - 1 && recent.length > 0) {
      // Slack redelivers the same body (same event_id), signed anew, saying it is a retry.
      const original = recent[(i * 31) % recent.length]!;
      retriesSent++;
      const signed = sign(target.signingSecret, original.body, 'application/json', {
        'x-slack-retry-num': '1',
        'x-slack-retry-reason': 'http_timeout',
      });
      return { signed, inFlight: { ts: original.ts, retry: true } };
    }
    const event = messageEventBody(target, run, i);
    recent.push(event);
    if (recent.length > 256) recent.shift();
    return {
      signed: sign(target.signingSecret, event.body, 'application/json'),
      inFlight: { ts: event.ts, retry: false },
    };
  };

  /** An answer's latency, kept for 2xx answers. */
  const timed = (status: number, latencyMs: number) => {
    if (status >= 200 && status < 300) latencies.push(latencyMs);
  };
  /** An answer: counted by status; events acknowledged, timeline answers checked. */
  const answered = (status: number, body: string, inFlight: InFlight | undefined) => {
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    if (status < 200 || status >= 300) return;
    if (job.kind === 'timeline') {
      if (!body.includes('Added to the timeline')) wrongAnswers++;
    } else if (inFlight?.retry) retriesOk++;
    else if (inFlight) {
      firstOk++;
      acked.push(inFlight.ts);
    }
  };

  const result = (durationS: number, errors: number, timeouts: number): LoadResult => {
    const sorted = Float64Array.from(latencies).sort();
    const ok = latencies.length;
    const total = Object.values(statusCodes).reduce((a, b) => a + b, 0) + errors + timeouts;
    if (job.ackFile && job.kind === 'events') writeFileSync(job.ackFile, JSON.stringify(acked));
    return {
      durationS,
      rps: Math.round(ok / durationS),
      total,
      ok,
      non2xx: total - ok - errors - timeouts,
      errors,
      timeouts,
      statusCodes,
      latencyMs: latencySummary(sorted),
      ...(job.kind === 'events' ? { firstDeliveriesOk: firstOk, retriesSent, retriesOk } : { wrongAnswers }),
    };
  };
  return { next, answered, timed, result };
}

/** As fast as the app answers: `connections` requests in flight, each sent when the last is answered. */
async function driveClosedLoop(job: LoadJob, durationS: number, run: number): Promise<LoadResult> {
  const path = '/slack/events';
  const { next, answered, timed, result } = traffic(job, run);
  const options: autocannon.Options = {
    url: job.target.url,
    connections: job.connections,
    duration: durationS,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (request, context) => {
          const { signed, inFlight } = next();
          (context as { current?: InFlight }).current = inFlight;
          return { ...request, method: 'POST', path, headers: signed.headers, body: signed.body };
        },
        onResponse: (status, body, context) =>
          answered(status, String(body), (context as { current?: InFlight }).current),
      },
    ],
  };
  const finished = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error: unknown, done) => (error ? reject(error) : resolve(done)));
    // autocannon gives the body to onResponse and the latency to the microsecond only here.
    instance.on('response', (_client, status, _bytes, responseTime) => timed(status, responseTime));
  });
  return {
    ...result(finished.duration, finished.errors, finished.timeouts),
    autocannonLatencyMs: { p50: finished.latency.p50, p99: finished.latency.p99, max: finished.latency.max },
  };
}

/**
 * At a fixed rate: one request every 1/rate s, on keep-alive connections (at most `connections`; a
 * request due while all are busy waits for one). autocannon's own rate limit lets each connection
 * send its share of a second back to back at the start of every second, so the app sees the whole
 * second's load in a burst and the latencies measure that burst; Slack's traffic is not shaped so.
 * Latency runs from when the request was due, not from when a connection was free.
 */
async function drivePaced(job: LoadJob, durationS: number, run: number): Promise<LoadResult> {
  const rate = job.rate!;
  const url = new URL('/slack/events', job.target.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const { next, answered, timed, result } = traffic(job, run);
  let errors = 0;
  const errorCodes: Record<string, number> = {};
  let timeouts = 0;
  const pending = new Set<Promise<void>>();
  const late: number[] = [];
  const fromSend: number[] = [];
  const send = (due: number) => {
    const sentAt = performance.now();
    late.push(sentAt - due);
    const { signed, inFlight } = next();
    const done = new Promise<void>((resolve) => {
      const request = http.request(
        url,
        { method: 'POST', agent, headers: { ...signed.headers, 'content-length': Buffer.byteLength(signed.body) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            const now = performance.now();
            timed(status, now - due);
            if (status >= 200 && status < 300) fromSend.push(now - sentAt);
            answered(status, Buffer.concat(chunks).toString(), inFlight);
            resolve();
          });
        },
      );
      let timedOut = false;
      request.setTimeout(10_000, () => {
        timedOut = true;
        timeouts++;
        request.destroy();
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (!timedOut) {
          errors++;
          errorCodes[error.code ?? error.message] = (errorCodes[error.code ?? error.message] ?? 0) + 1;
        }
        resolve();
      });
      request.end(signed.body);
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };
  const started = await paceEvenly(rate, Math.round(durationS * rate), (_, due) => send(due));
  await Promise.all(pending);
  agent.destroy();
  const lateSorted = Float64Array.from(late).sort();
  const sentSorted = Float64Array.from(fromSend).sort();
  return {
    ...result((performance.now() - started) / 1_000, errors, timeouts),
    ...(errors > 0 && { errorCodes }),
    senderLateMs: {
      p50: percentile(lateSorted, 50),
      p99: percentile(lateSorted, 99),
      max: percentile(lateSorted, 100),
    },
    latencyFromSendMs: latencySummary(sentSorted),
  };
}

function drive(job: LoadJob, durationS: number, run: number): Promise<LoadResult> {
  return job.rate === undefined ? driveClosedLoop(job, durationS, run) : drivePaced(job, durationS, run);
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
