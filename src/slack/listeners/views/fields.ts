import type { ViewStateValue } from '@slack/bolt';
import type { z } from 'zod';

type StateValues = Record<string, Record<string, ViewStateValue>>;

/** A text input's value; every Debrief input's action id is its block id. */
export function fieldValue(values: StateValues, blockId: string): string | undefined {
  return values[blockId]?.[blockId]?.value ?? undefined;
}

/** The selected option of a select or radio group. */
export function selectedValue(values: StateValues, blockId: string): string | undefined {
  return values[blockId]?.[blockId]?.selected_option?.value ?? undefined;
}

/** zod issues as Slack's `response_action: errors`, keyed by block id. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const block = String(issue.path[0] ?? '');
    errors[block] ??= issue.message;
  }
  return errors;
}

export function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
