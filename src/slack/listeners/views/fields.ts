import type { ViewStateValue } from '@slack/bolt';
import type { z } from 'zod';
import { ActionIds } from '../../ids';

type StateValues = Record<string, Record<string, ViewStateValue>>;

/** A text input's value; every Debrief input uses the `value` action id. */
export function fieldValue(values: StateValues, blockId: string): string | undefined {
  return values[blockId]?.[ActionIds.inputValue]?.value ?? undefined;
}

/** The selected option of a select or radio group. */
export function selectedValue(values: StateValues, blockId: string): string | undefined {
  return values[blockId]?.[ActionIds.inputValue]?.selected_option?.value ?? undefined;
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
