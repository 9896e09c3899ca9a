import { type Kysely, sql } from 'kysely';
import { up as createDmChannels } from './0008_dm_channels';

// Frozen in time: this migration imports nothing from src/ and must never change once landed.
//
// Direct messages are posted to the person's user id (Slack answers with the DM channel), so the
// table of opened DM channels (0008) has been neither read nor written since the release before this
// one. It was kept for that release's rolling deploy, when replicas of the one before it still read
// it; none does now.

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table if exists dm_channels').execute(db);
}

/** The table as 0008 made it (0008 is frozen too); the channels it held are not brought back. */
export async function down(db: Kysely<any>): Promise<void> {
  await createDmChannels(db);
}
