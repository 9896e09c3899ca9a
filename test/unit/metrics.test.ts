import type { FetchFunction } from '@slack/web-api';
import { createMetrics, jobLabel, slackMethodOf } from '../../src/observability/metrics';

type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/** A fetch that answers with `status` and `body`, or fails with `error`. */
function answering(answer: { status?: number; body?: unknown; error?: unknown }): FetchFunction {
  return async () => {
    if (answer.error) throw answer.error;
    return new Response(JSON.stringify(answer.body ?? { ok: true }), {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json' },
    }) as unknown as FetchResponse;
  };
}

async function value(metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string>) {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const found = (metric?.values as { labels: Record<string, string | number>; value: number }[] | undefined)?.find(
    (v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return found?.value;
}

const API = 'http://127.0.0.1:9/api/';

describe('metrics', () => {
  test('Slack calls are counted by method and result; the client still reads the answer', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const call = async (answer: Parameters<typeof answering>[0], method = 'chat.postMessage') => {
      const response = await metrics.slackFetch(answering(answer))(`${API}${method}`, { method: 'POST' });
      return response.json();
    };
    expect(await call({ body: { ok: true, ts: '1.2' } })).toEqual({ ok: true, ts: '1.2' });
    expect(await call({ body: { ok: false, error: 'not_in_channel' } })).toEqual({
      ok: false,
      error: 'not_in_channel',
    });
    await call({ status: 429, body: { ok: false, error: 'ratelimited' } });
    await call({ status: 503, body: {} });
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    await expect(call({ error: timeout }, 'users.info')).rejects.toBe(timeout);
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    await expect(call({ error: refused }, 'users.info')).rejects.toBe(refused);
    const calls = (result: string, method = 'chat.postMessage') =>
      value(metrics, 'debrief_slack_api_calls_total', { method, result });
    expect(await calls('ok')).toBe(1);
    expect(await calls('ok_false')).toBe(1);
    expect(await calls('rate_limited')).toBe(1);
    expect(await calls('http_error')).toBe(1);
    expect(await calls('timeout', 'users.info')).toBe(1);
    expect(await calls('network_error', 'users.info')).toBe(1);
  });

  test('ok:false is read from the answer however it is spaced, and only from its top level', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const answer =
      (text: string): FetchFunction =>
      async () =>
        new Response(text, {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }) as unknown as FetchResponse;
    const send = async (text: string) => {
      const response = await metrics.slackFetch(answer(text))(`${API}chat.postMessage`, { method: 'POST' });
      return response.text();
    };
    expect(await send('{ "ok" : false, "error": "channel_not_found" }')).toContain('channel_not_found');
    await send('{"ok":true,"message":{"metadata":{"event_payload":{"ok":false}}}}');
    await send('{"ok":true}');
    const calls = (result: string) =>
      value(metrics, 'debrief_slack_api_calls_total', { method: 'chat.postMessage', result });
    expect(await calls('ok_false')).toBe(1);
    expect(await calls('ok')).toBe(2);
  });

  test('method labels come from a fixed shape, never from ids in a URL', () => {
    expect(slackMethodOf('https://slack.com/api/conversations.history')).toBe('conversations.history');
    expect(slackMethodOf('https://hooks.slack.com/commands/T1/123/abc')).toBe('response_url');
    expect(slackMethodOf('https://hooks.slack.com/actions/T1/123/abc')).toBe('response_url');
    expect(slackMethodOf('http://127.0.0.1:5/response/T1/abc/def')).toBe('response_url');
    expect(slackMethodOf('https://files.slack.com/upload/v1/ABC123')).toBe('other');
    expect(slackMethodOf('not a url')).toBe('other');
  });

  test('requests: outcome, late acknowledgements (after 2.5 s, or answered "working on it"), duplicates', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.requestFinished('command', 'ok', 0.2);
    metrics.requestFinished('command', 'ok', 2.5, { deferred: true });
    metrics.requestFinished('action', 'failed', 2.6);
    metrics.requestFinished('event', 'deduplicated', 0.01, { duplicate: 'early' });
    expect(await value(metrics, 'debrief_slack_requests_total', { kind: 'command', outcome: 'ok' })).toBe(2);
    expect(await value(metrics, 'debrief_slack_acks_late_total', { kind: 'command' })).toBe(1);
    expect(await value(metrics, 'debrief_slack_acks_late_total', { kind: 'action' })).toBe(1);
    expect(await value(metrics, 'debrief_slack_acks_late_total', { kind: 'event' })).toBe(0);
    expect(await value(metrics, 'debrief_slack_commands_deferred_total', {})).toBe(1);
    expect(await value(metrics, 'debrief_slack_events_deduplicated_total', { stage: 'early' })).toBe(1);
    expect(await value(metrics, 'debrief_slack_events_deduplicated_total', { stage: 'claim' })).toBe(0);
  });

  test('sweeps by job and outcome; digests; the pool only when there is one', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    await metrics.timeSweep('reminder digests', async () => undefined);
    await expect(
      metrics.timeSweep('reminder digests', async () => {
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    expect(jobLabel('purge abandoned shortcut captures')).toBe('purge_abandoned_shortcut_captures');
    expect(await value(metrics, 'debrief_scheduler_sweeps_total', { job: 'reminder_digests', outcome: 'ok' })).toBe(1);
    expect(await value(metrics, 'debrief_scheduler_sweeps_total', { job: 'reminder_digests', outcome: 'failed' })).toBe(
      1,
    );
    metrics.digest('sent');
    metrics.digest('failed', 'rate_limited');
    metrics.digest('skipped', 'no_person', 0);
    expect(await value(metrics, 'debrief_digests_total', { outcome: 'sent' })).toBe(1);
    expect(await value(metrics, 'debrief_digests_total', { outcome: 'failed', reason: 'rate_limited' })).toBe(1);
    expect(await value(metrics, 'debrief_digests_total', { outcome: 'skipped' })).toBeUndefined();
    expect(await metrics.registry.metrics()).not.toMatch(/^debrief_db_pool_connections\{/m);
    metrics.observePool(() => ({ total: 7, idle: 2, waiting: 3, max: 10 }));
    expect(await value(metrics, 'debrief_db_pool_connections', { state: 'in_use' })).toBe(5);
    expect(await value(metrics, 'debrief_db_pool_connections', { state: 'idle' })).toBe(2);
    expect(await value(metrics, 'debrief_db_pool_waiting_clients', {})).toBe(3);
    expect(await value(metrics, 'debrief_db_pool_max_connections', {})).toBe(10);
  });
});
