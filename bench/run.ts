/**
 * `npm run bench`: Debrief measured against the ceilings of what it is built on, in one run on one
 * machine (absolute numbers drift on shared machines; the ratios hold). Needs a real Postgres:
 * DATABASE_URL or TEST_DATABASE_URL; the bench works in its own database (`debrief_bench`, dropped
 * and created afresh) on that server, never in the one named.
 *
 * Every process is separate: the app (or the no-op Bolt app) in one, the load generator (autocannon,
 * signed requests, a unique event_id each) in another, this orchestrator in a third. Beside the
 * timeline run, bench/timeline-floor.ts runs the note's statement alone at the same rate (the Postgres
 * floor under the command's latency), and bench/noop-bolt.ts answers the same commands with that
 * statement and nothing else (the floor for a Bolt app). It prints a table and writes bench/results.json.
 *
 * The maximum-rate runs (the no-op ceiling and Debrief's ingestion) are closed loops at each number of
 * connections in BENCH_CONNECTIONS (default 16,64), the ceiling and Debrief in turn at each, in
 * BENCH_ROUNDS rounds (default 2); each side's maximum is its best run. A closed loop of 16 connections measures latency as much as
 * capacity (by Little's law it carries at most 16 requests per answer time): Debrief answers an event
 * once its batch has committed, so it needs more requests in flight than a no-op listener does.
 *
 * Environment: BENCH_CONNECTIONS (default 16,64), BENCH_ROUNDS (default 2), BENCH_SECONDS (default 8) for their length,
 * BENCH_RESULTS (default bench/results.json), BENCH_LABEL (a note kept in the results), BENCH_PROFILE=1
 * (CPU profiles of the app processes, in node_modules/.cache/debrief-bench/profiles).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'pg';
import { BUILD_DIR, buildBench, compiled, ROOT } from './build';
import { askChild, type Collections, type HeapBreakdown } from './ipc';
import type { LoadJob, LoadResult } from './load';
import type { Target } from './payloads';
import { productionStart } from './production-start';

const CONCURRENCIES = (process.env.BENCH_CONNECTIONS ?? '16,64').split(',').map(Number);
/**
 * Maximum-rate runs per number of connections, for each side. A stall of the machine during one 8 s
 * run lowers that run alone; each side's maximum is its best run, so a second round keeps one stall
 * from deciding the ratio, either way.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
// Run numbers 20–29 (Debrief) and 30–39 (the ceiling): bench/payloads.ts derives event ids and ts from them.
if (ROUNDS * CONCURRENCIES.length > 10) throw new Error('BENCH_ROUNDS × BENCH_CONNECTIONS: at most 10 runs a side');
/** The embedded database's closed-loop runs (for memory, not for rate), and the floor of the half rate. */
const CONNECTIONS = CONCURRENCIES[0]!;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const RESULTS = path.resolve(process.env.BENCH_RESULTS ?? path.join(ROOT, 'bench', 'results.json'));
const POOL_SIZE = 10; // openPostgres's pool (src/db/connect.ts)
const RETRY_EVERY = 50;
const TIMELINE_RATE = 400;
const TIMELINE_SECONDS = 20;
const BENCH_DB = 'debrief_bench';

// ---- processes ------------------------------------------------------------------------------------

interface Forked {
  child: ChildProcess;
  /** Sends a message and waits for the answer of the same type (or an error). */
  ask<T>(message: { type: string; [key: string]: unknown }): Promise<T>;
  stop(): Promise<void>;
}

