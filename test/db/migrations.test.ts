import { sql } from 'kysely';
import * as dropDmChannels from '../../migrations/0009_drop_dm_channels';
import type { DatabaseHandle } from '../../src/db/connect';
import { databaseKinds, openTestDatabase } from '../support/database';

/** Migrations that change or remove what earlier ones made, on both databases. */
describe.each(databaseKinds())('migrations on the %s database', (kind) => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => database.close());

  const tableExists = async (name: string) => {
    const { rows } = await sql<{ found: boolean }>`select to_regclass(${name}) is not null as found`.execute(
      database.db,
    );
    return rows[0]!.found;
  };

  test('0009 drops the table of opened DM channels, and its down step makes it again', async () => {
    expect(await tableExists('dm_channels')).toBe(false);
    await dropDmChannels.down(database.db);
    expect(await tableExists('dm_channels')).toBe(true);
    await dropDmChannels.up(database.db);
    expect(await tableExists('dm_channels')).toBe(false);
  });
});
