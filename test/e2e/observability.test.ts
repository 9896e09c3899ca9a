/**
 * Issue 16, "Metrics worth alerting on" and "Structured logs", end to end: the real app at
 * LOG_LEVEL=debug with its pino logger writing into memory, driven with signed Slack requests (a
 * command, a message event, redeliveries, a command whose user lookup Slack rate-limits), then
 * every line read back and /metrics scraped.
 */
import { createDebriefLogger } from '../../src/observability/logger';
import { SIGNING_SECRET } from '../kit/simulated-workspace';
import { eventCallbackBody } from '../kit/slack-requests';
import { databaseKinds } from '../support/database';
import { GENERAL, type Harness, PEOPLE, startHarness } from '../support/harness';

const NOW = new Date('2026-11-20T20:00:00Z');
const BOT_TOKEN = 'xoxb-simulated';
/** What people typed into the incident channel: never logged. */
const SPOKEN = 'the quarterly ledger export stalled because Mallory dropped the index';
/** A token someone pasted into the channel: never logged either. */
const PASTED_TOKEN = 'xoxp-314159265358-979323846264-338327950288-419716939937510582097494459230781640';
const TITLE = 'Invoices vanish after nightly zebra-import';

type Line = Record<string, unknown>;

/** The value of one series in Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe.each(databaseKinds())('observability: JSON logs and /metrics (%s database)', (kind) => {
  let h: Harness;
  const written: string[] = [];
  /** Lines written while each Slack request was being handled (from its send to its settled work). */
  const duringRequests: Line[] = [];
  let channelId: string;
  let metrics: string;

  /** Sends a request and keeps the lines it caused. */
  async function observe<T>(send: () => Promise<T>): Promise<T> {
    const from = written.length;
    const result = await send();
    duringRequests.push(...written.slice(from).map((chunk) => JSON.parse(chunk) as Line));
    return result;
  }

  beforeAll(async () => {
    const logger = createDebriefLogger({
      level: 'debug',
      destination: { write: (chunk: string) => void written.push(chunk) },
    });
    h = await startHarness(kind, NOW, { logger, logLevel: 'debug' });

    // A command that declares an incident: channel creation, invitations, announcements.
    const started = await observe(() => h.command(PEOPLE.alice.id, GENERAL, `start sev2 ${TITLE}`));
    expect(started.status).toBe(200);
    channelId = h.slack.channelIdByName('inc-20261120-invoices-vanish-after-nightly-zebra-import')!;
    expect(channelId).toBeDefined();
    h.slack.joinChannel(channelId, PEOPLE.bob.id);

    // A message event, with people's words and a pasted token; then Slack redelivering it.
    const message = await observe(() =>
      h.event({ kind: 'message', channelId, userId: PEOPLE.bob.id, text: `${SPOKEN} ${PASTED_TOKEN}` }),
    );
    expect(message.status).toBe(200);
    await observe(() => h.send(message.body, { retryNum: 1, retryReason: 'http_timeout' }));

    // A pushpin and its redelivery: recognised before any work.
    const pin = eventCallbackBody(h.slack, {
      kind: 'reaction_added',
      channelId,
      ts: message.ts,
      userId: PEOPLE.bob.id,
      reaction: 'pushpin',
    });
    await observe(() => h.send(pin));
    await observe(() => h.send(pin, { retryNum: 1, retryReason: 'http_timeout' }));

    // The person's own mistake: a command that needs an incident channel, run elsewhere.
    await observe(() => h.command(PEOPLE.alice.id, GENERAL, 'resolve'));

    // Slack rate-limits the user lookup (429 with Retry-After): the caller is told to retry.
    h.slack.failNext('users.info', { error: 'ratelimited', retryAfterSeconds: 30 });
    const limited = await observe(() => h.command(PEOPLE.nozone.id, GENERAL, 'start sev4 Flaky test env'));
    expect(limited.answer.text).toMatch(/rate-limiting Debrief/);

    // One scheduler sweep, outside any request.
    await h.debrief.scheduler.sweep();

    metrics = await (await fetch(`${h.debrief.url}/metrics`)).text();
  });
  afterAll(async () => h?.stop());

  test('every line is one JSON object', () => {
    expect(written.length).toBeGreaterThan(20);
    for (const chunk of written) {
      expect(chunk.endsWith('\n')).toBe(true);
      expect(() => JSON.parse(chunk)).not.toThrow();
      expect(JSON.parse(chunk)).toEqual(
        expect.objectContaining({ level: expect.any(String), msg: expect.any(String) }),
      );
    }
    // Debug lines from Bolt and the Web API client are there: this really ran at LOG_LEVEL=debug.
    expect(written.some((chunk) => chunk.includes('"level":"debug"') && chunk.includes('http request url'))).toBe(true);
  });

  test('lines logged while a Slack request is handled carry its request id and workspace', () => {
    expect(duringRequests.length).toBeGreaterThan(10);
    // Scheduler lines (tagged with their job) may interleave with requests; every other line is the
    // request's, except Bolt's HTTP receiver saying it sent the held answer, after processing returned.
    const requestLines = duringRequests.filter((line) => line.job === undefined && line.msg !== 'stored response sent');
    const missing = requestLines.filter(
      (line) => typeof line.request_id !== 'string' || line.workspace !== 'T0SIMULATED',
    );
    expect(missing.map((line) => line.msg)).toEqual([]);
    // One "handled" line per request, each with its own id, and the kinds told apart.
    const handled = requestLines.filter((line) => line.msg === 'slack request handled');
    expect(handled.map((line) => [line.slack_kind, line.outcome])).toEqual([
      ['command', 'ok'],
      ['event', 'ok'],
      ['event', 'deduplicated'],
      ['event', 'ok'],
      ['event', 'deduplicated'],
      ['command', 'user_error'],
      ['command', 'failed'],
    ]);
    expect(new Set(handled.map((line) => line.request_id)).size).toBe(handled.length);
    // A redelivery says which one it is.
    expect(handled[2]).toMatchObject({ retry_num: 1, event_id: expect.any(String) });
    // Work finished after the acknowledgement (the new channel's announcements) logs under the command's id.
    const commandId = handled[0]!.request_id;
    expect(requestLines.filter((line) => line.request_id === commandId).length).toBeGreaterThan(5);
  });

  test('no token, signing secret, signature, or people’s words anywhere in the logs', () => {
    const all = written.join('');
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toMatch(/xox[a-z]-[A-Za-z0-9-]{6,}/);
    expect(all).not.toContain(SIGNING_SECRET);
    expect(all).not.toMatch(/v0=[0-9a-f]{64}/);
    expect(all).not.toContain(PASTED_TOKEN.slice(5, 30));
    expect(all).not.toContain(SPOKEN);
    for (const word of ['quarterly', 'ledger', 'Mallory']) expect(all).not.toContain(word);
    // The incident's title is people's words too; its channel is posted to by id.
    expect(all).not.toContain('Invoices vanish');
    expect(all).not.toContain('response/T0SIMULATED');
  });

  test('/metrics: requests by kind and outcome, with latency', () => {
    const requests = (labels: Record<string, string>) => sample(metrics, 'debrief_slack_requests_total', labels);
    expect(requests({ kind: 'command', outcome: 'ok' })).toBe(1);
    expect(requests({ kind: 'command', outcome: 'user_error' })).toBe(1);
    expect(requests({ kind: 'command', outcome: 'failed' })).toBe(1);
    expect(requests({ kind: 'event', outcome: 'ok' })).toBe(2);
    expect(requests({ kind: 'event', outcome: 'deduplicated' })).toBe(2);
    expect(
      sample(metrics, 'debrief_slack_request_duration_seconds_count', { kind: 'event', outcome: 'deduplicated' }),
    ).toBe(2);
    expect(
      sample(metrics, 'debrief_slack_request_duration_seconds_bucket', { kind: 'command', outcome: 'ok', le: '+Inf' }),
    ).toBe(1);
    // Late acknowledgements are counted per kind (how many is a matter of timing, not asserted).
    expect(sample(metrics, 'debrief_slack_acks_late_total', { kind: 'command' })).toEqual(expect.any(Number));
    expect(sample(metrics, 'debrief_slack_commands_deferred_total')).toEqual(expect.any(Number));
  });

  test('/metrics: de-duplicated events, before the work and at the claim', () => {
    expect(sample(metrics, 'debrief_slack_events_deduplicated_total', { stage: 'claim' })).toBe(1);
    expect(sample(metrics, 'debrief_slack_events_deduplicated_total', { stage: 'early' })).toBe(1);
  });

  test('/metrics: Slack Web API calls by method and result, 429s apart', () => {
    const calls = (method: string, result: string) =>
      sample(metrics, 'debrief_slack_api_calls_total', { method, result });
    expect(calls('users.info', 'rate_limited')).toBe(1);
    expect(calls('conversations.create', 'ok')).toBe(1);
    expect(calls('chat.postMessage', 'ok')).toBeGreaterThanOrEqual(1);
    expect(calls('users.info', 'ok')).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'debrief_slack_api_call_duration_seconds_count', { method: 'users.info' })).toBe(
      (calls('users.info', 'ok') ?? 0) + 1,
    );
  });

  test('/metrics: scheduler sweeps by job and outcome; digests; the database pool with Postgres', () => {
    for (const job of ['message_log_retention', 'forget_old_event_ids', 'reminder_digests']) {
      expect(sample(metrics, 'debrief_scheduler_sweeps_total', { job, outcome: 'ok' })).toBeGreaterThanOrEqual(1);
      expect(sample(metrics, 'debrief_scheduler_sweep_duration_seconds_count', { job })).toBeGreaterThanOrEqual(1);
    }
    expect(metrics).toMatch(/^# HELP debrief_digests_total /m);
    if (kind === 'postgres') {
      expect(sample(metrics, 'debrief_db_pool_connections', { state: 'idle' })).toBeGreaterThanOrEqual(0);
      expect(sample(metrics, 'debrief_db_pool_waiting_clients')).toBe(0);
      expect(sample(metrics, 'debrief_db_pool_max_connections')).toBe(10);
    } else {
      expect(sample(metrics, 'debrief_db_pool_connections', { state: 'idle' })).toBeUndefined();
    }
    // The default process metrics are still there.
    expect(metrics).toMatch(/^# HELP debrief_process_cpu_user_seconds_total/m);
  });
});