/** Forks a compiled bench process (plain node, none of tsx's hooks) and waits for its `ready`. */
async function start<T>(name: string, env: Record<string, string>, logFile: string): Promise<Forked & { ready: T }> {
  // BENCH_PROFILE=1: the app processes write a V8 CPU profile (open it in Chrome DevTools) on exit.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(BUILD_DIR, 'profiles')}`] : [];
  const isApp = name === 'app-process';
  const production = isApp ? productionStart() : { env: {}, flags: [] };
  const child = fork(compiled(name), [], {
    execArgv: isApp ? [...production.flags, ...profile] : [],
    env: { ...process.env, ...production.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const log: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  child.on('exit', () => writeFileSync(logFile, log.join('')));
  const ready = await new Promise<T>((resolve, reject) => {
    child.once('message', (message: { type: string; message?: string }) => {
      if (message.type === 'ready') resolve(message as T);
      else reject(new Error(`${name}: ${message.message ?? message.type}`));
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready: ${log.join('')}`)));
  });
  return {
    child,
    ready,
    ask<R>(message: { type: string }) {
      return askChild<R>(child, name, message);
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' });
      });
    },
  };
}

/** Runs one load job in a fresh load-generator process. */
function load(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(compiled('load'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (message: { type: string; result?: LoadResult; message?: string }) => {
      if (message.type === 'result') resolve(message.result!);
      else reject(new Error(`load generator: ${message.message}`));
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(job);
  });
}

/** Runs a one-shot bench process (it sends `result` and exits). */
function oneShot<T>(name: string, env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(compiled(name), [], {
      execArgv: [],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (message: { type: string; result?: T; message?: string }) => {
      if (message.type === 'result') resolve(message.result as T);
      else reject(new Error(`${name}: ${message.message}`));
    });
  });
}

/** The V8 spaces that hold most, then what V8 knows of outside its heap. */
function heapSummary(heap: HeapBreakdown): string {
  const { new_space = 0, old_space = 0, code_space = 0, large_object_space = 0 } = heap.spacesMb;
  return `V8 new ${new_space}, old ${old_space}, code ${code_space}, large objects ${large_object_space}, external ${heap.externalMb} MB of ${heap.rssMb} resident`;
}

/** Peak and current resident set of a process, MB, from /proc (VmHWM is the kernel's high-water mark). */
function memory(pid: number | undefined): { peakMb: number; currentMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { peakMb: Math.round(kb('VmHWM') / 1024), currentMb: Math.round(kb('VmRSS') / 1024) };
}

// ---- the database ---------------------------------------------------------------------------------

function databaseUrl(): string {
  const url = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (!url) {
    console.error('npm run bench needs a real Postgres: set DATABASE_URL or TEST_DATABASE_URL (postgres://…).');
    process.exit(2);
  }
  return url;
}

/** The bench's own database on the same server: dropped and created afresh for every run. */
async function freshBenchDatabase(serverUrl: string): Promise<string> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${BENCH_DB} with (force)`);
  await admin.query(`create database ${BENCH_DB}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${BENCH_DB}`;
  return url.toString();
}

/** Ceiling 2: single-row INSERTs (autocommit, one round trip each) through pg with Debrief's pool size. */
async function rawInsertCeiling(url: string, seconds: number) {
  const pool = new Pool({ connectionString: url, max: POOL_SIZE });
  await pool.query(
    'create table bench_rows (id bigserial primary key, event_id text not null unique, body text not null)',
  );
  let n = 0;
  const runFor = async (ms: number) => {
    const until = performance.now() + ms;
    let rows = 0;
    // Twice as many callers as connections, so that the pool never waits for a caller.
    await Promise.all(
      Array.from({ length: POOL_SIZE * 2 }, async () => {
        while (performance.now() < until) {
          const i = n++;
          await pool.query('insert into bench_rows (event_id, body) values ($1, $2)', [
            `Ev${i}`,
            `row ${i}: seeing 500s on /checkout again`,
          ]);
          rows++;
        }
      }),
    );
    return rows;
  };
  await runFor(1_000);
  const started = performance.now();
  const rows = await runFor(seconds * 1_000);
  const elapsed = (performance.now() - started) / 1_000;
  await pool.query('drop table bench_rows');
  await pool.end();
  return { rowsPerS: Math.round(rows / elapsed), rows, seconds: Math.round(elapsed * 10) / 10, poolSize: POOL_SIZE };
}

/**
 * Writes what the earlier runs left in Postgres's buffers to disk now (a CHECKPOINT), so that it is not
 * flushed while the next measurement runs. Needs a superuser or pg_checkpoint; otherwise skipped.
 */
async function settleDatabase(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('checkpoint');
  } catch {
    // Not allowed to: the measurement runs as it would have.
  } finally {
    await client.end();
  }
}

/**
 * After an ingestion run: every event answered 2xx is in the message log (none lost), each message is
 * there once and each stored event claimed once (none duplicated), and retries added nothing.
 */
async function verifyIngestion(url: string, target: Target, run: number, ackFile: string, result: LoadResult) {
  const acked = JSON.parse(readFileSync(ackFile, 'utf8')) as string[];
  rmSync(ackFile, { force: true });
  const low = `${1_700_000_000 + run * 100_000}.`;
  const high = `${1_700_000_000 + (run + 1) * 100_000}.`;
  const client = new Client({ connectionString: url });
  await client.connect();
  const counts = await client.query<{ rows: string; distinct_ts: string; claims: string; lost: string }>(
    `select
       (select count(*) from message_log where channel_id = $1 and ts >= $2 and ts < $3) as rows,
       (select count(distinct ts) from message_log where channel_id = $1 and ts >= $2 and ts < $3) as distinct_ts,
       (select count(*) from processed_events where event_id like $4) as claims,
       (select count(*) from unnest($5::text[]) a(ts)
          where not exists (select 1 from message_log m where m.channel_id = $1 and m.ts = a.ts)) as lost`,
    [target.channelId, low, high, `Ev${run.toString(36).toUpperCase()}X%`, acked],
  );
  await client.end();
  const row = counts.rows[0]!;
  const stored = Number(row.rows);
  return {
    acknowledged: acked.length,
    stored,
    lost: Number(row.lost),
    duplicated: stored - Number(row.distinct_ts),
    // Each stored message has exactly one claim, committed with it (and a retry claimed nothing new).
    claimsMatchRows: Number(row.claims) === stored,
    retriesSent: result.retriesSent ?? 0,
    retriesAnswered2xx: result.retriesOk ?? 0,
    // Sent while the run ended: stored by the app but the answer was not waited for.
    storedAfterCutoff: stored - acked.length,
  };
}

// ---- the run --------------------------------------------------------------------------------------

/** The run that answered the most requests per second. */
function best<T extends { run: LoadResult }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.run.rps > a.run.rps ? b : a));
}

type ByConnections = ReturnType<typeof byConnections>;

/** "at 16: 1400, 1450/s, at 64: 2000, 1900/s" (each round's run, in order) */
function perConnections(runs: ByConnections[]): string {
  return [...new Set(runs.map((r) => r.connections))]
    .map(
      (n) =>
        `at ${n}: ${runs
          .filter((r) => r.connections === n)
          .map((r) => r.eventsPerS)
          .join(', ')}/s`,
    )
    .join(', ');
}

/** One maximum-rate run in the results: its connections, rate and latency. */
function byConnections({ connections, run }: { connections: number; run: LoadResult }) {
  return { connections, eventsPerS: run.rps, p50Ms: run.latencyMs.p50, p99Ms: run.latencyMs.p99 };
}

interface WhatFailed {
  statusCodes: Record<string, number>;
  errorCodes: Record<string, number>;
  timeouts: number;
  wrongAnswers: number;
}

/**
 * A run's failed requests: answered other than 2xx, failed on the connection, timed out, or answered 2xx
 * with the wrong text; and, when there are any, which of those they were (connection errors by code).
 */
interface Failures {
  errors: number;
  whatFailed?: WhatFailed;
}

function failures(run: LoadResult): Failures {
  const errors = run.non2xx + run.errors + run.timeouts + (run.wrongAnswers ?? 0);
  if (errors === 0) return { errors };
  const { statusCodes, errorCodes = {}, timeouts, wrongAnswers = 0 } = run;
  return { errors, whatFailed: { statusCodes, errorCodes, timeouts, wrongAnswers } };
}

/** "errors 2 (ECONNRESET 1, HTTP 500 1)" */
function errorsText({ errors, whatFailed }: Failures): string {
  if (!whatFailed) return `errors ${errors}`;
  const kinds = [
    ...Object.entries(whatFailed.errorCodes).map(([code, n]) => `${code} ${n}`),
    ...Object.entries(whatFailed.statusCodes)
      .filter(([status]) => !status.startsWith('2'))
      .map(([status, n]) => `HTTP ${status} ${n}`),
    ...(whatFailed.timeouts > 0 ? [`timed out ${whatFailed.timeouts}`] : []),
    ...(whatFailed.wrongAnswers > 0 ? [`wrong answer ${whatFailed.wrongAnswers}`] : []),
  ];
  return `errors ${errors} (${kinds.join(', ')})`;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

async function main() {
  const serverUrl = databaseUrl();
  const startedAt = Date.now();
  const label = process.env.BENCH_LABEL ?? '';
  console.log('building the app and the bench processes…');
  await buildBench();
  const benchUrl = await freshBenchDatabase(serverUrl);
  const serverVersion = await (async () => {
    const client = new Client({ connectionString: benchUrl });
    await client.connect();
    const { rows } = await client.query<{ server_version: string; synchronous_commit: string }>(
      "select current_setting('server_version') as server_version, current_setting('synchronous_commit') as synchronous_commit",
    );
    await client.end();
    return rows[0]!;
  })();
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    postgres: serverVersion.server_version,
    synchronousCommit: serverVersion.synchronous_commit,
    loadAverageAtStart: os.loadavg().map((l) => round(l, 2)),
  };
  const log = (name: string) => path.join(BUILD_DIR, `${name}.log`);

  // (2) Ceiling: raw single-row INSERTs through pg, Debrief's pool size.
  console.log(`(2) raw INSERT ceiling, pool of ${POOL_SIZE}, ${Math.min(SECONDS, 6)} s…`);
  const inserts = await rawInsertCeiling(benchUrl, Math.min(SECONDS, 6));

  // (1) and (3)–(5), (7): the no-op Bolt app and Debrief over Postgres, both started now, so that the
  // ceiling and Debrief's maximum are measured in turn at each concurrency, seconds apart: this
  // machine's speed drifts over minutes, and the ratio is what the target is about.
  console.log('starting the no-op Bolt app and Debrief over Postgres…');
  const noop = await start<{ url: string }>('noop-bolt', { BENCH_SIGNING_SECRET: 'noop-secret' }, log('noop-bolt'));
  const noopTarget: Target = {
    url: noop.ready.url,
    signingSecret: 'noop-secret',
    teamId: 'T0SIMULATED',
    appId: 'A0DEBRIEF1',
    verificationToken: 'verificationtoken00000000',
    botUserId: 'UDEBRIEF',
    channelId: 'CINCIDENT',
    channelName: 'inc-bench',
    userIds: ['UP0001', 'UP0002', 'UP0003'],
  };
  const app = await start<{ target: Target }>('app-process', { BENCH_DATABASE_URL: benchUrl }, log('app-postgres'));
  const target = app.ready.target;
  // With where the app's memory sits at each point (V8's heap spaces, external), for the peak's cause.
  const checkpoint = async () => ({ ...memory(app.child.pid), heap: await app.ask<HeapBreakdown>({ type: 'heap' }) });
  const rss: Record<string, { peakMb: number; currentMb: number; heap: HeapBreakdown }> = {
    started: await checkpoint(),
  };

  const noopRuns: { connections: number; run: LoadResult }[] = [];
  const maxRuns: { connections: number; run: LoadResult; check: Awaited<ReturnType<typeof verifyIngestion>> }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, connections] of CONCURRENCIES.entries()) {
      // Each run has a number of its own, which gives its events their own ids and timestamps.
      const k = (round - 1) * CONCURRENCIES.length + i;
      const of = ROUNDS > 1 ? `, round ${round} of ${ROUNDS}` : '';
      console.log(`(1) no-op Bolt ceiling, ${connections} connections, ${SECONDS} s${of}…`);
      const noopRun = await load({
        kind: 'events',
        target: noopTarget,
        connections,
        durationS: SECONDS,
        run: 30 + k,
        warmupS: 2,
      });
      noopRuns.push({ connections, run: noopRun });
      console.log(`(3) Debrief ingestion at the maximum rate, ${connections} connections, ${SECONDS} s${of}…`);
      const ackFile = path.join(BUILD_DIR, `acked-max-${k}.json`);
      const job = {
        kind: 'events',
        target,
        connections,
        durationS: SECONDS,
        run: 20 + k,
        retryEvery: RETRY_EVERY,
      } as const;
      const run = await load({ ...job, ackFile, warmupS: 2 });
      maxRuns.push({ connections, run, check: await verifyIngestion(benchUrl, target, job.run, ackFile, run) });
    }
  }
  await noop.stop();
  const noopBest = best(noopRuns);
  const noopRun = noopBest.run;
  const maxBest = best(maxRuns);
  const maxRun = maxBest.run;
  const maxCheck = {
    ...maxBest.check,
    // Every maximum-rate run is checked; the target counts what any of them lost or duplicated.
    lost: maxRuns.reduce((n, r) => n + r.check.lost, 0),
    duplicated: maxRuns.reduce((n, r) => n + r.check.duplicated, 0),
    claimsMatchRows: maxRuns.every((r) => r.check.claimsMatchRows),
  };
  const halfRate = Math.max(CONNECTIONS, Math.floor(maxRun.rps / 2));
  // Paced: the sockets it may open, not requests kept in flight (it needs about rate × answer time).
  const halfRateSockets = Math.max(...CONCURRENCIES);
  console.log(`    … and at half that rate (${halfRate}/s)…`);
  // As before the timeline run: the maximum-rate runs' rows are written out first, not during it.
  await settleDatabase(benchUrl);
  const ackHalf = path.join(BUILD_DIR, 'acked-half.json');
  const halfRun = await load({
    kind: 'events',
    target,
    connections: halfRateSockets,
    durationS: SECONDS,
    rate: halfRate,
    run: 3,
    retryEvery: RETRY_EVERY,
    ackFile: ackHalf,
    // As every other run: the fresh load-generator process's own first seconds are not measured.
    warmupS: 2,
  });
  const halfCheck = await verifyIngestion(benchUrl, target, 3, ackHalf, halfRun);
  rss.afterIngestion = await checkpoint();

  console.log(`(4) /incident timeline at ${TIMELINE_RATE}/s for ${TIMELINE_SECONDS} s…`);
  // Ingestion's rows are written out now, not in the kernel's writeback during the 20 s, where every
  // commit's WAL flush would wait behind them (measured: p99 28–51 ms after ingestion, 21–25 with this).
  await settleDatabase(benchUrl);
  await app.ask({ type: 'collections' });
  const timelineRun = await load({
    kind: 'timeline',
    target,
    // Paced evenly (bench/load.ts drivePaced); up to 50 connections when answers slow down.
    connections: 50,
    durationS: TIMELINE_SECONDS,
    rate: TIMELINE_RATE,
    run: 4,
    warmupS: 2,
  });
  // V8's collections in the app during the run (its 2 s warm-up included): the tail follows the full ones.
  const timelineCollections = await app.ask<Collections>({ type: 'collections' });
  rss.afterTimeline = await checkpoint();
  console.log(
    `    … and the note's statement alone, through Debrief's pool at ${TIMELINE_RATE}/s (the Postgres floor)…`,
  );
  const timelineFloor = await oneShot<{ notes: number; latencyMs: LoadResult['latencyMs'] }>('timeline-floor', {
    BENCH_DATABASE_URL: benchUrl,
    BENCH_TEAM_ID: target.teamId,
    BENCH_CHANNEL_ID: target.channelId,
    BENCH_RATE: String(TIMELINE_RATE),
    BENCH_SECONDS: String(TIMELINE_SECONDS),
  });
  console.log(`    … and Bolt with a listener that runs only that statement, at ${TIMELINE_RATE}/s…`);
  const boltWithStatement = await start<{ url: string }>(
    'noop-bolt',
    {
      BENCH_SIGNING_SECRET: 'noop-secret',
      BENCH_DATABASE_URL: benchUrl,
      BENCH_TEAM_ID: target.teamId,
      BENCH_CHANNEL_ID: target.channelId,
    },
    log('bolt-with-statement'),
  );
  const boltTimelineRun = await load({
    kind: 'timeline',
    target: { ...target, url: boltWithStatement.ready.url, signingSecret: 'noop-secret' },
    connections: 50,
    durationS: TIMELINE_SECONDS,
    rate: TIMELINE_RATE,
    run: 5,
    warmupS: 2,
  });
  await boltWithStatement.stop();
  const timelineFailures = failures(timelineRun);

  console.log('(5) export of 10,000 timeline entries and 200 action items…');
  const exported = await app.ask<Record<string, number>>({ type: 'export', entries: 10_000, items: 200 });
  rss.afterExport = await checkpoint();
  await app.stop();

  console.log('(6) reminder sweep: planning, then delivery to the stand-in (about two minutes)…');
  await settleDatabase(benchUrl);
  const reminders = await oneShot<Record<string, unknown>>('reminders', { BENCH_DATABASE_URL: benchUrl });

  // (7) What the embedded database adds: the same app and traffic over PGlite, for memory only.
  console.log('(7) the same app over the embedded database (PGlite), for memory…');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'debrief-bench-pglite-'));
  const embedded = await start<{ target: Target }>('app-process', { BENCH_DATA_DIR: dataDir }, log('app-embedded'));
  const embeddedRss: Record<string, { peakMb: number; currentMb: number }> = {
    started: memory(embedded.child.pid),
  };
  const embeddedIngest = await load({
    kind: 'events',
    target: embedded.ready.target,
    connections: CONNECTIONS,
    durationS: SECONDS,
    run: 5,
    retryEvery: RETRY_EVERY,
    warmupS: 2,
  });
  embeddedRss.afterIngestion = memory(embedded.child.pid);
  const embeddedTimeline = await load({
    kind: 'timeline',
    target: embedded.ready.target,
    connections: 50,
    durationS: SECONDS,
    rate: TIMELINE_RATE,
    run: 6,
  });
  embeddedRss.afterTimeline = memory(embedded.child.pid);
  await embedded.stop();
  // The first start ran initdb in WASM; a restart opens the existing data directory, as a server does.
  const reopened = await start<{ target: Target }>('app-process', { BENCH_DATA_DIR: dataDir }, log('app-embedded-2'));
  embeddedRss.restarted = memory(reopened.child.pid);
  await load({
    kind: 'events',
    target: reopened.ready.target,
    connections: CONNECTIONS,
    durationS: Math.ceil(SECONDS / 2),
    run: 7,
  });
  embeddedRss.restartedAfterIngestion = memory(reopened.child.pid);
  await reopened.stop();
  rmSync(dataDir, { recursive: true, force: true });

  const ratio = round(maxRun.rps / noopRun.rps);
  const trafficPeak = rss.afterTimeline!.peakMb;
  const overallPeak = rss.afterExport!.peakMb;
  const results = {
    label,
    date: new Date(startedAt).toISOString(),
    command: 'npm run bench',
    machine,
    settings: {
      connections: CONCURRENCIES,
      rounds: ROUNDS,
      seconds: SECONDS,
      retryEvery: RETRY_EVERY,
      poolSize: POOL_SIZE,
      timeline: { rate: TIMELINE_RATE, seconds: TIMELINE_SECONDS },
    },
    ceilings: {
      noopBolt: {
        connections: noopBest.connections,
        byConnections: noopRuns.map(byConnections),
        eventsPerS: noopRun.rps,
        latencyMs: noopRun.latencyMs,
        non2xx: noopRun.non2xx,
        errors: noopRun.errors,
      },
      rawInserts: inserts,
    },
    ingestion: {
      max: {
        connections: maxBest.connections,
        byConnections: maxRuns.map(byConnections),
        eventsPerS: maxRun.rps,
        latencyMs: maxRun.latencyMs,
        non2xx: maxRun.non2xx,
        errors: maxRun.errors,
        check: maxCheck,
      },
      ratioToNoopBolt: ratio,
      ratioToRawInserts: round(maxRun.rps / inserts.rowsPerS),
      halfRate: {
        rate: halfRate,
        eventsPerS: halfRun.rps,
        latencyMs: halfRun.latencyMs,
        non2xx: halfRun.non2xx,
        errors: halfRun.errors,
        check: halfCheck,
      },
    },
    timeline: {
      rate: TIMELINE_RATE,
      seconds: TIMELINE_SECONDS,
      answered: timelineRun.ok,
      answeredPerS: timelineRun.rps,
      latencyMs: timelineRun.latencyMs,
      latencyFromSendMs: timelineRun.latencyFromSendMs,
      senderLateMs: timelineRun.senderLateMs,
      ...timelineFailures,
      statusCodes: timelineRun.statusCodes,
      appCollections: timelineCollections,
      postgresFloor: timelineFloor,
      boltWithStatement: {
        answeredPerS: boltTimelineRun.rps,
        latencyMs: boltTimelineRun.latencyMs,
        ...failures(boltTimelineRun),
      },
    },
    export: exported,
    reminders,
    memory: {
      postgres: rss,
      embedded: {
        ...embeddedRss,
        ingestionEventsPerS: embeddedIngest.rps,
        ingestionP99Ms: embeddedIngest.latencyMs.p99,
        timelineP99Ms: embeddedTimeline.latencyMs.p99,
        timelineErrors: failures(embeddedTimeline).errors,
      },
      // Peak on a restart over an existing data directory (the steady state of a server), against Postgres's traffic peak.
      embeddedAddsMb: embeddedRss.restartedAfterIngestion!.peakMb - rss.afterIngestion!.peakMb,
      embeddedFirstStartAddsMb: embeddedRss.afterTimeline!.peakMb - trafficPeak,
    },
    targets: {
      ingestionRatio: { target: '>= 0.6', value: ratio, met: ratio >= 0.6 },
      ingestionP99AtHalfRate: { target: '< 50 ms', value: halfRun.latencyMs.p99, met: halfRun.latencyMs.p99 < 50 },
      ingestionNothingLost: {
        target: '0 lost, 0 duplicated',
        value: maxCheck.lost + halfCheck.lost + maxCheck.duplicated + halfCheck.duplicated,
        met:
          maxCheck.lost + halfCheck.lost + maxCheck.duplicated + halfCheck.duplicated === 0 &&
          maxCheck.claimsMatchRows &&
          halfCheck.claimsMatchRows,
      },
      timelineP99: {
        target: '< 20 ms, no errors',
        value: timelineRun.latencyMs.p99,
        met: timelineRun.latencyMs.p99 < 20 && timelineFailures.errors === 0,
      },
      export: { target: '< 250 ms', value: exported.warmMedianMs, met: (exported.warmMedianMs ?? Infinity) < 250 },
      sweepPlanning: {
        target: '< 2 s for 100,000 items (from Postgres)',
        value: reminders.planFromDbMs,
        met: reminders.planTargetMet === true,
      },
      sweepDelivery: {
        target: '>= 1,000 digests/s unthrottled, no call inside a Retry-After when throttled',
        value: `${String(reminders.deliveredPerS)}/s; ${(reminders.throttled as { honouredRetryAfter?: boolean } | undefined)?.honouredRetryAfter ? 'Retry-After honoured' : 'calls inside a Retry-After'}`,
        met:
          reminders.deliveryTargetMet === true &&
          (reminders.throttled as { honouredRetryAfter?: boolean } | undefined)?.honouredRetryAfter === true,
      },
      peakRss: { target: '< 180 MB', value: overallPeak, met: overallPeak < 180 },
    },
    elapsedS: Math.round((Date.now() - startedAt) / 1000),
  };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
  console.log(`\nwritten to ${path.relative(process.cwd(), RESULTS)} in ${results.elapsedS} s`);
}

