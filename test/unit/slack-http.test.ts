import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, WebClient } from '@slack/web-api';
import { slackHttp } from '../../src/slack/http';

/** The transport every Web API client uses (undici's request, buffered answers) behaves as WebClient expects of fetch. */
describe('slackHttp', () => {
  let server: Server;
  let base: string;
  const seen: { method?: string; contentType?: string; body: string }[] = [];
  let answer: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        seen.push({ method: req.method, contentType: req.headers['content-type'], body });
        answer(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
  });

  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    answer = (_req, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
  };
  const client = (options: ConstructorParameters<typeof WebClient>[1] = {}) =>
    new WebClient('xoxb-test', { slackApiUrl: base, fetch: slackHttp, retryConfig: { retries: 0 }, ...options });

  test('a call is posted form-encoded and its answer and Slack headers reach the caller', async () => {
    json(200, { ok: true, channel: 'D1', ts: '1.2' }, { 'X-OAuth-Scopes': 'chat:write, im:write' });
    const result = await client().chat.postMessage({ channel: 'D1', text: 'hello & welcome' });
    expect(result).toMatchObject({ ok: true, channel: 'D1', ts: '1.2' });
    expect(result.response_metadata?.scopes).toEqual(['chat:write', 'im:write']);
    expect(seen[0]).toMatchObject({ method: 'POST', contentType: 'application/x-www-form-urlencoded' });
    expect(new URLSearchParams(seen[0]!.body).get('text')).toBe('hello & welcome');
  });

  test('ok:false is a platform error with Slack’s code', async () => {
    json(200, { ok: false, error: 'channel_not_found' });
    await expect(client().chat.postMessage({ channel: 'C404', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'channel_not_found' },
    });
  });

  test('a 429 carries its Retry-After (header names are matched without regard to case)', async () => {
    json(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '7' });
    await expect(
      client({ rejectRateLimitedCalls: true }).chat.postMessage({ channel: 'D1', text: 'x' }),
    ).rejects.toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
  });

  test('another HTTP status is an HTTP error with its headers', async () => {
    json(503, { ok: false }, { 'X-Slack-Req-Id': 'r1' });
    await expect(client().auth.test()).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 503,
      headers: expect.objectContaining({ 'x-slack-req-id': 'r1' }),
    });
  });

  test('a buffered answer can be read again, as the metrics do before the client', async () => {
    json(200, { ok: true });
    const response = await slackHttp(`${base}auth.test`, { method: 'POST', body: 'a=1' });
    expect(await (response as unknown as { clone(): typeof response }).clone().json()).toEqual({ ok: true });
    expect(JSON.parse(await response.text())).toEqual({ ok: true });
    expect(new TextDecoder().decode(await response.arrayBuffer())).toBe('{"ok":true}');
    expect(response.headers.get('CONTENT-TYPE')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-missing')).toBeNull();
  });

  test('a slow answer times out as fetch does (a TimeoutError), so it is never retried', async () => {
    answer = (_req, res) => setTimeout(() => res.end('{"ok":true}'), 400);
    const error = await slackHttp(`${base}chat.postMessage`, {
      method: 'POST',
      body: 'a=1',
      signal: AbortSignal.timeout(50),
    }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
  });

  test('a refused connection keeps its code, which tells the standard client nothing reached Slack', async () => {
    // WebClient hands this error on as a RequestError's `original`; workspace-clients.ts retries it
    // because its code is ECONNREFUSED (the platform fetch hid the code in a `cause`).
    const error = await slackHttp('http://127.0.0.1:1/api/auth.test', { method: 'POST', body: '' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('a multipart upload (global FormData) still goes out, through the platform fetch', async () => {
    answer = (_req, res) => res.end('OK');
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('BEGIN:VCALENDAR')]), 'debrief-1.ics');
    const response = await slackHttp(`${base}upload`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(seen[0]!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen[0]!.body).toContain('BEGIN:VCALENDAR');
  });
});
