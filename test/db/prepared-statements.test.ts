import { sql } from 'kysely';
import { type DatabaseHandle, prepared } from '../../src/db/connect';
import { insertNoteInChannel } from '../../src/db/timeline';
import { databaseKinds, openTestDatabase } from '../support/database';

/**
 * Hot statements (the message-log batch) are prepared once per connection: Postgres then only binds
 * and executes them, without parsing and planning the text again. pg_prepared_statements lists what
 * the session has prepared, including the statement being run.
 */
const preparedHere = (name: string) =>
  sql<{ n: number }>`select count(*)::integer as n from pg_prepared_statements where name = ${name}`;

describe.each(databaseKinds())('prepared statements (%s)', (kind) => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database.close();
  });

  it('a statement opened with prepared() runs with its parameters, again and again', async () => {
    for (const value of [1, 2, 3]) {
      const { rows } = await sql<{
        doubled: number;
      }>`${prepared('probe-double')} select ${value}::integer * 2 as doubled`.execute(database.db);
      expect(rows).toEqual([{ doubled: value * 2 }]);
    }
  });

  it('refuses a name Postgres would have to quote', () => {
    expect(() => prepared('Probe Statement')).toThrow(/use a-z, 0-9 and -/);
  });
});

const describePostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

describePostgres('prepared statements on Postgres', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    await database.close();
  });

  it('are prepared under their name on the connection; other statements are not', async () => {
    await database.db.connection().execute(async (db) => {
      const marked = await sql<{ n: number }>`${prepared('probe-marked')} ${preparedHere('probe-marked')}`.execute(db);
      expect(marked.rows).toEqual([{ n: 1 }]);
      const unmarked = await preparedHere('probe-marked-not').execute(db);
      expect(unmarked.rows).toEqual([{ n: 0 }]);
      // Run again on the same connection: the name is taken, so pg reuses the statement.
      const again = await sql<{ n: number }>`${prepared('probe-marked')} ${preparedHere('probe-marked')}`.execute(db);
      expect(again.rows).toEqual([{ n: 1 }]);
    });
  });

  it('the note of `/incident timeline <when> <text>` is one prepared statement', async () => {
    await database.db.connection().execute(async (db) => {
      const at = new Date('2026-11-26T09:00:00Z');
      const note = { authorId: 'UALICE', text: 'rolled back', occurredAt: at, recordedAt: at };
      // A channel with no incident: nothing is written, but the statement ran, under its name.
      expect(await insertNoteInChannel(db, { workspaceId: 999_999, channelId: 'CNOINCIDENT' }, note)).toBeUndefined();
      expect((await preparedHere('timeline-note').execute(db)).rows).toEqual([{ n: 1 }]);
    });
  });

  it('a prepared statement outlives a column added by a later migration (another replica, mid-deploy)', async () => {
    const at = new Date('2026-11-26T09:00:00Z');
    const note = { authorId: 'UALICE', text: 'rolled back', occurredAt: at, recordedAt: at };
    const where = { workspaceId: 999_999, channelId: 'CNOINCIDENT' };
    await database.db.connection().execute(async (db) => {
      await insertNoteInChannel(db, where, note);
      await sql`alter table timeline_entries add column added_later text`.execute(db);
      // With `returning *` Postgres refuses: "cached plan must not change result type".
      await expect(insertNoteInChannel(db, where, note)).resolves.toBeUndefined();
      await sql`alter table timeline_entries drop column added_later`.execute(db);
    });
  });
});
