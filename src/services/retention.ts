import type { Db } from '../db/connect';
import { purgeMessageLogs } from '../db/message-log';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The message log holds people's words: it is deleted `retentionDays` after its incident closed.
 * Timeline entries stay. Idempotent, so every replica may run it.
 */
export async function purgeExpiredMessageLogs(db: Db, now: Date, retentionDays: number): Promise<number> {
  return purgeMessageLogs(db, new Date(now.getTime() - retentionDays * DAY_MS));
}
