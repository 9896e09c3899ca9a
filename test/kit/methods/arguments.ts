/** What every Web API method shares: argument parsing, paging, message content, and its spec. */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  formatViolations,
  messageBlocksTooLong,
  truncateMessageText,
  type ViewType,
  validateMessageBlocks,
  validateView,
} from '../block-kit-limits';
import { fail, invalidArguments, invalidBlocks } from '../slack-errors';
import type { JsonObject } from '../types';
import type { ChannelRecord, MessageContent, Workspace } from '../workspace';

function encodeCursor(offset: number): string {
  return Buffer.from(`next:${offset}`).toString('base64');
}

function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const match = /^next:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match) fail('invalid_cursor');
  return Number(match[1]);
}

/** One page of a list, with Slack's `response_metadata.next_cursor` ('' on the last page). */
export function paginate<T>(items: T[], cursor: string | undefined, limit: number): { page: T[]; nextCursor: string } {
  const offset = decodeCursor(cursor);
  const page = items.slice(offset, offset + limit);
  const next = offset + limit;
  return { page, nextCursor: next < items.length ? encodeCursor(next) : '' };
}

export const optionalString = z.string().optional();
export const flag = z
  .union([z.boolean(), z.string(), z.number()])
  .optional()
  .transform((value) => value === true || value === 'true' || value === '1' || value === 1);
export const optionalInt = z
  .union([z.number(), z.string()])
  .optional()
  .transform((value, context) => {
    if (value === undefined || value === '') return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed)) {
      context.addIssue({ code: 'custom', message: 'must be an integer' });
      return z.NEVER;
    }
    return parsed;
  });
export const jsonValue = z.unknown().optional();

export function zodMessages(error: z.ZodError, args: JsonObject): string[] {
  return error.issues.map((issue) => {
    const key = issue.path.join('/');
    const missing = issue.path.length === 1 && args[String(issue.path[0])] === undefined;
    return missing ? `missing required field: ${key}` : `${issue.message} [json-pointer:/${key}]`;
  });
}

/** Text, blocks and attachments as Slack accepts them: at least one, blocks within limits, text truncated. */
export function messageContent(args: { text?: string; blocks?: unknown; attachments?: unknown }): MessageContent {
  const { text, blocks, attachments } = args;
  if (blocks !== undefined && !Array.isArray(blocks)) fail('invalid_blocks_format');
  if (attachments !== undefined && !Array.isArray(attachments)) fail('invalid_attachments');
  if ((text === undefined || text === '') && !blocks?.length && !attachments?.length) fail('no_text');
  if (blocks !== undefined) {
    const violations = validateMessageBlocks(blocks);
    if (violations.length > 0) invalidBlocks(violations);
    if (messageBlocksTooLong(blocks)) fail('msg_blocks_too_long');
  }
  return {
    text: truncateMessageText(text ?? ''),
    ...(blocks !== undefined && { blocks: withBlockIds(blocks) }),
    ...(attachments !== undefined && { attachments }),
  };
}

/** Slack gives every stored block a block_id, generating a short random one where the app set none. */
export function withBlockIds(blocks: unknown[]): unknown[] {
  return blocks.map((block) =>
    typeof block === 'object' && block !== null && !('block_id' in block)
      ? { ...block, block_id: randomBytes(3).toString('base64') }
      : block,
  );
}

export function checkView(view: unknown, allowed: readonly ViewType[]): JsonObject {
  if (view === undefined) invalidArguments(['missing required field: view']);
  const violations = validateView(view, allowed);
  if (violations.length > 0) invalidArguments(formatViolations(violations));
  const input = view as JsonObject;
  return Array.isArray(input.blocks) ? { ...input, blocks: withBlockIds(input.blocks) } : input;
}

export type Handler<A> = (ws: Workspace, args: A) => JsonObject;

/**
 * Slack's rate-limit tiers (per method, per workspace): Tier 1 about 1 call a minute … Tier 4 about
 * 100; `per-channel` is chat.postMessage's about one message a second in each channel (with its
 * limit across the workspace on top: WORKSPACE_POSTS in rate-limits.ts).
 */
export type RateTier = 1 | 2 | 3 | 4 | 'per-channel';

/** The scope a bot token needs for a call, which for conversations depends on the channel's type. */
export type ScopeRule = string | ((ws: Workspace, args: JsonObject) => string) | undefined;

export interface MethodSpec {
  schema: z.ZodType<unknown, JsonObject>;
  handle: Handler<unknown>;
  scope: ScopeRule;
  tier: RateTier;
}

export function method<S extends z.ZodType<unknown, JsonObject>>(
  rules: { scope: ScopeRule; tier: RateTier },
  schema: S,
  handle: Handler<z.output<S>>,
): MethodSpec {
  return { schema, handle: handle as Handler<unknown>, ...rules };
}

export const channelArgs = z.object({ channel: optionalString });

export interface ScopesByChannelType {
  public: string;
  private: string;
  im?: string;
  mpim?: string;
}

/** The scope for the channel a call names; an unknown channel is checked as a public one. */
export function scopeFor(ws: Workspace, channelId: unknown, scopes: ScopesByChannelType): string {
  const channel: ChannelRecord | undefined = typeof channelId === 'string' ? ws.channels.get(channelId) : undefined;
  if (!channel) return scopes.public;
  if (channel.kind === 'im') return scopes.im ?? scopes.private;
  if (channel.kind === 'mpim') return scopes.mpim ?? scopes.private;
  return channel.isPrivate ? scopes.private : scopes.public;
}
