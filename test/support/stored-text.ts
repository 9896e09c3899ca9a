import { sql } from 'kysely';
import type { Db } from '../../src/db/connect';

/**
 * Every place in the database that holds `phrase` in people's words: the message log, timeline
 * entries and their history, shortcut captures waiting for a pick, incidents and the audit log.
 * A deletion in Slack must leave none (SPEC 2).
 */
export async function placesHolding(db: Db, phrase: string): Promise<string[]> {
  const { rows } = await sql<{ place: string }>`
    select 'message_log' as place from message_log where strpos(text, ${phrase}) > 0
    union all select 'timeline_entries' from timeline_entries where strpos(text, ${phrase}) > 0
    union all select 'timeline_entry_revisions' from timeline_entry_revisions where strpos(text, ${phrase}) > 0
    union all select 'pending_captures' from pending_captures where strpos(text, ${phrase}) > 0
    union all select 'incidents' from incidents where strpos(title || ' ' || coalesce(summary, ''), ${phrase}) > 0
    union all select 'audit_log' from audit_log where strpos(detail::text, ${phrase}) > 0
  `.execute(db);
  return rows.map((row) => row.place);
}
