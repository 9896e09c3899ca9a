/**
 * Slack's upload flow (what `files.uploadV2` of @slack/web-api does; `files.upload` was shut off in
 * November 2025): `files.getUploadURLExternal` hands out an upload URL and a file id, the bytes are
 * POSTed to that URL (served by the stand-in under `/upload/v1/`), and `files.completeUploadExternal`
 * shares the file into a channel the bot is in. Uploaded files are kept with their content so that
 * tests can read what the app uploaded. Shapes follow slackapi/java-slack-sdk
 * json-logs/samples/api/files.getUploadURLExternal.json and files.completeUploadExternal.json.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { fail, invalidArguments } from '../slack-errors';
import type { JsonObject } from '../types';
import { randomHex, type Workspace } from '../workspace';
import { type MethodSpec, method, optionalInt, optionalString } from './arguments';

/** Pseudo-method name for failNext/delayNext on the upload URL. */
export const FILE_UPLOAD = 'files.upload_url';
/** Where upload URLs are served, beside `/api/`. */
export const UPLOAD_PATH = '/upload/v1/';

/** A file the app uploaded and completed, as tests read it. */
export interface UploadedFile {
  id: string;
  filename: string;
  title: string;
  /** The bytes as UTF-8 text. */
  content: string;
  bytes: number;
  /** The channel it was shared into; absent when completed without one (a private upload). */
  channelId?: string;
  initialComment?: string;
  threadTs?: string;
  at: Date;
}

interface FileRecord {
  id: string;
  ticket: string;
  filename: string;
  /** The length announced to getUploadURLExternal; the upload must match it. */
  length: number;
  content?: Buffer;
  completed: boolean;
  created: number;
}

interface FileStore {
  files: Map<string, FileRecord>;
  uploaded: UploadedFile[];
}

const stores = new WeakMap<Workspace, FileStore>();

function storeOf(ws: Workspace): FileStore {
  let store = stores.get(ws);
  if (!store) {
    store = { files: new Map(), uploaded: [] };
    stores.set(ws, store);
  }
  return store;
}

/** Files uploaded and completed so far, oldest first. */
export function uploadedFilesOf(ws: Workspace): readonly UploadedFile[] {
  return storeOf(ws).uploaded;
}

/** Forgets the recorded uploads (the stand-in's reset). */
export function forgetUploads(ws: Workspace): void {
  storeOf(ws).uploaded.length = 0;
}

/**
 * The upload URL: takes the bytes (a raw body, or multipart form data as @slack/web-api sends them)
 * and answers `OK - <bytes>` with 200, as Slack's file servers do; an unknown or used URL is a 404.
 */
export async function receiveUpload(
  ws: Workspace,
  ticket: string,
  request: IncomingMessage,
  raw: Buffer,
): Promise<{ status: number; body: string }> {
  const file = [...storeOf(ws).files.values()].find((f) => f.ticket === ticket);
  if (!file || file.completed || request.method !== 'POST') return { status: 404, body: 'not found' };
  file.content = await uploadedBytes(request, raw);
  return { status: 200, body: `OK - ${file.content.length}` };
}

async function uploadedBytes(request: IncomingMessage, raw: Buffer): Promise<Buffer> {
  const type = request.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) return raw;
  const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
  for (const value of form.values()) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  const text = form.get('file') ?? form.get('body');
  return Buffer.from(typeof text === 'string' ? text : '');
}

function getUploadURLExternal(ws: Workspace, args: { filename?: string; length?: number }): JsonObject {
  if (args.filename === undefined || args.filename === '') invalidArguments(['missing required field: filename']);
  if (args.length === undefined) invalidArguments(['missing required field: length']);
  if (args.length < 1) fail('invalid_arguments');
  const store = storeOf(ws);
  const id = ws.newId('F', (candidate) => store.files.has(candidate));
  const ticket = `${Buffer.from(id).toString('base64url')}${randomHex(12)}`;
  store.files.set(id, {
    id,
    ticket,
    filename: args.filename,
    length: args.length,
    completed: false,
    created: ws.nowSeconds(),
  });
  return { upload_url: `${ws.baseUrl}${UPLOAD_PATH.slice(1)}${ticket}`, file_id: id };
}

/** `files` arrives JSON-encoded in a form body: `[{"id":"F…","title":"…"}]`. */
const completeFiles = z.array(z.object({ id: z.string(), title: z.string().optional() })).min(1);

function parseFiles(value: unknown): z.infer<typeof completeFiles> {
  let decoded = value;
  if (typeof value === 'string') {
    try {
      decoded = JSON.parse(value);
    } catch {
      fail('invalid_arguments');
    }
  }
  const parsed = completeFiles.safeParse(decoded);
  if (!parsed.success) invalidArguments(['missing required field: files']);
  return parsed.data;
}

function completeUploadExternal(
  ws: Workspace,
  args: { files?: unknown; channel_id?: string; channels?: string; initial_comment?: string; thread_ts?: string },
): JsonObject {
  if (args.files === undefined) invalidArguments(['missing required field: files']);
  const store = storeOf(ws);
  const files = parseFiles(args.files).map(({ id, title }) => {
    const file = store.files.get(id);
    // Slack answers file_not_found for an id it never issued, one completed already, or one never uploaded.
    if (!file || file.content === undefined || file.completed) fail('file_not_found');
    if (file.content.length !== file.length) fail('file_upload_size_mismatch');
    return { file, title: title ?? file.filename };
  });
  const target = args.channel_id ?? args.channels;
  // Sharing needs the bot in the channel (`not_in_channel`); a private one it is not in is not found.
  const channel = target === undefined || target === '' ? undefined : ws.memberChannel(target);
  if (channel?.isArchived) fail('is_archived');
  const threadTs = args.thread_ts === '' ? undefined : args.thread_ts;
  for (const { file, title } of files) {
    file.completed = true;
    store.uploaded.push({
      id: file.id,
      filename: file.filename,
      title,
      content: file.content!.toString('utf8'),
      bytes: file.content!.length,
      ...(channel && { channelId: channel.id }),
      ...(args.initial_comment !== undefined && { initialComment: args.initial_comment }),
      ...(threadTs !== undefined && { threadTs }),
      at: new Date(ws.now()),
    });
  }
  // Shared into a channel, the files arrive there as one message carrying the initial comment.
  if (channel) {
    ws.postAsBot(channel, {
      text: args.initial_comment ?? '',
      ...(threadTs !== undefined && { threadTs }),
    });
  }
  return { files: files.map(({ file, title }) => ({ id: file.id, title })) };
}

export const FILES_METHODS: Record<string, MethodSpec> = {
  // Both are Tier 4 and need files:write (Slack's method pages).
  'files.getUploadURLExternal': method(
    { scope: 'files:write', tier: 4 },
    z.object({
      filename: optionalString,
      length: optionalInt,
      alt_text: optionalString,
      alt_txt: optionalString,
      snippet_type: optionalString,
    }),
    getUploadURLExternal,
  ),
  'files.completeUploadExternal': method(
    { scope: 'files:write', tier: 4 },
    z.object({
      files: z.unknown().optional(),
      channel_id: optionalString,
      channels: optionalString,
      initial_comment: optionalString,
      thread_ts: optionalString,
      blocks: z.unknown().optional(),
    }),
    completeUploadExternal,
  ),
};
