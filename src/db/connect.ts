import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import lockfile from 'proper-lockfile';
import { PGliteDialect } from './pglite-dialect';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: 'postgres' | 'embedded';
  /** True when the database answers a trivial query (used by /healthz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Raised when another process already holds the embedded database directory. */
export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `The embedded database in ${dataDir} is in use by another Debrief process (for example a running server). ` +
        'Stop that process first, or set DATABASE_URL so that every process shares one Postgres server.',
    );
    this.name = 'DataDirLockedError';
  }
}

export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<DatabaseHandle> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openEmbedded(options.dataDir);
}

export function openPostgres(connectionString: string): DatabaseHandle {
  const pool = new Pool({ connectionString, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return handle(db, 'postgres', async () => db.destroy());
}

/**
 * Opens the embedded database under dataDir. PGlite does not lock its directory and two processes
 * on one directory corrupt it, so the directory is locked for as long as this process holds it.
 */
export async function openEmbedded(dataDir: string): Promise<DatabaseHandle> {
  const directory = path.resolve(dataDir);
  const pgdata = path.join(directory, 'pgdata');
  mkdirSync(pgdata, { recursive: true });
  let unlock: () => Promise<void>;
  try {
    unlock = await lockfile.lock(pgdata, {
      lockfilePath: path.join(directory, 'debrief.lock'),
      stale: 15_000,
      update: 5_000,
      realpath: false,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataDirLockedError(directory);
    throw error;
  }
  try {
    return embeddedHandle(await PGlite.create(pgdata), unlock);
  } catch (error) {
    await unlock();
    throw error;
  }
}

/** An in-memory embedded database, optionally started from a dump of a migrated one (tests, demo). */
export async function openInMemory(dump?: Blob): Promise<DatabaseHandle> {
  return embeddedHandle(await PGlite.create(dump ? { loadDataDir: dump } : {}));
}

function embeddedHandle(pglite: PGlite, afterClose?: () => Promise<void>): DatabaseHandle {
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return handle(db, 'embedded', async () => {
    await db.destroy();
    // Kysely only destroys a driver it has started, i.e. after a first query.
    if (!pglite.closed) await pglite.close();
    await afterClose?.();
  });
}

function handle(db: Db, kind: DatabaseHandle['kind'], close: () => Promise<void>): DatabaseHandle {
  let closed = false;
  return {
    db,
    kind,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await close();
    },
  };
}
