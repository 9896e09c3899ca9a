import type { Db } from '../db/connect';
import { forgetEventsBefore } from '../db/events';
import { purgeMessageLogs } from '../db/message-log';
import { purgePendingCapturesBefore } from '../db/pending-captures';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The message log holds people's words: it is deleted `retentionDays` after its incident closed.
 * Timeline entries stay. Idempotent, so every replica may run it.
 */
export async function purgeExpiredMessageLogs(db: Db, now: Date, retentionDays: number): Promise<number> {
  return purgeMessageLogs(db, new Date(now.getTime() - retentionDays * DAY_MS));
}

/** Slack retries an event three times within about five minutes; a day of event ids is plenty. */
const EVENT_ID_MEMORY_MS = DAY_MS;

/** Forgets the ids of events processed more than a day ago, so the dedupe table stays small. */
export async function forgetOldEventIds(db: Db, now: Date): Promise<number> {
  return forgetEventsBefore(db, new Date(now.getTime() - EVENT_ID_MEMORY_MS));
}

/** A shortcut capture nobody finished picking an incident for holds someone's words: gone after a day. */
export async function purgeAbandonedCaptures(db: Db, now: Date): Promise<number> {
  return purgePendingCapturesBefore(db, new Date(now.getTime() - DAY_MS));
}
