/**
 * Small factories for modal inputs. Every input's single element uses its block id as its action id,
 * so a submission reads it as `values[id][id]` (see listeners/views/fields.ts). Initial values are cut
 * to what the element accepts, so a long stored text never makes Slack refuse the whole modal.
 */

import type { InputBlock, PlainTextOption } from '@slack/types';
import { cutSafely, plainText } from './format';

/** Slack's limit on a plain_text_input (SPEC 2: a modal text field holds 3,000 characters). */
export const TEXT_INPUT_MAX = 3_000;
/** Slack's limits on option text and value, and on an input's label and hint. */
const OPTION_TEXT_MAX = 75;
const OPTION_VALUE_MAX = 150;
const LABEL_MAX = 2_000;
const HINT_MAX = 2_000;
const PLACEHOLDER_MAX = 150;

interface FieldCommon {
  /** The block id, and the element's action id. */
  id: string;
  label: string;
  hint?: string;
  /** Inputs are required unless said otherwise, as in Slack. */
  optional?: boolean;
}

export interface TextFieldOptions extends FieldCommon {
  /** The text as a person would type it (not Slack-escaped); cut to `maxLength`. */
  initial?: string | null;
  placeholder?: string;
  maxLength?: number;
  multiline?: boolean;
}

export interface ChoiceOption {
  value: string;
  label: string;
}

export interface ChoiceFieldOptions extends FieldCommon {
  options: readonly ChoiceOption[];
  /** The value selected when the modal opens; absent or unknown: nothing selected. */
  initial?: string | null;
  placeholder?: string;
}

/** A one-line text input. */
export function textField(options: TextFieldOptions): InputBlock {
  const maxLength = Math.min(options.maxLength ?? TEXT_INPUT_MAX, TEXT_INPUT_MAX);
  const initial = options.initial ? cutSafely(options.initial, maxLength) : '';
  return {
    ...frame(options),
    element: {
      type: 'plain_text_input',
      action_id: options.id,
      max_length: maxLength,
      ...(options.multiline ? { multiline: true } : {}),
      // Slack refuses an empty initial_value on some clients: leave it out instead.
      ...(initial !== '' ? { initial_value: initial } : {}),
      ...(options.placeholder ? { placeholder: plainText(cutSafely(options.placeholder, PLACEHOLDER_MAX)) } : {}),
    },
  };
}

/** A multi-line text input (paragraphs, one item per line). */
export function multilineField(options: Omit<TextFieldOptions, 'multiline'>): InputBlock {
  return textField({ ...options, multiline: true });
}

/** A drop-down of fixed choices. */
export function selectField(options: ChoiceFieldOptions): InputBlock {
  const choices = options.options.map(option);
  const initial = choices.find((c) => c.value === options.initial);
  return {
    ...frame(options),
    element: {
      type: 'static_select',
      action_id: options.id,
      options: choices,
      ...(initial ? { initial_option: initial } : {}),
      ...(options.placeholder ? { placeholder: plainText(cutSafely(options.placeholder, PLACEHOLDER_MAX)) } : {}),
    },
  };
}

/** Radio buttons: a few choices, all visible. */
export function radioField(options: Omit<ChoiceFieldOptions, 'placeholder'>): InputBlock {
  const choices = options.options.map(option);
  const initial = choices.find((c) => c.value === options.initial);
  return {
    ...frame(options),
    element: {
      type: 'radio_buttons',
      action_id: options.id,
      options: choices,
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

function frame(options: FieldCommon) {
  return {
    type: 'input' as const,
    block_id: options.id,
    label: plainText(cutSafely(options.label, LABEL_MAX)),
    ...(options.hint ? { hint: plainText(cutSafely(options.hint, HINT_MAX)) } : {}),
    ...(options.optional ? { optional: true } : {}),
  };
}

function option(choice: ChoiceOption): PlainTextOption {
  return {
    text: plainText(cutSafely(choice.label, OPTION_TEXT_MAX)),
    value: cutSafely(choice.value, OPTION_VALUE_MAX),
  };
}
