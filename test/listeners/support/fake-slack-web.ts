/**
 * What Bolt itself sends over HTTP inside a listener — `respond()` to a response_url and the
 * listener's `client` (views.open) — answered in process. Bolt and @slack/web-api call
 * `globalThis.fetch`, read when the App and each client are built, so `install()` replaces it for
 * the test file; any other URL fails the request (no test reaches the network).
 */

export const API_URL = 'https://slack.test/api/';
export const RESPONSE_URL_PREFIX = 'https://hooks.slack.test/commands/';

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
}

export interface ResponseUrlPost {
  url: string;
  body: Record<string, unknown>;
}

type ApiAnswer = (args: Record<string, unknown>) => Record<string, unknown>;

export class FakeSlackWeb {
  readonly apiCalls: ApiCall[] = [];
  readonly responses: ResponseUrlPost[] = [];
  private readonly answers = new Map<string, ApiAnswer>([
    ['views.open', (args) => ({ ok: true, view: { ...(parseJson(args.view) as object), id: 'V0OPENED' } })],
    ['views.update', (args) => ({ ok: true, view: { ...(parseJson(args.view) as object), id: args.view_id } })],
  ]);
  private readonly once = new Map<string, Record<string, unknown>>();
  private original: typeof fetch | undefined;

  /** Answers the next call of `method` with `answer` (an `ok: false` body is a Slack refusal). */
  answerOnce(method: string, answer: Record<string, unknown>): void {
    this.once.set(method, answer);
  }

  /** The views the app opened, parsed. */
  openedViews(): Record<string, unknown>[] {
    return this.apiCalls
      .filter((c) => c.method === 'views.open')
      .map((c) => parseJson(c.args.view) as Record<string, unknown>);
  }

  install(): void {
    this.original = globalThis.fetch;
    globalThis.fetch = this.fetch;
  }

  uninstall(): void {
    if (this.original) globalThis.fetch = this.original;
  }

  private readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const body = typeof init?.body === 'string' ? init.body : '';
    if (url.startsWith(RESPONSE_URL_PREFIX)) {
      this.responses.push({ url, body: JSON.parse(body) as Record<string, unknown> });
      return Response.json({ ok: true });
    }
    if (url.startsWith(API_URL)) {
      const method = url.slice(API_URL.length);
      const args = Object.fromEntries(new URLSearchParams(body));
      this.apiCalls.push({ method, args });
      const once = this.once.get(method);
      this.once.delete(method);
      const answer = this.answers.get(method);
      return Response.json(once ?? (answer ? answer(args) : { ok: false, error: 'unknown_method' }));
    }
    throw new TypeError(`fetch failed: listener tests reach no network (${url})`);
  };
}

function parseJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}
