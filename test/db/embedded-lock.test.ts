import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { type DatabaseHandle, DataDirLockedError, openEmbedded } from '../../src/db/connect';

/** Opening a file-backed PGlite takes seconds. */
jest.setTimeout(60_000);

describe('embedded database directory lock', () => {
  let root: string;
  /** Every handle a test opened, expected or not; afterEach closes them all, whatever the test did. */
  const opened: DatabaseHandle[] = [];

  async function open(directory: string): Promise<DatabaseHandle> {
    const handle = await openEmbedded(directory);
    opened.push(handle);
    return handle;
  }

  /** Expects the directory to be refused; a handle that opens after all is tracked (so closed) before failing. */
  async function refusal(directory: string): Promise<unknown> {
    let error: unknown;
    try {
      await open(directory);
    } catch (caught) {
      error = caught;
    }
    if (error === undefined) throw new Error(`a second openEmbedded on ${directory} succeeded`);
    return error;
  }

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'debrief-lock-'));
  });

  afterEach(async () => {
    // Newest first, each one whatever the others do: an open PGlite or a held lock would keep Jest running.
    const failures: unknown[] = [];
    for (const handle of opened.splice(0).reverse()) {
      await handle.close().catch((error: unknown) => failures.push(error));
    }
    if (failures.length > 0) throw failures[0];
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test('a second open while the first is held is refused; after close the data is still there', async () => {
    const dataDir = path.join(root, 'data');
    const first = await open(dataDir);
    expect(first.kind).toBe('embedded');
    expect(await first.ping()).toBe(true);
    await sql`create table lock_probe (id integer primary key, note text not null)`.execute(first.db);
    await sql`insert into lock_probe (id, note) values (1, 'written before reopen')`.execute(first.db);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from lock_probe`.execute(first.db);
    expect(rows).toEqual([{ n: 1 }]);
    expect(existsSync(path.join(dataDir, 'debrief.lock'))).toBe(true);

    const refused = await refusal(dataDir);
    expect(refused).toBeInstanceOf(DataDirLockedError);
    const locked = refused as DataDirLockedError;
    expect(locked.name).toBe('DataDirLockedError');
    expect(locked.dataDir).toBe(path.resolve(dataDir));
    expect(locked.message).toContain(path.resolve(dataDir));
    expect(locked.message).toMatch(/in use by another Debrief process/);

    // The refused attempt leaves the holder working.
    expect(await first.ping()).toBe(true);

    await first.close();
    expect(existsSync(path.join(dataDir, 'debrief.lock'))).toBe(false);
    expect(await first.ping()).toBe(false);

    const second = await open(dataDir);
    expect(await second.ping()).toBe(true);
    const after = await sql<{ id: number; note: string }>`select id, note from lock_probe`.execute(second.db);
    expect(after.rows).toEqual([{ id: 1, note: 'written before reopen' }]);
    await second.close();
  });

  test('the same directory spelled differently is still refused', async () => {
    const directory = path.join(root, 'spelled');
    const link = path.join(root, 'spelled-link');
    const holder = await open(directory);
    symlinkSync(directory, link, 'dir');
    const spellings = [
      `${directory}${path.sep}`,
      path.join(directory, '.'),
      path.relative(process.cwd(), directory),
      link,
    ];
    for (const spelling of spellings) {
      expect(await refusal(spelling)).toBeInstanceOf(DataDirLockedError);
    }
    expect(await holder.ping()).toBe(true);
  });

  test('close() shuts the embedded database even when no query ran', async () => {
    const closeSpy = jest.spyOn(PGlite.prototype, 'close');
    try {
      const handle = await open(path.join(root, 'unused'));
      // PGlite.create closes an instance of its own while initialising a new directory; count from here.
      closeSpy.mockClear();
      await handle.close();
      expect(closeSpy).toHaveBeenCalledTimes(1);
    } finally {
      closeSpy.mockRestore();
    }
  });
});
