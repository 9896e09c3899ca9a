import type { FetchFunction } from '@slack/web-api';
import { Agent, request } from 'undici';

/**
 * The HTTP transport of every Web API client (WebClient's documented `fetch` option).
 *
 * Node's global fetch costs about 0.6–0.8 ms of CPU per Slack call (WHATWG streams, an AbortSignal and
 * a Headers object per request); undici's `request` over a keep-alive pool costs about 0.25–0.3 ms,
 * measured with WebClient against a local server. That matters when a reminder sweep makes thousands of
 * calls a second. Slack's answers are small JSON documents, so each is read whole and handed back as
 * a buffered response that can be read more than once (the metrics read a 200's `ok` from it too).
 *
 * Multipart bodies (file uploads, a few per incident) still go through the global fetch: WebClient
 * builds them with the global FormData, which undici's `request` does not take.
 */
const slackPool = new Agent({ keepAliveTimeout: 30_000, connections: 64 });

type FetchResponse = Awaited<ReturnType<FetchFunction>>;

class BufferedResponse implements FetchResponse {
  readonly ok: boolean;
  readonly statusText = '';

  constructor(
    readonly url: string,
    readonly status: number,
    private readonly headerValues: Record<string, string | string[] | undefined>,
    private readonly body: string,
  ) {
    this.ok = status >= 200 && status < 300;
  }

  readonly headers = {
    get: (name: string): string | null => {
      const value = this.headerValues[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
    entries: (): Iterable<[string, string]> =>
      Object.keys(this.headerValues).map((name): [string, string] => [name, this.headers.get(name) ?? '']),
  };

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return new TextEncoder().encode(this.body).buffer as ArrayBuffer;
  }

  /** The body is already read and never consumed, so a clone is the response itself. */
  clone(): BufferedResponse {
    return this;
  }
}

export const slackHttp: FetchFunction = async (url, init = {}) => {
  if (init.body !== undefined && typeof init.body !== 'string') {
    return (globalThis.fetch as unknown as FetchFunction)(url, init);
  }
  const href = String(url);
  // WebClient asks fetch to refuse redirects; `request` never follows one, so a 3xx comes back as
  // a status, which WebClient reports as an HTTP error, as it does any non-200.
  const answer = await request(href, {
    method: (init.method ?? 'GET') as 'GET' | 'POST',
    headers: init.headers,
    body: init.body,
    signal: init.signal,
    dispatcher: slackPool,
  });
  const body = await answer.body.text();
  return new BufferedResponse(href, answer.statusCode, answer.headers, body);
};
