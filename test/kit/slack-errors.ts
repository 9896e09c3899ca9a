import { type BlockKitViolation, formatViolations } from './block-kit-limits';
import type { JsonObject } from './types';

/** An `ok:false` answer: Slack's error code and any extra fields Slack sends with it. */
export class SlackError extends Error {
  constructor(
    readonly code: string,
    readonly extra: JsonObject = {},
  ) {
    super(code);
  }
}

export function fail(code: string, extra?: JsonObject): never {
  throw new SlackError(code, extra);
}

export function invalidArguments(messages: string[]): never {
  fail('invalid_arguments', { response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) } });
}

export function invalidBlocks(violations: BlockKitViolation[]): never {
  const errors = formatViolations(violations);
  fail('invalid_blocks', { errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } });
}
