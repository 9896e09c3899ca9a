/**
 * What each modal carries from where it was opened to its submission, in `private_metadata`. One
 * zod schema per modal; the type is inferred from it, so the two sides cannot drift apart.
 */

import { z } from 'zod';
import { SECTION_KEYS } from '../domain/postmortem/document';

/** Slack's limit on `private_metadata`. */
export const METADATA_MAX = 3_000;

export const startIncidentMetadata = z.object({ channelId: z.string() });

export const timelineEntryMetadata = z.object({
  incidentId: z.number().int(),
  entryId: z.number().int(),
  /** The entry's version the modal showed: a change since then is refused, not overwritten. */
  version: z.number().int(),
  channelId: z.string().nullable(),
});

/** The shortcut's message waits in the database (it may exceed the metadata limit); only its id travels. */
export const pickIncidentMetadata = z.object({ pendingId: z.number().int() });

/** A postmortem section's edit modal: the version it showed, so a concurrent save is refused, not overwritten. */
export const postmortemSectionMetadata = z.object({
  incidentId: z.number().int(),
  section: z.enum(SECTION_KEYS),
  version: z.number().int(),
});

export function encodeMetadata<T>(schema: z.ZodType<T>, value: T): string {
  const json = JSON.stringify(schema.parse(value));
  if (json.length > METADATA_MAX) throw new Error('modal metadata exceeds Slack’s 3,000 characters');
  return json;
}

/** The metadata, or undefined when it is not what this modal sends (an old or forged view). */
export function decodeMetadata<T>(schema: z.ZodType<T>, text: string | undefined): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