function printTable(r: {
  machine: Record<string, unknown>;
  ceilings: {
    noopBolt: {
      connections: number;
      byConnections: ByConnections[];
      eventsPerS: number;
      latencyMs: LoadResult['latencyMs'];
    };
    rawInserts: { rowsPerS: number };
  };
  ingestion: {
    max: {
      connections: number;
      byConnections: ByConnections[];
      eventsPerS: number;
      latencyMs: LoadResult['latencyMs'];
      check: { lost: number; duplicated: number };
    };
    ratioToNoopBolt: number;
    halfRate: { rate: number; latencyMs: LoadResult['latencyMs']; check: { lost: number; duplicated: number } };
  };
  timeline: Failures & {
    latencyMs: LoadResult['latencyMs'];
    answeredPerS: number;
    appCollections: Collections;
    postgresFloor: { latencyMs: LoadResult['latencyMs'] };
    boltWithStatement: Failures & { latencyMs: LoadResult['latencyMs'] };
  };
  export: Record<string, number>;
  reminders: Record<string, unknown>;
  memory: {
    postgres: Record<string, { peakMb: number; heap: HeapBreakdown }>;
    embedded: Record<string, unknown>;
    embeddedAddsMb: number;
    embeddedFirstStartAddsMb: number;
  };
  targets: Record<string, { target: string; value: unknown; met: boolean }>;
}) {
  const rows: [string, string, string][] = [
    [
      '(1) no-op Bolt ceiling',
      `${r.ceilings.noopBolt.eventsPerS} events/s`,
      `${r.ceilings.noopBolt.connections} connections: p50 ${r.ceilings.noopBolt.latencyMs.p50} / p99 ${r.ceilings.noopBolt.latencyMs.p99} ms; ${perConnections(r.ceilings.noopBolt.byConnections)}`,
    ],
    ['(2) raw INSERT ceiling (pg, pool 10)', `${r.ceilings.rawInserts.rowsPerS} rows/s`, ''],
    [
      '(3) Debrief ingestion, max',
      `${r.ingestion.max.eventsPerS} events/s (${r.ingestion.ratioToNoopBolt} × no-op Bolt)`,
      `${r.ingestion.max.connections} connections: p50 ${r.ingestion.max.latencyMs.p50} / p99 ${r.ingestion.max.latencyMs.p99} ms; ${perConnections(r.ingestion.max.byConnections)}; lost ${r.ingestion.max.check.lost}, duplicated ${r.ingestion.max.check.duplicated}`,
    ],
    [
      '    … at half the max rate',
      `${r.ingestion.halfRate.rate} events/s`,
      `p50 ${r.ingestion.halfRate.latencyMs.p50} / p99 ${r.ingestion.halfRate.latencyMs.p99} ms; lost ${r.ingestion.halfRate.check.lost}, duplicated ${r.ingestion.halfRate.check.duplicated}`,
    ],
    [
      '(4) /incident timeline @ 400/s, 20 s',
      `${r.timeline.answeredPerS} answered/s`,
      `p50 ${r.timeline.latencyMs.p50} / p99 ${r.timeline.latencyMs.p99} / max ${r.timeline.latencyMs.max} ms; ${errorsText(r.timeline)}; app GC: ${r.timeline.appCollections.full} full (${r.timeline.appCollections.fullPauseMs} ms), ${r.timeline.appCollections.scavenges} scavenges (${r.timeline.appCollections.scavengePauseMs} ms)`,
    ],
    [
      '    … its statement alone (floor)',
      `${TIMELINE_RATE} notes/s, no app`,
      `p50 ${r.timeline.postgresFloor.latencyMs.p50} / p99 ${r.timeline.postgresFloor.latencyMs.p99} / max ${r.timeline.postgresFloor.latencyMs.max} ms`,
    ],
    [
      '    … Bolt + that statement only',
      `${TIMELINE_RATE} commands/s`,
      `p50 ${r.timeline.boltWithStatement.latencyMs.p50} / p99 ${r.timeline.boltWithStatement.latencyMs.p99} / max ${r.timeline.boltWithStatement.latencyMs.max} ms; ${errorsText(r.timeline.boltWithStatement)}`,
    ],
    [
      '(5) export 10,000 entries + 200 items',
      `${r.export.warmMedianMs} ms`,
      `first (creates the draft, asks Slack for 40 names) ${r.export.firstMs} ms; ${r.export.markdownBytes} bytes`,
    ],
    [
      '(6) reminder sweep, 100k items',
      `plan ${String(r.reminders.planFromDbMs ?? r.reminders.warmPlanMedianMs)} ms; ${String(r.reminders.deliveredPerS ?? '?')} digests/s`,
      `in memory ${String(r.reminders.warmPlanMedianMs)} ms; ${String(r.reminders.delivery)}`,
    ],
    [
      '(7) peak RSS (Postgres)',
      `${r.memory.postgres.afterExport!.peakMb} MB`,
      `start ${r.memory.postgres.started!.peakMb}, after ingestion ${r.memory.postgres.afterIngestion!.peakMb}, after timeline ${r.memory.postgres.afterTimeline!.peakMb}, after export ${r.memory.postgres.afterExport!.peakMb} MB; then ${heapSummary(r.memory.postgres.afterExport!.heap)}`,
    ],
    [
      '    … embedded (PGlite), first start',
      `${(r.memory.embedded.afterTimeline as { peakMb: number }).peakMb} MB`,
      `peak reached in initdb; ${(r.memory.embedded.afterTimeline as { currentMb: number }).currentMb} MB resident after ingestion and timeline; ${String(r.memory.embedded.ingestionEventsPerS)} events/s`,
    ],
    [
      '    … embedded, restarted on its data',
      `${(r.memory.embedded.restartedAfterIngestion as { peakMb: number }).peakMb} MB`,
      `+${r.memory.embeddedAddsMb} MB over Postgres after ingestion`,
    ],
  ];
  const widths = [0, 1].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log(`\nmachine: ${JSON.stringify(r.machine)}\n`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(widths[0]!)}  ${b.padEnd(widths[1]!)}  ${c}`);
  console.log('\ntargets:');
  for (const [name, t] of Object.entries(r.targets)) {
    console.log(`  ${t.met ? 'met    ' : 'MISSED '} ${name}: ${t.target} (measured ${String(t.value)})`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
