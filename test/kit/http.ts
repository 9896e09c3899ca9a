/** Slack's HTTP conventions: form or JSON bodies, tokens in headers or forms, JSON answers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail } from './slack-errors';
import type { JsonObject } from './types';

/** Arguments that arrive JSON-encoded in a form body (the WebClient stringifies every non-scalar). */
const JSON_ARGUMENTS: Record<string, string> = {
  blocks: 'invalid_blocks_format',
  attachments: 'invalid_attachments',
  view: 'invalid_arguments',
  metadata: 'invalid_metadata_format',
};

export interface HttpAnswer {
  status: number;
  body: JsonObject | string;
  headers?: Record<string, string>;
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function send(response: ServerResponse, answer: HttpAnswer): void {
  const isJson = typeof answer.body !== 'string';
  const payload = isJson ? JSON.stringify(answer.body) : (answer.body as string);
  response.writeHead(answer.status, {
    'content-type': isJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
    ...answer.headers,
  });
  response.end(payload);
}

export function contentTypeOf(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function bearerToken(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

interface ParsedRequest {
  args: JsonObject;
  /** Token from the query string or a form body (Slack ignores a token inside a JSON body). */
  token?: string;
}

function parseJsonBody(text: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    fail('invalid_json');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('invalid_json');
  const { token: _ignored, ...args } = parsed as JsonObject;
  return args;
}

/** Form or JSON body, plus query parameters; JSON-valued form fields decoded. */
export function parseApiRequest(request: IncomingMessage, raw: Buffer, query: URLSearchParams): ParsedRequest {
  const { token: queryToken, ...queryArgs } = Object.fromEntries(query);
  const type = contentTypeOf(request);
  const text = raw.toString('utf8');
  if (type === 'application/json') {
    return { args: { ...queryArgs, ...parseJsonBody(text) }, ...(queryToken !== undefined && { token: queryToken }) };
  }
  if (type !== '' && type !== 'application/x-www-form-urlencoded') fail('invalid_form_data');
  const { token: formToken, ...form } = Object.fromEntries(new URLSearchParams(text));
  const token = formToken ?? queryToken;
  return { args: decodeJsonArguments({ ...queryArgs, ...form }), ...(token !== undefined && { token }) };
}

function decodeJsonArguments(args: JsonObject): JsonObject {
  const decoded: JsonObject = { ...args };
  for (const [key, errorCode] of Object.entries(JSON_ARGUMENTS)) {
    const value = decoded[key];
    if (typeof value !== 'string') continue;
    try {
      decoded[key] = JSON.parse(value);
    } catch {
      fail(errorCode);
    }
  }
  return decoded;
}
